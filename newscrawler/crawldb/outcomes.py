"""Components that report each request's outcome to the crawl database's scheduler.

:class:`FetchOutcomes` (a downloader middleware, outermost) sees the final answer of every
request: its HTTP status, the download error left after the retries, or the refusal of a guard
(robots.txt, a known article). :class:`PageOutcomes` (a spider middleware, outermost) sees what
a fetched page gave: items (articles to be) or only links, and marks the links it led to with
its key, so that the scheduler counts the new URLs a hub or feed yields. :class:`KnownListings`
stops walking down a listing whose article links are all known already. All three are off
(``NotConfigured``) when ``SCHEDULER`` is not
:class:`~newscrawler.crawldb.scheduler.CrawlScheduler`.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from typing import Any

from itemadapter import ItemAdapter
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.statscollectors import StatsCollector
from scrapy.utils.misc import load_object

from newscrawler.crawldb.records import Kind
from newscrawler.crawldb.scheduler import FRONTIER_KEY, PARENT_KEY, ROUTE_KINDS, CrawlScheduler
from newscrawler.discovery import meta
from newscrawler.discovery.patterns import is_archive_url, pagination_number
from newscrawler.discovery.scope import crawl_scope
from newscrawler.discovery.traps import is_article_candidate
from newscrawler.state.middlewares import KnownArticle

ROBOTS_FORBIDDEN = "Forbidden by robots.txt"  # the message of Scrapy's RobotsTxtMiddleware


def require_crawl_scheduler(crawler: Crawler) -> None:
    """``NotConfigured`` unless the crawl's scheduler is the crawl database's."""
    scheduler = load_object(crawler.settings["SCHEDULER"])
    if not (isinstance(scheduler, type) and issubclass(scheduler, CrawlScheduler)):
        raise NotConfigured  # off, without a warning: another SCHEDULER is set


def crawl_scheduler(crawler: Crawler) -> CrawlScheduler | None:
    try:
        scheduler = crawler.engine.scheduler
    except RuntimeError:  # no engine yet
        return None
    return scheduler if isinstance(scheduler, CrawlScheduler) else None


class FetchOutcomes:
    """Report every request's final answer (downloader middleware, outermost)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> FetchOutcomes:
        require_crawl_scheduler(crawler)
        return cls(crawler)

    def process_response(self, request: Request, response: Response) -> Response:
        if (scheduler := crawl_scheduler(self.crawler)) is not None:
            scheduler.fetched(request, response.status)
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        scheduler = crawl_scheduler(self.crawler)
        if scheduler is None:
            return
        if isinstance(exception, KnownArticle):
            scheduler.ignored(request, "known")
        elif isinstance(exception, IgnoreRequest):
            robots = str(exception) == ROBOTS_FORBIDDEN
            scheduler.ignored(request, "robots" if robots else "ignored")
        else:
            scheduler.fetched(request, None)


def page_kind(response: Response, items: int) -> Kind:
    """What a fetched page was, once the spider has read it."""
    kind = ROUTE_KINDS.get(response.meta.get(meta.ROUTE, meta.LINK))
    if kind is not None and kind is not Kind.ARTICLE:
        return kind
    if items:
        return Kind.ARTICLE
    return Kind.HUB if isinstance(response, HtmlResponse) else Kind.OTHER


class PageOutcomes:
    """Report what each page gave, and mark its links with its key (spider middleware,
    outermost)."""

    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> PageOutcomes:
        require_crawl_scheduler(crawler)
        return cls(crawler)

    def _mark(self, response: Response, output: Any, counts: list[int]) -> Any:
        if isinstance(output, Request):
            output.meta.pop(FRONTIER_KEY, None)
            key = response.meta.get(FRONTIER_KEY)
            if key is not None:
                output.meta[PARENT_KEY] = key
        elif ItemAdapter.is_item(output):
            counts[0] += 1
        return output

    def _processed(self, response: Response, items: int) -> None:
        scheduler = crawl_scheduler(self.crawler)
        if scheduler is not None and response.request is not None:
            scheduler.page_processed(response.request, page_kind(response, items), items)

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        counts = [0]
        for output in result:
            yield self._mark(response, output, counts)
        self._processed(response, counts[0])

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        counts = [0]
        async for output in result:
            yield self._mark(response, output, counts)
        self._processed(response, counts[0])

    def process_spider_exception(
        self, response: Response, exception: Exception, spider: Any = None
    ) -> None:
        self._processed(response, 0)


class KnownListings:
    """On a rerun, walk down a listing no further than its first page whose article links are
    all known: its next-page and archive links are cut (``newscrawler/crawldb/listing_stopped``).
    Runs before :class:`~newscrawler.discovery.traps.ExhaustedListings`, whose listing marks it
    reads."""

    def __init__(self, crawler: Crawler, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> KnownListings:
        require_crawl_scheduler(crawler)
        if not crawler.settings.getbool("NEWSCRAWLER_REVISIT_STOP_KNOWN_LISTINGS"):
            raise NotConfigured  # off, without a warning: the setting is off
        assert crawler.stats is not None
        return cls(crawler, crawler.stats)

    def _cut(self, links: list[Request]) -> Iterator[Request]:
        scheduler = crawl_scheduler(self.crawler)
        scope = crawl_scope(self.crawler)
        found = [r.meta.get(meta.VARIANT_OF, r.url) for r in links]
        articles = [u for u in found if is_article_candidate(scope, u)]
        exhausted = (
            scheduler is not None
            and bool(articles)
            and all(scheduler.knows_article(u) for u in articles)
        )
        for request, url in zip(links, found, strict=True):
            if exhausted and (pagination_number(url) is not None or is_archive_url(url)):
                self.stats.inc_value("newscrawler/crawldb/listing_stopped")
                continue
            yield request

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        links: list[Request] = []
        for output in result:
            if isinstance(output, Request) and output.meta.get(meta.FROM_LISTING):
                links.append(output)
            else:
                yield output
        yield from self._cut(links)

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        links: list[Request] = []
        async for output in result:
            if isinstance(output, Request) and output.meta.get(meta.FROM_LISTING):
                links.append(output)
            else:
                yield output
        for request in self._cut(links):
            yield request
