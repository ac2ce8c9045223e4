"""Honour ``Retry-After`` on 429 and 503 responses before Scrapy's RetryMiddleware retries them.

Scrapy retries a 429 or 503 at once. A server that said ``Retry-After: 20`` gets the retry 20
seconds later instead, when that is within ``NEWSCRAWLER_RETRY_AFTER_MAX``; a server that asks
for longer (``Retry-After: 3600``) is not retried at all in this crawl: it is counted and logged.
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING

from scrapy.exceptions import NotConfigured
from scrapy.utils.asyncio import sleep

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

RETRY_AFTER_STATUSES = frozenset({429, 503})


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` value (delay seconds or an HTTP date), or None."""
    if value is None:
        return None
    text = value.decode("latin-1") if isinstance(value, bytes) else value
    text = text.strip()
    if text.isdigit():
        return float(text)
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=timezone.utc)
    now = now or datetime.now(timezone.utc)
    return max(0.0, (when - now).total_seconds())


class RetryAfterMiddleware:
    """Wait what ``Retry-After`` asks (up to a cap) before a 429/503 is retried."""

    def __init__(
        self, stats: StatsCollector, max_delay: float, retry_times: int, retry_codes: set[int]
    ) -> None:
        self.stats = stats
        self.max_delay = max_delay
        self.retry_times = retry_times
        self.statuses = RETRY_AFTER_STATUSES & retry_codes

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RetryAfterMiddleware:
        s = crawler.settings
        if not s.getbool("RETRY_ENABLED"):
            raise NotConfigured  # off, without a warning: RETRY_ENABLED is off
        max_delay = s.getfloat("NEWSCRAWLER_RETRY_AFTER_MAX")
        if max_delay <= 0:
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_RETRY_AFTER_MAX is 0
        assert crawler.stats is not None
        codes = {int(c) for c in s.getlist("RETRY_HTTP_CODES")}
        return cls(crawler.stats, max_delay, s.getint("RETRY_TIMES"), codes)

    async def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in self.statuses or request.meta.get("dont_retry"):
            return response
        retries = request.meta.get("retry_times", 0)
        if retries >= request.meta.get("max_retry_times", self.retry_times):
            return response  # RetryMiddleware gives up: nothing to wait for
        delay = retry_after_seconds(response.headers.get(b"Retry-After"))
        if delay is None:
            return response
        if delay > self.max_delay:
            self.stats.inc_value("newscrawler/retry_after/too_long")
            logger.warning(
                "Not retrying %s: Retry-After %.0f s exceeds NEWSCRAWLER_RETRY_AFTER_MAX (%.0f s)",
                request.url,
                delay,
                self.max_delay,
            )
            request.meta["dont_retry"] = True
            return response
        self.stats.inc_value("newscrawler/retry_after/waited")
        self.stats.inc_value("newscrawler/retry_after/seconds", round(delay))
        logger.debug("Waiting %.0f s (Retry-After) before retrying %s", delay, request.url)
        await sleep(delay)
        return response
