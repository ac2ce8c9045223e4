"""The ``news`` spider: seeds, routing of pages to extraction, feeds, sitemaps, link following.

The spider only routes and counts: what a feed, sitemap or page says is read by the plain
functions of :mod:`newscrawler.discovery`; trap limits are spider middlewares
(:mod:`newscrawler.discovery.traps`).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.response import get_base_url
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from newscrawler.discovery import meta
from newscrawler.discovery.classify import classify_selector as classify_page
from newscrawler.discovery.classify import declared_links_of as declared_links
from newscrawler.discovery.classify import looks_like_article_url
from newscrawler.discovery.dates import is_before, parse_since
from newscrawler.discovery.feeds import find_feed_links, parse_feed
from newscrawler.discovery.links import page_links
from newscrawler.discovery.patterns import is_archive_url, pagination_number
from newscrawler.discovery.seen import SeenUrls
from newscrawler.discovery.sitemaps import parse_sitemap
from newscrawler.discovery.sites import SiteConfig, SiteRegistry, load_sites
from newscrawler.items import Page, PageHints
from newscrawler.urls import canonical_url, registered_domain, url_host, variant_base

if TYPE_CHECKING:
    from typing_extensions import Self

logger = logging.getLogger(__name__)

# Feeds and sitemaps are read before the pages they announce.
DISCOVERY_PRIORITY = 100


def read_seed_file(path: str) -> list[str]:
    """URLs from a file: one a line, blank lines and ``#`` comments ignored."""
    urls = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            urls.append(line)
    return urls


def parse_seeds(
    start_urls: str | list[str] | None, urls_file: str | None, extra: list[str] | None = None
) -> list[str]:
    """Seed URLs from the ``start_urls`` and ``urls_file`` spider arguments, validated."""
    seeds: list[str] = []
    if isinstance(start_urls, str):
        seeds.extend(u.strip() for u in start_urls.split(",") if u.strip())
    elif start_urls:
        seeds.extend(start_urls)
    if urls_file:
        seeds.extend(read_seed_file(urls_file))
    seeds.extend(extra or ())
    for url in seeds:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError(f"seed URL must be an absolute http(s) URL: {url!r}")
    return list(dict.fromkeys(seeds))


def declared_charset(response: Response) -> str | None:
    content_type = (response.headers.get(b"Content-Type") or b"").decode("latin-1").lower()
    for part in content_type.split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name == "charset" and value:
            return value.strip("\"' ")
    return None


def release_parsed(response: Response) -> None:
    """Drop the response's cached tree and decoded text once the spider is done with them.

    Scrapy keeps a response (and so its parsed tree, often 10-50x the body) alive until every
    item it gave has passed the pipelines; for an article that is until extraction ends.
    """
    for cache in ("_cached_selector", "_cached_ubody"):
        if getattr(response, cache, None) is not None:
            setattr(response, cache, None)


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased: the unit discovery is done once for."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()


def robots_sitemaps(robotparser: Any) -> list[str] | None:
    """``Sitemap:`` URLs of a parsed robots.txt (Protego or the standard library parser), or
    ``None`` if the parser does not expose them."""
    inner = getattr(robotparser, "rp", None)
    sitemaps = getattr(inner, "sitemaps", None)  # Protego
    site_maps = getattr(inner, "site_maps", None)  # urllib.robotparser
    if sitemaps is None and callable(site_maps):
        sitemaps = site_maps() or []
    return None if sitemaps is None else [str(u) for u in sitemaps]


