"""Orchestrates the extraction stages for one page."""

from __future__ import annotations

from copy import deepcopy
from datetime import datetime, timezone
from typing import Any

import trafilatura
from lxml import html as lxml_html
from trafilatura.settings import Document

from newscrawler.extraction import Extraction, ExtractionOptions
from newscrawler.extraction.body import extract_body, word_count
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
    body = extract_body(tree, url, body_selector=options.selectors.get("body"))
    if not body:
        return Extraction(None, reason="no_text", detail="no main text found")
    words = word_count(body)
    if words < options.min_words:
        return Extraction(None, reason="too_short", detail=f"{words} words")
    doc = trafilatura.extract_metadata(deepcopy(tree), default_url=url) or Document()
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
