"""The ``news`` spider: seeds, routing of pages to extraction, link following."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import scrapy
from scrapy.http import HtmlResponse, Response, TextResponse
from scrapy.linkextractors import LinkExtractor

from newscrawler.discovery.classify import classify_page
from newscrawler.discovery.urls import registered_domain, url_host
from newscrawler.items import Page, PageHints

logger = logging.getLogger(__name__)


def read_seed_file(path: str) -> list[str]:
    """URLs from a file: one a line, blank lines and ``#`` comments ignored."""
    urls = []
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            urls.append(line)
    return urls


def parse_seeds(start_urls: str | list[str] | None, urls_file: str | None) -> list[str]:
    """Seed URLs from the ``start_urls`` and ``urls_file`` spider arguments, validated."""
    seeds: list[str] = []
    if isinstance(start_urls, str):
        seeds.extend(u.strip() for u in start_urls.split(",") if u.strip())
    elif start_urls:
        seeds.extend(start_urls)
    if urls_file:
        seeds.extend(read_seed_file(urls_file))
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


class NewsSpider(scrapy.Spider):
    """Crawl news sites from seed URLs; yield a :class:`Page` for every article found."""

    name = "news"

    def __init__(
        self,
        start_urls: str | list[str] | None = None,
        urls_file: str | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.seeds = parse_seeds(start_urls, urls_file)
        if not self.seeds:
            raise ValueError("no seeds: pass -a start_urls=URL[,URL...] or -a urls_file=FILE")
        self.allowed_domains = sorted({registered_domain(url_host(u)) for u in self.seeds})
        self.link_extractor = LinkExtractor(unique=True)

    async def start(self) -> AsyncIterator[Any]:
        for url in self.seeds:
            yield scrapy.Request(url, callback=self.parse, meta={"newscrawler_seed": True})

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        stats = self.crawler.stats
        assert stats is not None
        if not isinstance(response, HtmlResponse):
            reason = "non_html" if not isinstance(response, TextResponse) else "non_html_text"
            stats.inc_value(f"newscrawler/pages/skipped/{reason}")
            logger.info("Skipping %s: %s response", response.url, reason.replace("_", " "))
            return
        if not response.body.strip():
            stats.inc_value("newscrawler/pages/skipped/empty")
            logger.info("Skipping %s: empty body", response.url)
            return
        kind = classify_page(
            response.selector, response.url, self.settings.getint("NEWSCRAWLER_ARTICLE_MIN_TEXT")
        )
        follow = []
        if self.settings.getbool("NEWSCRAWLER_FOLLOW_LINKS"):
            follow = [
                response.follow(link, callback=self.parse)
                for link in self.link_extractor.extract_links(response)
                if self.is_on_seed_sites(link.url)
            ]
        release_parsed(response)
        if kind.is_article:
            stats.inc_value(f"newscrawler/pages/article/{kind.reason}")
            yield self.make_page(response)
        else:
            stats.inc_value(f"newscrawler/pages/hub/{kind.reason}")
        yield from follow

    def is_on_seed_sites(self, url: str) -> bool:
        """Same registered domain as a seed (subdomains included)."""
        return registered_domain(url_host(url)) in self.allowed_domains

    def make_page(self, response: Response, hints: PageHints | None = None) -> Page:
        return Page(
            url=response.url,
            body=response.body,
            status=response.status,
            declared_encoding=declared_charset(response),
            fetched_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
            depth=int(response.meta.get("depth", 0)),
            hints=hints or PageHints(),
        )
