"""Bylines and dates written on the page itself (not declared in its metadata)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml.html import HtmlElement

from newscrawler.extraction.dom import ancestors, attr_words, contains, in_chrome, short_text
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


def _excluded(el: HtmlElement, exclude: list[HtmlElement]) -> bool:
    return any(contains(x, el) for x in exclude)


def _after(el: HtmlElement, anchor: HtmlElement | None, order: dict[HtmlElement, int]) -> bool:
    return anchor is None or order.get(el, 0) >= order.get(anchor, 0) - 40


def find_bylines(
    tree: HtmlElement, exclude: list[HtmlElement], headline: HtmlElement | None = None
) -> list[tuple[str, bool]]:
    """Byline texts, each with whether markup says so (class ``author``/``byline``…) rather
    than only its wording (``By …``, ``Автор: …``)."""
    order = {el: i for i, el in enumerate(tree.iter())}
    out: list[tuple[str, bool]] = []
    for el in tree.iter(*_TEXT_TAGS, "a"):
        if _excluded(el, exclude) or (in_chrome(el) and not _BYLINE_ATTR.search(attr_words(el))):
            continue
        text = short_text(el, 200)
        if not text or _NOT_BYLINE_TEXT.search(text):
            continue
        words = attr_words(el)
        marked = el.get("rel") == "author" or (
            bool(_BYLINE_ATTR.search(words)) and not _NOT_BYLINE_ATTR.search(words)
        )
        prefix, rest = split_author_prefix(text)
        if not marked and not (prefix and rest and len(text) <= 120):
            continue
        if not marked and not _after(el, headline, order):
            continue
        if any(short_text(c, 200) == text for c in el):
            continue  # the innermost element holds it
        if any(text == o or text in o for o, _m in out):
            continue
        out.append((text, marked))
    return out


def find_visible_dates(
    tree: HtmlElement, exclude: list[HtmlElement], headline: HtmlElement | None = None
) -> list[VisibleDate]:
    """Date-bearing elements in document order: ``<time>``, microdata, date-ish classes."""
    order = {el: i for i, el in enumerate(tree.iter())}
    out: list[VisibleDate] = []
    for el in tree.iter():
        if not isinstance(el.tag, str) or _excluded(el, exclude):
            continue
        prop = (el.get("itemprop") or "").lower()
        if prop in ("datepublished", "datemodified", "datecreated", "dateupdated"):
            value = el.get("content") or el.get("datetime") or short_text(el, 120)
            if value:
                out.append(VisibleDate(value, "microdata", prop in ("datemodified", "dateupdated")))
            continue
        if el.tag == "time":
            context = _context(el) + " " + (short_text(el.getparent(), 160) or "")
            modified = bool(MODIFIED_HINT.search(context))
            if el.get("datetime"):
                out.append(VisibleDate(el.get("datetime", ""), "time_element", modified))
            else:
                text = short_text(el, 120)
                if text:
                    out.append(VisibleDate(text, "visible", modified))
            continue
        if el.tag not in _TEXT_TAGS or in_chrome(el):
            continue
        labelled = False
        if not _DATE_ATTR.search(_context(el, 1)) or not _after(el, headline, order):
            text = short_text(el, 100)
            if not text or not PUBLISHED_LABEL.match(text) or not re.search(r"\d", text):
                continue
            labelled = True
        text = short_text(el, 160)
        if not text or not re.search(r"\d", text):
            continue
        if any(short_text(c, 160) == text for c in el if isinstance(c.tag, str)):
            continue
        labelled = labelled or bool(PUBLISHED_LABEL.match(text))
        out.append(VisibleDate(text, "visible", bool(MODIFIED_HINT.search(text)), labelled))
    return out
