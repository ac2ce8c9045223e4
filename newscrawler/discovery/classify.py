"""Decide whether an HTML page is an article or a hub (home, section, tag, listing page)."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

from parsel import Selector

ARTICLE_TYPES = frozenset(
    {
        "article",
        "newsarticle",
        "reportagenewsarticle",
        "analysisnewsarticle",
        "opinionnewsarticle",
        "reviewnewsarticle",
        "backgroundnewsarticle",
        "blogposting",
        "liveblogposting",
        "report",
    }
)
HUB_TYPES = frozenset({"website", "collectionpage", "webpage", "itemlist", "profile"})

_DATE_IN_PATH = re.compile(r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-](0?[1-9]|[12]\d|3[01]))?(/|-|$)")
_SLUG = re.compile(r"/[^/]*[a-z0-9\u0400-\u04ff]+(-[a-z0-9\u0400-\u04ff]+){2,}[^/]*/?$", re.I)
_ARTICLE_ID = re.compile(r"/\d{5,}(\.html?)?/?$|[-_/]\d{5,}(\.html?)?$")


@dataclass(frozen=True)
class PageKind:
    is_article: bool
    reason: str  # the signal that decided: "jsonld", "og_type", "text", "hub_markup", ...


def jsonld_types(sel: Selector) -> set[str]:
    """Lower-cased ``@type`` values of the page's JSON-LD blocks (graphs included)."""
    types: set[str] = set()
    for raw in sel.xpath('//script[@type="application/ld+json"]/text()').getall():
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                kind = node.get("@type")
                for value in kind if isinstance(kind, list) else [kind]:
                    if isinstance(value, str):
                        types.add(value.lower())
                graph = node.get("@graph")
                if graph is not None:
                    stack.append(graph)
    return types


def looks_like_article_url(url: str) -> bool:
    path = urlsplit(url).path
    if path in ("", "/"):
        return False
    return bool(_DATE_IN_PATH.search(path) or _SLUG.search(path) or _ARTICLE_ID.search(path))


def paragraph_text_length(sel: Selector, min_paragraph: int = 60) -> int:
    """Characters in ``<p>`` elements long enough to be prose, outside links."""
    total = 0
    for p in sel.xpath("//p"):
        text = " ".join(p.xpath("./text() | ./*[not(self::a)]//text()").getall()).strip()
        if len(text) >= min_paragraph:
            total += len(text)
    return total


def classify_page(sel: Selector, url: str, min_text: int) -> PageKind:
    """Article or hub, from markup first, then URL shape and the amount of prose."""
    types = jsonld_types(sel)
    if types & ARTICLE_TYPES:
        return PageKind(True, "jsonld")
    og_type = (sel.xpath('//meta[@property="og:type"]/@content').get() or "").strip().lower()
    if og_type == "article":
        return PageKind(True, "og_type")
    if urlsplit(url).path in ("", "/"):
        return PageKind(False, "home")
    if og_type in HUB_TYPES or (types & HUB_TYPES and not looks_like_article_url(url)):
        return PageKind(False, "hub_markup")
    text = paragraph_text_length(sel)
    if text >= min_text and (looks_like_article_url(url) or len(sel.xpath("//h1")) == 1):
        return PageKind(True, "text")
    if text >= 3 * min_text:
        return PageKind(True, "text")
    return PageKind(False, "little_text")
