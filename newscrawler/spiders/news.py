"""The ``news`` spider: seeds, routing of pages to extraction, feeds, sitemaps, link following.

The spider only routes and counts: what a feed, sitemap or page says is read by the plain
functions of :mod:`newscrawler.discovery`; trap limits are spider middlewares
(:mod:`newscrawler.discovery.traps`); AMP/print variants and declared canonical URLs are
decided by :mod:`newscrawler.discovery.variants`.
"""

from __future__ import annotations

import difflib
import logging
from collections.abc import AsyncIterator, Iterable, Iterator, Mapping
from datetime import datetime, timezone
from functools import cached_property
from typing import TYPE_CHECKING, Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.downloadermiddlewares.offsite import OffsiteMiddleware
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.settings import BaseSettings
from scrapy.utils.sitemap import sitemap_urls_from_robots
from twisted.python.failure import Failure

from newscrawler.crawldb.outcomes import crawl_scheduler
from newscrawler.crawldb.records import Kind
from newscrawler.discovery import meta
from newscrawler.discovery.bootstrap import Fetch, SiteBootstrap, origin
from newscrawler.discovery.dates import is_before
from newscrawler.discovery.feeds import parse_feed
from newscrawler.discovery.reading import PageReading, ReadingTask, route_page
from newscrawler.discovery.scope import CrawlScope, crawl_scope
from newscrawler.discovery.sitemaps import parse_sitemap
from newscrawler.discovery.sites import SiteConfig
from newscrawler.discovery.variants import VariantRules
from newscrawler.errors import ConfigError
from newscrawler.items import Page, PageHints
from newscrawler.middlewares.ssrf import SsrfGuardMiddleware
from newscrawler.pipelines.extract import ExtractionPipeline
from newscrawler.pipelines.extraction_pool import ExtractResult
from newscrawler.render.middleware import render_browser
from newscrawler.urls import canonical_url

if TYPE_CHECKING:
    from typing_extensions import Self

logger = logging.getLogger(__name__)

# Feeds and sitemaps are read before the pages they announce.
DISCOVERY_PRIORITY = 100

# The spider's arguments (-a NAME=VALUE) and the settings they set.
ARGUMENTS = {
    "start_urls": "NEWSCRAWLER_START_URLS",
    "urls_file": "NEWSCRAWLER_URLS_FILE",
    "sites": "NEWSCRAWLER_SITES_FILE",
    "since": "NEWSCRAWLER_SINCE",
}
# Arguments schedulers add to every spider (Scrapyd's job id): accepted and ignored.
SCHEDULER_ARGUMENTS = frozenset({"_job"})


