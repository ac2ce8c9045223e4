"""The article's main text.

:func:`extract_body` receives the parsed page with the related-articles blocks, the attribution
line, ad labels and share prompts already removed, and returns the body text with paragraphs
separated by a blank line. A per-site ``body_selector`` takes the text of the selected elements.
"""

from __future__ import annotations

import trafilatura
from lxml.html import HtmlElement
from trafilatura.settings import Document

from newscrawler.extraction.dom import block_texts, select


def extract_body(tree: HtmlElement, url: str, *, body_selector: str | None = None) -> str | None:
    """Main text of the page, or None when there is none.

    Raises :class:`~newscrawler.extraction.dom.SelectorError` for an invalid ``body_selector``.
    """
    if body_selector:
        nodes = select(tree, body_selector)
        texts = [t for node in nodes for t in block_texts(node)]
        return "\n\n".join(texts) or None
    doc = trafilatura.bare_extraction(tree, url=url, with_metadata=False, include_comments=False)
    if not isinstance(doc, Document) or not doc.text:
        return None
    paragraphs = [p.strip() for p in doc.text.split("\n") if p.strip()]
    return "\n\n".join(paragraphs) or None
