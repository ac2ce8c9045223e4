"""Trap defences: small spider middlewares that cut requests a crawl should not spend on.

Each limit is a setting (0 turns it off), applies per site, and counts every request it cuts in
``newscrawler/traps/<kind>`` (the feed and sitemap caps in ``newscrawler/feeds/over_limit`` and
``newscrawler/sitemaps/over_limit``); the first cut on a site is logged. Pattern limits
(pagination, calendar archives, query variants, repeated segments) apply to links followed from
HTML pages only; articles announced by feeds and sitemaps pass them. :class:`KnownLinks` drops
links already scheduled before any limit sees them; :class:`SeenFilter` drops (and remembers)
URLs already scheduled, so that the counting limits after it count each URL once. Sites and the
seen URLs come from the crawl's :class:`~newscrawler.discovery.scope.CrawlScope`.

Order (spider output passes the highest number first)::

    ExhaustedListings 930 > KnownLinks 920 > DepthLimit 900 > UrlLengthLimit 880
    > RepeatedSegmentsLimit 870 > PaginationLimit 860 > SeenFilter 850 > QueryVariantsLimit 840
    > ArchiveLimit 830 > SiteBudget 820 > FeedLimit 810 > SitemapLimit 805
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.spidermiddlewares.depth import DepthMiddleware

from newscrawler.discovery import meta
from newscrawler.discovery.bootstrap import origin
from newscrawler.discovery.classify import looks_like_article_url
from newscrawler.discovery.patterns import (
    has_numeric_id,
    is_archive_url,
    max_segment_repeats,
    pagination_number,
    path_key,
)
from newscrawler.discovery.scope import CrawlScope, crawl_scope
from newscrawler.discovery.sites import SiteConfig

if TYPE_CHECKING:
    from typing_extensions import Self

logger = logging.getLogger(__name__)


class DepthLimit(DepthMiddleware):
    """Scrapy's depth middleware (``DEPTH_LIMIT``, ``DEPTH_PRIORITY``) counting its cuts in
    ``newscrawler/traps/depth``.

    Feed and sitemap entries start again at depth 0 (``depth_reset``); the next page of a
    listing (pagination, the previous archive month) keeps the depth of the page linking to it
    (``meta.SAME_DEPTH``): the pagination and archive limits bound those chains.
    """

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if request.meta.pop(meta.SAME_DEPTH, False) and response is not None:
            depth = int(response.meta.get("depth", 0))
            request.meta["depth"] = depth
            request.priority -= depth * self.prio
            return request
        processed = super().get_processed_request(request, response)
        if processed is None:
            self.stats.inc_value("newscrawler/traps/depth")
        return processed


class TrapLimit(BaseSpiderMiddleware):
    """Cut a request when :meth:`admits` says no; count it and log the first cut on each site."""

    kind: ClassVar[str]
    setting: ClassVar[str]
    links_only: ClassVar[bool] = True

    def __init__(self, crawler: Crawler, limit: int) -> None:
        super().__init__(crawler)
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.scope = crawl_scope(crawler)
        self.limit = limit
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        limit = crawler.settings.getint(cls.setting)
        if limit <= 0:
            raise NotConfigured  # off, without a warning: the limit is 0
        return cls(crawler, limit)

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if request.dont_filter or (self.links_only and request.meta.get(meta.ROUTE) != meta.LINK):
            return request
        site, config = self.scope.site_of(request.url)
        if self.admits(request.url, site, config):
            return request
        self.stats.inc_value(f"newscrawler/traps/{self.kind}")
        if site not in self._logged:
            self._logged.add(site)
            logger.info(
                "Trap defence %s cut %s on %s; further cuts on this site are counted in "
                "newscrawler/traps/%s",
                self.kind,
                request.url,
                site,
                self.kind,
            )
        return None

    def admits(self, url: str, site: str, config: SiteConfig | None) -> bool:
        raise NotImplementedError


class UrlLengthLimit(TrapLimit):
    """URLs longer than ``NEWSCRAWLER_TRAPS_MAX_URL_LENGTH`` characters."""

    kind = "url_length"
    setting = "NEWSCRAWLER_TRAPS_MAX_URL_LENGTH"
    links_only = False

    def admits(self, url: str, site: str, config: SiteConfig | None) -> bool:
        return len(url) <= self.limit


class RepeatedSegmentsLimit(TrapLimit):
    """Paths repeating a segment more than ``NEWSCRAWLER_TRAPS_MAX_REPEATED_SEGMENTS`` times
    (``/news/news/news/``: relative links resolved against the wrong base)."""

    kind = "repeated_segments"
    setting = "NEWSCRAWLER_TRAPS_MAX_REPEATED_SEGMENTS"

    def admits(self, url: str, site: str, config: SiteConfig | None) -> bool:
        return max_segment_repeats(url) <= self.limit


class PaginationLimit(TrapLimit):
    """Listing pages beyond page ``NEWSCRAWLER_TRAPS_MAX_PAGINATION`` (``?page=N``,
    ``/page/N/``)."""

    kind = "pagination"
    setting = "NEWSCRAWLER_TRAPS_MAX_PAGINATION"

    def admits(self, url: str, site: str, config: SiteConfig | None) -> bool:
        number = pagination_number(url)
        return number is None or number <= self.limit


class CountedLimit(TrapLimit):
    """Admit at most a budget of requests per key; a URL with no key is not counted."""

    def __init__(self, crawler: Crawler, limit: int) -> None:
        super().__init__(crawler, limit)
        self.counts: Counter[str] = Counter()

    def key(self, url: str, site: str) -> str | None:
        raise NotImplementedError

    def budget(self, config: SiteConfig | None) -> int:
        return self.limit

    def admits(self, url: str, site: str, config: SiteConfig | None) -> bool:
        key = self.key(url, site)
        if key is None:
            return True
        budget = self.budget(config)
        if budget and self.counts[key] >= budget:
            return False
        self.counts[key] += 1
        return True


class QueryVariantsLimit(CountedLimit):
    """More than ``NEWSCRAWLER_TRAPS_MAX_QUERY_VARIANTS`` distinct queries on one path
    (unknown session parameters, search and filter combinations).

    Queries with a numeric id parameter (``?id=123``, ``?storyid=9``) are articles of old CMSs
    sharing one script path, and pagination has its own limit: neither is counted.
    """

    kind = "query_variants"
    setting = "NEWSCRAWLER_TRAPS_MAX_QUERY_VARIANTS"

    def key(self, url: str, site: str) -> str | None:
        if "?" not in url or has_numeric_id(url) or pagination_number(url) is not None:
            return None
        return path_key(url)


class ArchiveLimit(CountedLimit):
    """More than ``NEWSCRAWLER_TRAPS_MAX_ARCHIVE_PAGES`` calendar/archive pages on one site
    (``/archive/2024/03/`` linking to the month before, forever)."""

    kind = "archive"
    setting = "NEWSCRAWLER_TRAPS_MAX_ARCHIVE_PAGES"

    def key(self, url: str, site: str) -> str | None:
        return site if is_archive_url(url) else None


class SiteBudget(CountedLimit):
    """More than ``NEWSCRAWLER_TRAPS_MAX_PAGES_PER_SITE`` requests to one site (or the site's
    ``page_budget`` from the sites file)."""

    kind = "budget"
    setting = "NEWSCRAWLER_TRAPS_MAX_PAGES_PER_SITE"
    links_only = False

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # Always on: a site's page_budget applies even when the global budget is 0 (off).
        return cls(crawler, max(0, crawler.settings.getint(cls.setting)))

    def key(self, url: str, site: str) -> str | None:
        return site

    def budget(self, config: SiteConfig | None) -> int:
        return config.page_budget if config and config.page_budget else self.limit


class PerSiteCap(TrapLimit):
    """At most ``limit`` feeds (or sitemaps) discovered on one site (scheme, host, port).

    Feeds and sitemaps a sites file configures and the probe paths are not counted; each URL
    is counted once (the cap runs after :class:`SeenFilter`). The first cut on a site is a
    WARNING: the site announces more than the crawl will read.
    """

    route: ClassVar[str]
    links_only = False

    def __init__(self, crawler: Crawler, limit: int) -> None:
        super().__init__(crawler, limit)
        self.counts: Counter[str] = Counter()

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if (
            response is None
            or request.meta.get(meta.ROUTE) != self.route
            or meta.PROBES in request.meta
        ):
            return request
        key = origin(request.url)
        if self.counts[key] < self.limit:
            self.counts[key] += 1
            return request
        self.stats.inc_value(f"newscrawler/{self.kind}/over_limit")
        if key not in self._logged:
            self._logged.add(key)
            logger.warning(
                "%s: more than %d %s, rest ignored (further cases are only counted)",
                key,
                self.limit,
                self.kind,
            )
        return None


class FeedLimit(PerSiteCap):
    """More than ``NEWSCRAWLER_FEEDS_MAX_PER_SITE`` feeds declared on one site's pages."""

    kind = "feeds"
    route = "feed"
    setting = "NEWSCRAWLER_FEEDS_MAX_PER_SITE"


