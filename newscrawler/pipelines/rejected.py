"""The rejected-pages file: one JSON line for every page sent to extraction that gave no record.

With ``NEWSCRAWLER_REJECTED_FILE`` set, :class:`RejectedPages` (an extension: it listens to
Scrapy's ``item_dropped`` signal for the :class:`~newscrawler.pipelines.drops.Rejected` drops of
the extraction pipeline) appends ``{"url", "reason", "route", "signals", "rejected_at"}`` for each
such page, flushed line by line, so that a page the crawl threw away can be found and its
evidence read even after a crash. Hubs (pages taken for their links) are not written; they are
counted in ``newscrawler/pages/hub/<reason>``.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import IO, Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from newscrawler.discovery import meta
from newscrawler.pipelines.drops import Rejected

logger = logging.getLogger(__name__)


def rejected_line(url: str, exception: Rejected, route: str | None) -> dict[str, Any]:
    """The JSON object written for one rejected page."""
    return {
        "url": url,
        "reason": exception.reason,
        "route": route,
        "signals": exception.signals,
        "rejected_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
    }


class RejectedPages:
    """Append every rejected page to ``NEWSCRAWLER_REJECTED_FILE`` (off when it is empty)."""

    def __init__(self, path: Path, stats: StatsCollector) -> None:
        self.path = path
        self.stats = stats
        self._file: IO[str] | None = None
        self._failed = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RejectedPages:
        path = crawler.settings.get("NEWSCRAWLER_REJECTED_FILE")
        if not path:
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_REJECTED_FILE is empty
        assert crawler.stats is not None
        extension = cls(Path(path), crawler.stats)
        crawler.signals.connect(extension.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(extension.close, signal=signals.spider_closed)
        return extension

    def item_dropped(
        self, item: Any, exception: BaseException, response: Response | None = None
    ) -> None:
        if not isinstance(exception, Rejected) or self._failed:
            return
        url = getattr(item, "url", None) or (response.url if response is not None else "")
        route = response.meta.get(meta.ROUTE) if response is not None else None
        line = json.dumps(rejected_line(url, exception, route), ensure_ascii=False, default=str)
        try:
            if self._file is None:
                self.path.parent.mkdir(parents=True, exist_ok=True)
                self._file = self.path.open("a", encoding="utf-8")
            self._file.write(line + "\n")
            self._file.flush()
        except OSError as exc:  # a full disk must not stop the crawl
            self._failed = True
            self.stats.inc_value("newscrawler/pages/rejected_file_errors")
            logger.error("Cannot write the rejected-pages file %s: %s", self.path, exc)
            return
        self.stats.inc_value("newscrawler/pages/rejected_written")

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
