"""Keep every exported record on a forced stop (a second SIGINT/SIGTERM).

The first signal makes Scrapy stop gracefully: downloads in flight finish, the spider closes, the
feeds are closed and flushed. A second signal stops the reactor at once: the spider never closes,
and records already exported may still sit in the feed file's write buffer, which Python does not
reliably flush at exit (a whole buffer of records can be lost). This extension flushes and
fsyncs every open feed file when the reactor shuts down, so that the JSONL holds every record
exported before the stop, each on a complete line.
"""

from __future__ import annotations

import contextlib
import logging
import os
from typing import TYPE_CHECKING

from scrapy import signals
from scrapy.exceptions import NotConfigured
from scrapy.extensions.feedexport import FeedExporter
from scrapy.utils.reactor import is_reactor_installed

if TYPE_CHECKING:
    from scrapy.crawler import Crawler

logger = logging.getLogger(__name__)


class FlushFeedsOnForcedStop:
    """Flush and fsync the open feed files when the reactor shuts down."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FlushFeedsOnForcedStop:
        if not crawler.settings.getbool("TWISTED_REACTOR_ENABLED", True):
            raise NotConfigured  # off, without a warning: no Twisted reactor
        ext = cls(crawler)
        crawler.signals.connect(ext.engine_started, signal=signals.engine_started)
        return ext

    def engine_started(self) -> None:
        if not is_reactor_installed():
            return
        from twisted.internet import reactor

        # (Twisted declares interface methods without self, which confuses mypy)
        reactor.addSystemEventTrigger("after", "shutdown", self.flush_feeds)  # type: ignore[arg-type]

    def flush_feeds(self) -> int:
        """Flush the feed files still open (none after a graceful stop); return how many."""
        flushed = records = 0
        for ext in self.crawler.extensions.middlewares:
            if not isinstance(ext, FeedExporter):
                continue
            for slot in ext.slots:
                file = slot.file
                if file is None or file.closed:
                    continue
                file.flush()
                # not a local file (postprocessing wrapper, pipe): flushed is all we can do
                with contextlib.suppress(OSError, ValueError, AttributeError):
                    os.fsync(file.fileno())
                flushed += 1
                records += slot.itemcount
        if flushed:
            logger.warning(
                "Forced stop: flushed %d open feed file(s) holding %d records", flushed, records
            )
        return flushed
