"""The export pipeline: read → validate → filter → deduplicate → write, streaming."""

from __future__ import annotations

import itertools
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from newscrawler.dataset.dedup import DROPPED, NEW, CrossRunDeduplicator
from newscrawler.dataset.filters import RecordFilter
from newscrawler.dataset.readers import ErrorCallback, RecordReader, expand_inputs
from newscrawler.dataset.writers import DEFAULT_ROW_GROUP_SIZE, open_writer
from newscrawler.dedup.config import DedupConfig


class NoRecords(ValueError):
    """The inputs hold no valid record: nothing is written."""


@dataclass
class ExportOptions:
    inputs: list[str]
    output: Path
    format: str
    fields: list[str]
    filter: RecordFilter = field(default_factory=RecordFilter)
    dedup: bool = True
    validate: bool = True
    partition_by: str | None = None
    row_group_size: int = DEFAULT_ROW_GROUP_SIZE
    progress: bool = False
    near: bool = False  # also look for near-duplicates (MinHash, slower)
    dedup_config: DedupConfig | None = None  # the crawl's dedup settings


@dataclass
class ExportSummary:
    files: int = 0
    read: int = 0  # valid records read
    bad: int = 0  # lines or rows skipped as invalid
    filtered: Counter[str] = field(default_factory=Counter)
    dedup: Counter[str] = field(default_factory=Counter)
    written: int = 0

    def lines(self) -> list[str]:
        """The summary as printed by ``scrapy export``."""
        out = [
            f"files read:        {self.files}",
            f"records read:      {self.read}",
            f"bad lines skipped: {self.bad}",
            f"filtered out:      {sum(self.filtered.values())}" + _detail(self.filtered),
            f"duplicates:        {sum(self.dedup[k] for k in DROPPED)} dropped"
            + _detail(Counter({k: v for k, v in self.dedup.items() if k != NEW})),
            f"records written:   {self.written}",
        ]
        return out


def _detail(counts: Counter[str]) -> str:
    items = [f"{k}={v}" for k, v in sorted(counts.items()) if v]
    return f" ({', '.join(items)})" if items else ""


def progress_bar(records: Iterable[dict[str, Any]], enabled: bool) -> Iterable[dict[str, Any]]:
    """Wrap ``records`` in a tqdm bar on stderr when ``enabled``."""
    if not enabled:
        return records
    from tqdm import tqdm

    bar: Iterable[dict[str, Any]] = tqdm(
        records, unit=" rec", unit_scale=True, file=sys.stderr, mininterval=0.5
    )
    return bar


def run_export(options: ExportOptions, on_error: ErrorCallback) -> ExportSummary:
    """Run one export; bad lines go to ``on_error``. Raises ``FileNotFoundError`` for a missing
    input or inputs without a dataset file, ``NoRecords`` when they hold no valid record (the
    output is not touched then) and ``FileExistsError`` for a non-empty partitioned output
    folder."""
    files = expand_inputs(options.inputs, exclude=options.output)
    if not files:
        raise FileNotFoundError(f"no JSONL or Parquet files in {' '.join(options.inputs)}")
    summary = ExportSummary(files=len(files))
    reader = RecordReader(on_error, validate=options.validate)
    keep = options.filter.keep
    writer = open_writer(
        options.output,
        options.format,
        options.fields,
        partition_by=options.partition_by,
        row_group_size=options.row_group_size,
    )
    dedup = (
        CrossRunDeduplicator(near=options.near, config=options.dedup_config)
        if options.dedup
        else None
    )

    def kept() -> Iterator[dict[str, Any]]:
        for record in progress_bar(reader.read(files), options.progress):
            summary.read += 1
            if not keep(record):
                continue
            if dedup is not None and dedup.check(record) in DROPPED:
                continue
            yield record

    try:
        records = kept()
        first = next(records, None)  # read up to the first record kept before writing
        if first is None and summary.read == 0:
            raise NoRecords(
                f"no valid records in {len(files)} file(s)"
                + (f" ({reader.bad} bad lines)" if reader.bad else "")
                + ": nothing written"
            )
        summary.written = writer.write_all(
            records if first is None else itertools.chain([first], records)
        )
    finally:
        if dedup is not None:
            summary.dedup = dedup.counts
            dedup.close()
    summary.bad = reader.bad
    summary.filtered = options.filter.dropped
    return summary
