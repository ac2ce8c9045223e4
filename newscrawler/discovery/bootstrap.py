"""Site bootstrap: what to fetch the first time a site is seen, before its pages say anything.

Once per site (scheme, host, port) the sitemaps its robots.txt lists (kept from the robots.txt
Scrapy's robots middleware fetched, else fetched here), else the sitemap probe paths; on a seed
page that declares no feed (of a site with no configured feed), the feed probe paths one after
the other until one answers. :class:`SiteBootstrap` says *what* to fetch as :class:`Fetch`
values; the spider turns them into requests with its callbacks.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import urljoin, urlsplit

from newscrawler.discovery.sites import SiteRegistry

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.statscollectors import StatsCollector
    from typing_extensions import Self


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


@dataclass(frozen=True)
class Fetch:
    """A discovery URL to fetch: ``kind`` is ``"robots"``, ``"sitemap"`` or ``"feed"``.

    ``probes`` is set (possibly empty) for a guessed URL: the probe paths left to try if this
    one is not a feed/sitemap. ``None`` for a URL a site announced (robots.txt ``Sitemap:``).
    """

    url: str
    kind: str
    probes: tuple[str, ...] | None = None


class SiteBootstrap:
    """Per-crawl memory of which sites were bootstrapped and feed-probed (see the module)."""

    def __init__(
        self,
        stats: StatsCollector,
        sites: SiteRegistry,
        *,
        sitemaps: bool = True,
        sitemap_paths: Iterable[str] = (),
        feeds: bool = True,
        feed_paths: Iterable[str] = (),
    ) -> None:
        self.stats = stats
        self.sites = sites
        self.sitemaps_enabled = sitemaps
        self.sitemap_paths = tuple(p.strip() for p in sitemap_paths if p.strip())
        self.feeds_enabled = feeds
        self.feed_paths = tuple(p.strip() for p in feed_paths if p.strip())
        self.robots: dict[str, list[str] | None] = {}
        self._bootstrapped: set[str] = set()
        self._feeds_probed: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler, sites: SiteRegistry) -> Self:
        settings = crawler.settings
        assert crawler.stats is not None
        return cls(
            crawler.stats,
            sites,
            sitemaps=settings.getbool("NEWSCRAWLER_SITEMAPS_ENABLED"),
            sitemap_paths=settings.getlist("NEWSCRAWLER_SITEMAPS_PROBE_PATHS"),
            feeds=settings.getbool("NEWSCRAWLER_FEEDS_ENABLED"),
            feed_paths=settings.getlist("NEWSCRAWLER_FEEDS_PROBE_PATHS"),
        )

    def robots_parsed(self, robotparser: Any, request: Request) -> None:
        """``robots_parsed`` signal: keep the ``Sitemap:`` lines of Scrapy's robots.txt."""
        self.robots[origin(request.url)] = robots_sitemaps(robotparser)

    def first_visit(self, url: str) -> list[Fetch]:
        """Once per site: its robots.txt sitemaps, else its robots.txt to read them from."""
        site_origin = origin(url)
        if site_origin in self._bootstrapped or not self.sitemaps_enabled:
            return []
        self._bootstrapped.add(site_origin)
        known = self.robots.get(site_origin)
        if known is not None:
            return self.from_robots(site_origin, known)
        return [Fetch(f"{site_origin}/robots.txt", "robots", ())]

    def from_robots(self, site_origin: str, urls: list[str]) -> list[Fetch]:
        """The sitemaps robots.txt lists, else (for a site with none configured) the probes."""
        if urls:
            self.stats.inc_value("newscrawler/sitemaps/from_robots", len(urls))
            return [Fetch(u, "sitemap") for u in urls]
        site = self.sites.for_url(site_origin)
        if site and site.sitemaps:
            return []
        return self.next_probe(site_origin, self.sitemap_paths)

    def feed_probe(self, url: str, route: str | None, declared: bool) -> list[Fetch]:
        """Probe a seed page's site for a feed when the page declares none (once per site)."""
        site_origin = origin(url)
        site = self.sites.for_url(url)
        if (
            not self.feeds_enabled
            or declared
            or route != "seed"
            or (site and site.feeds)
            or site_origin in self._feeds_probed
        ):
            return []
        self._feeds_probed.add(site_origin)
        return self.next_probe(site_origin, self.feed_paths)

    def next_probe(self, site_origin: str, paths: Iterable[str] | None) -> list[Fetch]:
        """The first of ``paths`` on the site, carrying the rest (nothing when none is left)."""
        paths = tuple(paths or ())
        if not paths:
            return []
        kind = "sitemap" if "sitemap" in paths[0].lower() else "feed"
        self.stats.inc_value(f"newscrawler/{kind}s/probed")
        return [Fetch(urljoin(site_origin + "/", paths[0]), kind, paths[1:])]