def arguments_as_settings(arguments: Mapping[str, Any]) -> dict[str, Any]:
    """The settings the spider's arguments stand for; :class:`ConfigError` on an unknown one."""
    for name in arguments:
        if name not in ARGUMENTS and name not in SCHEDULER_ARGUMENTS:
            close = difflib.get_close_matches(name, list(ARGUMENTS), n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            raise ConfigError(
                f"unknown spider argument {name!r}{hint}; "
                f"the news spider takes: {', '.join(ARGUMENTS)}"
            )
    return {ARGUMENTS[k]: v for k, v in arguments.items() if k in ARGUMENTS}


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
    item it gave has passed the pipelines; for an article that is until extraction ends. Its
    text is decoded before the spider sees it (Scrapy's meta-refresh check decodes the whole
    body for its first 4 KB): one to four times the body, while the page waits for a worker.
    """
    for cache in ("_cached_selector", "_cached_ubody"):
        if getattr(response, cache, None) is not None:
            setattr(response, cache, None)


class NewsSpider(scrapy.Spider):
    """Crawl news sites from seed URLs, feeds and sitemaps; yield a :class:`Page` for every
    article candidate (see :func:`~newscrawler.discovery.classify.classify_page`).

    Arguments: ``start_urls`` (comma-separated), ``urls_file``, ``sites`` (a sites TOML file),
    ``since`` (the date window); each sets a setting (:data:`ARGUMENTS`) that the crawl's
    :class:`~newscrawler.discovery.scope.CrawlScope` is built from.
    """

    name = "news"
    # Settings, read once in from_crawler.
    follow: bool = True
    feeds_enabled: bool = True
    max_size: int = 0

    def __init__(self, **kwargs: Any) -> None:
        self.arguments = arguments_as_settings(kwargs)
        self._logged: set[str] = set()
        self._reader: ExtractionPipeline | bool | None = None  # see reader
        super().__init__(**{k: v for k, v in kwargs.items() if k not in ARGUMENTS})

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> Self:
        spider = super().from_crawler(crawler, *args, **kwargs)
        if spider.arguments:
            crawler.settings.setdict(spider.arguments, priority="spider")
        settings = crawler.settings
        spider.follow = settings.getbool("NEWSCRAWLER_FOLLOW_LINKS")
        spider.feeds_enabled = settings.getbool("NEWSCRAWLER_FEEDS_ENABLED")
        spider.max_size = settings.getint("DOWNLOAD_MAXSIZE")
        crawler.signals.connect(spider.on_robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(spider.on_request_dropped, signal=signals.request_dropped)
        return spider

    @classmethod
    def validate(cls, settings: BaseSettings, arguments: Mapping[str, Any]) -> None:
        """Check the arguments and the scope they give before a crawl starts
        (:class:`ConfigError` naming the problem)."""
        scoped = settings.copy()
        scoped.setdict(arguments_as_settings(arguments), priority="spider")
        scope = CrawlScope.from_settings(scoped)
        scope.require_seeds()
        render_browser(scoped, scope.sites.sites)  # rendering on, and no Chromium found

    @cached_property
    def scope(self) -> CrawlScope:
        """The crawl's scope (an extension: built after the spider, so looked up lazily)."""
        return crawl_scope(self.crawler)

    @cached_property
    def bootstrap(self) -> SiteBootstrap:
        return SiteBootstrap.from_crawler(self.crawler, self.scope.sites)

    @cached_property
    def variants(self) -> VariantRules:
        return VariantRules.from_crawler(self.crawler)

    @property
    def allowed_domains(self) -> list[str]:  # read by Scrapy's OffsiteMiddleware
        return sorted(self.scope.domains)

    async def start(self) -> AsyncIterator[Any]:
        self.scope.require_seeds()
        for url in self.scope.seeds:
            yield self.request(url, "seed", self.parse)
        for site in self.scope.sites.sites:
            for url in site.feeds:
                yield self.request(url, "feed", self.parse_feed, priority=DISCOVERY_PRIORITY)
            for url in site.sitemaps:
                yield self.request(url, "sitemap", self.parse_sitemap, priority=DISCOVERY_PRIORITY)
        for request in self.revisits():
            yield request

    def seed_requests(self, urls: Iterable[str]) -> list[scrapy.Request]:
        """Requests for seeds that arrive during the crawl (a distributed crawl's shared list);
        their sites join the crawl's scope (and Scrapy's offsite filter)."""
        urls = list(urls)
        new = self.scope.add_seeds(urls)
        if new and self.crawler.engine is not None:
            for mw in self.crawler.engine.downloader.middleware.middlewares:
                if isinstance(mw, OffsiteMiddleware):
                    mw.spider_opened(self)  # reads allowed_domains again
                elif isinstance(mw, SsrfGuardMiddleware):
                    mw.add_seeds(new)
        return [self.request(url, "seed", self.parse) for url in urls]

    def due_requests(self) -> Iterator[scrapy.Request]:
        """Every known seed, hub, feed and sitemap of the seed sites whose next visit is due
        (an always-on crawl asks for them as it goes)."""
        scheduler = crawl_scheduler(self.crawler)
        if scheduler is None:
            return
        callbacks = {
            Kind.FEED: self.parse_feed,
            Kind.SITEMAP: self.parse_sitemap,
            Kind.SEED: self.parse,
            Kind.HUB: self.parse,
        }
        for url, kind in scheduler.due_revisits(tuple(callbacks)):
            if self.scope.is_on_seed_sites(url):
                route = kind.value
                priority = DISCOVERY_PRIORITY if kind in (Kind.FEED, Kind.SITEMAP) else 0
                yield self.request(url, route, callbacks[kind], priority=priority)

    def revisits(self) -> Iterator[scrapy.Request]:
        """The feeds and sitemaps of the seed sites that earlier runs found and that are due
        (the crawl database's revisit policy): read again without the site's probes."""
        scheduler = crawl_scheduler(self.crawler)
        if scheduler is None:  # not crawling, or another SCHEDULER
            return
        callbacks = {Kind.FEED: self.parse_feed, Kind.SITEMAP: self.parse_sitemap}
        for url, kind in scheduler.due_revisits(tuple(callbacks)):
            if self.scope.is_on_seed_sites(url):
                yield self.request(url, kind.value, callbacks[kind], priority=DISCOVERY_PRIORITY)

    # --- HTML pages ----------------------------------------------------------------------------

    async def parse(self, response: Response, **kwargs: Any) -> list[Any]:
        """An HTML page: its article (a :class:`Page`, extracted already when a worker read
        it), the requests for its links, and for a hub its feeds.

        The page is read once, by the extraction pipeline's workers when it runs
        (:meth:`~newscrawler.pipelines.extract.ExtractionPipeline.read`): routing, links and
        extraction come from one parse, outside the crawl's main process. A page the workers
        could not read (a time-out, a crash, bytes that give no tree) is routed here, on
        Scrapy's own parse, so that its links are still followed; so are the first pages, while
        the workers warm up (the pipeline extracts those).
        """
        stats = self.crawler.stats
        assert stats is not None
        output: list[Any] = list(self.bootstrap_site(response))
        if not isinstance(response, HtmlResponse):
            reason = "non_html" if not isinstance(response, TextResponse) else "non_html_text"
            stats.inc_value(f"newscrawler/pages/skipped/{reason}")
            logger.info("Skipping %s: %s response", response.url, reason.replace("_", " "))
            return output
        if not response.body.strip():
            stats.inc_value("newscrawler/pages/skipped/empty")
            logger.info("Skipping %s: empty body", response.url)
            return output
        site = self.scope.sites.for_url(response.url)
        follow = site.follow_links if site and site.follow_links is not None else self.follow
        task = ReadingTask(
            url=response.url,
            # A page a feed or sitemap announced goes to extraction, whatever it looks like:
            # only the extraction's result can reject it (see classify_page). So does one
            # they listed after a link had scheduled it.
            announced=self.is_announced(response),
            forced=site.is_article_url(response.url) if site else None,
            canonical_of=meta.CANONICAL_OF in response.meta,
            domains=self.scope.domains,
            follow=follow,
        )
        hints = response.meta.get(meta.HINTS) or self.site_hints(response.url)
        reader = self.reader
        reading, failed = None, None
        if reader is not None and reader.reads_at_once:
            release_parsed(response)  # the workers parse the bytes; the text would wait with them
            result = await reader.read(response.body, declared_charset(response), task, hints)
            if isinstance(result, PageReading):
                reading = result
            else:
                failed = result
        if reading is None:
            reading = self.read_here(response, task)
        output.extend(self.route(response, reading, hints, failed))
        return output

    def is_announced(self, response: Response) -> bool:
        """Whether a feed or sitemap listed the page (its request came from the entry, or the
        entry came when a link had scheduled the page: ``CrawlScope.announced``)."""
        if response.meta.get(meta.ROUTE) == meta.ENTRY:
            return True
        return response.request is not None and response.request.url in self.scope.announced

    @property
    def reader(self) -> ExtractionPipeline | None:
        """The extraction pipeline, which reads pages in its workers (None when it is disabled,
        or when no engine runs: a page parsed outside a crawl is routed here)."""
        if self._reader is None:
            try:
                self._reader = self.crawler.get_item_pipeline(ExtractionPipeline) or False
            except RuntimeError:  # no engine yet
                return None
        return self._reader if isinstance(self._reader, ExtractionPipeline) else None

    def read_here(self, response: HtmlResponse, task: ReadingTask) -> PageReading:
        """Routing and links read in this process, on Scrapy's parse of the page (no
        extraction: the pipeline extracts the page, or has its failure already)."""
        reading, _ = route_page(response.selector.root, task)
        release_parsed(response)
        return reading

    def route(
        self,
        response: HtmlResponse,
        reading: PageReading,
        hints: PageHints,
        failed: ExtractResult | None,
    ) -> Iterator[Any]:
        """The page's record-to-be and its requests, from what reading it found."""
        stats = self.crawler.stats
        assert stats is not None
        instead = self.variants.instead_of_page(response, reading.declared, self.parse)
        kind = reading.kind
        page, requests = None, []
        if instead is not None:  # a variant or a duplicate of its canonical URL
            requests.extend(instead)
        elif kind.is_article:
            stats.inc_value(f"newscrawler/pages/article/{kind.reason}")
            page = self.make_page(response, hints)
            page.signals = kind.signals.as_dict()
            if reading.extraction is not None:
                page.extracted = reading
            elif failed is not None:
                page.extracted = failed
        if not kind.is_article:
            stats.inc_value(f"newscrawler/pages/hub/{kind.reason}")
            logger.debug("Hub %s: %s %s", response.url, kind.reason, kind.signals)
            requests.extend(self.feeds_of(response, reading.feeds))
        requests.extend(self.follow_links(reading.links, listing=not kind.is_article))
        if page is not None:
            yield page
        yield from requests

    def follow_links(self, urls: Iterable[str], listing: bool) -> Iterator[scrapy.Request]:
        """Requests for a page's links on the seed sites (canonical URLs), variants rewritten;
        those of a listing page marked for the exhausted-listing rule
        (:class:`~newscrawler.discovery.traps.ExhaustedListings`)."""
        for url in urls:
            request = self.link_request(url, meta.LINK, self.parse)
            if request is None:
                continue
            if listing:
                request.meta[meta.FROM_LISTING] = True
            yield request

    def feeds_of(self, response: HtmlResponse, feeds: Iterable[str]) -> Iterator[scrapy.Request]:
        """Requests for the feeds a hub or seed page declares (or, on a seed page declaring none
        of a site with no configured feeds, for the first common feed path that answers)."""
        if not self.feeds_enabled:
            return
        feeds = list(feeds)
        for url in feeds:
            request = self.link_request(url, "feed", self.parse_feed, priority=DISCOVERY_PRIORITY)
            if request is not None:
                yield request
        route = response.meta.get(meta.ROUTE)
        yield from self.fetch(self.bootstrap.feed_probe(response.url, route, bool(feeds)))

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
        result = parse_sitemap(response.body, response.url, max_size=self.max_size)
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
                if is_before(entry.lastmod, self.scope.since):
                    stats.inc_value("newscrawler/window/sitemaps_skipped")
                    continue
                request = self.link_request(
                    entry.url, "sitemap", self.parse_sitemap, priority=DISCOVERY_PRIORITY
                )
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
        yield from self.fetch(self.bootstrap.from_robots(origin(response.url), urls))

    def on_robots_parsed(self, robotparser: Any, request: scrapy.Request) -> None:
        """Keep the ``Sitemap:`` lines of the robots.txt Scrapy's robots middleware fetched."""
        self.bootstrap.robots_parsed(robotparser, request)

    def bootstrap_site(self, response: Response) -> Iterator[scrapy.Request]:
        """Once per site (scheme, host, port): its sitemaps from robots.txt, else /sitemap.xml."""
        yield from self.fetch(self.bootstrap.first_visit(response.url))

    def fetch(self, fetches: Iterable[Fetch]) -> Iterator[scrapy.Request]:
        """Requests for what the site bootstrap says to fetch."""
        for item in fetches:
            callback = {"robots": self.parse_robots, "sitemap": self.parse_sitemap}.get(
                item.kind, self.parse_feed
            )
            if item.probes is None:  # announced by the site
                request = self.link_request(
                    item.url, item.kind, callback, priority=DISCOVERY_PRIORITY
                )
                if request is not None:
                    yield request
                continue
            priority = 0 if item.kind == "robots" else DISCOVERY_PRIORITY
            request = self.request(item.url, item.kind, callback, priority=priority)
            request.meta[meta.PROBES] = list(item.probes)
            request.errback = self.on_error
            if item.kind == "robots":
                request.meta["dont_obey_robotstxt"] = True
            yield request

    def on_request_dropped(self, request: scrapy.Request) -> None:
        """A probe the scheduler refused (a path known to answer 404) goes on to the next."""
        if meta.PROBES in request.meta:
            for probe in self.next_probe(request):
                self.crawler.engine.crawl(probe)

    def next_probe(self, failed: scrapy.Request | None) -> Iterator[scrapy.Request]:
        """The next probe path after ``failed`` (a probe whose answer was no feed/sitemap)."""
        if failed is not None and meta.PROBES in failed.meta:
            paths = failed.meta[meta.PROBES]
            yield from self.fetch(self.bootstrap.next_probe(origin(failed.url), paths))

    def on_error(self, failure: Failure) -> Iterator[scrapy.Request]:
        """A probe that failed tries the next path; a rewritten variant URL that does not exist
        falls back to the variant itself."""
        request: scrapy.Request = failure.request  # type: ignore[attr-defined]
        if meta.PROBES in request.meta:
            if request.meta.get(meta.ROUTE) == "robots":
                yield from self.fetch(self.bootstrap.from_robots(origin(request.url), []))
            else:
                yield from self.next_probe(request)
            return
        if (fallback := self.variants.fallback(failure)) is not None:
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
        if not self.scope.is_on_seed_sites(url):
            return None
        request = self.variants.rewrite(
            self.request(url, route, callback, priority=priority), self.on_error
        )
        site = self.scope.sites.for_url(request.url)
        if site is not None and route in (meta.LINK, meta.ENTRY) and not site.allows(request.url):
            stats.inc_value("newscrawler/sites/filtered")
            return None
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
        request = self.link_request(url, meta.ENTRY, self.parse)
        if request is None:
            return None
        if is_before(date, self.scope.since):
            stats.inc_value("newscrawler/window/skipped_before_fetch")
            self.scope.seen.add(request.url)  # not fetched through a link either
            return None
        request.meta[meta.HINTS] = self.site_hints(
            request.url, title=title, published=published, method=method if published else None
        )
        request.meta["depth_reset"] = True  # announced by the site: depth counts from here
        if date is not None:
            request.meta[meta.LASTMOD] = date.isoformat()
        return request

    def log_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._logged:
            self._logged.add(key)
            logger.warning(message + " (further cases are only counted)", *args)

    def site_hints(
        self,
        url: str,
        *,
        title: str | None = None,
        published: str | None = None,
        method: str | None = None,
    ) -> PageHints:
        """Hints for a page: what the feed/sitemap said and what its site's configuration says."""
        site: SiteConfig | None = self.scope.sites.for_url(url)
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
