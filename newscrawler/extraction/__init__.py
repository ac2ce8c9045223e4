"""Extraction: pure functions from a page's bytes and URL to the fields of an article record.

:func:`extract_article` is the one entry point. It never raises: a page that yields no article
comes back with ``fields=None`` and a ``reason``; everything notable that happened on the way
(a date dropped as impossible, a fallback used) is listed in ``events`` for the caller to count
in Scrapy stats. The result is picklable so that extraction can run in worker processes.
"""

from __future__ import annotations

import logging
from datetime import datetime

from newscrawler.extraction.article import build_article
from newscrawler.extraction.result import Extraction, ExtractionOptions
from newscrawler.items import PageHints

__all__ = ["Extraction", "ExtractionOptions", "extract_article"]

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
