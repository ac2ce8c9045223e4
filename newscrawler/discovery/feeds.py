"""RSS, Atom and JSON feeds: find them on HTML pages and read their entries safely.

XML feeds are parsed with feedparser after :func:`has_unsafe_prolog` has rejected documents
that declare a DOCTYPE or entities (billion-laughs and external-entity attacks): news feeds never
need them. JSON feeds (https://jsonfeed.org) are read with :mod:`json`.
"""

from __future__ import annotations

import calendar
import json
import re
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any
from urllib.parse import urljoin, urlsplit

import feedparser
from lxml.html import HtmlElement
from parsel import Selector

from newscrawler.discovery.dates import parse_iso_date

FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
        "application/xml",
        "text/xml",
    }
)
_FIRST_ELEMENT = re.compile(rb"<[A-Za-z_]")
_UNSAFE_DECLARATION = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.I)
_COMMENTS_FEED = re.compile(r"/comments?/(feed|rss)|[?&]feed=comments", re.I)


@dataclass(frozen=True)
class FeedEntry:
    """One entry of a feed: the article URL and what the feed says about it."""

    url: str
    title: str | None = None
    published: str | None = None  # the date as written in the feed
    date: datetime | None = None  # published (or else updated) date, aware, for the date window


@dataclass
class FeedResult:
    """The entries of a feed, or why there are none."""

    entries: list[FeedEntry] = field(default_factory=list)
    error: str | None = None  # "unsafe", "malformed", "not_a_feed"


def find_feed_links(sel: Selector | HtmlElement, base_url: str) -> list[str]:
    """Absolute URLs of the feeds a page declares with ``<link rel="alternate" type=...>``.

    Comment feeds are left out: they list comments, not articles.
    """
    urls: list[str] = []
    for link in sel.xpath("//link[@href]"):
        rel = (link.attrib.get("rel") or "").lower().split()
        kind = (link.attrib.get("type") or "").lower().split(";")[0].strip()
        if "alternate" not in rel or kind not in FEED_TYPES:
            continue
        if kind in ("application/json", "application/xml", "text/xml") and not _looks_like_feed(
            link.attrib["href"]
        ):
            continue
        url = urljoin(base_url, link.attrib["href"].strip())
        if urlsplit(url).scheme in ("http", "https") and not _COMMENTS_FEED.search(url):
            urls.append(url)
    return list(dict.fromkeys(urls))


def _looks_like_feed(href: str) -> bool:
    return bool(re.search(r"feed|rss|atom", href, re.I))


def has_unsafe_prolog(body: bytes) -> bool:
    """True if the XML declares a DOCTYPE or entities before its root element."""
    match = _FIRST_ELEMENT.search(body)
    prolog = body[: match.start()] if match else body
    return bool(_UNSAFE_DECLARATION.search(prolog))


def _aware(value: Any) -> datetime | None:
    """feedparser's UTC ``time.struct_time`` as an aware datetime."""
    if not value:
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), tz=timezone.utc)
    except (OverflowError, ValueError, TypeError):
        return None


def _text(value: Any) -> str | None:
    if isinstance(value, str) and value.strip():
        return " ".join(value.split())
    return None


def parse_xml_feed(body: bytes, url: str) -> FeedResult:
    """Entries of an RSS or Atom feed."""
    if has_unsafe_prolog(body):
        return FeedResult(error="unsafe")
    parsed = feedparser.parse(body, response_headers={"content-location": url})
    if not parsed.get("version") and not parsed.entries:
        return FeedResult(error="malformed" if parsed.get("bozo") else "not_a_feed")
    entries = []
    for entry in parsed.entries:
        link = _text(entry.get("link"))
        if not link:
            continue
        entries.append(
            FeedEntry(
                url=urljoin(url, link),
                title=_text(entry.get("title")),
                published=_text(entry.get("published")),
                # updated >= published: an entry updated before the window starts is older too
                date=_aware(entry.get("published_parsed")) or _aware(entry.get("updated_parsed")),
            )
        )
    return FeedResult(entries=entries)


def parse_json_feed(body: bytes, url: str) -> FeedResult:
    """Entries of a JSON Feed (version 1 or 1.1)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return FeedResult(error="malformed")
    if not isinstance(data, dict) or not str(data.get("version", "")).startswith(
        "https://jsonfeed.org/version/"
    ):
        return FeedResult(error="not_a_feed")
    items = data.get("items")
    entries = []
    for item in items if isinstance(items, list) else []:
        if not isinstance(item, dict):
            continue
        link = _text(item.get("url")) or _text(item.get("external_url"))
        if not link:
            continue
        published = _text(item.get("date_published"))
        entries.append(
            FeedEntry(
                url=urljoin(url, link),
                title=_text(item.get("title")),
                published=published,
                date=parse_iso_date(published or _text(item.get("date_modified"))),
            )
        )
    return FeedResult(entries=entries)


def parse_feed(body: bytes, url: str) -> FeedResult:
    """Entries of an RSS, Atom or JSON feed; never raises."""
    head = body.lstrip()[:1]
    if head in (b"{", b"["):
        return parse_json_feed(body, url)
    if not head:
        return FeedResult(error="not_a_feed")
    try:
        return parse_xml_feed(body, url)
    except Exception:  # feedparser on hostile input: a bad feed must not stop the crawl
        return FeedResult(error="malformed")
