"""Stop bad redirects with a stat and one log line, before Scrapy's RedirectMiddleware sees them.

Scrapy drops a redirect to a non-HTTP scheme, a loop and a chain over ``REDIRECT_MAX_TIMES``
quietly (a DEBUG line, a duplicate filtered, or the 3xx page handed on). This middleware runs
just before it (priority 610 > 600) and refuses each of them visibly:
``newscrawler/redirect/refused_scheme/<scheme>``, ``newscrawler/redirect/loop`` and
``newscrawler/redirect/max_reached``. Redirects to internal addresses are the SSRF guard's job:
the redirected request passes through it like any other.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, NoReturn
from urllib.parse import urldefrag, urljoin, urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from w3lib.url import safe_url_string

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
FOLLOWED_SCHEMES = frozenset({"http", "https"})


class BadRedirect(IgnoreRequest):
    """A redirect to a non-HTTP scheme, back to a URL of the same chain, or one too many."""


def short(url: str, limit: int = 200) -> str:
    return url if len(url) <= limit else url[:limit] + "…"


class RedirectGuardMiddleware:
    """Refuse redirects to other schemes, loops and over-long chains (see the module docstring)."""

    def __init__(self, crawler: Crawler, stats: StatsCollector, max_redirects: int) -> None:
        self.crawler = crawler
        self.stats = stats
        self.max_redirects = max_redirects

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RedirectGuardMiddleware:
        if not crawler.settings.getbool("REDIRECT_ENABLED"):
            raise NotConfigured  # off, without a warning: REDIRECT_ENABLED is off
        assert crawler.stats is not None
        return cls(crawler, crawler.stats, crawler.settings.getint("REDIRECT_MAX_TIMES"))

    def process_response(self, request: Request, response: Response) -> Response:
        if response.status not in REDIRECT_STATUSES or b"Location" not in response.headers:
            return response
        if self.redirects_handled_elsewhere(request, response.status):
            return response
        location = safe_url_string(response.headers[b"Location"] or b"")
        if location.startswith("//"):
            location = f"{urlsplit(request.url).scheme}:{location}"
        target = urljoin(request.url, location)
        scheme = urlsplit(target).scheme.lower()
        if scheme not in FOLLOWED_SCHEMES:
            self.refuse(
                f"refused_scheme/{scheme or 'none'}",
                "Refused redirect from %s to a %s: URL (%s)",
                request.url,
                scheme,
                short(target),
            )
        chain = [*request.meta.get("redirect_urls", []), request.url]
        if urldefrag(target)[0] in {urldefrag(u)[0] for u in chain}:
            self.refuse(
                "loop", "Redirect loop at %s: %s was already visited", request.url, short(target)
            )
        ttl = request.meta.get("redirect_ttl", self.max_redirects)
        if not ttl or request.meta.get("redirect_times", 0) + 1 > self.max_redirects:
            self.refuse(
                "max_reached",
                "Too many redirects from %s (more than %d): stopped at %s",
                chain[0],
                self.max_redirects,
                request.url,
            )
        return response

    def redirects_handled_elsewhere(self, request: Request, status: int) -> bool:
        """The same exemptions as Scrapy's RedirectMiddleware: the spider handles this 3xx."""
        spider_codes = getattr(self.crawler.spider, "handle_httpstatus_list", ())
        return bool(
            request.meta.get("dont_redirect", False)
            or status in spider_codes
            or status in request.meta.get("handle_httpstatus_list", ())
            or request.meta.get("handle_httpstatus_all", False)
        )

    def refuse(self, stat: str, msg: str, *args: object) -> NoReturn:
        self.stats.inc_value(f"newscrawler/redirect/{stat}")
        logger.info(msg, *args)
        raise BadRedirect(msg % args)
