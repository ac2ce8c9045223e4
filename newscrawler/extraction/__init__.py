"""Extraction: pure functions from a page's bytes and URL to the fields of an article record.

:func:`extract_article` is the one entry point. It never raises: a page that yields no article
comes back with ``fields=None`` and a ``reason``; everything notable that happened on the way
(a date dropped as impossible, a fallback used) is listed in ``events`` for the caller to count
in Scrapy stats. The result is picklable so that extraction can run in worker processes.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from newscrawler.items import PageHints

logger = logging.getLogger(__name__)


@dataclass
class Extraction:
    """What extraction made of one page."""

    fields: dict[str, Any] | None
    reason: str | None = None  # why there is no record: "undecodable", "too_short", "error", ...
    detail: str | None = None  # human-readable detail for the log line
    events: list[str] = field(default_factory=list)  # stat suffixes, e.g. "dates/future"


@dataclass
class ExtractionOptions:
    """Per-crawl (and per-site) knobs passed to :func:`extract_article`."""

    min_words: int = 20
    languages: list[str] = field(default_factory=list)  # hints for language/date parsing
    timezone: str | None = None
    date_future_tolerance: float = 86400.0
    date_min_year: int = 1990
    selectors: dict[str, str] = field(default_factory=dict)  # per-site CSS/XPath overrides


def extract_article(
    html: bytes | str,
    url: str,
    *,
    declared_encoding: str | None = None,
    hints: PageHints | None = None,
    options: ExtractionOptions | None = None,
    now: datetime | None = None,
) -> Extraction:
    """Extract the article fields of the page at ``url``; never raises."""
    from newscrawler.extraction.article import build_article

    try:
        return build_article(
            html,
            url,
            declared_encoding=declared_encoding,
            hints=hints or PageHints(),
            options=options or ExtractionOptions(),
            now=now,
        )
    except Exception as exc:  # extraction of hostile input must never stop the crawl
        logger.debug("Extraction of %s raised", url, exc_info=True)
        return Extraction(None, reason="error", detail=f"{type(exc).__name__}: {exc}")
