"""One progress line every ``NEWSCRAWLER_PROGRESS_INTERVAL`` seconds, in place of Scrapy's
``LogStats`` line (``Crawled N pages …``, disabled in the project settings)::

    Progress: 120 pages (40/min), 35 articles (30 new, 5 known), 210 queued, 3 failures

*pages* are responses received; *new* articles are the records stored, *known* ones are
articles the state already had (not fetched again, or fetched and found unchanged or a
duplicate); *queued* is the scheduler's pending requests; *failures* are downloads given up
(``retry/max_reached``), HTTP error answers ignored and article pages that gave no record.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector
from scrapy.utils.asyncio import create_looping_call

logger = logging.getLogger(__name__)

KNOWN = (
    "newscrawler/state/skipped_known",
    "newscrawler/dedup/duplicate_url",
    "newscrawler/dedup/duplicate_fingerprint",
    "newscrawler/dedup/near_duplicate",
)
FAILURES = ("retry/max_reached", "httperror/response_ignored_count")
EXTRACTION_FAILED = "newscrawler/extraction/failed/"


def progress_counts(stats: dict[str, Any]) -> dict[str, int]:
    """The numbers of a progress line, from the crawl's stats."""
    failed = sum(v for k, v in stats.items() if k.startswith(EXTRACTION_FAILED))
    return {
        "pages": stats.get("response_received_count", 0),
        "new": stats.get("newscrawler/dedup/new", 0),
        "known": sum(stats.get(k, 0) for k in KNOWN),
        "failures": sum(stats.get(k, 0) for k in FAILURES) + failed,
    }


class Progress:
    """Log the crawl's progress every ``interval`` seconds."""

    def __init__(self, crawler: Crawler, stats: StatsCollector, interval: float) -> None:
        self.crawler = crawler
        self.stats = stats
        self.interval = interval
        self.task: Any = None
        self._last = (time.monotonic(), 0)

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        interval = crawler.settings.getfloat("NEWSCRAWLER_PROGRESS_INTERVAL")
        if interval <= 0:
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_PROGRESS_INTERVAL is 0
        assert crawler.stats is not None
        ext = cls(crawler, crawler.stats, interval)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        self._last = (time.monotonic(), 0)
        self.task = create_looping_call(self.log)
        self.task.start(self.interval, now=False)

    def queued(self) -> int:
        scheduler = self.crawler.engine.scheduler if self.crawler.engine else None
        try:
            return len(scheduler)  # type: ignore[arg-type]
        except TypeError:  # a scheduler without a length
            return 0

    def log(self) -> None:
        counts = progress_counts(self.stats.get_stats())
        now = time.monotonic()
        then, pages_then = self._last
        rate = (counts["pages"] - pages_then) * 60 / max(now - then, 1e-6)
        self._last = (now, counts["pages"])
        logger.info(
            "Progress: %d pages (%d/min), %d articles (%d new, %d known), %d queued, %d failures",
            counts["pages"],
            rate,
            counts["new"] + counts["known"],
            counts["new"],
            counts["known"],
            self.queued(),
            counts["failures"],
        )

    def spider_closed(self) -> None:
        if self.task is not None and self.task.running:
            self.task.stop()
