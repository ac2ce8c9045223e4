"""Small helpers over lxml trees shared by the extraction stages."""

from __future__ import annotations

import re
from collections.abc import Iterator

import cssselect
from lxml import etree
from lxml.html import HtmlElement

# Containers that never hold the article's own metadata.
CHROME_TAGS = frozenset({"nav", "footer", "aside", "header", "form", "menu"})
_SKIP_TEXT = frozenset({"script", "style", "noscript", "template", "svg"})
# The site's own furniture (navigation, header, footer, side bars): the chrome tags but forms,
# which may hold the page's content (a landing page's form, a page built inside one).
SITE_FURNITURE = CHROME_TAGS - {"form"}
# A furniture element holding an <article> or <main> and more than this share of the page's
# visible text was left unclosed by the page's markup (see unwrap_unclosed_chrome).
UNCLOSED_CHROME_SHARE = 0.5
_VISIBLE_TEXT = etree.XPath(
    ".//text()[not(ancestor::script or ancestor::style or ancestor::noscript"
    " or ancestor::template)]",
    smart_strings=False,
)


class SelectorError(ValueError):
    """A per-site selector that is neither valid CSS nor valid XPath."""


# Elements whose boundaries separate words even without whitespace in the markup.
_BREAKING = frozenset(
    {"br", "p", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "td", "th"}
    | {"section", "article", "header", "footer", "blockquote", "figure", "figcaption", "dd", "dt"}
    | {"table", "aside", "nav", "main", "address", "pre", "hr", "img"}
)


def text_of(el: HtmlElement) -> str:
    """Visible text of ``el`` with whitespace collapsed (scripts, styles and comments left out)."""
    if not len(el):  # no children: its own text (most short elements)
        skipped = not isinstance(el.tag, str) or el.tag in _SKIP_TEXT
        return "" if skipped or not el.text else " ".join(el.text.split())
    parts: list[str] = []

    def walk(node: HtmlElement) -> None:
        if not isinstance(node.tag, str) or node.tag in _SKIP_TEXT:
            return
        breaking = node.tag in _BREAKING
        if breaking:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                parts.append(child.tail)
        if breaking:
            parts.append(" ")

    walk(el)
    return " ".join("".join(parts).split())


_WORD_ATTRIBUTES = ("class", "id", "itemprop", "rel", "data-testid")


def attr_words(el: HtmlElement) -> str:
    """Lower-case class, id, itemprop and rel of ``el`` joined by spaces."""
    attributes = el.attrib
    if not attributes:  # most elements
        return ""
    return " ".join((attributes.get(name) or "") for name in _WORD_ATTRIBUTES).lower()


def ancestors(el: HtmlElement) -> Iterator[HtmlElement]:
    """Parents of ``el`` up to the root."""
    parent = el.getparent()
    while parent is not None:
        yield parent
        parent = parent.getparent()


def in_chrome(el: HtmlElement) -> bool:
    """Whether ``el`` sits in navigation, header, footer, aside or a form."""
    return any(isinstance(a.tag, str) and a.tag in CHROME_TAGS for a in ancestors(el))


def contains(outer: HtmlElement, inner: HtmlElement) -> bool:
    """Whether ``inner`` is ``outer`` or one of its descendants."""
    return inner is outer or any(a is outer for a in ancestors(inner))


def select(tree: HtmlElement, selector: str) -> list[HtmlElement]:
    """Elements matching a CSS selector, or XPath when it starts with ``/`` or ``(``."""
    try:
        if selector.lstrip().startswith(("/", "(")):
            found = tree.xpath(selector)
        else:
            found = tree.cssselect(selector)
    # cssselect's errors include ExpressionError (a RuntimeError) for unsupported pseudo-classes.
    except (etree.XPathError, cssselect.SelectorError, ValueError, SyntaxError) as exc:
        raise SelectorError(f"{selector!r}: {exc}") from exc
    if not isinstance(found, list):
        return []
    return [el for el in found if isinstance(el, HtmlElement)]


def drop(el: HtmlElement) -> None:
    """Remove ``el`` from its tree, keeping its tail text."""
    if el.getparent() is not None:
        el.drop_tree()


