"""Read a robots.txt answer the way RFC 9309 says before Scrapy's RobotsTxtMiddleware parses it.

Scrapy parses whatever body comes back. Here:

- a server error (5xx, or 429) after retries means the rules are unreachable: the whole site is
  treated as disallowed (RFC 9309, 2.3.1.3), counted as ``newscrawler/robots/unavailable``;
- a client error (4xx) means there are no rules: everything is allowed
  (``newscrawler/robots/missing``), whatever the error page says;
- an HTML page served as robots.txt holds no rules either: everything is allowed
  (``newscrawler/robots/html``);
- a robots.txt that cannot be fetched at all (connection refused, DNS or TLS failure, timeout,
  after retries) means no rules, as Scrapy treats it, but is one WARNING line per site
  (``newscrawler/robots/fetch_failed``) instead of Scrapy's error with a traceback.

Each of these is the one line a user sees about the site's robots.txt: the retry middleware's
"Gave up retrying" for a robots.txt request is logged at DEBUG (``give_up_log_level``).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

DISALLOW_ALL = b"User-agent: *\nDisallow: /\n"


def is_robots_request(request: Request) -> bool:
    return bool(request.meta.get("dont_obey_robotstxt")) and (
        urlsplit(request.url).path == "/robots.txt"
    )


def looks_like_html(response: Response) -> bool:
    head = response.body[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<?xml", b"<!--"))


class RobotsTxtFaultsMiddleware:
    """Turn unusable robots.txt answers into the rules RFC 9309 prescribes."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RobotsTxtFaultsMiddleware:
        if not crawler.settings.getbool("ROBOTSTXT_OBEY"):
            raise NotConfigured  # off, without a warning: ROBOTSTXT_OBEY is off
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_request(self, request: Request) -> None:
        if is_robots_request(request):
            # what went wrong is logged once below, not also by RetryMiddleware at ERROR
            request.meta.setdefault("give_up_log_level", logging.DEBUG)

    def process_response(self, request: Request, response: Response) -> Response:
        if not is_robots_request(request):
            return response
        status = response.status
        if status >= 500 or status == 429:
            self.stats.inc_value("newscrawler/robots/unavailable")
            logger.warning(
                "robots.txt at %s answered %d: treating the whole site as disallowed (RFC 9309)",
                request.url,
                status,
            )
            return response.replace(body=DISALLOW_ALL)
        if 400 <= status < 500:
            self.stats.inc_value("newscrawler/robots/missing")
            logger.debug("robots.txt at %s answered %d: no rules", request.url, status)
            return response.replace(body=b"")
        if looks_like_html(response):
            self.stats.inc_value("newscrawler/robots/html")
            logger.info(
                "robots.txt at %s is an HTML page, not robots.txt rules: no rules apply",
                request.url,
            )
            return response.replace(body=b"")
        return response

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not is_robots_request(request) or isinstance(exception, IgnoreRequest):
            return
        self.stats.inc_value("newscrawler/robots/fetch_failed")
        netloc = urlsplit(request.url).netloc
        level = logging.DEBUG if netloc in self._logged else logging.WARNING
        self._logged.add(netloc)
        logger.log(
            level,
            "robots.txt at %s could not be fetched (%s): no rules apply",
            request.url,
            describe(exception),
        )
        raise IgnoreRequest(f"robots.txt could not be fetched: {describe(exception)}")


def describe(exception: Exception) -> str:
    """A short description of a download error (``ConnectionRefusedError: ...``)."""
    text = str(exception).strip()
    name = type(exception).__name__
    return f"{name}: {text}" if text else name
