"""What a page declares about itself, read once: JSON-LD, ``<meta>`` and its declared links.

:func:`read_markup` parses a page's JSON-LD blocks (leniently: comment wrappers, raw control
characters and trailing commas are tolerated), its ``<meta>`` tags and its ``rel=canonical``,
``og:url``, ``rel=amphtml`` and ``<html amp>`` into one :class:`PageMarkup`. Routing
(:func:`newscrawler.discovery.classify.classify_page`) and every extraction stage read that one
object, so a page is an article to both or to neither, and its canonical URL is the same to the
spider, to the record and to deduplication (:attr:`PageMarkup.canonical_url`).
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

from newscrawler.urls import absolute_url, canonical_url
from newscrawler.vocabulary import schema_type

# JSON-LD keys whose values are objects of the page (besides lists and ``@graph``).
_NESTED_KEYS = ("mainEntity", "itemListElement", "hasPart")
_MAX_DEPTH = 6
_WRAPPER_START = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)")
_WRAPPER_END = re.compile(r"(?:-->|//\s*\]\]>|\]\]>)\s*$")
_TRAILING_COMMA = re.compile(r",\s*([}\]])")


@dataclass(frozen=True)
class DeclaredLinks:
    """What a page says about its own URLs."""

    canonical: str | None  # absolute: ``<link rel="canonical">``, else ``og:url`` (see below)
    amphtml: str | None  # absolute URL of ``<link rel="amphtml">``
    is_amp: bool  # ``<html amp>`` or ``<html ⚡>``


@dataclass(frozen=True)
class PageMarkup:
    """A page's JSON-LD, meta tags and declared links."""

    url: str  # the page's own URL
    base: str  # the URL its links resolve against (``<base href>``, else ``url``)
    blocks: tuple[Any, ...]  # each JSON-LD block as loaded
    jsonld: tuple[dict[str, Any], ...]  # every object, out of lists, @graph and nested entities
    types: frozenset[str]  # the page's own types: its top-level and @graph objects'
    meta: dict[str, list[str]]  # <meta> contents by lower-case name/property/itemprop
    links: DeclaredLinks

    def first(self, *keys: str) -> str | None:
        """The first non-empty meta value among ``keys`` (lower-case names/properties)."""
        return first_meta(self.meta, *keys)

    @property
    def og_type(self) -> str:
        """``og:type``, lower case (``""`` when absent)."""
        values = self.meta.get("og:type", [])
        return values[0].strip().lower() if values else ""

    @property
    def canonical_url(self) -> str:
        """The article's one URL: the declared canonical (else the page's URL), canonicalised.

        The spider schedules and skips by it, the record carries it as ``canonical_url``, and
        deduplication and export key versions by it.
        """
        return canonical_url(self.links.canonical or self.url)


def first_meta(meta: dict[str, list[str]], *keys: str) -> str | None:
    """The first non-empty value among ``keys`` of a :func:`read_meta` mapping, stripped."""
    for key in keys:
        for value in meta.get(key, []):
            if value.strip():
                return value.strip()
    return None


def read_markup(tree: HtmlElement, url: str) -> PageMarkup:
    """Read the JSON-LD, meta tags and declared links of the page ``tree`` served at ``url``."""
    root = tree.getroottree().getroot()
    base = document_base(root, url)
    loaded = (load_json(script.text or "") for script in _jsonld_scripts(root))
    blocks = tuple(block for block in loaded if block is not None)
    objects: list[dict[str, Any]] = []
    types: set[str] = set()
    for block in blocks:
        for obj, own in _walk(block, 0, True):
            objects.append(obj)
            if own:
                types |= object_types(obj)
    meta = read_meta(root)
    return PageMarkup(
        url=url,
        base=base,
        blocks=blocks,
        jsonld=tuple(objects),
        types=frozenset(types),
        meta=meta,
        links=declared_links(root, url, base, meta),
    )


