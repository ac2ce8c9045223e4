"""Downloader middlewares for incremental runs, backed by the crawl state.

:class:`KnownArticleMiddleware` drops requests for articles stored by an earlier run before
they are fetched. :class:`ConditionalGetMiddleware` revalidates hubs, feeds and sitemaps with
``If-None-Match`` / ``If-Modified-Since`` and, on ``304 Not Modified``, hands the spider the page
kept from the last finished run, so its links are followed (known articles are then skipped by
the first middleware, sub-hubs revalidated in turn) without downloading it again. Both need
the :class:`~newscrawler.state.crawlstate.CrawlState` extension and are off without it.
"""

from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Response
from scrapy.responsetypes import responsetypes
from scrapy.statscollectors import StatsCollector

from newscrawler.dedup.index import Seen
from newscrawler.discovery.dates import parse_iso_date
from newscrawler.discovery.meta import LASTMOD, ROUTE
from newscrawler.state.crawlstate import CrawlState
from newscrawler.state.store import CachedPage

logger = logging.getLogger(__name__)

CACHEABLE_TYPES = ("html", "xml", "rss", "atom", "text/plain", "json")


class KnownArticle(IgnoreRequest):
    """The request is for an article already stored."""


def crawl_state(crawler: Crawler) -> CrawlState:
    """The crawler's :class:`CrawlState`; ``NotConfigured`` when the state is off."""
    state = crawler.get_extension(CrawlState)
    if state is None:
        raise NotConfigured  # off, without a warning: no crawl state
    return state


def changed_since(lastmod: str, seen: Seen) -> bool:
    """Whether a feed/sitemap date is later than the stored version (its time of storage, and
    its ``modified`` date): a publication date never is, an update after storage is."""
    date = parse_iso_date(lastmod)
    if date is None:
        return False
    stored = datetime.fromtimestamp(seen.first_seen, timezone.utc)
    modified = parse_iso_date(seen.modified)
    if modified is not None:
        stored = max(stored, modified)
    return date > stored


class KnownArticleMiddleware:
    """Skip stored articles before fetching them, unless they may have changed (seeds are always
    fetched)."""

    def __init__(self, state: CrawlState, stats: StatsCollector, revisit_window: float) -> None:
        self.state = state
        self.stats = stats
        self.revisit_window = revisit_window

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KnownArticleMiddleware:
        s = crawler.settings
        if s.getbool("NEWSCRAWLER_REVISIT_ARTICLES"):
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_REVISIT_ARTICLES
        assert crawler.stats is not None
        return cls(
            crawl_state(crawler),
            crawler.stats,
            s.getfloat("NEWSCRAWLER_STATE_REVISIT_WINDOW"),
        )

    def process_request(self, request: Request) -> None:
        if request.meta.get(ROUTE) == "seed":
            return
        seen = self.state.latest_for_url(request.url)
        if seen is None:
            if not self.state.knows_url(request.url):
                return
        else:
            lastmod = request.meta.get(LASTMOD)
            if isinstance(lastmod, str) and changed_since(lastmod, seen):
                self.stats.inc_value("newscrawler/state/revisit/lastmod")
                return
            if self.revisit_window > 0 and time.time() - seen.first_seen < self.revisit_window:
                self.stats.inc_value("newscrawler/state/revisit/window")
                return
        self.stats.inc_value("newscrawler/state/skipped_known")
        logger.debug("Skipping stored article %s", request.url)
        raise KnownArticle(f"already stored: {request.url}")


class ConditionalGetMiddleware:
    """Revalidate non-article pages with stored validators; replay the stored page on 304."""

    def __init__(self, state: CrawlState, stats: StatsCollector) -> None:
        self.state = state
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ConditionalGetMiddleware:
        if not crawler.settings.getbool("NEWSCRAWLER_STATE_CONDITIONAL_GET"):
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_STATE_CONDITIONAL_GET
        assert crawler.stats is not None
        return cls(crawl_state(crawler), crawler.stats)

    def process_request(self, request: Request) -> None:
        if request.method != "GET" or "If-None-Match" in request.headers:
            return
        cached = self.state.cached_page(request.url)
        if cached is None:
            return
        if cached.etag:
            request.headers["If-None-Match"] = cached.etag
        if cached.last_modified:
            request.headers["If-Modified-Since"] = cached.last_modified
        self.stats.inc_value("newscrawler/state/conditional_requests")

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status == 304:
            cached = self.state.cached_page(request.url)
            if cached is None:
                return response
            self.stats.inc_value("newscrawler/state/not_modified")
            self.state.remember_page(cached)
            headers = {b"Content-Type": cached.content_type.encode("latin-1")}
            cls = responsetypes.from_args(headers=headers, url=request.url, body=cached.body)
            return cls(
                url=request.url,
                status=200,
                headers=headers,
                body=cached.body,
                request=request,
                flags=["not_modified"],
            )
        if response.status == 200 and request.method == "GET":
            self._remember(request, response)
        return response

    def _remember(self, request: Request, response: Response) -> None:
        etag = response.headers.get(b"ETag")
        last_modified = response.headers.get(b"Last-Modified")
        if not etag and not last_modified:
            return
        content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1")
        if not any(t in content_type.lower() for t in CACHEABLE_TYPES):
            return
        self.state.remember_page(
            CachedPage(
                url=response.url,
                etag=etag.decode("latin-1") if etag else None,
                last_modified=last_modified.decode("latin-1") if last_modified else None,
                content_type=content_type,
                body=response.body,
            )
        )
