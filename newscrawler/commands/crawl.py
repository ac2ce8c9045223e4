"""``scrapy crawl``: Scrapy's command, with configuration errors as one line and exit status 2.

Scrapy lets a project command replace a built-in one of the same name (``COMMANDS_MODULE`` is
read after ``scrapy.commands``). Before the crawl starts, this one asks the spider to check its
arguments and the configuration they name (a spider class with a ``validate(settings,
arguments)`` class method; the ``news`` spider checks argument names, seeds, ``urls_file``,
``sites`` and ``since``). A :class:`~newscrawler.errors.ConfigError` raised then, or by a
component while the crawl starts, is printed as ``Error: <message>`` on stderr, with exit
status 2 and no traceback; so is a :class:`~newscrawler.errors.StateLocked` (another run holds
the crawl state), with exit status 75. :data:`EXIT_CODES` maps each such exception to its code.
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

from newscrawler.errors import ConfigError, StateLocked

if TYPE_CHECKING:
    import argparse

USAGE_EXIT_CODE = 2
# Exceptions that end a crawl with one line on stderr, and their exit codes (most specific first).
EXIT_CODES: dict[type[Exception], int] = {
    ConfigError: USAGE_EXIT_CODE,
    StateLocked: 75,  # EX_TEMPFAIL: another run holds the crawl state; try again later
}
REPORTED = tuple(EXIT_CODES)


def exit_code(error: Exception) -> int:
    """The exit code of an exception of :data:`EXIT_CODES`."""
    return next(code for cls, code in EXIT_CODES.items() if isinstance(error, cls))


def report(error: Exception) -> None:
    """The one line a user sees for a configuration error."""
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
        if validate is None:
            return
        try:
            validate(self.settings, opts.spargs)
        except ConfigError as exc:
            report(exc)
            raise UsageError(print_help=False) from None

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1:
            super().run(args, opts)
            return
        assert self.crawler_process
        errors: list[Exception] = []
        started = self.crawler_process.crawl(self._create_crawler(args[0]), **opts.spargs)
        keep_config_errors(started, errors)
        self.crawler_process.start()
        if errors:
            report(errors[0])
            self.exitcode = exit_code(errors[0])
        elif self.crawler_process.bootstrap_failed:
            self.exitcode = 1


def keep_config_errors(started: Any, errors: list[Exception]) -> None:
    """Collect an exception of :data:`EXIT_CODES` that ends the crawl instead of letting it be
    logged with its traceback (an asyncio task or a Twisted deferred, depending on the crawler
    process)."""
    if isinstance(started, asyncio.Future):

        def done(task: asyncio.Future[Any]) -> None:
            if task.cancelled():
                return
            exc = task.exception()  # retrieved: asyncio does not log it
            if isinstance(exc, REPORTED):
                errors.append(exc)
            elif exc is not None:
                task.get_loop().call_exception_handler(
                    {"message": "Unhandled error in the crawl", "exception": exc, "future": task}
                )

        started.add_done_callback(done)
    elif isinstance(started, Deferred):

        def trap(failure: Failure) -> Failure | None:
            if isinstance(failure.value, REPORTED):
                errors.append(failure.value)
                return None
            return failure

        started.addErrback(trap)
