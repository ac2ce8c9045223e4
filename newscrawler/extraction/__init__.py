"""Extraction: pure functions from a page's bytes and URL to the fields of an article record.

:func:`extract_article` is the one entry point. It never raises: a page that yields no article
comes back with ``fields=None`` and a ``reason``; everything notable that happened on the way
(a date dropped as impossible, a fallback used) is listed in ``events`` for the caller to count
in Scrapy stats. The result is picklable so that extraction can run in worker processes.
:func:`parse_page` and :func:`extract_parsed` split it in two, for a caller that reads the same
tree first.
"""

from __future__ import annotations

import logging
from datetime import datetime

from lxml.html import HtmlElement

from newscrawler.extraction.article import (
    UnreadablePage,
    build_from_tree,
    parse_page,
)
from newscrawler.extraction.result import Extraction, ExtractionOptions
from newscrawler.items import PageHints
from newscrawler.markup import PageMarkup

__all__ = [
    "Extraction",
    "ExtractionOptions",
    "UnreadablePage",
    "extract_article",
    "extract_parsed",
    "parse_page",
]

logger = logging.getLogger(__name__)


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
    try:
        tree = parse_page(html, declared_encoding)
    except UnreadablePage as exc:
        return Extraction(None, reason=exc.reason, detail=exc.detail)
    except Exception as exc:  # decoding hostile input must never stop the crawl
        return _raised(url, exc)
    return extract_parsed(tree, url, hints=hints, options=options, now=now)


def extract_parsed(
    tree: HtmlElement,
    url: str,
    *,
    markup: PageMarkup | None = None,
    hints: PageHints | None = None,
    options: ExtractionOptions | None = None,
    now: datetime | None = None,
) -> Extraction:
    """:func:`extract_article` of a page parsed already by :func:`parse_page` (whose
    :class:`~newscrawler.markup.PageMarkup` may be given too), so that routing and extraction
    read one tree. The stages change ``tree``: read everything else from it first."""
    try:
        return build_from_tree(
            tree,
            url,
            markup=markup,
            hints=hints or PageHints(),
            options=options or ExtractionOptions(),
            now=now,
        )
    except Exception as exc:  # extraction of hostile input must never stop the crawl
        return _raised(url, exc)


def _raised(url: str, exc: Exception) -> Extraction:
    logger.debug("Extraction of %s raised", url, exc_info=True)
    return Extraction(None, reason="error", detail=f"{type(exc).__name__}: {exc}")
