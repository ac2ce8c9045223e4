"""Spider middleware that archives every article page the spider yields to WARC files."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.statscollectors import StatsCollector

from newscrawler.archive.warc import Capture, WarcArchive
from newscrawler.items import Page

logger = logging.getLogger(__name__)


def _header_pairs(headers: Any) -> list[tuple[str, str]]:
    """Scrapy ``Headers`` as (name, value) text pairs, repeated headers kept."""
    return [
        (name.decode("latin-1"), value.decode("latin-1"))
        for name, values in headers.items()
        for value in values
    ]


def page_metadata(page: Page) -> dict[str, Any]:
    """Everything the extraction needs about ``page`` besides its body and URL."""
    data = dataclasses.asdict(dataclasses.replace(page, body=b"", extracted=None))
    for name in ("body", "extracted"):  # the bytes are the capture's; extraction is redone
        del data[name]
    return data


def capture_of(page: Page, response: Response) -> Capture:
    return Capture(
        url=page.url,
        status=page.status,
        body=page.body,
        headers=_header_pairs(response.headers),
        fetched_at=page.fetched_at,
        method=response.request.method if response.request else "GET",
        request_headers=_header_pairs(response.request.headers) if response.request else [],
        protocol=response.protocol or "HTTP/1.1",
        ip_address=str(response.ip_address) if response.ip_address else None,
        metadata=page_metadata(page),
    )


class WarcArchiveMiddleware(BaseSpiderMiddleware):
    """Write the request, response and page metadata of every :class:`Page` to WARC files
    in ``NEWSCRAWLER_WARC_DIR`` (off when empty); see :mod:`newscrawler.archive.warc`."""

    def __init__(self, crawler: Crawler, archive: WarcArchive, stats: StatsCollector) -> None:
        super().__init__(crawler)
        self.archive = archive
        self.stats = stats
        self._error_logged = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> WarcArchiveMiddleware:
        folder = crawler.settings.get("NEWSCRAWLER_WARC_DIR")
        if not folder:
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_WARC_DIR is not set
        archive = WarcArchive(
            Path(folder),
            max_size=crawler.settings.getint("NEWSCRAWLER_WARC_MAX_SIZE"),
            prefix=crawler.settings.get("NEWSCRAWLER_WARC_PREFIX") or "newscrawler",
        )
        assert crawler.stats is not None
        middleware = cls(crawler, archive, crawler.stats)
        crawler.signals.connect(middleware.spider_closed, signal=signals.spider_closed)
        return middleware

    def get_processed_item(self, item: Any, response: Response | None) -> Any:
        if isinstance(item, Page) and response is not None:
            self.archive_page(item, response)
        return item

    def archive_page(self, page: Page, response: Response) -> None:
        opened_before = self.archive.opened
        try:
            self.archive.write(capture_of(page, response))
        except (OSError, ValueError, TypeError) as exc:
            # A full disk must not stop the crawl: count it, say it once.
            self.stats.inc_value("newscrawler/warc/errors")
            level = logging.DEBUG if self._error_logged else logging.ERROR
            logger.log(level, "Cannot archive %s to WARC: %s", page.url, exc)
            self._error_logged = True
            return
        self.stats.inc_value("newscrawler/warc/responses")
        if self.archive.opened > opened_before:
            self.stats.inc_value("newscrawler/warc/files")

    def spider_closed(self) -> None:
        try:
            self.archive.close()
        except OSError as exc:
            logger.error("Cannot close WARC file: %s", exc)
