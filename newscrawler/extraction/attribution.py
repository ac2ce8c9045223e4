"""The attribution line ("Источник", "Source: Reuters", "Quelle: dpa", "via The Guardian")."""

from __future__ import annotations

from dataclasses import dataclass

from lxml.html import HtmlElement

from newscrawler.extraction.dom import PageIndex, ancestors, short_text
from newscrawler.urls import absolute_url, site_name
from newscrawler.vocabulary import split_source_label

_LINE_TAGS = ("p", "div", "span", "small", "em", "i", "strong", "b", "li", "cite", "a", "footer")
_NOT_HERE = frozenset({"nav", "header", "figure", "figcaption", "table", "aside", "form"})
_LINE_CONTAINERS = frozenset({"p", "div", "li", "footer", "section", "blockquote"})


@dataclass
class Attribution:
    """Where the article says it comes from, and the element that says it."""

    name: str | None
    url: str | None
    label: str | None
    element: HtmlElement

    def as_dict(self) -> dict[str, str | None]:
        return {"name": self.name, "url": self.url, "label": self.label}


def _line_element(el: HtmlElement, text: str) -> HtmlElement:
    """The outermost element around ``el`` whose text is still just the attribution line."""
    line = el
    for parent in ancestors(el):
        if short_text(parent, len(text) + 2) != text or parent.tag in ("body", "html", "article"):
            break
        line = parent
        if parent.tag in _LINE_CONTAINERS:
            break
    return line


def parse_attribution(el: HtmlElement, base: str) -> Attribution | None:
    """Read an attribution element: label, name (text after the label or the link's host), URL."""
    text = short_text(el, 160)
    if not text:
        return None
    split = split_source_label(text)
    if split is None:
        return None
    label, rest = split
    link = next(
        (u for u in (absolute_url(base, a.get("href")) for a in el.iter("a")) if u),
        absolute_url(base, el.get("href")) if el.tag == "a" else None,
    )
    if label.lower() == "via" and (not rest or len(rest.split()) > 6):
        return None
    if not rest and link is None:
        return None
    name = rest or (site_name(link) if link else None)
    return Attribution(name=name or None, url=link, label=label, element=el)


def find_attribution(index: PageIndex, base: str, exclude: list[HtmlElement]) -> Attribution | None:
    """The page's attribution line, outside navigation, captions, tables and related blocks."""
    found: list[Attribution] = []
    for el in index.tree.iter(*_LINE_TAGS):
        text = index.short_text(el, 160)
        if not text or split_source_label(text) is None:
            continue
        if index.inside_any(el, exclude):
            continue
        if any(isinstance(a.tag, str) and a.tag in _NOT_HERE for a in ancestors(el)):
            continue
        if any(index.short_text(child, 160) == text for child in el):
            continue  # the innermost element with the line is read
        line = _line_element(el, text)
        attribution = parse_attribution(line, base)
        if attribution is not None:
            found.append(attribution)
    if not found:
        return None
    with_link = [a for a in found if a.url]
    return (with_link or found)[0]
