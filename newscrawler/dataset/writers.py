"""Write records as JSONL (plain, ``.gz``, ``.zst``), Parquet (one file or a partitioned folder)
or CSV. Each writer consumes an iterator of records, so memory stays flat.

Single files are written under a temporary name and renamed when complete: an interrupted
export leaves no half-written file under the output name.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, Protocol

import pyarrow as pa
import zstandard

from newscrawler.dataset.schema import nested_fields, project, record_schema

FORMATS = ("jsonl", "parquet", "csv")
PARTITION_KEYS = ("site", "date")
DEFAULT_ROW_GROUP_SIZE = 10_000


class RecordWriter(Protocol):
    def write_all(self, records: Iterable[dict[str, Any]]) -> int:
        """Write every record (reduced to the writer's fields); return how many were written."""


def format_from_path(path: Path) -> str | None:
    """Output format implied by the file name (``.jsonl[.gz|.zst]``, ``.parquet``, ``.csv``)."""
    name = path.name.lower()
    for suffix in (".gz", ".zst"):
        name = name.removesuffix(suffix)
    if name.endswith((".jsonl", ".jl", ".ndjson")):
        return "jsonl"
    if name.endswith(".parquet"):
        return "parquet"
    if name.endswith(".csv"):
        return "csv"
    return None


@contextmanager
def atomic_binary(path: Path) -> Iterator[IO[bytes]]:
    """Write ``path`` (compressed by suffix) through a temporary file renamed on success."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.partial")
    raw = tmp.open("wb")
    out: Any
    try:
        suffix = path.suffix.lower()
        if suffix == ".gz":
            out = gzip.GzipFile(filename=path.name, mode="wb", fileobj=raw, compresslevel=6)
        elif suffix == ".zst":
            out = zstandard.ZstdCompressor(level=3).stream_writer(raw, closefd=False)
        else:
            out = raw
        yield out
        if out is not raw:
            out.close()
        raw.close()
        os.replace(tmp, path)
    except BaseException:
        raw.close()
        tmp.unlink(missing_ok=True)
        raise


def select(records: Iterable[dict[str, Any]], fields: list[str]) -> Iterator[dict[str, Any]]:
    """Records reduced to ``fields`` (absent fields stay absent)."""
    for record in records:
        yield {k: record[k] for k in fields if k in record}


class JsonlWriter:
    """One JSON object a line, UTF-8 with real characters, as the crawl writes it."""

    def __init__(self, path: Path, fields: list[str]) -> None:
        self.path = path
        self.fields = fields

    def write_all(self, records: Iterable[dict[str, Any]]) -> int:
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        count = 0
        with atomic_binary(self.path) as out:
            write = out.write
            for record in select(records, self.fields):
                write((dumps(record) + "\n").encode("utf-8"))
                count += 1
        return count


class CsvWriter:
    """A header row, then one row a record; lists and objects as JSON text, null as empty."""

    def __init__(self, path: Path, fields: list[str]) -> None:
        self.path = path
        self.fields = fields

    def write_all(self, records: Iterable[dict[str, Any]]) -> int:
        nested = nested_fields() & set(self.fields)
        dumps = json.JSONEncoder(ensure_ascii=False).encode
        fields = self.fields
        count = 0
        with atomic_binary(self.path) as raw:
            text = io.TextIOWrapper(raw, encoding="utf-8", newline="")
            writer = csv.writer(text)
            writer.writerow(fields)
            for record in records:
                row = []
                for name in fields:
                    value = record.get(name)
                    if value is None:
                        row.append("")
                    elif name in nested:
                        row.append(dumps(value))
                    else:
                        row.append(value)
                writer.writerow(row)
                count += 1
            text.flush()
            text.detach()
        return count


def batches(
    records: Iterable[dict[str, Any]], schema: pa.Schema, size: int
) -> Iterator[pa.RecordBatch]:
    """Arrow record batches of ``size`` rows (the last may be shorter)."""
    rows: list[dict[str, Any]] = []
    for record in records:
        rows.append(record)
        if len(rows) >= size:
            yield pa.RecordBatch.from_pylist(rows, schema=schema)
            rows = []
    if rows:
        yield pa.RecordBatch.from_pylist(rows, schema=schema)


class ParquetWriter:
    """One Parquet file (zstd), one row group per ``row_group_size`` records."""

    def __init__(
        self, path: Path, fields: list[str], row_group_size: int = DEFAULT_ROW_GROUP_SIZE
    ) -> None:
        self.path = path
        self.schema = project(record_schema(), fields)
        self.row_group_size = row_group_size

    def write_all(self, records: Iterable[dict[str, Any]]) -> int:
        import pyarrow.parquet as pq

        count = 0
        with atomic_binary(self.path) as raw:
            writer = pq.ParquetWriter(raw, self.schema, compression="zstd")
            try:
                for batch in batches(records, self.schema, self.row_group_size):
                    writer.write_batch(batch, row_group_size=self.row_group_size)
                    count += batch.num_rows
            finally:
                writer.close()
        return count


class PartitionedParquetWriter:
    """A folder of Parquet files partitioned Hive-style by site or publication date
    (``site=example.org/part-0.parquet``, ``date=2024-03-27/...``; no date:
    ``date=__HIVE_DEFAULT_PARTITION__``), readable by pyarrow, DuckDB, Spark and ``datasets``.

    The partition column lives in the folder names, not in the files.
    """

    MAX_OPEN_FILES = 128

    def __init__(
        self,
        folder: Path,
        fields: list[str],
        by: str,
        row_group_size: int = DEFAULT_ROW_GROUP_SIZE,
    ) -> None:
        if by not in PARTITION_KEYS:
            raise ValueError(f"cannot partition by {by!r}: use one of {', '.join(PARTITION_KEYS)}")
        self.folder = folder
        self.by = by
        columns = [f for f in fields if f != by]
        self.schema = project(record_schema(), columns).append(pa.field(by, pa.string()))
        self.row_group_size = row_group_size

    def _with_key(self, records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        for record in records:
            if self.by == "date":
                record["date"] = (record.get("published") or "")[:10] or None
            yield record

    def write_all(self, records: Iterable[dict[str, Any]]) -> int:
        import pyarrow.dataset as ds

        if self.folder.exists() and any(self.folder.iterdir()):
            raise FileExistsError(f"output folder is not empty: {self.folder}")
        self.folder.mkdir(parents=True, exist_ok=True)
        count = 0

        def counted() -> Iterator[pa.RecordBatch]:
            nonlocal count
            for batch in batches(self._with_key(records), self.schema, self.row_group_size):
                count += batch.num_rows
                yield batch

        fmt = ds.ParquetFileFormat()
        ds.write_dataset(
            counted(),
            base_dir=str(self.folder),
            schema=self.schema,
            format=fmt,
            file_options=fmt.make_write_options(compression="zstd"),
            partitioning=ds.partitioning(pa.schema([(self.by, pa.string())]), flavor="hive"),
            basename_template="part-{i}.parquet",
            max_open_files=self.MAX_OPEN_FILES,
            min_rows_per_group=min(1024, self.row_group_size),
            max_rows_per_group=self.row_group_size,
            existing_data_behavior="overwrite_or_ignore",
        )
        return count


def open_writer(
    path: Path,
    fmt: str,
    fields: list[str],
    *,
    partition_by: str | None = None,
    row_group_size: int = DEFAULT_ROW_GROUP_SIZE,
) -> RecordWriter:
    """The writer for ``fmt`` (``jsonl``, ``parquet``, ``csv``)."""
    if partition_by:
        if fmt != "parquet":
            raise ValueError("--partition-by needs the parquet format")
        return PartitionedParquetWriter(path, fields, partition_by, row_group_size)
    if fmt == "jsonl":
        return JsonlWriter(path, fields)
    if fmt == "csv":
        return CsvWriter(path, fields)
    if fmt == "parquet":
        return ParquetWriter(path, fields, row_group_size)
    raise ValueError(f"unknown format {fmt!r}: use one of {', '.join(FORMATS)}")
