"""Orchestrates the extraction stages for one page."""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

import trafilatura
from lxml import html as lxml_html
from trafilatura.settings import Document

from newscrawler.extraction import Extraction, ExtractionOptions
from newscrawler.extraction.decode import UndecodableBody, decode_html
from newscrawler.items import PageHints


def build_article(
    html: bytes | str,
    url: str,
    *,
    declared_encoding: str | None,
    hints: PageHints,
    options: ExtractionOptions,
    now: datetime | None,
) -> Extraction:
    events: list[str] = []
    if isinstance(html, bytes):
        try:
            text, _encoding = decode_html(html, declared_encoding)
        except UndecodableBody as exc:
            return Extraction(None, reason="undecodable", detail=str(exc))
    else:
        text = html
    if not text.strip():
        return Extraction(None, reason="empty", detail="empty document")
    tree = lxml_html.document_fromstring(text)
    doc = trafilatura.bare_extraction(tree, url=url, with_metadata=True, include_comments=False)
    if not isinstance(doc, Document) or not doc.text:
        return Extraction(None, reason="no_text", detail="no main text found")
    body = doc.text.replace("\n", "\n\n")
    words = len(body.split())
    if words < options.min_words:
        return Extraction(None, reason="too_short", detail=f"{words} words")
    now = now or datetime.now(timezone.utc)
    fields: dict[str, Any] = {
        "url": url,
        "canonical_url": url,
        "title": doc.title,
        "text": body,
        "description": doc.description,
        "authors": [a.strip() for a in (doc.author or "").split(";") if a.strip()],
        "author_roles": [],
        "published": doc.date,
        "published_raw": doc.date,
        "published_method": "trafilatura" if doc.date else None,
        "modified": None,
        "modified_raw": None,
        "modified_method": None,
        "language": doc.language,
        "source": None,
        "related": [],
        "tags": list(doc.tags or []),
        "image": doc.image,
    }
    return Extraction(fields, events=events)