def document_base(tree: HtmlElement, url: str) -> str:
    """The document's ``<base href>`` resolved against ``url``, or ``url``."""
    for base in tree.iter("base"):
        resolved = absolute_url(url, base.get("href"))
        if resolved:
            return resolved
    return url


# --- meta -------------------------------------------------------------------------------------


def unescape_entities(text: str) -> str:
    """Undo HTML escaping left in attribute values and JSON-LD (``&quot;``, ``&#039;``)."""
    if "&" not in text:
        return text
    for _ in range(2):  # some sites escape twice (``&amp;quot;``)
        text = html.unescape(text)
    return text


def read_meta(tree: HtmlElement) -> dict[str, list[str]]:
    """``<meta>`` contents keyed by lower-case name, property, itemprop or http-equiv."""
    out: dict[str, list[str]] = {}
    for el in tree.iter("meta"):
        content = el.get("content")
        if content is None:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = el.get(attr)
            if key:
                out.setdefault(key.strip().lower(), []).append(unescape_entities(content))
    return out


# --- JSON-LD ----------------------------------------------------------------------------------


def _jsonld_scripts(tree: HtmlElement) -> Iterator[HtmlElement]:
    for script in tree.iter("script"):
        if (script.get("type") or "").strip().lower() == "application/ld+json":
            yield script


def load_json(text: str) -> Any:
    """A JSON-LD block's value, read leniently (``None`` when it cannot be read at all)."""
    text = _WRAPPER_END.sub("", _WRAPPER_START.sub("", text.strip()))
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(_TRAILING_COMMA.sub(r"\1", text), strict=False)
    except ValueError:
        return None


def _walk(data: Any, depth: int, own: bool) -> Iterator[tuple[dict[str, Any], bool]]:
    """Objects of a JSON-LD value, each with whether it is the page's own (top level or in a
    ``@graph``) rather than an entity nested in another (``mainEntity``, list items)."""
    if depth > _MAX_DEPTH:
        return
    if isinstance(data, list):
        for item in data:
            yield from _walk(item, depth + 1, own)
    elif isinstance(data, dict):
        yield data, own
        if "@graph" in data:
            yield from _walk(data["@graph"], depth + 1, own)
        for key in _NESTED_KEYS:
            if key in data:
                yield from _walk(data[key], depth + 1, False)


def object_types(obj: dict[str, Any]) -> set[str]:
    """The lower-case ``@type`` names of a JSON-LD object (schema.org prefix dropped)."""
    value = obj.get("@type")
    values = value if isinstance(value, list) else [value]
    return {schema_type(v) for v in values if v}


# --- declared links ---------------------------------------------------------------------------


def _link_hrefs(tree: HtmlElement, rel: str) -> Iterator[str | None]:
    for link in tree.iter("link"):
        if rel in (link.get("rel") or "").lower().split():
            yield link.get("href")


def _path(url: str) -> str:
    return url.split("://", 1)[-1].partition("/")[2].split("?")[0].strip("/")


def declared_links(
    tree: HtmlElement, url: str, base: str, meta: dict[str, list[str]]
) -> DeclaredLinks:
    """The page's declared canonical and AMP URLs, absolute, and whether it is an AMP page.

    The canonical is the first ``<link rel="canonical">``, else ``og:url``, that is an http(s)
    URL; one pointing at the home page from any other page is a site-wide template error and is
    passed over.
    """
    og_url = [v for v in meta.get("og:url", []) if v.strip()][:1]
    candidates = [*_link_hrefs(tree, "canonical"), *og_url]
    canonical = None
    own = _path(url)
    for candidate in candidates:
        resolved = absolute_url(base, candidate)
        if resolved is not None and (_path(resolved) or not own):
            canonical = resolved
            break
    amphtml = next(
        (u for u in (absolute_url(base, h) for h in _link_hrefs(tree, "amphtml")) if u), None
    )
    root = tree.getroottree().getroot()
    is_amp = "amp" in root.attrib or "⚡" in root.attrib
    return DeclaredLinks(canonical=canonical, amphtml=amphtml, is_amp=is_amp)
