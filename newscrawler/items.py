"""Items passed between the spider and the pipelines.

The spider yields a :class:`Page` for every response it sends to extraction (an article
candidate). The extraction pipeline turns it into an :class:`Article`, the record written as one
JSONL line (its JSON Schema is ``newscrawler/schemas/article.schema.json``), or rejects it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from itemadapter import ItemAdapter


@dataclass
class PageHints:
    """What was known about a page before it was fetched (from a feed or a sitemap)."""

    title: str | None = None
    published: str | None = None  # raw date string as found in the feed/sitemap
    published_method: str | None = None  # "feed" or "sitemap"
    language: str | None = None
    timezone: str | None = None
    site: str | None = None  # name of the per-site configuration entry, if any
    # per-site CSS/XPath overrides (keys: title, body, published, authors, related, source)
    selectors: dict[str, str] = field(default_factory=dict)


@dataclass
class Page:
    """A fetched article candidate, before extraction."""

    url: str
    body: bytes
    status: int = 200
    declared_encoding: str | None = None  # charset from the Content-Type header, if any
    fetched_at: str = ""
    depth: int = 0
    hints: PageHints = field(default_factory=PageHints)
    # What routing read on the page (PageSignals.as_dict() of newscrawler.discovery.classify),
    # for the article judgement after extraction; empty when not known.
    signals: dict[str, Any] = field(default_factory=dict)
    # What a worker made of the page with its routing (a discovery.reading.PageReading, or
    # the worker's failure); None when the extraction pipeline is still to extract it.
    extracted: Any = None


@dataclass
class Article:
    """One article: the JSONL record. Field meanings are documented in the README."""

    id: str
    url: str
    canonical_url: str
    site: str
    title: str | None
    text: str
    text_method: str = "dom"  # where text came from: dom, json_ld, next_data, next_flight, nuxt
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    author_roles: list[dict[str, Any]] = field(default_factory=list)
    published: str | None = None
    published_raw: str | None = None
    published_method: str | None = None
    modified: str | None = None
    modified_raw: str | None = None
    modified_method: str | None = None
    language: str | None = None
    source: dict[str, Any] | None = None
    related: list[dict[str, Any]] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    image: str | None = None
    word_count: int = 0
    fingerprint: str = ""
    fetched_at: str = ""
    duplicate_of: str | None = None
    version_of: str | None = None


_ARTICLE_FIELDS = tuple(f.name for f in fields(Article))


def record_of(item: Any) -> dict[str, Any]:
    """The item's fields as a dict: an :class:`Article`'s read directly (its values are plain
    JSON data already, shared with the item: read them, do not change them), any other item's
    through itemadapter (which copies nested items)."""
    if type(item) is Article:
        return {name: getattr(item, name) for name in _ARTICLE_FIELDS}
    return ItemAdapter(item).asdict()
