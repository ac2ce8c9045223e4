"""Trap defences: small spider middlewares that cut requests a crawl should not spend on.

Each limit is a setting (0 turns it off), applies per site, and counts every request it cuts in
``newscrawler/traps/<kind>``; the first cut on a site is logged. Pattern limits (pagination,
calendar archives, query variants, repeated segments) apply to links followed from HTML pages
only; articles announced by feeds and sitemaps pass them. :class:`SeenFilter` drops URLs already
scheduled, so that the counting limits after it count each URL once.

Order (spider output passes the highest number first)::

    DepthLimit 900 > UrlLengthLimit 880 > RepeatedSegmentsLimit 870 > PaginationLimit 860
    > SeenFilter 850 > QueryVariantsLimit 840 > ArchiveLimit 830 > SiteBudget 820
"""

from __future__ import annotations

import logging
from collections import Counter
from typing import TYPE_CHECKING, ClassVar

from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.spidermiddlewares.base import BaseSpiderMiddleware
from scrapy.spidermiddlewares.depth import DepthMiddleware

from newscrawler.discovery import meta
from newscrawler.discovery.patterns import (
    has_numeric_id,
    is_archive_url,
    max_segment_repeats,
    pagination_number,
    path_key,
)
from newscrawler.discovery.seen import SeenUrls
from newscrawler.discovery.sites import SiteConfig, SiteRegistry
from newscrawler.urls import registered_domain, url_host

if TYPE_CHECKING:
    from typing_extensions import Self

logger = logging.getLogger(__name__)


def site_of(crawler: Crawler, url: str) -> tuple[str, SiteConfig | None]:
    """The site a URL counts against: its configured site, else its registered domain."""
    registry = getattr(crawler.spider, "site_registry", None)
    site = registry.for_url(url) if isinstance(registry, SiteRegistry) else None
    if site is not None:
        return site.name, site
    return registered_domain(url_host(url)), None


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
        self.limit = limit
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        limit = crawler.settings.getint(cls.setting)
        if limit <= 0:
            raise NotConfigured(f"{cls.setting} is 0")
        return cls(crawler, limit)

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if request.dont_filter or (self.links_only and request.meta.get(meta.ROUTE) != meta.LINK):
            return request
        site, config = site_of(self.crawler, request.url)
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


class QueryVariantsLimit(TrapLimit):
    """More than ``NEWSCRAWLER_TRAPS_MAX_QUERY_VARIANTS`` distinct queries on one path
    (unknown session parameters, search and filter combinations).

    Queries with a numeric id parameter (``?id=123``, ``?storyid=9``) are articles of old CMSs
    sharing one script path, and pagination has its own limit: neither is counted.
    """

    kind = "query_variants"
    setting = "NEWSCRAWLER_TRAPS_MAX_QUERY_VARIANTS"

    def __init__(self, crawler: Crawler, limit: int) -> None:
        super().__init__(crawler, limit)
        self.counts: Counter[str] = Counter()

    def admits(self, url: str, site: str, config: SiteConfig | None) -> bool:
        if "?" not in url or has_numeric_id(url) or pagination_number(url) is not None:
            return True
        key = path_key(url)
        if self.counts[key] >= self.limit:
            return False
        self.counts[key] += 1
        return True


class ArchiveLimit(TrapLimit):
    """More than ``NEWSCRAWLER_TRAPS_MAX_ARCHIVE_PAGES`` calendar/archive pages on one site
    (``/archive/2024/03/`` linking to the month before, forever)."""

    kind = "archive"
    setting = "NEWSCRAWLER_TRAPS_MAX_ARCHIVE_PAGES"

    def __init__(self, crawler: Crawler, limit: int) -> None:
        super().__init__(crawler, limit)
        self.counts: Counter[str] = Counter()

    def admits(self, url: str, site: str, config: SiteConfig | None) -> bool:
        if not is_archive_url(url):
            return True
        if self.counts[site] >= self.limit:
            return False
        self.counts[site] += 1
        return True


class SiteBudget(TrapLimit):
    """More than ``NEWSCRAWLER_TRAPS_MAX_PAGES_PER_SITE`` requests to one site (or the site's
    ``page_budget`` from the sites file)."""

    kind = "budget"
    setting = "NEWSCRAWLER_TRAPS_MAX_PAGES_PER_SITE"
    links_only = False

    def __init__(self, crawler: Crawler, limit: int) -> None:
        super().__init__(crawler, limit)
        self.counts: Counter[str] = Counter()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        # Always on: a site's page_budget applies even when the global budget is 0 (off).
        return cls(crawler, max(0, crawler.settings.getint(cls.setting)))

    def admits(self, url: str, site: str, config: SiteConfig | None) -> bool:
        budget = config.page_budget if config and config.page_budget else self.limit
        if budget and self.counts[site] >= budget:
            return False
        self.counts[site] += 1
        return True


class SeenFilter(BaseSpiderMiddleware):
    """Drop requests for URLs already scheduled (``newscrawler/discovery/duplicate_requests``).

    Uses the spider's ``seen_urls`` when it has one, so that the spider can also mark URLs it
    decided not to fetch (old entries, declared AMP versions of fetched articles).
    """

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        assert crawler.stats is not None
        self.stats = crawler.stats
        self._own = SeenUrls()

    @property
    def seen(self) -> SeenUrls:
        seen = getattr(self.crawler.spider, "seen_urls", None)
        return seen if isinstance(seen, SeenUrls) else self._own

    def get_processed_request(self, request: Request, response: Response | None) -> Request | None:
        if request.dont_filter or self.seen.add(request.url):
            return request
        self.stats.inc_value("newscrawler/discovery/duplicate_requests")
        return None
