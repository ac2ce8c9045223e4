"""Bylines and dates written on the page itself (not declared in its metadata)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from lxml.html import HtmlElement

from newscrawler.extraction.dom import PageIndex, ancestors, attr_words
from newscrawler.urls import absolute_url
from newscrawler.vocabulary import (
    MODIFIED_HINT,
    PICTURE_CREDIT,
    PUBLISHED_LABEL,
    split_author_prefix,
)

_BYLINE_ATTR = re.compile(r"author|byline|by-line|autor|avtor|signature|signatur|writer|journalist")
_NOT_BYLINE_ATTR = re.compile(
    r"author-?(?:bio|image|img|photo|avatar|pic|social|follow)|authori[sz]|comment"
)
# Links to an author's page ("/autoren/name/max-kolter", "/author/jane-doe/", "/av/viktor-h/").
_AUTHOR_HREF = re.compile(
    r"/(?:authors?|autor(?:en|in)?|auteurs?|autores?|autori|forfatter|skribent|journalists?"
    r"|reporters?|profile|av|by)/(?:[^/?#]+/)?[^/?#]+/?(?:[?#]|$)",
    re.I,
)
_DATE_ATTR = re.compile(
    r"date|time|publish|posted|dateline|timestamp|datum|fecha|data|дата|meta|byline|info|stamp"
)
# The whole text is one date: "January 23, 2025", "Tue 5 March 2024", "27.03.2024", "2024-11-06".
_BARE_DATE = re.compile(
    r"^(?:[^\W\d_]+\.?,?\s+)?(?:\d{1,2}(?:st|nd|rd|th|er|\.)?\s*(?:de\s+)?[^\W\d_]{3,}\.?,?\s+"
    r"(?:de\s+)?\d{4}|[^\W\d_]{3,}\.?\s+\d{1,2}(?:st|nd|rd|th)?,?\s+\d{4}|\d{4}-\d{2}-\d{2}"
    r"|\d{1,2}[./]\d{1,2}[./]\d{4})$"
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


def _marked(el: HtmlElement) -> bool:
    words = attr_words(el)
    return el.get("rel") == "author" or (
        bool(_BYLINE_ATTR.search(words)) and not _NOT_BYLINE_ATTR.search(words)
    )


def _byline_mark(
    index: PageIndex, el: HtmlElement, text: str, headline: HtmlElement | None
) -> bool:
    """Markup says ``el`` is a byline: its own class/id/rel, an author-page link outside the
    site's chrome, or an ancestor holding the same text (``<span class="author"><a>…``)."""
    if _marked(el):
        return True
    if el.tag == "a" and _AUTHOR_HREF.search(el.get("href") or ""):
        return not index.in_chrome(el) or _in_article_header(index, el, headline)
    for i, parent in enumerate(ancestors(el)):
        if i >= 3 or index.short_text(parent, 200) != text:
            return False
        if _marked(parent):
            return True
    return False


def _in_article_header(index: PageIndex, el: HtmlElement, headline: HtmlElement | None) -> bool:
    """``el`` is in the ``<header>`` of the article (the one holding its headline), not in the
    site's navigation."""
    if headline is None:
        return False
    for parent in ancestors(el):
        if not isinstance(parent.tag, str):
            continue
        if parent.tag == "header":
            return index.contains(parent, headline)
        if parent.tag in ("nav", "footer", "aside", "form", "menu"):
            return False
    return False


def _in_teaser(index: PageIndex, el: HtmlElement, headline: HtmlElement | None) -> bool:
    """``el`` sits in another ``<article>`` than the headline's: a teaser card's byline."""
    if headline is None:
        return False
    card = next((a for a in ancestors(el) if a.tag == "article"), None)
    if card is None or index.contains(card, headline):
        return False
    return any(a.tag == "article" for a in ancestors(headline))


def _in_link_card(
    index: PageIndex, el: HtmlElement, headline: HtmlElement | None, page_url: str
) -> bool:
    """``el`` sits inside a link to another page that does not hold the headline: a teaser
    card (``<a href="/other-story"><h3>…</h3><time>…</time></a>``) shows its story's date.
    A link to the page itself (its permalink around its date, a comment's ``#comment-7``) is
    not another page."""
    link = next((a for a in ancestors(el) if a.tag == "a"), None)
    if link is None or (headline is not None and index.contains(link, headline)):
        return False
    target = absolute_url(page_url, link.get("href"))
    return target is not None and _path(target) != _path(page_url)


def _path(url: str) -> str:
    """The path of ``url`` without its trailing slash: a permalink and the crawled address of
    one page differ in scheme, host, query or fragment, not in path."""
    return urlsplit(url).path.rstrip("/")


def _separate_names(index: PageIndex, el: HtmlElement, text: str) -> str:
    """``Ingrid Treborg; Marlene Holm`` for a byline block whose text is only the texts of
    several marked bylines (``<div class="bylines"><div class="byline">…``), which would
    otherwise run together."""
    parts: list[str] = []
    skip_until = -1
    for child in el.iterdescendants():
        if not isinstance(child.tag, str) or index.pos.get(child, 0) <= skip_until:
            continue
        if _marked(child):
            part = index.short_text(child, 200)
            if part and part != text:
                parts.append(part)
                skip_until = index.end.get(child, 0)
    labels = any(split_author_prefix(part)[0] for part in parts)  # "<span class=by>Von</span>"
    if len(parts) >= 2 and not labels and " ".join(parts) == text:
        return "; ".join(parts)
    return text


