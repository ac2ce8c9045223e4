"""The crawl's scope: its seeds, the sites they belong to and the date window, in one place.

:class:`CrawlScope` is an extension built from settings (the ``news`` spider turns its
``-a start_urls=/urls_file=/sites=/since=`` arguments into ``NEWSCRAWLER_START_URLS``,
``NEWSCRAWLER_URLS_FILE``, ``NEWSCRAWLER_SITES_FILE`` and ``NEWSCRAWLER_SINCE``, since Scrapy
creates the spider before any extension). The spider and every middleware reach it with
:func:`crawl_scope`; none reads spider attributes. It also keeps the URLs the crawl has
scheduled or ruled out (:attr:`CrawlScope.seen`), shared by the spider and the seen filters.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from newscrawler.discovery.dates import parse_since
from newscrawler.discovery.seen import SeenUrls
from newscrawler.discovery.sites import SiteConfig, SiteRegistry, load_sites
from newscrawler.errors import ConfigError
from newscrawler.urls import registered_domain, url_host

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from typing_extensions import Self

NO_SEEDS = (
    "no seeds: pass -a start_urls=URL[,URL...], -a urls_file=FILE or -a sites=FILE"
    " (or, in a distributed crawl, push them to its Redis list <prefix>:start_urls)"
)


def read_seed_file(path: str) -> list[str]:
    """URLs from a file: one a line, blank lines and ``#`` comments ignored."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"urls_file: cannot read {path}: {exc}") from None
    urls = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            urls.append(line)
    return urls


def parse_seeds(
    start_urls: str | Iterable[str] | None, urls_file: str | None, extra: Iterable[str] = ()
) -> list[str]:
    """Seed URLs from the ``start_urls`` and ``urls_file`` arguments, validated."""
    seeds: list[str] = []
    if isinstance(start_urls, str):
        seeds.extend(u.strip() for u in start_urls.split(",") if u.strip())
    elif start_urls:
        seeds.extend(u.strip() for u in start_urls if u.strip())
    if urls_file:
        seeds.extend(read_seed_file(urls_file))
    seeds.extend(extra)
    for url in seeds:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ConfigError(f"seed URL must be an absolute http(s) URL: {url!r}")
    return list(dict.fromkeys(seeds))


def site_key(sites: SiteRegistry, url: str) -> tuple[str, SiteConfig | None]:
    """The site a URL counts against: its configured site, else its registered domain."""
    site = sites.for_url(url)
    if site is not None:
        return site.name, site
    return registered_domain(url_host(url)), None


class CrawlScope:
    """What the crawl covers (seeds, their registered domains, configured sites, the date
    window) and what it has covered (:attr:`seen`)."""

    def __init__(
        self,
        seeds: Iterable[str] = (),
        sites: SiteRegistry | None = None,
        since: datetime | None = None,
    ) -> None:
        self.sites = sites if sites is not None else SiteRegistry()
        configured = self.sites.sites
        self.seeds = tuple(dict.fromkeys([*seeds, *(u for s in configured for u in s.start_urls)]))
        # feeds and sitemaps of the configured sites, fetched from the start
        self.discovery_urls = tuple(u for s in configured for u in (*s.feeds, *s.sitemaps))
        domains = {registered_domain(url_host(u)) for u in (*self.seeds, *self.discovery_urls)}
        domains.update(registered_domain(d) for s in configured for d in s.domains)
        self.domains = frozenset(domains)
        self.since = since
        self.seen = SeenUrls()
        # URLs a feed or sitemap listed when a link had scheduled them already: fetched, they
        # are read as announced (extracted whatever they look like), as the entry would be.
        self.announced: set[str] = set()
        self.distributed = False  # seeds may also come later, from the crawl's Redis

    def add_seeds(self, urls: Iterable[str]) -> list[str]:
        """Seeds that arrive during the crawl (a distributed crawl's shared list): the ones not
        known yet, whose sites are now in scope."""
        new = [u for u in dict.fromkeys(urls) if u not in self.seeds]
        if new:
            self.seeds = (*self.seeds, *new)
            self.domains = self.domains | {registered_domain(url_host(u)) for u in new}
        return new

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> Self:
        """Build the scope from the settings; :class:`ConfigError` on a bad value."""
        sites_file = settings.get("NEWSCRAWLER_SITES_FILE")
        sites = SiteRegistry(load_sites(sites_file) if sites_file else ())
        seeds = parse_seeds(
            settings.getlist("NEWSCRAWLER_START_URLS"), settings.get("NEWSCRAWLER_URLS_FILE")
        )
        since_text = settings.get("NEWSCRAWLER_SINCE")
        try:
            since = parse_since(since_text) if since_text else None
        except ValueError as exc:
            raise ConfigError(str(exc)) from None
        scope = cls(seeds, sites, since)
        scope.distributed = bool(settings.get("NEWSCRAWLER_REDIS_URL"))
        return scope

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        return cls.from_settings(crawler.settings)

    def require_seeds(self) -> None:
        """:class:`ConfigError` unless the crawl has somewhere to start."""
        if not self.seeds and not self.discovery_urls and not self.distributed:
            raise ConfigError(NO_SEEDS)

    def is_seed_host(self, host: str) -> bool:
        """Whether ``host`` (lower-case) belongs to a seed's registered domain."""
        return registered_domain(host) in self.domains

    def is_on_seed_sites(self, url: str) -> bool:
        """Same registered domain as a seed (subdomains included)."""
        return self.is_seed_host(url_host(url))

    def site_of(self, url: str) -> tuple[str, SiteConfig | None]:
        """The site a URL counts against (see :func:`site_key`)."""
        return site_key(self.sites, url)


def crawl_scope(crawler: Crawler) -> CrawlScope:
    """The crawl's :class:`CrawlScope` extension (:class:`ConfigError` if it is disabled)."""
    scope = crawler.get_extension(CrawlScope)
    if scope is None:
        raise ConfigError(
            "the newscrawler.discovery.scope.CrawlScope extension is disabled in EXTENSIONS; "
            "the news spider and the discovery middlewares need it"
        )
    return scope
