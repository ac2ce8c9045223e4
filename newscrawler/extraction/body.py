"""Main text of an article page: trafilatura's candidates, chosen by page signals, then cleaned.

:func:`extract_body` runs trafilatura twice on the page, without its comments (its balanced
default and its precision mode, links kept so that link density can be measured), picks one by
how much they agree, cleans the result, and considers the page's JSON-LD ``articleBody`` when it
agrees with the extraction but carries more of it. Cleaning drops, in any language
:mod:`newscrawler.vocabulary` lists:

- paragraphs that only label an ad slot ("Advertisement", "Anzeige", "Реклама", ...);
- share, newsletter and subscription prompts ("Share this article", "Поделиться", "Sign up for
  our newsletter", ...);
- "related" blocks: lists whose text is mostly links, and link-only lines opened by
  "Read more" / "Читайте также" / "Lesen Sie auch" and the like (a list whose links mostly lead
  off the site, with prose after it, is the article's sources and stays);
- a paragraph near the top that repeats the headline, date stamps, bylines, reading times,
  copyright lines, navigation labels ("Table of contents", "Back to top", "Inhalt",
  "Содержание") and passages repeated verbatim.

Headings and list items stay as paragraphs of their own; paragraphs are separated by a blank line.
"""

from __future__ import annotations

import html
import logging
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from copy import deepcopy
from typing import Any

from lxml import etree
from lxml.html import HtmlElement

from newscrawler.extraction.dom import SelectorError, select
from newscrawler.extraction.stages import timed
from newscrawler.markup import PageMarkup, read_markup
from newscrawler.text import coverage, normalise_text, shingle_counts
from newscrawler.urls import registered_domain, url_host
from newscrawler.vocabulary import (
    BYLINE_LINE,
    DATE_STAMP_WORDS,
    FURNITURE_LINE,
    NAVIGATION_LABEL,
    NEWSLETTER_PROMPT,
    READER_ADDRESS,
    READING_TIME,
    RELATED_CUE,
    is_ad_label,
    is_share_prompt,
)

logger = logging.getLogger(__name__)

# Fewer words than this are no body at all (menus, link lists, error stubs).
BODY_MIN_WORDS = 5
# A precision-mode extraction replaces the default one when it keeps at least this share of the
# default's 4-token shingles: what precision mode left out is then mostly boilerplate.
PRECISION_AGREEMENT = 0.6
# ... unless what it leaves out is article content: more than this share (of characters) of
# prose (paragraphs of at least PROSE_MIN_WORDS words ending like a sentence), this many section
# headings, or this share of plain (not link) list items between the passages it keeps.
PRECISION_MAX_LOST_PROSE = 0.01
PRECISION_MAX_LOST_HEADINGS = 3
PRECISION_MAX_LOST_ITEMS = 0.1
PROSE_MIN_WORDS = 20
# JSON-LD articleBody replaces the extraction when the extraction agrees with it (this share of
# the extraction's shingles appear in it) and it holds clearly more text (this ratio).
JSONLD_AGREEMENT = 0.8
JSONLD_MORE_TEXT = 1.25
JSONLD_MIN_CHARS = 500
JSONLD_MIN_DISTINCT = 0.9  # share of distinct shingles below which the text repeats itself
# The extraction's opening (this many characters) is looked up in articleBody to find a lede.
LEDE_KEY_CHARS = 60
# A list (or a paragraph opened by a "read more" cue) is a related block when at least this
# share of its text is link text.
LINK_DENSITY_RELATED = 0.6
# ... unless most of its links (more than this share) lead off the site and at least this many
# prose paragraphs follow it: a list of sources or changes inside the article, not the block of
# the site's own stories that closes it or is set into it.
OFFSITE_LIST_LINKS = 0.5
OFFSITE_LIST_PROSE_AFTER = 2
# Consecutive short lines with at least this share of link text are a related-stories list.
LINK_DENSITY_LINE = 0.8
# Paragraphs of at least this many words that repeat earlier ones, this many in a row, are a
# duplicated passage and dropped.
DUPLICATE_MIN_WORDS = 15
DUPLICATE_MIN_RUN = 3
# Lines up to this many words may be dropped as a date stamp, a byline or a reading time.
DATE_LINE_MAX_WORDS = 8
# A paragraph repeating the headline is dropped when it is among the first kept paragraphs,
# with the short kicker lines kept above it.
HEADLINE_WITHIN = 3
KICKER_MAX_WORDS = 5
# Paragraphs longer than this (in words) are never dropped as prompts.
PROMPT_MAX_WORDS = 25

