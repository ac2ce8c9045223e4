"""``scrapy report``: summarise a dataset as tables, an HTML page with charts and a dataset card;
with ``--runs``, the crawl state's run history as tables and a chart."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

# The dataset modules (pyarrow, matplotlib) are imported when the command runs.

CARD_CHART = "articles_per_day.png"


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_LEVEL": "WARNING"}

    def syntax(self) -> str:
        return "INPUT... [--html REPORT.html] [--card DIR] | --runs [--state PATH] [--chart PNG]"

    def short_desc(self) -> str:
        return "Summarise a dataset: tables, an HTML page with charts, a dataset card"

    def long_desc(self) -> str:
        return (
            "Count articles per site, day and language, text lengths, missing fields and "
            "duplicates in JSONL or Parquet files (or folders), print them as tables, and "
            "optionally write an HTML page with charts and a dataset card (README.md) in DIR. "
            "Records repeated across inputs are counted once. Exit code 0, or 1 with --strict "
            "when a line was bad; 2 for a usage error. With --runs: the run history kept in the "
            "crawl state (NEWSCRAWLER_STATE_PATH, or --state; with NEWSCRAWLER_REDIS_URL and no "
            "--state, the distributed crawl's Redis), one row per run and one per site "
            "(its articles per run; 0! where a site stopped giving any), and with --chart a PNG "
            "of each site's articles per run over time."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--html", metavar="FILE", help="write an HTML report with charts")
        parser.add_argument("--card", metavar="DIR", help="write DIR/README.md, a dataset card")
        parser.add_argument("--title", default="News articles", help="title of page and card")
        parser.add_argument("--top", type=int, default=20, metavar="N", help="rows per table")
        parser.add_argument(
            "--no-validate", action="store_true", help="skip the record schema check"
        )
        parser.add_argument("--strict", action="store_true", help="exit 1 if a line was bad")
        parser.add_argument("--show-errors", type=int, default=100, metavar="N")
        parser.add_argument("--progress", action=argparse.BooleanOptionalAction, default=None)
        parser.add_argument("--runs", action="store_true", help="show the crawl's run history")
        parser.add_argument("--state", metavar="PATH", help="crawl state file (with --runs)")
        parser.add_argument("--last", type=int, metavar="N", help="the last N runs (with --runs)")
        parser.add_argument("--chart", metavar="FILE", help="write a PNG chart (with --runs)")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if opts.runs:
            self.run_history(args, opts)
            return
        from newscrawler.dataset.card import dataset_card
        from newscrawler.dataset.dedup import CrossRunDeduplicator
        from newscrawler.dataset.export import progress_bar
        from newscrawler.dataset.readers import BadRecordPrinter, RecordReader, expand_inputs
        from newscrawler.dataset.report import (
            DatasetStats,
            bar_chart,
            html_report,
            terminal_report,
        )
        from newscrawler.dedup.config import dedup_config

        if not args:
            raise UsageError("give at least one input file or folder")
        try:
            files = expand_inputs(args)
        except FileNotFoundError as exc:
            raise UsageError(str(exc), print_help=False) from None
        reader = RecordReader(
            BadRecordPrinter(sys.stderr, opts.show_errors), validate=not opts.no_validate
        )
        stats = DatasetStats()
        progress = sys.stderr.isatty() if opts.progress is None else opts.progress
        assert self.settings is not None
        with CrossRunDeduplicator(config=dedup_config(self.settings)) as dedup:
            for record in progress_bar(reader.read(files), progress):
                if stats.add_verdict(dedup.check(record)):
                    stats.add(record)
        stats.bad = reader.bad
        print(terminal_report(stats, top=opts.top))
        if opts.html:
            path = Path(opts.html)
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(html_report(stats, opts.title, args), encoding="utf-8")
            print(f"\nHTML report: {path}")
        if opts.card:
            folder = Path(opts.card)
            folder.mkdir(parents=True, exist_ok=True)
            (folder / CARD_CHART).write_bytes(
                bar_chart("Articles per publication day", stats.days(), xlabel="articles")
            )
            card = folder / "README.md"
            card.write_text(dataset_card(stats, folder, opts.title, CARD_CHART), encoding="utf-8")
            print(f"Dataset card: {card}")
        if opts.strict and reader.bad:
            self.exitcode = 1

    def run_history(self, args: list[str], opts: argparse.Namespace) -> None:
        """``--runs``: the run history of the crawl state (or of the distributed crawl's Redis:
        every worker's runs)."""
        from newscrawler.commands.state import redis_errors, redis_link
        from newscrawler.errors import ConfigError, CrawlFailed
        from newscrawler.health.history import runs_chart, runs_table, sites_table
        from newscrawler.state.location import resolve_state_path, shown
        from newscrawler.state.redis_store import RedisStateStore
        from newscrawler.state.store import RunRecord, SQLiteStateStore

        if args:
            raise UsageError("--runs reads the crawl state, not input files", print_help=False)
        assert self.settings is not None
        runs: list[RunRecord]
        try:
            link = None if opts.state else redis_link(self.settings)
        except ConfigError as exc:
            raise UsageError(str(exc), print_help=False) from None
        if link is not None:
            try:
                with redis_errors(link):
                    runs = RedisStateStore(link).runs(opts.last)
            except CrawlFailed as exc:  # unreachable, a wrong password, an error answered
                print(f"Error: {exc}", file=sys.stderr)
                self.exitcode = 1
                return
            finally:
                link.close()
            where = f"the crawl {link.prefix!r} on {link.shown_url}"
        else:
            path = resolve_state_path(opts.state or self.settings.get("NEWSCRAWLER_STATE_PATH"))
            if not path.is_file():
                raise UsageError(f"no crawl state at {shown(path)}", print_help=False)
            store = SQLiteStateStore(path)
            try:
                runs = store.runs(opts.last)
            finally:
                store.close()
            where = shown(path)
        print(f"Run history of {where}: {len(runs)} runs\n")
        print(runs_table(runs))
        print()
        print(sites_table(runs))
        if opts.chart:
            chart = Path(opts.chart)
            chart.parent.mkdir(parents=True, exist_ok=True)
            chart.write_bytes(runs_chart(runs))
            print(f"\nChart: {chart}")
