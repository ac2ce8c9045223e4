"""Decide whether an HTML page is an article or a hub (home, section, tag, listing page)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newscrawler.markup import (
    PageMarkup,
)
from newscrawler.vocabulary import ARTICLE_TYPES, HUB_TYPES

_DATE_IN_PATH = re.compile(r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-](0?[1-9]|[12]\d|3[01]))?(/|-|$)")
_SLUG = re.compile(r"/[^/]*[a-z0-9\u0400-\u04ff]+(-[a-z0-9\u0400-\u04ff]+){2,}[^/]*/?$", re.I)
_ARTICLE_ID = re.compile(r"/\d{5,}(\.html?)?/?$|[-_/]\d{5,}(\.html?)?$")


@dataclass(frozen=True)
class PageKind:
    is_article: bool
    reason: str  # the signal that decided: "jsonld", "og_type", "text", "hub_markup", ...


def looks_like_article_url(url: str) -> bool:
    path = urlsplit(url).path
    if path in ("", "/"):
        return False
    return bool(_DATE_IN_PATH.search(path) or _SLUG.search(path) or _ARTICLE_ID.search(path))


def paragraph_text_length(tree: HtmlElement, min_paragraph: int = 60) -> int:
    """Characters in ``<p>`` elements long enough to be prose, outside links."""
    total = 0
    for p in tree.xpath("//p"):
        text = " ".join(p.xpath("./text() | ./*[not(self::a)]//text()")).strip()
        if len(text) >= min_paragraph:
            total += len(text)
    return total


def classify_page(tree: HtmlElement, markup: PageMarkup, min_text: int) -> PageKind:
    """Article or hub, from markup first, then URL shape and the amount of prose.

    ``tree`` is the page's lxml tree (``response.selector.root``), ``markup`` what it declares
    (:func:`newscrawler.markup.read_markup` of the same tree and the page's URL).
    """
    url = markup.url
    types = markup.types
    if types & ARTICLE_TYPES:
        return PageKind(True, "jsonld")
    og_type = markup.og_type
    if og_type == "article":
        return PageKind(True, "og_type")
    if urlsplit(url).path in ("", "/"):
        return PageKind(False, "home")
    if og_type in HUB_TYPES or (types & HUB_TYPES and not looks_like_article_url(url)):
        return PageKind(False, "hub_markup")
    text = paragraph_text_length(tree)
    if text >= min_text and (looks_like_article_url(url) or len(tree.xpath("//h1")) == 1):
        return PageKind(True, "text")
    if text >= 3 * min_text:
        return PageKind(True, "text")
    return PageKind(False, "little_text")