# Removed before extraction: image captions and credits are not article text.
_PRUNE_XPATH = ["//figcaption"]
_SENTENCE_END = frozenset(".!?…。！？\"”»“'’)")
# UTF-8 bytes decoded as Latin-1/cp1252 ("Ã©", "Ã³", "â€™").
_MOJIBAKE = re.compile("[ÂÃ][\u0080-\u00bf]|â€")
_LINK_LISTS = ("related-list", "offsite-list")
_BLOCKS = ("p", "head", "item", "quote", "list", "table", "row", "cell", "code")
_BLOCK_KINDS = {"head": "head", "table": "row"}  # the other blocks are paragraphs ("p")
# trafilatura's inline elements: outside a block they belong to the loose text around them.
_INLINE_TAGS = frozenset({"hi", "ref", "del", "lb", "graphic"})

_TIME_ZONE = re.compile(r"\b(?:[A-Z]{1,3}T|UTC|GMT|MSK|Z)\b")
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
_NUMERIC_DATE = re.compile(r"\b\d{1,4}[./-]\d{1,2}[./-]\d{2,4}\b")
_ONLY_DATE = re.compile(
    r"^\s*\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?\s*$"
)


def extract_body(
    tree: HtmlElement,
    url: str,
    *,
    body_selector: str | None = None,
    markup: PageMarkup | None = None,
) -> str | None:
    """Return the main text of the page, paragraphs separated by blank lines, or ``None``.

    ``body_selector`` (a CSS selector, or XPath when it starts with ``/`` or ``(``) names the
    article container on this site; when it matches, its text is used instead of the heuristics.
    ``markup`` is what the page declares (read from ``tree`` when not given): its JSON-LD
    ``articleBody`` may replace the extraction. ``tree`` is not modified.
    """
    return extract_body_method(tree, url, body_selector=body_selector, markup=markup)[0]


def extract_body_method(
    tree: HtmlElement,
    url: str,
    *,
    body_selector: str | None = None,
    markup: PageMarkup | None = None,
) -> tuple[str | None, str]:
    """:func:`extract_body`'s text and where it came from: ``"dom"`` (the page's elements) or
    ``"json_ld"`` (the JSON-LD ``articleBody``)."""
    if markup is None:
        markup = read_markup(tree, url)
    page = _without_comments(tree)
    if body_selector:
        selected = _select(page, body_selector)
        if selected:
            text = render_blocks(selected)
            if text:
                return text, "dom"
            logger.debug("Body selector %r matched no text on %s", body_selector, url)
        else:
            logger.debug("Body selector %r matched nothing on %s", body_selector, url)
    paragraphs = _choose_extraction(page, url)
    chosen = _prefer_jsonld(paragraphs, markup)
    method = "dom" if chosen is paragraphs else "json_ld"
    if method == "dom":
        shown = _unshown_jsonld(paragraphs, markup, tree)
        if shown:
            chosen, method = shown, "json_ld"
        else:
            chosen = _jsonld_lede(chosen, markup) + chosen
    text = "\n\n".join(chosen).strip()
    return (text if word_count(text) >= BODY_MIN_WORDS else None), method