class NewsSpider(scrapy.Spider):
    """Crawl news sites from seed URLs, feeds and sitemaps; yield a :class:`Page` for every
    article found."""

    name = "news"

    def __init__(
        self,
        start_urls: str | list[str] | None = None,
        urls_file: str | None = None,
        sites: str | None = None,
        since: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.site_registry = SiteRegistry(load_sites(sites) if sites else ())
        configured = self.site_registry.sites
        self.seeds = parse_seeds(
            start_urls, urls_file, [u for site in configured for u in site.start_urls]
        )
        discovery_urls = [u for site in configured for u in (*site.feeds, *site.sitemaps)]
        if not self.seeds and not discovery_urls:
            raise ValueError(
                "no seeds: pass -a start_urls=URL[,URL...], -a urls_file=FILE or -a sites=FILE"
            )
        domains = {registered_domain(url_host(u)) for u in (*self.seeds, *discovery_urls)}
        domains.update(registered_domain(d) for site in configured for d in site.domains)
        self.allowed_domains = sorted(domains)
        self._seed_domains = frozenset(domains)
        self.since_arg = since
        self.since = parse_since(since) if since else None
        self.seen_urls = SeenUrls()
        self.robots_sitemaps: dict[str, list[str] | None] = {}
        self._bootstrapped: set[str] = set()
        self._feeds_probed: set[str] = set()
        self._feed_counts: dict[str, int] = {}
        self._sitemap_counts: dict[str, int] = {}
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.since_arg:
            crawler.settings.set("NEWSCRAWLER_SINCE", spider.since_arg, priority="spider")
        elif crawler.settings.get("NEWSCRAWLER_SINCE"):
            spider.since = parse_since(crawler.settings.get("NEWSCRAWLER_SINCE"))
        crawler.signals.connect(spider.on_robots_parsed, signal=signals.robots_parsed)
        return spider

    async def start(self) -> AsyncIterator[Any]:
        for url in self.seeds:
            yield self.request(url, "seed", self.parse)
        for site in self.site_registry.sites:
            for url in site.feeds:
                yield self.request(url, "feed", self.parse_feed, priority=DISCOVERY_PRIORITY)
            for url in site.sitemaps:
                yield self.request(url, "sitemap", self.parse_sitemap, priority=DISCOVERY_PRIORITY)

    # --- HTML pages ----------------------------------------------------------------------------

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        stats = self.crawler.stats
        assert stats is not None
        yield from self.bootstrap_site(response)
        if not isinstance(response, HtmlResponse):
            reason = "non_html" if not isinstance(response, TextResponse) else "non_html_text"
            stats.inc_value(f"newscrawler/pages/skipped/{reason}")
            logger.info("Skipping %s: %s response", response.url, reason.replace("_", " "))
            return
        if not response.body.strip():
            stats.inc_value("newscrawler/pages/skipped/empty")
            logger.info("Skipping %s: empty body", response.url)
            return
        site = self.site_registry.for_url(response.url)
        declared = declared_links(response.selector, response.url)
        if declared.amphtml:  # never fetch the AMP copy of a page we have
            self.seen_urls.add(canonical_url(declared.amphtml))
        canonical_request = self.canonical_redirect(response, declared.canonical, declared.is_amp)
        kind = classify_page(
            response.selector, response.url, self.settings.getint("NEWSCRAWLER_ARTICLE_MIN_TEXT")
        )
        is_article = kind.is_article
        forced = site.is_article_url(response.url) if site else None
        if forced is not None and forced != is_article:
            is_article, kind = forced, type(kind)(forced, "site_pattern")
        # Everything that reads the parsed tree runs now, so that the tree can be dropped before
        # the page waits in the pipelines (see release_parsed).
        page, requests = None, []
        if canonical_request is not None:
            if canonical_request is not False:
                requests.append(canonical_request)
        elif is_article:
            stats.inc_value(f"newscrawler/pages/article/{kind.reason}")
            page = self.make_page(response, response.meta.get(meta.HINTS))
        if not is_article:
            stats.inc_value(f"newscrawler/pages/hub/{kind.reason}")
            requests.extend(self.feeds_of(response))
        follow = site.follow_links if site and site.follow_links is not None else None
        if self.settings.getbool("NEWSCRAWLER_FOLLOW_LINKS") if follow is None else follow:
            requests.extend(self.follow_links(response, listing=not is_article))
        release_parsed(response)
        if page is not None:
            yield page
        yield from requests

    def canonical_redirect(
        self, response: Response, declared: str | None, is_amp: bool
    ) -> scrapy.Request | bool | None:
        """Honour ``<link rel="canonical">``: ``None`` to keep this page, ``False`` to drop it
        (its canonical URL is scheduled already), or the request for the canonical URL of an
        AMP/print variant."""
        if not declared or meta.CANONICAL_OF in response.meta:
            return None
        own, target = canonical_url(response.url), canonical_url(declared)
        if target == own or not self.is_on_seed_sites(target):
            return None
        stats = self.crawler.stats
        assert stats is not None
        if target in self.seen_urls:
            stats.inc_value("newscrawler/canonical/duplicate_skipped")
            return False
        if is_amp or variant_base(response.url) is not None:
            stats.inc_value("newscrawler/canonical/followed")
            hints = response.meta.get(meta.HINTS)
            request = self.request(target, "canonical", self.parse, hints=hints)
            request.meta[meta.CANONICAL_OF] = own
            return request
        self.seen_urls.add(target)  # this page stands for its canonical URL
        return None

    def follow_links(self, response: HtmlResponse, listing: bool) -> Iterator[scrapy.Request]:
        """Requests for the page's links on the seed sites, canonicalised, variants rewritten.

        A listing page reached through pagination or an archive link whose article links were
        all on the page before it (an empty month, a page past the end) leads no further
        (``newscrawler/traps/exhausted_listing``).
        """
        stats = self.crawler.stats
        assert stats is not None
        links = page_links(response.selector.root, get_base_url(response), self.is_seed_host)
        # Off-site links (most of a news page's) are dropped before the costlier steps.
        urls = list(dict.fromkeys(canonical_url(u) for u in links if self.is_on_seed_sites(u)))
        articles = {u for u in urls if self.is_article_candidate(u)}
        previous = response.meta.get(meta.LISTING_LINKS)
        exhausted = (
            listing
            and previous is not None
            and articles <= set(previous)
            and self.settings.getbool("NEWSCRAWLER_TRAPS_SKIP_EXHAUSTED_LISTINGS")
        )
        paginated = self.settings.getint("NEWSCRAWLER_TRAPS_MAX_PAGINATION") > 0
        archived = self.settings.getint("NEWSCRAWLER_TRAPS_MAX_ARCHIVE_PAGES") > 0
        for url in urls:
            if url in self.seen_urls:  # scheduled already: no request to build and filter
                stats.inc_value("newscrawler/discovery/duplicate_requests")
                continue
            next_page = pagination_number(url) is not None
            archive = is_archive_url(url)
            if exhausted and (next_page or archive):
                stats.inc_value("newscrawler/traps/exhausted_listing")
                continue
            request = self.link_request(url, meta.LINK, self.parse)
            if request is None:
                continue
            if listing and (next_page or archive):
                request.meta[meta.LISTING_LINKS] = tuple(sorted(articles))
                if (next_page and paginated) or (archive and archived):
                    request.meta[meta.SAME_DEPTH] = True
            yield request

    def is_article_candidate(self, url: str) -> bool:
        """Whether a link looks like it leads to an article (not a listing page)."""
        site = self.site_registry.for_url(url)
        forced = site.is_article_url(url) if site else None
        if forced is not None:
            return forced
        if pagination_number(url) is not None or is_archive_url(url):
            return False
        return looks_like_article_url(url)

    def feeds_of(self, response: HtmlResponse) -> Iterator[scrapy.Request]:
        """Requests for the feeds a hub or seed page declares (or, on a seed page declaring none
        of a site with no configured feeds, for the first common feed path that answers)."""
        if not self.settings.getbool("NEWSCRAWLER_FEEDS_ENABLED"):
            return
        feeds = find_feed_links(response.selector, response.url)
        for url in feeds:
            request = self.link_request(url, "feed", self.parse_feed, priority=DISCOVERY_PRIORITY)
            if request is not None and self.count_per_site(
                self._feed_counts, url, "NEWSCRAWLER_FEEDS_MAX_PER_SITE", "feeds"
            ):
                yield request
        site_origin = origin(response.url)
        site = self.site_registry.for_url(response.url)
        if (
            feeds
            or response.meta.get(meta.ROUTE) != "seed"
            or (site and site.feeds)
            or site_origin in self._feeds_probed
        ):
            return
        self._feeds_probed.add(site_origin)
        yield from self.probe(site_origin, self.probe_paths("NEWSCRAWLER_FEEDS_PROBE_PATHS"))

    # --- feeds, sitemaps, robots.txt -----------------------------------------------------------

    def parse_feed(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        stats = self.crawler.stats
        assert stats is not None
        yield from self.bootstrap_site(response)
        result = parse_feed(response.body, response.url)
        if result.error:
            stats.inc_value(f"newscrawler/feeds/{result.error}")
            if meta.PROBES not in response.meta:
                self.log_once(f"feed-{result.error}", "Feed %s: %s", response.url, result.error)
            yield from self.next_probe(response.request)
            return
        stats.inc_value("newscrawler/feeds/parsed")
        stats.inc_value("newscrawler/feeds/entries", len(result.entries))
        for entry in result.entries:
            request = self.entry_request(
                entry.url, entry.date, title=entry.title, published=entry.published, method="feed"
            )
            if request is not None:
                yield request

    def parse_sitemap(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        stats = self.crawler.stats
        assert stats is not None
        yield from self.bootstrap_site(response)
        result = parse_sitemap(
            response.body, response.url, max_size=self.settings.getint("DOWNLOAD_MAXSIZE")
        )
        if result.error:
            stats.inc_value(f"newscrawler/sitemaps/{result.error}")
            if meta.PROBES not in response.meta:
                self.log_once(
                    f"sitemap-{result.error}", "Sitemap %s: %s", response.url, result.error
                )
            yield from self.next_probe(response.request)
            return
        stats.inc_value(f"newscrawler/sitemaps/{result.kind}")
        stats.inc_value("newscrawler/sitemaps/entries", len(result.entries))
        for entry in result.entries:
            if result.kind == "sitemapindex":
                if is_before(entry.lastmod, self.since):
                    stats.inc_value("newscrawler/window/sitemaps_skipped")
                    continue
                request = self.sitemap_request(entry.url)
            else:
                request = self.entry_request(
                    entry.url,
                    entry.date,
                    title=entry.news_title,
                    published=entry.news_published,
                    method="sitemap",
                )
            if request is not None:
                yield request

    def parse_robots(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        """robots.txt fetched by the spider itself (when ``ROBOTSTXT_OBEY`` is off)."""
        urls = list(sitemap_urls_from_robots(response.body, base_url=response.url))
        yield from self.sitemaps_of(origin(response.url), urls)

    def on_robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Keep the ``Sitemap:`` lines of the robots.txt Scrapy's robots middleware fetched."""
        self.robots_sitemaps[origin(request.url)] = robots_sitemaps(robotparser)

    def bootstrap_site(self, response: Response) -> Iterator[scrapy.Request]:
        """Once per site (scheme, host, port): its sitemaps from robots.txt, else /sitemap.xml."""
        site_origin = origin(response.url)
        if site_origin in self._bootstrapped or not self.settings.getbool(
            "NEWSCRAWLER_SITEMAPS_ENABLED"
        ):
            return
        self._bootstrapped.add(site_origin)
        if site_origin in self.robots_sitemaps and self.robots_sitemaps[site_origin] is not None:
            yield from self.sitemaps_of(site_origin, self.robots_sitemaps[site_origin] or [])
        else:
            robots = self.request(f"{site_origin}/robots.txt", "robots", self.parse_robots)
            robots.meta["dont_obey_robotstxt"] = True
            robots.errback = self.on_error
            robots.meta[meta.PROBES] = []
            yield robots

    def sitemaps_of(self, site_origin: str, robots_urls: list[str]) -> Iterator[scrapy.Request]:
        stats = self.crawler.stats
        assert stats is not None
        site = self.site_registry.for_url(site_origin)
        if robots_urls:
            stats.inc_value("newscrawler/sitemaps/from_robots", len(robots_urls))
            for url in robots_urls:
                request = self.sitemap_request(url)
                if request is not None:
                    yield request
        elif not (site and site.sitemaps):
            yield from self.probe(site_origin, self.probe_paths("NEWSCRAWLER_SITEMAPS_PROBE_PATHS"))

    def sitemap_request(self, url: str) -> scrapy.Request | None:
        request = self.link_request(url, "sitemap", self.parse_sitemap, priority=DISCOVERY_PRIORITY)
        if request is None or not self.count_per_site(
            self._sitemap_counts, url, "NEWSCRAWLER_SITEMAPS_MAX_PER_SITE", "sitemaps"
        ):
            return None
        return request

    def probe_paths(self, setting: str) -> list[str]:
        """The paths of a probe setting (``-s NAME=`` gives none)."""
        return [p.strip() for p in self.settings.getlist(setting) if p.strip()]

    def probe(self, site_origin: str, paths: list[str]) -> Iterator[scrapy.Request]:
        """Try ``paths`` on the site one after the other until one is a feed/sitemap."""
        if paths:
            yield from self.next_probe(None, site_origin, paths)

    def next_probe(
        self, failed: scrapy.Request | None, site_origin: str = "", paths: list[str] | None = None
    ) -> Iterator[scrapy.Request]:
        if failed is not None:
            paths = failed.meta.get(meta.PROBES)
            site_origin = origin(failed.url)
        if not paths:
            return
        stats = self.crawler.stats
        assert stats is not None
        url = urljoin(site_origin + "/", paths[0])
        is_sitemap = "sitemap" in paths[0].lower()
        kind = "sitemap" if is_sitemap else "feed"
        callback = self.parse_sitemap if is_sitemap else self.parse_feed
        stats.inc_value(f"newscrawler/{kind}s/probed")
        request = self.request(url, kind, callback, priority=DISCOVERY_PRIORITY)
        request.meta[meta.PROBES] = paths[1:]
        request.errback = self.on_error
        yield request

    def on_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        """A probe that failed tries the next path; a rewritten variant URL that does not exist
        falls back to the variant itself."""
        request: scrapy.Request = failure.request  # type: ignore[attr-defined]
        stats = self.crawler.stats
        assert stats is not None
        error = failure.value
        status = error.response.status if isinstance(error, HttpError) else None
        if meta.PROBES in request.meta:
            if request.meta.get(meta.ROUTE) == "robots":
                yield from self.sitemaps_of(origin(request.url), [])
            else:
                yield from self.next_probe(request)
            return
        variant = request.meta.get(meta.VARIANT_OF)
        if variant and status in (404, 410):
            stats.inc_value("newscrawler/canonical/variant_fallback")
            fallback = self.request(variant, request.meta.get(meta.ROUTE, meta.LINK), self.parse)
            fallback.meta[meta.CANONICAL_OF] = request.url
            yield fallback
            return
        logger.info("Request failed: %s (%s)", request.url, failure.getErrorMessage())

    # --- requests --------------------------------------------------------------------------------

    def request(
        self,
        url: str,
        route: str,
        callback: Any,
        *,
        hints: PageHints | None = None,
        priority: int = 0,
    ) -> scrapy.Request:
        request_meta: dict[str, Any] = {meta.ROUTE: route}
        if hints is not None:
            request_meta[meta.HINTS] = hints
        return scrapy.Request(
            canonical_url(url), callback=callback, meta=request_meta, priority=priority
        )

    def link_request(
        self, url: str, route: str, callback: Any, *, priority: int = 0
    ) -> scrapy.Request | None:
        """A request for a discovered URL: canonical, variant rewritten, allowed by the site."""
        stats = self.crawler.stats
        assert stats is not None
        url = canonical_url(url)
        if not self.is_on_seed_sites(url):
            return None
        base = variant_base(url)
        if base is not None:
            stats.inc_value("newscrawler/canonical/variant_rewritten")
        target = canonical_url(base) if base is not None else url
        site = self.site_registry.for_url(target)
        if site is not None and route in (meta.LINK, "entry") and not site.allows(target):
            stats.inc_value("newscrawler/sites/filtered")
            return None
        request = self.request(target, route, callback, priority=priority)
        if base is not None:
            request.meta[meta.VARIANT_OF] = url
            request.errback = self.on_error
        return request

    def entry_request(
        self,
        url: str,
        date: datetime | None,
        *,
        title: str | None,
        published: str | None,
        method: str,
    ) -> scrapy.Request | None:
        """The request for an article announced by a feed or sitemap, unless it is too old."""
        stats = self.crawler.stats
        assert stats is not None
        request = self.link_request(url, "entry", self.parse)
        if request is None:
            return None
        if is_before(date, self.since):
            stats.inc_value("newscrawler/window/skipped_before_fetch")
            self.seen_urls.add(request.url)  # not fetched through a link either
            return None
        request.meta[meta.HINTS] = self.site_hints(
            request.url, title=title, published=published, method=method if published else None
        )
        request.meta["depth_reset"] = True  # announced by the site: depth counts from here
        if date is not None:
            request.meta[meta.LASTMOD] = date.isoformat()
        return request

    def count_per_site(self, counts: dict[str, int], url: str, setting: str, kind: str) -> bool:
        """Count a feed/sitemap for its site; False once the site's limit is reached."""
        limit = self.settings.getint(setting)
        key = origin(url)
        if limit and counts.get(key, 0) >= limit:
            stats = self.crawler.stats
            assert stats is not None
            stats.inc_value(f"newscrawler/{kind}/over_limit")
            self.log_once(
                f"{kind}-limit-{key}", "%s: more than %d %s, rest ignored", key, limit, kind
            )
            return False
        counts[key] = counts.get(key, 0) + 1
        return True

    def log_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._logged:
            self._logged.add(key)
            logger.warning(message + " (further cases are only counted)", *args)

    def is_on_seed_sites(self, url: str) -> bool:
        """Same registered domain as a seed (subdomains included)."""
        return self.is_seed_host(url_host(url))

    def is_seed_host(self, host: str) -> bool:
        """Whether ``host`` (lower-case) belongs to a seed's registered domain."""
        return registered_domain(host) in self._seed_domains

    def site_hints(
        self,
        url: str,
        *,
        title: str | None = None,
        published: str | None = None,
        method: str | None = None,
    ) -> PageHints:
        """Hints for a page: what the feed/sitemap said and what its site's configuration says."""
        site: SiteConfig | None = self.site_registry.for_url(url)
        return PageHints(
            title=title,
            published=published,
            published_method=method,
            language=site.language if site else None,
            timezone=site.timezone if site else None,
            site=site.name if site else None,
            selectors=dict(site.selectors) if site else {},
        )

    def make_page(self, response: Response, hints: PageHints | None = None) -> Page:
        return Page(
            url=response.url,
            body=response.body,
            status=response.status,
            declared_encoding=declared_charset(response),
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            depth=int(response.meta.get("depth", 0)),
            hints=hints or self.site_hints(response.url),
        )