class Byline(NamedTuple):
    """A byline's text; whether markup says so (class ``author``/``byline``…) rather than only
    its wording (``By …``, ``Автор: …``); whether it sits next to the headline (little text
    between them), where the article's own byline is, unlike teasers' bylines further down."""

    text: str
    marked: bool
    near: bool


# Characters of text between the headline and a byline next to it (a standfirst, a caption).
_NEAR_HEADLINE = 800


def _near(index: PageIndex, el: HtmlElement, headline: HtmlElement | None) -> bool:
    if headline is None:
        return False
    start, end = sorted((index.pos.get(headline, 0), index.pos.get(el, 0)))
    between = 0
    for node in index.elements[start + 1 : end]:
        between += len((node.text or "").strip()) + len((node.tail or "").strip())
        if between > _NEAR_HEADLINE:
            return False
    return True


def find_bylines(
    index: PageIndex, exclude: list[HtmlElement], headline: HtmlElement | None = None
) -> list[Byline]:
    """Byline texts in document order (see :class:`Byline`)."""
    out: list[Byline] = []
    for el in index.tree.iter(*_TEXT_TAGS, "a"):
        text = index.short_text(el, 200)
        if not text or PICTURE_CREDIT.search(text) or index.inside_any(el, exclude):
            continue
        marked = _byline_mark(index, el, text, headline)
        if index.in_chrome(el) and not marked and not _in_article_header(index, el, headline):
            continue
        if not marked:
            byline = labelled_byline(text)
            if byline is None or len(byline) > 120 or not _after(index, el, headline):
                continue
            text = byline
        if any(index.short_text(c, 200) == text for c in el):
            continue  # the innermost element holds it
        if any(text in o.text.replace(";", "") for o in out) or _in_teaser(index, el, headline):
            continue
        text = _separate_names(index, el, text) if marked else text
        out.append(Byline(text, marked, _near(index, el, headline)))
    return out


_EMPHASIS = frozenset({"strong", "b", "em", "i"})


def find_signature(index: PageIndex, exclude: list[HtmlElement]) -> str | None:
    """A signature paragraph: the first or one of the last two paragraphs of the article's
    text, written in bold or italics and short (``<p><strong>Lê Phương</strong></p>`` closing
    the text, perhaps before an appeal for donations)."""
    weight: dict[HtmlElement, int] = {}
    for p in index.tree.iter("p"):
        parent = p.getparent()
        if parent is not None:
            weight[parent] = weight.get(parent, 0) + index.size.get(p, 0)
    if not weight:
        return None
    box = max(weight, key=lambda el: weight[el])
    paragraphs = [p for p in box if p.tag == "p" and index.size.get(p, 0)]
    for p in paragraphs[:1] + paragraphs[:0:-1][:2]:
        children = [c for c in p if isinstance(c.tag, str)]
        if len(children) != 1 or children[0].tag not in _EMPHASIS or index.inside_any(p, exclude):
            continue
        if (p.text or "").strip() or (children[0].tail or "").strip():
            continue
        text = index.short_text(p, 60)
        if text and not PICTURE_CREDIT.search(text):
            return text
    return None


def find_visible_dates(
    index: PageIndex,
    exclude: list[HtmlElement],
    headline: HtmlElement | None = None,
    page_url: str = "",
) -> list[VisibleDate]:
    """Date-bearing elements in document order: ``<time>``, microdata, date-ish classes; not
    those of teaser cards linking to other pages (``page_url`` is the page's own)."""
    out: list[VisibleDate] = []
    for el in index.elements:
        # (the link-card test, the dearest, runs last: on the elements that would be kept)
        prop = (el.get("itemprop") or "").lower()
        if prop in ("datepublished", "datemodified", "datecreated", "dateupdated"):
            if index.inside_any(el, exclude) or _in_link_card(index, el, headline, page_url):
                continue
            value = el.get("content") or el.get("datetime") or index.short_text(el, 120)
            if value:
                out.append(VisibleDate(value, "microdata", prop in ("datemodified", "dateupdated")))
            continue
        if el.tag == "time":
            if index.inside_any(el, exclude) or _in_link_card(index, el, headline, page_url):
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
        if not text or not re.search(r"\d", text):
            continue
        if index.in_chrome(el) and not _in_article_header(index, el, headline):
            continue
        labelled = bool(PUBLISHED_LABEL.match(text)) and len(text) <= 100
        # A date alone in its element next to the headline (above or below) is the article's,
        # whatever its class.
        bare = bool(_BARE_DATE.match(text)) and _near(index, el, headline)
        if (
            not labelled
            and not bare
            and (not _DATE_ATTR.search(_context(el, 1)) or not _after(index, el, headline))
        ):
            continue
        if index.inside_any(el, exclude):
            continue
        if any(index.short_text(c, 160) == text for c in el):
            continue
        if _in_link_card(index, el, headline, page_url):
            continue
        out.append(VisibleDate(text, "visible", bool(MODIFIED_HINT.search(text)), labelled))
    return out
