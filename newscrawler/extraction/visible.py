"""Bylines and dates written on the page itself (not declared in its metadata)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from newscrawler.extraction.dom import PageIndex, ancestors, attr_words
from newscrawler.extraction.labels import split_author_prefix

_BYLINE_ATTR = re.compile(r"author|byline|by-line|autor|avtor|signature|signatur|writer|journalist")
# Texts in byline-like places that credit a picture or a source, not the article's author.
_NOT_BYLINE_TEXT = re.compile(
    r"^\s*(?:foto|photo|bild|image|picture|credit|quelle|source|illustration|grafik|video|фото"
    r"|powered by|kuva|imagen|immagine)\b|©",
    re.I,
)
_NOT_BYLINE_ATTR = re.compile(r"author-?(?:bio|image|img|photo|avatar|pic|social|follow)|comment")
_DATE_ATTR = re.compile(
    r"date|time|publish|posted|dateline|timestamp|datum|fecha|data|дата|meta|byline|info|stamp"
)
MODIFIED_HINT = re.compile(
    r"updat|modif|aktualisiert|обновл|изменен|mis à jour|mise à jour|actualiz|aggiorn|bijgewerkt",
    re.I,
)
_TEXT_TAGS: tuple[str, ...] = (
    "p",
    "div",
    "span",
    "small",
    "a",
    "li",
    "address",
    "strong",
    "b",
    "em",
    "i",
    "dd",
)
_TEXT_TAGS += ("h4", "h5", "h6", "header", "section", "footer", "time", "figcaption", "td")


# Labels in front of a publication date ("Datum 28.04.2023", "Published: 5 March 2024").
PUBLISHED_LABEL = re.compile(
    r"^\s*(?:datum|date|дата(?: публикации)?|fecha|data|published(?: on| at)?|posted(?: on)?"
    r"|veröffentlicht(?: am)?|erschienen(?: am)?|publié(?: le)?|publicado(?: el| en)?"
    r"|pubblicato(?: il)?|опубликовано|gepubliceerd(?: op)?|publicerad|julkaistu)\b\s*:?",
    re.I,
)


# Separators between the parts of a meta line ("27 марта 2024 07:51 · Автор: …").
_SEGMENT_SEPARATOR = re.compile(r"\s+[·•|]\s+|\s+[—–]\s+")


def labelled_byline(text: str) -> str | None:
    """The part of ``text`` that is a labelled byline (``Автор: …``, ``By …``), whether it is the
    whole text or one part of a meta line that also holds a date or a section."""
    for part in (text, *_SEGMENT_SEPARATOR.split(text)):
        prefix, rest = split_author_prefix(part)
        if prefix and rest:
            return part.strip()
    return None


@dataclass
class VisibleDate:
    """A date-bearing text on the page."""

    raw: str
    method: str  # "time_element" (datetime attribute), "microdata" or "visible" (text)
    modified: bool  # labelled as an update ("Updated", "Обновлено")
    labelled: bool = False  # introduced by a publication label ("Datum", "Published")


def _context(el: HtmlElement, depth: int = 3) -> str:
    parts = [attr_words(el)]
    for i, parent in enumerate(ancestors(el)):
        if i >= depth:
            break
        parts.append(attr_words(parent))
    return " ".join(parts)


def _after(index: PageIndex, el: HtmlElement, anchor: HtmlElement | None) -> bool:
    """Not far above the headline (bylines and dates sit near or below it)."""
    return anchor is None or index.pos.get(el, 0) >= index.pos.get(anchor, 0) - 40


def find_bylines(
    index: PageIndex, exclude: list[HtmlElement], headline: HtmlElement | None = None
) -> list[tuple[str, bool]]:
    """Byline texts, each with whether markup says so (class ``author``/``byline``…) rather
    than only its wording (``By …``, ``Автор: …``)."""
    out: list[tuple[str, bool]] = []
    for el in index.tree.iter(*_TEXT_TAGS, "a"):
        text = index.short_text(el, 200)
        if not text or _NOT_BYLINE_TEXT.search(text) or index.inside_any(el, exclude):
            continue
        words = attr_words(el)
        marked = el.get("rel") == "author" or (
            bool(_BYLINE_ATTR.search(words)) and not _NOT_BYLINE_ATTR.search(words)
        )
        if index.in_chrome(el) and not marked:
            continue
        if not marked:
            byline = labelled_byline(text)
            if byline is None or len(byline) > 120 or not _after(index, el, headline):
                continue
            text = byline
        if any(index.short_text(c, 200) == text for c in el):
            continue  # the innermost element holds it
        if any(text == o or text in o for o, _m in out):
            continue
        out.append((text, marked))
    return out


def find_visible_dates(
    index: PageIndex, exclude: list[HtmlElement], headline: HtmlElement | None = None
) -> list[VisibleDate]:
    """Date-bearing elements in document order: ``<time>``, microdata, date-ish classes."""
    out: list[VisibleDate] = []
    for el in index.elements:
        prop = (el.get("itemprop") or "").lower()
        if prop in ("datepublished", "datemodified", "datecreated", "dateupdated"):
            if index.inside_any(el, exclude):
                continue
            value = el.get("content") or el.get("datetime") or index.short_text(el, 120)
            if value:
                out.append(VisibleDate(value, "microdata", prop in ("datemodified", "dateupdated")))
            continue
        if el.tag == "time":
            if index.inside_any(el, exclude):
                continue
            parent = el.getparent()
            around = index.short_text(parent, 160) if parent is not None else None
            modified = bool(MODIFIED_HINT.search(f"{_context(el)} {around or ''}"))
            if el.get("datetime"):
                out.append(VisibleDate(el.get("datetime", ""), "time_element", modified))
            else:
                text = index.short_text(el, 120)
                if text:
                    out.append(VisibleDate(text, "visible", modified))
            continue
        if el.tag not in _TEXT_TAGS:
            continue
        text = index.short_text(el, 160)
        if not text or not re.search(r"\d", text) or index.in_chrome(el):
            continue
        labelled = bool(PUBLISHED_LABEL.match(text)) and len(text) <= 100
        if not labelled and (
            not _DATE_ATTR.search(_context(el, 1)) or not _after(index, el, headline)
        ):
            continue
        if index.inside_any(el, exclude):
            continue
        if any(index.short_text(c, 160) == text for c in el):
            continue
        out.append(VisibleDate(text, "visible", bool(MODIFIED_HINT.search(text)), labelled))
    return out
