"""Read records from crawl output: JSONL (plain, ``.gz``, ``.zst``) and Parquet, files or folders.

Every record comes with its location (``file:line``, or ``file:row`` for Parquet). Lines that are
not JSON objects, and records that break the schema, are handed to an error callback with that
location and skipped: reading never stops on bad input.
"""

from __future__ import annotations

import gzip
import io
import json
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import unquote

import zstandard

from newscrawler.dataset.schema import from_columns, record_fields
from newscrawler.dataset.validation import RecordValidator

# Not ".json": a crawl folder also holds stats.json and other single JSON documents.
JSONL_SUFFIXES = (".jsonl", ".jl", ".ndjson")
COMPRESSED_SUFFIXES = (".gz", ".zst")
PARQUET_SUFFIXES = (".parquet",)

ErrorCallback = Callable[["BadRecord"], None]


@dataclass
class BadRecord:
    """A line or row that was skipped, and why."""

    path: Path
    line: int
    reason: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.reason}"


class BadRecordPrinter:
    """Print bad records as ``file:line: reason`` to a stream, the first ``limit`` of them."""

    def __init__(self, stream: TextIO, limit: int = 100) -> None:
        self.stream = stream
        self.limit = limit
        self.seen = 0

    def __call__(self, bad: BadRecord) -> None:
        self.seen += 1
        if self.seen <= self.limit:
            print(bad, file=self.stream)
        elif self.seen == self.limit + 1:
            print(f"(more bad lines not shown: the limit is {self.limit})", file=self.stream)


def is_jsonl(path: Path) -> bool:
    name = path.name.lower()
    for suffix in COMPRESSED_SUFFIXES:
        name = name.removesuffix(suffix)
    return name.endswith(JSONL_SUFFIXES)


def is_parquet(path: Path) -> bool:
    return path.name.lower().endswith(PARQUET_SUFFIXES)


def expand_inputs(inputs: Iterable[str | Path], exclude: Path | None = None) -> list[Path]:
    """Files named, and the dataset files inside folders named (recursively, sorted by path,
    so that timestamped run files come in time order), without ``exclude`` (the output, file
    or folder). Raises ``FileNotFoundError``."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and (is_jsonl(p) or is_parquet(p)))
            )
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    if exclude is not None:
        out = exclude.resolve()
        files = [f for f in files if f.resolve() != out and out not in f.resolve().parents]
    return list(dict.fromkeys(files))


def open_binary(path: Path) -> io.BufferedIOBase:
    """``path`` opened for reading bytes, decompressed by suffix (``.gz``, ``.zst``)."""
    suffix = path.suffix.lower()
    if suffix == ".gz":
        return gzip.open(path, "rb")
    if suffix == ".zst":
        raw = zstandard.ZstdDecompressor().stream_reader(path.open("rb"), closefd=True)
        return io.BufferedReader(raw, buffer_size=1 << 20)
    return path.open("rb")


class RecordReader:
    """Iterate over the valid records of dataset files, reporting the bad ones.

    ``validate=False`` skips the schema check (JSON syntax is still checked).
    """

    def __init__(self, on_error: ErrorCallback, *, validate: bool = True) -> None:
        self.on_error = on_error
        self.validator = RecordValidator() if validate else None
        self.bad = 0

    def _bad(self, path: Path, line: int, reason: str) -> None:
        self.bad += 1
        self.on_error(BadRecord(path, line, reason))

    def read(self, paths: Iterable[Path]) -> Iterator[dict[str, Any]]:
        for path in paths:
            if is_parquet(path):
                yield from self.read_parquet(path)
            else:
                yield from self.read_jsonl(path)

    def read_jsonl(self, path: Path) -> Iterator[dict[str, Any]]:
        loads = json.loads
        validator = self.validator
        lineno = 0
        try:
            with open_binary(path) as fh:
                for lineno, line in enumerate(fh, 1):
                    try:
                        record = loads(line)
                    except ValueError as exc:  # UnicodeDecodeError included
                        if line.strip():
                            self._bad(path, lineno, f"invalid JSON: {exc}")
                        continue
                    if type(record) is not dict:
                        self._bad(path, lineno, f"not a JSON object: {type(record).__name__}")
                        continue
                    if validator is not None:
                        errors = validator.errors(record)
                        if errors:
                            self._bad(path, lineno, "schema: " + "; ".join(errors))
                            continue
                    yield record
        except (OSError, EOFError, zstandard.ZstdError) as exc:
            # Cannot open, or a corrupt or truncated compressed stream: the rest is lost.
            self._bad(path, lineno + 1, f"unreadable: {exc}")

    def read_parquet(self, path: Path, batch_size: int = 2048) -> Iterator[dict[str, Any]]:
        import pyarrow as pa
        import pyarrow.parquet as pq

        partition = partition_values(path)
        try:
            parquet = pq.ParquetFile(path)
        except (OSError, pa.ArrowException) as exc:
            self._bad(path, 0, f"cannot open: {exc}")
            return
        row = 0
        for batch in parquet.iter_batches(batch_size=batch_size):
            for record in batch.to_pylist():
                row += 1
                for key, value in partition.items():
                    record.setdefault(key, value)
                record = from_columns(record)
                if self.validator is not None:
                    errors = self.validator.errors(record, partial=True)
                    if errors:
                        self._bad(path, row, "schema: " + "; ".join(errors))
                        continue
                yield record


HIVE_NULL = "__HIVE_DEFAULT_PARTITION__"


def partition_values(path: Path) -> dict[str, str | None]:
    """Record fields encoded in Hive-style folder names (``site=example.org/``)."""
    fields = set(record_fields())
    values: dict[str, str | None] = {}
    for part in path.parent.parts:
        key, sep, value = part.partition("=")
        if sep and key in fields:
            values[key] = None if value == HIVE_NULL else unquote(value)
    return values