class SitemapLimit(PerSiteCap):
    """More than ``NEWSCRAWLER_SITEMAPS_MAX_PER_SITE`` sitemaps (from robots.txt and sitemap
    indexes) on one site."""

    kind = "sitemaps"
    route = "sitemap"
    setting = "NEWSCRAWLER_SITEMAPS_MAX_PER_SITE"


def is_article_candidate(scope: CrawlScope, url: str) -> bool:
    """Whether a link looks like it leads to an article (not a listing page)."""
    site = scope.sites.for_url(url)
    forced = site.is_article_url(url) if site else None
    if forced is not None:
        return forced
    if pagination_number(url) is not None or is_archive_url(url):
        return False
    return looks_like_article_url(url)


class ExhaustedListings(BaseSpiderMiddleware):
    """Follow a listing (pagination, calendar archive) no further once it runs dry.

    The spider marks the links it follows from a listing page (``meta.FROM_LISTING``). The
    next page of a listing (``?page=N``, the previous archive month) carries the article links
    of the page it was found on (``meta.LISTING_LINKS``) and keeps its depth
    (``meta.SAME_DEPTH``); a next page whose own article links were all on the page before it
    (an empty month, a page past the end) leads no further: its next-page links are cut
    (``newscrawler/traps/exhausted_listing``). ``NEWSCRAWLER_TRAPS_SKIP_EXHAUSTED_LISTINGS``
    turns the cut off; the pagination and archive limits then bound such chains.
    """

    def __init__(self, crawler: Crawler, skip: bool, paginated: bool, archived: bool) -> None:
        super().__init__(crawler)
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.scope = crawl_scope(crawler)
        self.skip = skip
        self.paginated = paginated
        self.archived = archived

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        settings = crawler.settings
        return cls(
            crawler,
            settings.getbool("NEWSCRAWLER_TRAPS_SKIP_EXHAUSTED_LISTINGS"),
            settings.getint("NEWSCRAWLER_TRAPS_MAX_PAGINATION") > 0,
            settings.getint("NEWSCRAWLER_TRAPS_MAX_ARCHIVE_PAGES") > 0,
        )

    def process_spider_output(
        self, response: Response | None, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        links: list[Request] = []
        for o in result:
            if isinstance(o, Request) and o.meta.pop(meta.FROM_LISTING, False):
                links.append(o)
            else:
                yield o
        yield from self.listing_links(response, links)

    async def process_spider_output_async(
        self, response: Response | None, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        links: list[Request] = []
        async for o in result:
            if isinstance(o, Request) and o.meta.pop(meta.FROM_LISTING, False):
                links.append(o)
            else:
                yield o
        for request in self.listing_links(response, links):
            yield request

    def listing_links(self, response: Response | None, links: list[Request]) -> Iterator[Request]:
        if not links:
            return
        # the article links of the page, as found (before any variant rewriting)
        found = [r.meta.get(meta.VARIANT_OF, r.url) for r in links]
        articles = {u for u in found if is_article_candidate(self.scope, u)}
        previous = response.meta.get(meta.LISTING_LINKS) if response is not None else None
        exhausted = self.skip and previous is not None and articles <= set(previous)
        for request, url in zip(links, found, strict=True):
            next_page = pagination_number(url) is not None
            archive = is_archive_url(url)
            if not (next_page or archive):
                yield request
                continue
            if url in self.scope.seen:
                yield request  # a repeat: counted by the seen filters, not as a cut
                continue
            if exhausted:
                self.stats.inc_value("newscrawler/traps/exhausted_listing")
                continue
            request.meta[meta.LISTING_LINKS] = tuple(sorted(articles))
            if (next_page and self.paginated) or (archive and self.archived):
                request.meta[meta.SAME_DEPTH] = True
            yield request


class SeenCheck(BaseSpiderMiddleware):
    """A check against the crawl scope's seen URLs, counting what it drops in
    ``newscrawler/discovery/duplicate_requests``."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.scope = crawl_scope(crawler)
        self.seen = self.scope.seen


class KnownLinks(SeenCheck):
    """Drop links to URLs already scheduled before any limit counts them; only
    :class:`SeenFilter` remembers URLs, after the limits that may still cut them."""

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if (
            request.dont_filter
            or request.meta.get(meta.ROUTE) != meta.LINK
            or request.meta.get(meta.VARIANT_OF, request.url) not in self.seen
        ):
            return request
        self.stats.inc_value("newscrawler/discovery/duplicate_requests")
        return None


class SeenFilter(SeenCheck):
    """Drop requests for URLs already scheduled, and remember the others.

    The seen URLs are the crawl scope's, so that the spider can also mark URLs it decided not
    to fetch (old entries, declared AMP versions of fetched articles).
    """

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if request.dont_filter or self.seen.add(request.url):
            return request
        if request.meta.get(meta.ROUTE) == meta.ENTRY:  # a link scheduled it first
            self.scope.announced.add(request.url)
        self.stats.inc_value("newscrawler/discovery/duplicate_requests")
        return None
