"""``scrapy reextract``: rebuild records from WARC files with the current extraction code."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.crawler import Crawler
from scrapy.exceptions import UsageError

from newscrawler.pipelines.extract import options_from_settings
from newscrawler.spiders.news import NewsSpider

# The archive and dataset modules (warcio, pyarrow) are imported when the command runs.
FORMATS = ("jsonl", "parquet", "csv")


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "WARC... -o OUTPUT [options]"

    def short_desc(self) -> str:
        return "Rebuild article records from WARC files, without the network"

    def long_desc(self) -> str:
        return (
            "Run the current extraction over the responses archived in WARC files (or folders "
            "of them) and write the records, as the crawl would have: same settings, schema "
            "check, and exact duplicates dropped. Exit code 0, or 1 with --strict when an "
            "archive or record was bad; 2 for a usage error."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("-o", "--output", metavar="OUT", help="output file")
        parser.add_argument("--format", choices=FORMATS, help="output format")
        parser.add_argument(
            "--no-dedup", action="store_true", help="keep pages archived more than once"
        )
        parser.add_argument("--strict", action="store_true", help="exit 1 on any bad input")
        parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        from newscrawler.archive.reextract import Reextractor, expand_warcs, read_archive
        from newscrawler.dataset.dedup import DROPPED, CrossRunDeduplicator
        from newscrawler.dataset.export import progress_bar
        from newscrawler.dataset.schema import record_fields
        from newscrawler.dataset.validation import RecordValidator
        from newscrawler.dataset.writers import format_from_path, open_writer
        from newscrawler.dedup.config import dedup_config

        assert self.settings is not None
        if not args:
            raise UsageError("give at least one WARC file or folder")
        if not opts.output:
            raise UsageError("give the output with -o OUT")
        output = Path(opts.output)
        fmt = opts.format or format_from_path(output)
        if fmt is None:
            raise UsageError(f"cannot tell the format from {output.name!r}: use --format")
        try:
            files = expand_warcs(args)
        except FileNotFoundError as exc:
            raise UsageError(str(exc), print_help=False) from None

        bad = 0

        def report(path: Path, reason: str) -> None:
            nonlocal bad
            bad += 1
            print(f"{path}: {reason}", file=sys.stderr)

        reextractor = Reextractor(options_from_settings(Crawler(NewsSpider, self.settings)))
        validate = self.settings.getbool("NEWSCRAWLER_VALIDATE_SCHEMA")
        validator = RecordValidator()
        config = dedup_config(self.settings)
        dedup = None if opts.no_dedup else CrossRunDeduplicator(config=config)
        invalid = 0

        def archived() -> Iterator[Any]:
            for path in files:
                yield from read_archive(path, report)

        def records() -> Iterator[dict[str, Any]]:
            nonlocal invalid
            progress = sys.stderr.isatty() if opts.progress is None else opts.progress
            for record in progress_bar(reextractor.records(archived()), progress):
                errors = validator.errors(record) if validate else []
                if errors:
                    invalid += 1
                    print(f"{record['url']}: schema: {'; '.join(errors)}", file=sys.stderr)
                    continue
                if dedup is not None and dedup.check(record) in DROPPED:
                    continue
                yield record

        try:
            written = open_writer(output, fmt, record_fields()).write_all(records())
        finally:
            if dedup is not None:
                dedup.close()
        counts = reextractor.counts
        failed = sum(v for k, v in counts.items() if k.startswith("failed/"))
        dropped = sum(dedup.counts[k] for k in DROPPED) if dedup is not None else 0
        print(f"WARC files:         {len(files)}")
        print(f"responses:          {counts['responses']}")
        print(f"no article:         {failed}")
        print(f"invalid records:    {invalid}")
        print(f"duplicates dropped: {dropped}")
        print(f"records written:    {written}")
        print(f"output:             {output} ({fmt})")
        if opts.strict and (bad or invalid):
            self.exitcode = 1
