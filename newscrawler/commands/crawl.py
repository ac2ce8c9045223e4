"""``scrapy crawl``: Scrapy's command, with errors as one line and an exit status that tells.

Scrapy lets a project command replace a built-in one of the same name (``COMMANDS_MODULE`` is
read after ``scrapy.commands``). Before the crawl starts, this one asks the spider to check its
arguments and the configuration they name (a spider class with a ``validate(settings,
arguments)`` class method; the ``news`` spider checks argument names, seeds, ``urls_file``,
``sites`` and ``since``), then starts extraction's fork server, which loads and warms up
extraction (seconds) while Scrapy starts the crawl. A :class:`~newscrawler.errors.ConfigError`
raised then, or by a component while the crawl starts, is printed as ``Error: <message>`` on
stderr, with exit status 2 and no traceback; a :class:`~newscrawler.errors.CrawlFailed` (the
output or the state cannot be written) likewise, with exit status 1, and a
:class:`~newscrawler.errors.StateLocked` (another run holds the crawl state) with exit status
75 (:data:`EXIT_CODES`). After a crawl the exit status follows the health verdict (the stat
``newscrawler/health/verdict``: :data:`~newscrawler.health.rules.VERDICT_EXIT_CODES`): 0
healthy, 1 failed (no seed could be fetched), 3 unhealthy. docs/operations.md#exit-codes has
the table.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Any

from scrapy.commands.crawl import Command as ScrapyCrawlCommand
from scrapy.exceptions import UsageError
from scrapy.spiderloader import get_spider_loader
from twisted.internet.defer import Deferred
from twisted.python.failure import Failure

from newscrawler.errors import ConfigError, CrawlFailed, StateLocked
from newscrawler.health.rules import VERDICT_EXIT_CODES
from newscrawler.pipelines.extract import start_extraction_early

if TYPE_CHECKING:
    import argparse

    from scrapy.crawler import Crawler

# The exceptions that end a crawl before it fetches anything, with the exit status each gives
# (the first matching class; docs/operations.md#exit-codes).
EXIT_CODES: dict[type[Exception], int] = {
    ConfigError: 2,
    CrawlFailed: 1,
    StateLocked: 75,  # EX_TEMPFAIL: another run holds the crawl state; try again later
}
USAGE_EXIT_CODE = EXIT_CODES[ConfigError]


def exit_code(error: Exception) -> int:
    return next(code for cls, code in EXIT_CODES.items() if isinstance(error, cls))


def verdict_exit_code(crawler: Crawler) -> int:
    """The exit status for the health verdict of a finished crawl (0 without a verdict)."""
    verdict = crawler.stats.get_value("newscrawler/health/verdict") if crawler.stats else None
    return VERDICT_EXIT_CODES.get(str(verdict), 0)


def report(error: Exception) -> None:
    """The one line a user sees for an error that ends the crawl before it starts."""
    print(f"Error: {error}", file=sys.stderr)


class Command(ScrapyCrawlCommand):
    def process_options(self, args: list[str], opts: argparse.Namespace) -> None:
        super().process_options(args, opts)
        if len(args) != 1:
            return  # run() raises Scrapy's usage error
        assert self.settings is not None
        loader = get_spider_loader(self.settings)
        try:
            spidercls = loader.load(args[0])
        except KeyError:
            known = ", ".join(sorted(loader.list())) or "none"
            report(ConfigError(f"no spider named {args[0]!r}; this project has: {known}"))
            raise UsageError(print_help=False) from None
        validate = getattr(spidercls, "validate", None)
        if validate is not None:
            try:
                validate(self.settings, opts.spargs)
            except ConfigError as exc:
                report(exc)
                raise UsageError(print_help=False) from None
        # the arguments are good: extraction's workers load and warm up while the crawl starts
        start_extraction_early(self.settings)

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)
            return
        assert self.crawler_process
        errors: list[Exception] = []
        crawler = self._create_crawler(args[0])
        started = self.crawler_process.crawl(crawler, **opts.spargs)
        keep_config_errors(started, errors)
        self.crawler_process.start()
        if errors:
            report(errors[0])
            self.exitcode = exit_code(errors[0])
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = 1
        else:
            self.exitcode = verdict_exit_code(crawler)


def keep_config_errors(started: Any, errors: list[Exception]) -> None:
    """Collect an exception of :data:`EXIT_CODES` that ends the crawl instead of letting it be
    logged with its traceback (an asyncio task or a Twisted deferred, depending on the crawler
    process)."""
    kept = tuple(EXIT_CODES)
    if isinstance(started, asyncio.Future):

        def done(task: asyncio.Future[Any]) -> None:
            if task.cancelled():
                return
            exc = task.exception()  # retrieved: asyncio does not log it
            if isinstance(exc, kept):
                errors.append(exc)
            elif exc is not None:
                task.get_loop().call_exception_handler(
                    {"message": "Unhandled error in the crawl", "exception": exc, "future": task}
                )

        started.add_done_callback(done)
    elif isinstance(started, Deferred):

        def trap(failure: Failure) -> Failure | None:
            if isinstance(failure.value, kept):
                errors.append(failure.value)
                return None
            return failure

        started.addErrback(trap)
