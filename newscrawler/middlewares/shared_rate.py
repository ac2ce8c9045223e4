"""One request rate per host for all the workers of a distributed crawl.

:class:`SharedRateDownloadHandler` is the ``http``/``https`` download handler: it hands every
request to Scrapy's own handler (``NEWSCRAWLER_HTTP_DOWNLOAD_HANDLER``). In a distributed crawl
it first books the request's start on the host's schedule in Redis: the host's delay (its
downloader slot's delay: ``DOWNLOAD_DELAY``, AutoThrottle, robots.txt ``Crawl-delay``) apart from
the previous booking of any worker, by Redis's clock; the request waits for its time. It runs
where nothing else can delay the request any more (after the slot's own delay and concurrency),
so requests reach a host no closer together than its delay, however many workers there are.
On one machine it only delegates.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import build_from_crawler, load_object
from twisted.internet import task

from newscrawler.state.crawlstate import CrawlState

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response

    from newscrawler.state.redis_link import RedisLink

logger = logging.getLogger(__name__)

# KEYS: next (host -> first free time), recent:<host>; ARGV: host delay.
# Returns the seconds to wait before the request may start.
_BOOK = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local free = tonumber(redis.call('HGET', KEYS[1], ARGV[1]) or '0')
local start = math.max(now, free)
redis.call('HSET', KEYS[1], ARGV[1], tostring(start + tonumber(ARGV[2])))
redis.call('ZADD', KEYS[2], start, tostring(start))
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - 60)
redis.call('EXPIRE', KEYS[2], 120)
return tostring(start - now)
"""


def schedule_keys(link: RedisLink, host: str) -> tuple[str, str]:
    """The shared schedule's keys: the hash of every host's first free time, and the sorted set
    of the host's request start times of the last 60 s."""
    return link.key("rate", "next"), link.key("rate", "recent", host)


class SharedRateDownloadHandler:
    """Scrapy's HTTP download handler, behind a shared per-host schedule (see the module)."""

    lazy = False

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        inner_path = crawler.settings.get("NEWSCRAWLER_HTTP_DOWNLOAD_HANDLER")
        self.inner: Any = build_from_crawler(load_object(inner_path), crawler)
        state = crawler.get_extension(CrawlState)
        self.link = state.link if state is not None else None
        self._book = self.link.script(_BOOK) if self.link is not None else None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SharedRateDownloadHandler:
        return cls(crawler)

    async def download_request(self, request: Request) -> Response:
        if self.link is not None and self._book is not None:
            await self._wait_for_turn(request)
        response: Response = await self.inner.download_request(request)
        return response

    async def _wait_for_turn(self, request: Request) -> None:
        assert self.link is not None and self._book is not None
        engine = self.crawler.engine
        if engine is None:
            return
        downloader = engine.downloader
        key = downloader.get_slot_key(request)
        slot = downloader.slots.get(key)
        delay = slot.delay if slot is not None else 0.0
        if delay <= 0:
            return
        wait = float(
            self.link.run(
                self._book,
                list(schedule_keys(self.link, key)),
                [key, delay],
            )
        )
        if wait > 0:
            stats = self.crawler.stats
            assert stats is not None
            stats.inc_value("newscrawler/redis/rate_waits")
            stats.inc_value("newscrawler/redis/rate_waited_ms", int(wait * 1000))
            from twisted.internet import reactor

            await maybe_deferred_to_future(task.deferLater(reactor, wait, lambda: None))

    async def close(self) -> None:
        await self.inner.close()