_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def word_count(text: str) -> int:
    """Words of ``text``; Chinese and Japanese, written without spaces, count two characters
    as a word."""
    return max(len(text.split()), len(_CJK.findall(text)) // 2)


# --- candidates ------------------------------------------------------------------------------


def _without_comments(tree: HtmlElement) -> HtmlElement:
    """The page without comments and processing instructions, as trafilatura's own parser makes
    it: a copy when it has some (:func:`~newscrawler.extraction.parse_page` leaves none, and
    trafilatura works on a copy of its own)."""
    root = tree.getroottree().getroot() if hasattr(tree, "getroottree") else tree
    if not root.xpath("//comment() | //processing-instruction()"):
        return root
    page: HtmlElement = deepcopy(root)
    etree.strip_elements(page, etree.Comment, etree.ProcessingInstruction, with_tail=False)
    return page


def _run(page: HtmlElement, url: str, **options: Any) -> etree._Element | None:
    # trafilatura (and what it loads: htmldate, jusText, courlan) is imported where it is used:
    # the crawl's main process imports this module but extracts nothing (its workers do).
    import trafilatura
    from trafilatura.settings import Document

    try:
        with timed("trafilatura"):
            doc = trafilatura.bare_extraction(
                page,
                url=url,
                include_comments=False,
                include_links=True,
                prune_xpath=_PRUNE_XPATH,
                **options,
            )
    except Exception:  # trafilatura on hostile markup: treat as "nothing found"
        logger.debug("trafilatura failed on %s", url, exc_info=True)
        return None
    if not isinstance(doc, Document) or doc.body is None or not doc.text:
        return None
    body: etree._Element = doc.body
    return body


def _choose_extraction(page: HtmlElement, url: str) -> list[str]:
    """Cleaned paragraphs of the default extraction, or of the precision one when it keeps
    most of the default's text and what it leaves out does not read as article content."""
    headlines = _headlines(page)
    bodies = (_run(page, url), _run(page, url, favor_precision=True))
    default, precise = (
        _clean(_paragraphs(b, url), headlines) if b is not None else [] for b in bodies
    )
    if not default or not precise:
        return [text for _, text, _ in default or precise]
    kept = "\n".join(text for _, text, _ in precise)
    if coverage(kept, "\n".join(text for _, text, _ in default)) < PRECISION_AGREEMENT:
        return [text for _, text, _ in default]
    if _loses_content(default, kept):
        return [text for _, text, _ in default]
    return [text for _, text, _ in precise]


def _loses_content(default: list[tuple[str, str, float]], kept: str) -> bool:
    """True when the blocks of ``default`` missing from ``kept`` (the precision extraction)
    include article content: prose paragraphs, section headings or plain list items found
    between the passages precision mode kept (guides and listicles whose headings are links)."""
    kept_shingles, kept_words = shingle_counts(kept), f" {normalise_text(kept)} "
    lost = []
    for _, text, _ in default:
        shingles = shingle_counts(text)
        if shingles:
            lost.append(_shared(shingles, kept_shingles) < 0.5)
        else:  # too short for shingles: look for its words
            lost.append(f" {normalise_text(text)} " not in kept_words)
    # the passages precision mode kept: blocks longer than a kicker or label line
    inside = [
        i
        for i, (gone, (_, text, _)) in enumerate(zip(lost, default, strict=True))
        if not gone and word_count(text) > KICKER_MAX_WORDS
    ]
    first, last = (inside[0], inside[-1]) if inside else (0, -1)
    size = sum(len(text) for _, text, _ in default)
    prose = headings = items = 0
    for index, (kind, text, density) in enumerate(default):
        if not lost[index]:
            continue
        if kind == "p" and _is_prose(text):
            prose += len(text)
        elif first < index < last and kind == "head":
            headings += 1
        elif first < index < last and kind == "item" and density < LINK_DENSITY_RELATED:
            items += len(text)
    return (
        prose > PRECISION_MAX_LOST_PROSE * size
        or headings >= PRECISION_MAX_LOST_HEADINGS
        or items > PRECISION_MAX_LOST_ITEMS * size
    )


def _is_prose(paragraph: str) -> bool:
    """A long paragraph ending like a sentence (teasers and link lines rarely do)."""
    return len(paragraph.split()) >= PROSE_MIN_WORDS and paragraph.rstrip()[-1:] in _SENTENCE_END


def _shared(part: Counter[tuple[str, ...]], whole: Counter[tuple[str, ...]]) -> float:
    total = sum(part.values())
    return sum((part & whole).values()) / total if total else 1.0


def _text_of(body: etree._Element) -> str:
    return " ".join(body.itertext())


# --- rendering and cleaning ------------------------------------------------------------------


def _link_density(element: etree._Element) -> float:
    text = "".join(element.itertext())
    size = len(text.strip())
    if not size:
        return 0.0
    linked = sum(len("".join(ref.itertext()).strip()) for ref in element.iter("ref"))
    return linked / size


def _top_blocks(container: etree._Element) -> Iterator[etree._Element]:
    """Block elements in document order, divisions opened.

    Prose standing between blocks (a ``<div>``'s own text, the tail of a block, with the inline
    elements among it: what a page writes after a heading without a ``<p>``) is gathered into a
    paragraph of its own. Shorter loose text (date lines, tags and labels between blocks) is
    left out, but not the text of the inline elements in it (a link standing alone).
    """
    loose = etree.Element("p")
    loose.text = container.text
    for element in container:
        if element.tag in _INLINE_TAGS:
            loose.append(deepcopy(element))  # with its tail: the text that follows it
            continue
        yield from _loose_blocks(loose)
        loose = etree.Element("p")
        if element.tag == "div":
            yield from _top_blocks(element)
        else:
            yield element
        loose.text = element.tail
    yield from _loose_blocks(loose)


def _loose_blocks(loose: etree._Element) -> Iterator[etree._Element]:
    """``loose`` (text gathered between blocks) when it is prose, else its inline elements."""
    if word_count(" ".join(loose.itertext())) >= PROSE_MIN_WORDS:
        yield loose
        return
    for element in loose:
        element.tail = None
        if element.tag != "lb":
            yield element


def _paragraphs(body: etree._Element, url: str = "") -> list[tuple[str, str, float]]:
    """``(kind, text, link density)`` of each block of trafilatura's body tree: ``head``,
    ``p``, ``row`` (a table's), ``item``, or the items of a link list, ``related-list`` (the
    site's own pages) or ``offsite-list`` (links off the site of ``url``)."""
    out: list[tuple[str, str, float]] = []
    for block in _top_blocks(body):
        if block.tag == "list":
            density = _link_density(block)
            items = block.findall("item") or [block]
            kind = "item"
            if density >= LINK_DENSITY_RELATED and len(items) > 1:
                kind = (
                    "offsite-list"
                    if _offsite_share(block, url) > OFFSITE_LIST_LINKS
                    else "related-list"
                )
            for item in items:
                out.extend((kind, line, _link_density(item)) for line in _render(item))
            continue
        density = _link_density(block)
        kind = _BLOCK_KINDS.get(str(block.tag), "p")
        out.extend((kind, line, density) for line in _render(block))
    return out


def _offsite_share(element: etree._Element, url: str) -> float:
    """Share of the links in ``element`` that lead to another site than ``url``'s."""
    site = registered_domain(url_host(url))
    targets = [str(ref.get("target") or "") for ref in element.iter("ref")]
    if not site or not targets:
        return 0.0
    offsite = [
        t for t in targets if t.startswith("http") and registered_domain(url_host(t)) != site
    ]
    return len(offsite) / len(targets)


def _render(element: etree._Element) -> list[str]:
    """Text lines of one block, with trafilatura's own plain-text rendering."""
    holder = etree.Element("body")
    copy = deepcopy(element)
    copy.tail = None
    holder.append(copy)
    etree.strip_tags(holder, "ref")
    from trafilatura.xml import xmltotxt  # imported by _run already: see there

    text = xmltotxt(holder, False)
    return [_tidy(line) for line in text.split("\n") if _tidy(line)]


def _tidy(line: str) -> str:
    line = re.sub(r"^\s*-\s+", "", line) if line.lstrip().startswith("- ") else line
    return " ".join(line.split())


def is_boilerplate(text: str, link_density: float = 0.0, *, table_row: bool = False) -> bool:
    """True for ad labels, share/newsletter prompts, related-link lines, navigation labels
    ("Table of contents", "Содержание") and date stamps; a ``table_row`` of dates and figures
    ("| 1/1/2013 | +13.1% |") is data, not a date stamp."""
    norm = normalise_text(text)
    if not norm and "_" not in text:
        return True  # no word at all: punctuation, symbols or nothing (a rule of ___ is kept)
    if is_ad_label(text) or is_share_prompt(text):
        return True
    if _ONLY_DATE.match(text) or NAVIGATION_LABEL.match(text):
        return True
    words = len(norm.split())
    if words <= DATE_LINE_MAX_WORDS and not table_row and _is_date_stamp(text, norm):
        return True
    if words <= DATE_LINE_MAX_WORDS and (READING_TIME.search(text) or BYLINE_LINE.match(text)):
        return True
    if words <= PROMPT_MAX_WORDS and FURNITURE_LINE.search(text):
        return True
    if words <= PROMPT_MAX_WORDS and NEWSLETTER_PROMPT.search(text) and READER_ADDRESS.search(text):
        return True
    return bool(
        words <= PROMPT_MAX_WORDS
        and RELATED_CUE.match(text)
        and (link_density >= LINK_DENSITY_RELATED or words <= 4)
    )


def _is_date_stamp(text: str, norm: str) -> bool:
    """True for a line that is only a date and time ("November 20, 2019 - 11:28 AMT")."""
    if not (_CLOCK.search(text) or _NUMERIC_DATE.search(text)):
        return False
    zones = {z.lower() for z in _TIME_ZONE.findall(text)}
    return all(t.isdigit() or t in DATE_STAMP_WORDS or t in zones for t in norm.split())


def _clean(
    blocks: list[tuple[str, str, float]], headlines: set[str]
) -> list[tuple[str, str, float]]:
    """Drop related blocks, the repeated headline, repeated passages and boilerplate lines."""
    linky = [
        kind not in _LINK_LISTS
        and density >= LINK_DENSITY_LINE
        and len(text.split()) <= PROMPT_MAX_WORDS
        for kind, text, density in blocks
    ]
    repeated = _repeated_passages([text for _, text, _ in blocks])
    prose_after = _prose_after(blocks)
    kept: list[tuple[str, str, float]] = []
    for index, (kind, text, density) in enumerate(blocks):
        if repeated[index]:
            continue
        if kind == "related-list":
            continue
        if kind == "offsite-list" and prose_after[index] < OFFSITE_LIST_PROSE_AFTER:
            continue
        if linky[index] and (
            (index > 0 and linky[index - 1]) or (index + 1 < len(linky) and linky[index + 1])
        ):
            continue  # consecutive short link-only lines: a list of related stories
        if len(kept) < HEADLINE_WITHIN and normalise_text(text) in headlines:
            # the headline is the title field, not body text; short lines above it are kickers
            kept = [line for line in kept if len(line[1].split()) > KICKER_MAX_WORDS]
            continue
        if is_boilerplate(text, density, table_row=kind == "row"):
            continue
        kept.append((kind, text, density))
    return kept


def _prose_after(blocks: list[tuple[str, str, float]]) -> list[int]:
    """For each block, how many prose paragraphs (see :func:`_is_prose`) come after it."""
    counts = [0] * len(blocks)
    seen = 0
    for index in range(len(blocks) - 1, -1, -1):
        counts[index] = seen
        kind, text, _ = blocks[index]
        seen += kind == "p" and _is_prose(text)
    return counts


def _repeated_passages(texts: list[str]) -> list[bool]:
    """Mark paragraphs that repeat earlier ones inside a run of such repeats.

    A page that renders its article twice (teaser and full view, print and screen) repeats
    whole passages; single repeated lines (interview questions, recipe steps) are kept.
    """
    seen: set[str] = set()
    dup: list[bool] = []
    for text in texts:
        key = normalise_text(text)
        dup.append(key in seen and len(key.split()) >= DUPLICATE_MIN_WORDS)
        seen.add(key)
    marked = [False] * len(dup)
    start = 0
    while start < len(dup):
        end = start
        while end < len(dup) and dup[end]:
            end += 1
        if end - start >= DUPLICATE_MIN_RUN:
            marked[start:end] = [True] * (end - start)
        start = end + 1
    return marked


def _headlines(page: HtmlElement) -> set[str]:
    """Normalised forms the page's headline takes (og:title, <title> parts, <h1>)."""
    found: list[str] = []
    found += page.xpath('//meta[@property="og:title" or @name="twitter:title"]/@content')
    found += [" ".join(h.itertext()) for h in page.xpath("//h1")][:3]
    for title in page.xpath("//title/text()")[:1]:
        found.append(title)
        found.extend(re.split(r"\s+[|–—-]\s+|\s+::\s+", title))
    return {n for n in (normalise_text(str(t)) for t in found) if len(n.split()) >= 2}


# --- JSON-LD ---------------------------------------------------------------------------------


def _jsonld_bodies(markup: PageMarkup) -> Iterable[str]:
    for block in markup.blocks:
        yield from _find_key(block, "articleBody")


def _find_key(data: Any, key: str) -> Iterator[str]:
    if isinstance(data, dict):
        for name, value in data.items():
            if name == key and isinstance(value, str):
                yield value
            else:
                yield from _find_key(value, key)
    elif isinstance(data, list):
        for value in data:
            yield from _find_key(value, key)


def _jsonld_paragraphs(raw: str) -> list[str]:
    text = html.unescape(raw)
    if "<" in text and ">" in text:
        try:
            fragment = etree.fromstring(f"<div>{text}</div>", etree.HTMLParser())
            text = "\n".join(
                " ".join(p.itertext()) for p in fragment.iter("p", "h2", "h3", "li")
            ) or " ".join(fragment.itertext())
        except etree.ParserError:
            text = re.sub(r"<[^>]+>", " ", text)
    return [" ".join(line.split()) for line in text.splitlines() if line.strip()]


def _unshown_jsonld(paragraphs: list[str], markup: PageMarkup, page: HtmlElement) -> list[str]:
    """The JSON-LD ``articleBody`` paragraphs when the extraction is that text and the page's
    elements do not show it (trafilatura's own fallback reads ``articleBody`` from an empty app
    shell, as one paragraph); else ``[]``. Texts are compared without spaces, so that markup
    splitting or joining words does not matter."""
    head = normalise_text(" ".join(paragraphs)).replace(" ", "")[:200]
    if not head:
        return []
    for raw in _jsonld_bodies(markup):
        if head in normalise_text(raw).replace(" ", ""):
            shown = page.xpath("//body//text()[not(ancestor::script or ancestor::style)]")
            if head not in normalise_text(" ".join(str(t) for t in shown)).replace(" ", ""):
                return [p for p in _jsonld_paragraphs(raw) if not is_boilerplate(p)]
            return []
    return []


def _jsonld_lede(paragraphs: list[str], markup: PageMarkup) -> list[str]:
    """The opening of the JSON-LD ``articleBody`` before the text the extraction starts with,
    when it is prose the extraction lacks: the lede, which pages often set apart in a teaser box
    that extraction leaves out; else ``[]``."""
    start = " ".join(paragraphs)[:LEDE_KEY_CHARS]  # paragraphs and lines: spaces collapsed
    if len(start) < LEDE_KEY_CHARS:
        return []
    for raw in _jsonld_bodies(markup):
        text = " ".join(_jsonld_paragraphs(raw))
        lede = text[: max(text.find(start), 0)].strip()
        if word_count(lede) < PROSE_MIN_WORDS:
            continue
        if _shared(shingle_counts(lede), shingle_counts("\n".join(paragraphs))) < 0.5:
            return [] if is_boilerplate(lede) else [lede]
    return []


def _prefer_jsonld(paragraphs: list[str], markup: PageMarkup) -> list[str]:
    """JSON-LD articleBody when the extraction agrees with it and it holds clearly more text."""
    bodies = [b for b in _jsonld_bodies(markup) if len(b) >= JSONLD_MIN_CHARS]
    if not bodies:
        return paragraphs
    raw = max(bodies, key=len)
    if _MOJIBAKE.search(raw):
        return paragraphs  # UTF-8 read as Latin-1 somewhere upstream: the page text is better
    candidate = _jsonld_paragraphs(raw)
    ours, theirs = "\n".join(paragraphs), "\n".join(candidate)
    theirs_shingles = shingle_counts(theirs)
    ours_size, theirs_size = sum(shingle_counts(ours).values()), sum(theirs_shingles.values())
    if not ours_size:
        return candidate if theirs_size else paragraphs
    if len(theirs_shingles) < JSONLD_MIN_DISTINCT * theirs_size:
        return paragraphs  # the markup repeats the text (e.g. twice): not a clean copy
    if theirs_size >= JSONLD_MORE_TEXT * ours_size and coverage(theirs, ours) >= JSONLD_AGREEMENT:
        return [p for p in candidate if not is_boilerplate(p)]
    return paragraphs


# --- explicit selector -----------------------------------------------------------------------

_DROP_IN_SELECTED = ("script", "style", "noscript", "template", "button", "form", "svg", "iframe")
_BLOCK_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "blockquote", "pre", "figcaption", "dt", "dd",
    "tr", "div", "section", "article", "ul", "ol", "table", "header", "footer", "aside", "figure",
}  # fmt: skip