_BLOCK_TAGS = frozenset(
    {"p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "dd", "dt", "tr"}
)


def block_texts(el: HtmlElement) -> list[str]:
    """Texts of the outermost block elements (paragraphs, headings, list items) under ``el``."""
    out: list[str] = []
    for node in el.iter(*_BLOCK_TAGS):
        if any(a.tag in _BLOCK_TAGS for a in _ancestors_below(node, el)):
            continue
        text = text_of(node)
        if text:
            out.append(text)
    if not out:
        text = text_of(el)
        if text:
            out.append(text)
    return out


def _ancestors_below(node: HtmlElement, root: HtmlElement) -> Iterator[HtmlElement]:
    if node is root:
        return
    for parent in ancestors(node):
        if parent is root:
            return
        yield parent


def words(text: str) -> int:
    """Number of words in ``text``."""
    return len(re.findall(r"\w+", text))


def short_text(el: HtmlElement, limit: int) -> str | None:
    """Visible text of ``el`` (collapsed) if it is at most ``limit`` characters, else None."""
    parts: list[str] = []
    size = 0
    cap = limit * 2 + 200

    def walk(node: HtmlElement) -> bool:
        nonlocal size
        if not isinstance(node.tag, str) or node.tag in _SKIP_TEXT:
            return True
        breaking = node.tag in _BREAKING
        if breaking:
            parts.append(" ")
        if node.text:
            parts.append(node.text)
            size += len(node.text.strip())
        if size > cap:
            return False
        for child in node:
            if not walk(child):
                return False
            if child.tail:
                parts.append(child.tail)
                size += len(child.tail.strip())
            if size > cap:
                return False
        if breaking:
            parts.append(" ")
        return True

    if not walk(el):
        return None
    text = " ".join("".join(parts).split())
    return text if len(text) <= limit else None


class PageIndex:
    """Facts about every element of a parsed page, computed once in one pass.

    Document order (``pos``/``end``) makes "is inside" an O(1) test; ``size`` (characters of
    visible text) lets the label and byline searches skip large containers without reading
    their text. Valid only until the tree is modified.
    """

    def __init__(self, tree: HtmlElement) -> None:
        self.tree = tree
        self.elements: list[HtmlElement] = [el for el in tree.iter() if isinstance(el.tag, str)]
        self.pos: dict[HtmlElement, int] = {el: i for i, el in enumerate(self.elements)}
        self.end: dict[HtmlElement, int] = {}
        self.size: dict[HtmlElement, int] = {}
        for el in reversed(self.elements):
            last = self.pos[el]
            size = 0 if el.tag in _SKIP_TEXT else _collapsed_len(el.text)
            for child in el:
                if isinstance(child.tag, str):
                    last = max(last, self.end[child])
                    size += self.size[child] if el.tag not in _SKIP_TEXT else 0
                size += _collapsed_len(child.tail)
            self.end[el] = last
            self.size[el] = size
        self._texts: dict[HtmlElement, str] = {}
        self.chrome: dict[HtmlElement, bool] = {}
        for el in self.elements:
            parent = el.getparent()
            self.chrome[el] = parent is not None and (
                self.chrome.get(parent, False) or parent.tag in CHROME_TAGS
            )

    def contains(self, outer: HtmlElement, inner: HtmlElement) -> bool:
        """Whether ``inner`` is ``outer`` or inside it."""
        start = self.pos.get(outer)
        at = self.pos.get(inner)
        if start is None or at is None:
            return contains(outer, inner)
        return start <= at <= self.end[outer]

    def inside_any(self, el: HtmlElement, outers: list[HtmlElement]) -> bool:
        """Whether ``el`` is inside one of ``outers``."""
        return any(self.contains(o, el) for o in outers)

    def short_text(self, el: HtmlElement, limit: int) -> str | None:
        """:func:`short_text`, skipping elements known to hold more text than ``limit``."""
        size = self.size.get(el)
        if size is None:
            return short_text(el, limit)
        if size > limit:
            return None
        text = self._texts.get(el)
        if text is None:
            text = self._texts[el] = text_of(el)
        return text if len(text) <= limit else None

    def in_chrome(self, el: HtmlElement) -> bool:
        """Whether ``el`` sits in navigation, header, footer, aside or a form."""
        known = self.chrome.get(el)
        return in_chrome(el) if known is None else known


def _collapsed_len(text: str | None) -> int:
    if not text:
        return 0
    return len(" ".join(text.split()))


def unwrap_unclosed_chrome(tree: HtmlElement) -> int:
    """Unwrap (keeping their content) the site-furniture elements of ``tree`` (header, aside,
    nav, footer, menu) that hold an ``<article>`` or ``<main>`` and most of the page's visible
    text: elements the markup never closed (a pop-up's ``<aside>`` left open before the
    article), inside which the parser put the page's content, where every stage, which skips
    furniture, would miss it. Returns how many were unwrapped."""
    if not any(
        ancestor.tag in SITE_FURNITURE
        for content in tree.iter("article", "main")
        for ancestor in content.iterancestors()
    ):
        return 0
    total = _visible_length(tree)
    wrappers: list[HtmlElement] = []
    for element in tree.iter(*SITE_FURNITURE):
        if any(ancestor in wrappers for ancestor in element.iterancestors()):
            continue
        holds_content = next(element.iter("article", "main"), None) is not None
        if holds_content and _visible_length(element) > UNCLOSED_CHROME_SHARE * total:
            wrappers.append(element)
    for element in wrappers:
        element.drop_tag()
    return len(wrappers)


def visible_texts(element: HtmlElement) -> list[str]:
    """The text nodes of ``element``'s visible text (scripts, styles and templates left out)."""
    return _VISIBLE_TEXT(element)  # type: ignore[no-any-return]


def _visible_length(element: HtmlElement) -> int:
    return sum(len(text.strip()) for text in visible_texts(element))
