"""Drop records published before the date window (``-a since=`` / ``NEWSCRAWLER_SINCE``).

Entries of feeds and sitemaps older than the window are skipped by the spider before they are
fetched; this stage catches the pages found through links, whose date is only known once
extracted. Records without a published date are kept.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from newscrawler.discovery.dates import is_before, parse_iso_date
from newscrawler.discovery.scope import crawl_scope
from newscrawler.pipelines.drops import Drop

if TYPE_CHECKING:
    from typing_extensions import Self

logger = logging.getLogger(__name__)


class OutsideDateWindow(Drop):
    """The article was published before the start of the date window (logged at DEBUG; the
    pipeline logs the first one at INFO)."""


class DateWindowPipeline:
    """Drop (and count) records whose published date lies before ``NEWSCRAWLER_SINCE``."""

    def __init__(self, stats: StatsCollector, since: datetime) -> None:
        self.stats = stats
        self.since = since
        self._logged = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        since = crawl_scope(crawler).since
        if since is None:
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_SINCE is not set
        assert crawler.stats is not None
        return cls(crawler.stats, since)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if "published" not in adapter.field_names():
            return item
        published = parse_iso_date(adapter.get("published"))
        if published is None:
            self.stats.inc_value("newscrawler/window/undated_kept")
            return item
        if is_before(published, self.since):
            self.stats.inc_value("newscrawler/window/dropped_after_fetch")
            if not self._logged:
                self._logged = True
                logger.info(
                    "Dropping %s: published %s, before %s (further drops are only counted)",
                    adapter.get("url"),
                    adapter.get("published"),
                    self.since.isoformat(),
                )
            raise OutsideDateWindow(
                f"{adapter.get('url')} published {adapter.get('published')}, before the window"
            )
        return item