def _select(page: HtmlElement, selector: str) -> list[HtmlElement]:
    try:
        return select(page, selector)
    except SelectorError:  # a bad selector from configuration must not stop extraction
        logger.warning("Invalid body selector %r", selector)
        return []


def render_blocks(elements: list[HtmlElement]) -> str:
    """Paragraphs of the containers ``elements``: one per block element, boilerplate dropped
    (scripts, forms and the like are left out)."""
    lines: list[str] = []
    for element in elements:
        copy = deepcopy(element)
        etree.strip_elements(copy, *_DROP_IN_SELECTED, with_tail=False)
        buffer: list[str] = []
        _walk_blocks(copy, buffer, lines)
        _flush(buffer, lines)
    return "\n\n".join(line for line in lines if not is_boilerplate(line))


def _walk_blocks(element: etree._Element, buffer: list[str], lines: list[str]) -> None:
    block = isinstance(element.tag, str) and element.tag in _BLOCK_TAGS
    if block:
        _flush(buffer, lines)
    if element.tag == "br":
        _flush(buffer, lines)
    if element.text:
        buffer.append(element.text)
    for child in element:
        _walk_blocks(child, buffer, lines)
        if child.tail:
            buffer.append(child.tail)
    if block:
        _flush(buffer, lines)


def _flush(buffer: list[str], lines: list[str]) -> None:
    text = " ".join("".join(buffer).split())
    if text:
        lines.append(text)
    buffer.clear()
