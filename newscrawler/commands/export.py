"""``scrapy export``: merge crawl runs into one deduplicated, filtered dataset file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

if TYPE_CHECKING:
    from newscrawler.dataset.export import ExportOptions

# The dataset modules (pyarrow) are imported when the command runs: Scrapy imports every
# command module to list them, and `scrapy crawl` should not pay for pyarrow.


def split_list(values: list[str] | None) -> list[str]:
    """Values of a repeatable, comma-separated option."""
    return [v.strip() for value in values or [] for v in value.split(",") if v.strip()]


def parse_fields(value: str | None) -> list[str]:
    """``--fields a,b,c`` checked against the record schema (all fields when not given)."""
    from newscrawler.dataset.schema import record_fields

    known = record_fields()
    if not value:
        return known
    fields = split_list([value])
    unknown = [f for f in fields if f not in known]
    if unknown:
        raise UsageError(f"unknown field(s): {', '.join(unknown)}; fields: {', '.join(known)}")
    return fields


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "INPUT... -o OUTPUT [options]"

    def short_desc(self) -> str:
        return "Merge, deduplicate and filter crawl output into JSONL, Parquet or CSV"

    def long_desc(self) -> str:
        return (
            "Read JSONL files (plain, .gz, .zst), Parquet files or folders of them, drop "
            "records repeated across runs and copies of the same text, filter, and write one "
            "dataset. The format follows the output's extension unless --format is given. "
            "Bad lines are reported as FILE:LINE: REASON on stderr and skipped. Exit code: 0, "
            "or 1 with --strict when a line was bad; 2 for a usage error."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        from newscrawler.dataset.writers import DEFAULT_ROW_GROUP_SIZE, FORMATS, PARTITION_KEYS

        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="OUT", help="output file (or folder)")
        parser.add_argument("--format", choices=FORMATS, help="output format")
        parser.add_argument("--since", metavar="YYYY-MM-DD", help="published on or after")
        parser.add_argument("--until", metavar="YYYY-MM-DD", help="published on or before")
        parser.add_argument("--site", action="append", help="keep these sites (comma list)")
        parser.add_argument("--language", action="append", help="keep these languages")
        parser.add_argument("--min-words", type=int, default=0, metavar="N")
        parser.add_argument(
            "--no-duplicates",
            action="store_true",
            help="drop near-duplicates (records with duplicate_of)",
        )
        parser.add_argument("--fields", metavar="A,B,C", help="fields to keep, in this order")
        parser.add_argument(
            "--partition-by", choices=PARTITION_KEYS, help="Parquet folder partitioned by"
        )
        parser.add_argument(
            "--row-group-size", type=int, default=DEFAULT_ROW_GROUP_SIZE, metavar="N"
        )
        parser.add_argument(
            "--no-dedup", action="store_true", help="keep records repeated across runs"
        )
        parser.add_argument(
            "--near-duplicates",
            action="store_true",
            help="also mark near-duplicates across runs (duplicate_of; MinHash, slower)",
        )
        parser.add_argument(
            "--no-validate", action="store_true", help="skip the record schema check"
        )
        parser.add_argument("--strict", action="store_true", help="exit 1 if a line was bad")
        parser.add_argument(
            "--show-errors", type=int, default=100, metavar="N", help="bad lines to print"
        )
        parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)

    def fail(self, message: str, code: int) -> None:
        """One line on stderr and exit ``code``: the inputs, not the command line, are wrong."""
        print(f"export: error: {message}", file=sys.stderr)
        self.exitcode = code

    def options(self, args: list[str], opts: argparse.Namespace) -> ExportOptions:
        from newscrawler.dataset.export import ExportOptions
        from newscrawler.dataset.filters import RecordFilter, parse_day
        from newscrawler.dataset.writers import format_from_path
        from newscrawler.dedup.config import dedup_config

        assert self.settings is not None
        if not args:
            raise UsageError("give at least one input file or folder")
        if not opts.output:
            raise UsageError("give the output with -o OUT")
        output = Path(opts.output)
        fmt = opts.format or ("parquet" if opts.partition_by else format_from_path(output))
        if fmt is None:
            raise UsageError(f"cannot tell the format from {output.name!r}: use --format")
        if opts.partition_by and fmt != "parquet":
            raise UsageError("--partition-by needs the parquet format")
        if opts.row_group_size < 1:
            raise UsageError("--row-group-size must be positive")
        try:
            since = parse_day(opts.since) if opts.since else None
            until = parse_day(opts.until) if opts.until else None
        except ValueError as exc:
            raise UsageError(str(exc)) from None
        return ExportOptions(
            inputs=args,
            output=output,
            format=fmt,
            fields=parse_fields(opts.fields),
            filter=RecordFilter(
                since=since,
                until=until,
                sites=split_list(opts.site),
                languages=split_list(opts.language),
                min_words=opts.min_words,
                no_duplicates=opts.no_duplicates,
            ),
            dedup=not opts.no_dedup,
            near=opts.near_duplicates,
            dedup_config=dedup_config(self.settings),
            validate=not opts.no_validate,
            partition_by=opts.partition_by,
            row_group_size=opts.row_group_size,
            progress=sys.stderr.isatty() if opts.progress is None else opts.progress,
        )

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from newscrawler.dataset.export import NoRecords, run_export
        from newscrawler.dataset.readers import BadRecordPrinter

        options = self.options(args, opts)
        try:
            summary = run_export(options, BadRecordPrinter(sys.stderr, opts.show_errors))
        except (FileNotFoundError, FileExistsError) as exc:
            self.fail(str(exc), 2)
            return
        except NoRecords as exc:
            self.fail(str(exc), 1)
            return
        for line in summary.lines():
            print(line)
        print(f"output:            {options.output} ({options.format})")
        if opts.strict and summary.bad:
            self.exitcode = 1
