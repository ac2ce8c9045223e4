"""Count each site's downloads for the health check: sent, answered, lost, denied by robots.txt."""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest, NotConfigured

from newscrawler.discovery import meta
from newscrawler.health.extension import HealthCheck

if TYPE_CHECKING:
    from scrapy import Request
    from scrapy.crawler import Crawler
    from scrapy.http import Response


def counted(request: Request) -> bool:
    """Requests for the crawl's pages: not robots.txt, not a discovery probe (/feed, /rss…)."""
    return not request.meta.get("dont_obey_robotstxt") and meta.PROBES not in request.meta


class SiteCountsMiddleware:
    """Downloader middleware just after robots.txt (``DOWNLOADER_MIDDLEWARES`` 101): it sees a
    request once robots.txt and the known-article check let it through, the final response
    after redirects and retries, and the exception of a download given up."""

    def __init__(self, health: HealthCheck) -> None:
        self.health = health

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SiteCountsMiddleware:
        health = crawler.get_extension(HealthCheck)
        if health is None:
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_HEALTH_ENABLED is off
        return cls(health)

    def process_request(self, request: Request) -> None:
        if counted(request) and not request.meta.get("retry_times"):
            self.health.requested(request.url)

    def process_response(self, request: Request, response: Response) -> Response:
        if counted(request):
            self.health.answered(request.url, response.status, seed=is_seed(request))
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not counted(request):
            return
        if isinstance(exception, IgnoreRequest):
            self.health.ignored(request.url, exception)
        else:
            self.health.lost(request.url, type(exception).__name__, seed=is_seed(request))


def is_seed(request: Request) -> bool:
    return bool(request.meta.get(meta.ROUTE) == "seed")
