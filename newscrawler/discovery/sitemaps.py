"""Sitemaps: indexes, URL sets, gzip files and Google News sitemaps, read safely.

The XML is parsed the way Scrapy's :class:`scrapy.utils.sitemap.Sitemap` does it (lxml
``iterparse`` with entity resolution, network access and huge trees off, recovering from broken
markup), but keeping the nested ``<news:news>`` fields that Scrapy's flat reader drops. Gzip
bodies are inflated with :func:`scrapy.utils.gz.gunzip` under a size limit (gzip bombs).
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from io import BytesIO
from urllib.parse import urljoin, urlsplit

import lxml.etree
from scrapy.utils.gz import gunzip

from newscrawler.discovery.dates import parse_iso_date
from newscrawler.discovery.feeds import has_unsafe_prolog

GZIP_MAGIC = b"\x1f\x8b"


@dataclass(frozen=True)
class SitemapEntry:
    """One ``<url>`` or ``<sitemap>`` element."""

    url: str
    lastmod: datetime | None = None
    news_title: str | None = None
    news_published: str | None = None  # ``news:publication_date`` as written

    @property
    def date(self) -> datetime | None:
        """The date to check against the window: publication date, else last modification."""
        return parse_iso_date(self.news_published) or self.lastmod


@dataclass
class SitemapResult:
    """What a sitemap document holds, or why it holds nothing."""

    kind: str = ""  # "sitemapindex" or "urlset"
    entries: list[SitemapEntry] = field(default_factory=list)
    error: str | None = None  # "too_large", "bad_gzip", "malformed", "not_a_sitemap"


def _local(tag: object) -> str:
    return tag.rpartition("}")[2] if isinstance(tag, str) else ""


def _is_news(tag: object) -> bool:
    """In the Google News namespace (not ``image:title`` or ``video:title``)."""
    return isinstance(tag, str) and "news" in tag.partition("}")[0]


def _text(elem: lxml.etree._Element) -> str | None:
    text = (elem.text or "").strip()
    return text or None


def _entry(elem: lxml.etree._Element, base_url: str) -> SitemapEntry | None:
    loc = lastmod = title = published = None
    for child in elem.iter():
        name = _local(child.tag)
        if name == "loc" and loc is None:
            loc = _text(child)
        elif name == "lastmod":
            lastmod = _text(child)
        elif name == "title" and _is_news(child.tag):
            title = _text(child)
        elif name == "publication_date" and _is_news(child.tag):
            published = _text(child)
    if not loc:
        return None
    url = urljoin(base_url, loc)
    if urlsplit(url).scheme not in ("http", "https"):
        return None
    return SitemapEntry(url, parse_iso_date(lastmod), title, published)


def _iter_entries(body: bytes, base_url: str, result: SitemapResult) -> Iterator[SitemapEntry]:
    events = lxml.etree.iterparse(
        BytesIO(body),
        events=("start", "end"),
        recover=True,
        remove_comments=True,
        remove_pis=True,
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        collect_ids=False,
    )
    for event, elem in events:
        name = _local(elem.tag)
        if event == "start":
            if not result.kind:
                result.kind = name
            continue
        if name in ("url", "sitemap"):
            entry = _entry(elem, base_url)
            elem.clear()
            if entry is not None:
                yield entry


def parse_sitemap(body: bytes, url: str, max_size: int = 0) -> SitemapResult:
    """The entries of a sitemap or sitemap index (gzip inflated up to ``max_size`` bytes; 0 for no
    limit); never raises."""
    if body.startswith(GZIP_MAGIC):
        try:
            body = gunzip(body, max_size=max_size)
        except ValueError:  # scrapy's _DecompressionMaxSizeExceeded
            return SitemapResult(error="too_large")
        except (OSError, EOFError, struct.error):
            return SitemapResult(error="bad_gzip")
    if has_unsafe_prolog(body):  # entity declarations: an XML bomb (never expanded anyway)
        return SitemapResult(error="unsafe")
    result = SitemapResult()
    try:
        result.entries = list(_iter_entries(body, url, result))
    except lxml.etree.LxmlError:
        return SitemapResult(error="malformed")
    if result.kind not in ("sitemapindex", "urlset"):
        return SitemapResult(error="not_a_sitemap" if result.kind else "malformed")
    return result
