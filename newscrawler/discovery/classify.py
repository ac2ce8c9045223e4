"""What an HTML page is: an article candidate, a hub, or (once extracted) no article.

Routing (:func:`classify_page`) runs in the spider on the parsed page. A page announced by a feed
or a sitemap, or declaring an article type, goes to extraction; a page found through a link goes
there too unless it is *clearly* a hub: the home page, listing markup (``CollectionPage``,
``ItemList``…), a calendar archive or numbered listing URL, or a page made of links. What
routing read (:class:`PageSignals`) travels with the page, and after extraction
:func:`judge_extraction` rejects a page that is no article on evidence it names (product or
service markup, an add-to-cart control, a shop's URL section, a catalogue of priced cards, a
listing of teasers, a landing page's lead form and calls to action, a main text of data tables,
of testimonials or of dated entries, a list page, a listing's structure or a page of cards, no
article signal at all).
htmldate's guess of a date is no article signal, nor is a byline naming only the site itself
on a page that shows no other.
A page is never a hub, nor rejected, for having little ``<p>`` text: only extraction's minimum
(``NEWSCRAWLER_EXTRACTION_MIN_WORDS``) is about length.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any
from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml.html import HtmlElement

from newscrawler.discovery.patterns import is_archive_url, pagination_number
from newscrawler.extraction.dates import METHOD_HTMLDATE, find_dates, parser_languages
from newscrawler.extraction.dom import SITE_FURNITURE, visible_texts
from newscrawler.markup import PageMarkup
from newscrawler.urls import registered_domain, url_host
from newscrawler.vocabulary import (
    ADD_TO_CART,
    ARTICLE_TYPES,
    CALL_TO_ACTION,
    LIST_TITLE_PREFIXES,
    LISTING_TYPES,
    NON_ARTICLE_SECTIONS,
    NOT_LEAD_FORM,
    PRICE,
    PRICE_META,
    PRODUCT_OG_TYPES,
    PRODUCT_TYPES,
    QUOTE_CLOSERS,
    QUOTE_OPENERS,
    SERVICE_TYPES,
    SITE_EDITIONS,
    STORY_SECTIONS,
    schema_type,
)

_DATE_IN_PATH = re.compile(r"/(19|20)\d{2}[/-](0?[1-9]|1[0-2])([/-](0?[1-9]|[12]\d|3[01]))?(/|-|$)")
_SLUG = re.compile(r"/[^/]*[a-z0-9\u0400-\u04ff]+(-[a-z0-9\u0400-\u04ff]+){2,}[^/]*/?$", re.I)
_ARTICLE_ID = re.compile(r"/\d{5,}(\.html?)?/?$|[-_/]\d{5,}(\.html?)?$")
# A locale in a URL path: a language, a country or both ("en", "us", "en-gb", "pt_BR").
_LOCALE = re.compile(r"^[a-z]{2}(?:[-_][a-z]{2,4})?$", re.I)

# A link-found page is clearly a hub when, without article markup and on a URL that does not
# look like an article's, this share of its visible text is link text, or it has this many
# headings that are links (teasers) and this share of link text.
HUB_LINK_DENSITY = 0.6
HUB_LINKED_HEADINGS = 10
HUB_HEADINGS_LINK_DENSITY = 0.4
# After extraction, a page with no article signal at all (no og:type article, no publication
# date, no byline, no article-like URL) is rejected when its text is mostly links (at least half
# of it), or its main text is short, or the page shows this many prices (not for a main text
# that is no prose: a list-heavy post is an article).
UNSIGNED_LINK_DENSITY = 0.5
UNSIGNED_MIN_WORDS = 150
UNSIGNED_MAX_PRICES = 10
# With at most one article signal, a page mostly of links whose main text is hardly prose is a
# listing.
LISTING_LINK_DENSITY = 0.6
LISTING_PROSE_SHARE = 0.3
# A page of cards (a shop's grid, a service's tiles, a list of teasers): with no publication
# date and no byline, at least this many h2-h4 headings and this many of them per 1000 words of
# main text.
CARDS_MIN_HEADINGS = 8
CARDS_HEADINGS_PER_1000_WORDS = 100
# An add-to-cart control does not make a page a shop's when its main text has this many long
# paragraphs of prose (a guide with a buy button), this prose share, and the page shows fewer
# prices than this.
BODY_LONG_PARAGRAPHS = 10
BODY_PROSE_SHARE = 0.85
BODY_MAX_PRICES = 5
# A long paragraph: at least this many words of prose.
_LONG_PARAGRAPH_WORDS = 40
# A paragraph of prose: at least this many words, ending like a sentence.
_PROSE_MIN_WORDS = 8
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'»”’)\]]*$")
# Publication-date methods that are no article signal: an update time alone (a site's pages
# carry one too), and htmldate's guess (it finds a day on most pages of a site: a copyright
# line, a listed story's date).
_NOT_A_DATE = frozenset({"modified", METHOD_HTMLDATE})
# Repeated cards: sibling blocks of the same tag and first class, each with a link and a
# heading or an image, of at most this many words (a card, not a section of an article); a
# group counts from this many cards.
CARD_MAX_WORDS = 120
CARD_MIN_GROUP = 4
# A teaser: a card with a heading and a snippet of at least this many words besides the
# heading and the link text.
TEASER_MIN_SNIPPET = 8
# A catalogue: a group of cards of which this many show a price, on a page with no
# publication date or no byline.
CATALOGUE_MIN_PRICED = 6
# A teaser listing: this many teasers whose text makes at least this share of the main text,
# a main text of less than this share of prose (snippets cut short, not an article's
# paragraphs), and not both a publication date and a byline.
TEASERS_MIN = 8
TEASERS_TEXT_SHARE = 0.5
TEASERS_MAX_PROSE = 0.75
# ... unless the title announces that many items ("14 Low-Light Houseplants", "Top 10 …",
# "10 лучших …"): a listicle, whose items are its content. A count of 2-100 among the title's
# first words (a year is no count), matched by the teasers to within one in ten (at least one).
LISTICLE_MAX_WORD = 4
LISTICLE_COUNTS = range(2, 101)

# A data page (standings, a price table, a timetable): this many table rows making this share
# of the main text's words, with neither a publication date nor a byline (split A's such pages
# have 85% or more; an article's tables sit among its paragraphs, and a page laid out in a
# table is a row or two of paragraphs).
TABLE_MIN_ROWS = 5
TABLE_SHARE = 0.8
# A page of testimonials: at least this many paragraphs that are quotations in full, making
# this share of the main text, with neither a publication date nor a byline (an interview's
# quotes are mixed with the writer's sentences and come with a byline or a date).
QUOTED_MIN_PARAGRAPHS = 3
QUOTED_SHARE = 0.5
# A list page (an index titled "List of …", LIST_TITLE_PREFIXES): this share of the page's
# visible text in links, whatever article type it declares.
LIST_PAGE_LINK_DENSITY = HUB_LINK_DENSITY
# A landing page: a lead form (a contact or quote form: a message box, or this many fields to
# fill in) and this many different calls to action outside the site's navigation, header,
# footer and side bars (CALL_TO_ACTION), with neither a publication date nor a byline.
LEAD_FORM_MIN_FIELDS = 3
LANDING_MIN_CALLS = 2
_CALL_MAX_CHARS = 40  # a button's label, not a sentence
_NOT_FIELDS = frozenset({"hidden", "submit", "button", "checkbox", "radio", "search", "image"})
# A listing of dated entries (episodes, events, an archive's teasers): at least this many of
# the main text's paragraphs end on a date, and this share of them, with neither a
# publication date nor a byline.
DATED_ENTRIES_MIN = 8
DATED_ENTRIES_SHARE = 0.5
_DATE_TAIL_CHARS = 40  # where a paragraph's closing date is looked for
_TABLE_ROW = re.compile(r"^\|.*\|$")
_QUOTED = re.compile(rf"^[{QUOTE_OPENERS}].*[{QUOTE_CLOSERS}][^\w]*$")

_LINK_TEXT = etree.XPath(
    "//body//a//text()[not(ancestor::script or ancestor::style)]", smart_strings=False
)
_ITEMTYPES = etree.XPath("//@itemtype", smart_strings=False)
_CONTROL_ATTRIBUTES = etree.XPath(
    "(//button|//form|//input|//a)/@*[name()='class' or name()='id' or name()='name'"
    " or name()='action' or name()='value' or name()='href']",
    smart_strings=False,
)
_CONTROL_TEXTS = etree.XPath("(//button|//a)//text()", smart_strings=False)
_LABEL_CHARS = 80  # of a control's label, where "Add to cart" is read
_HEADINGS = ("h2", "h3", "h4", "h5", "h6")
_NAME = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class PageSignals:
    """What routing read on a page; kept with the page for the judgement after extraction."""

    article_types: tuple[str, ...] = ()  # the page's own JSON-LD article types
    og_type: str = ""
    listing_types: tuple[str, ...] = ()  # its own CollectionPage, ItemList, ... objects
    product: tuple[str, ...] = ()  # product markup: "jsonld:product", "og:type:product", ...
    shop: tuple[str, ...] = ()  # weaker: "add_to_cart" (a control), "microdata:product"
    home: bool = False  # the site's home page (path "/", no query)
    section_front: str = ""  # the story section whose front page it is ("news" for /news)
    listing_url: bool = False  # a calendar archive or a numbered listing page
    article_url: bool = False  # a date, a slug or an id in the path (not a listing URL)
    sections: tuple[str, ...] = ()  # shop/service URL segments ("products", "services", ...)
    link_density: float = 0.0  # share of the body's visible text that is link text
    linked_headings: int = 0  # h2-h4 headings that are links (teasers)
    headings: int = 0  # h2-h4 headings with text, outside nav/header/footer/aside
    prices: int = 0  # prices in the body's visible text ("$12.99", "1 200 руб.")
    services: tuple[str, ...] = ()  # service markup: "jsonld:service", "microdata:service"
    site_names: tuple[str, ...] = ()  # the site's names (og:site_name, its domain), folded
    cards: int = 0  # the largest group of repeated cards (a grid, a list of teasers)
    priced_cards: int = 0  # most cards showing a price in one group
    teasers: int = 0  # most teasers (a heading, a link, a snippet) in one group
    teaser_words: int = 0  # the words of those teasers
    calls_to_action: tuple[str, ...] = ()  # different labels ("get a quote", "book a demo")
    lead_forms: int = 0  # contact or quote forms (no search, comment or newsletter form)

    def as_dict(self) -> dict[str, Any]:
        """The signals as JSON values (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PageSignals:
        """The signals :meth:`as_dict` gave (unknown keys ignored, lists back to tuples)."""
        values: dict[str, Any] = {}
        for f in fields(cls):
            if f.name in data:
                value = data[f.name]
                values[f.name] = tuple(value) if isinstance(value, list) else value
        return cls(**values)


@dataclass(frozen=True)
class PageKind:
    """Routing's decision: extract the page (an article candidate) or take it as a hub."""

    is_article: bool
    reason: str  # the deciding signal: "announced", "jsonld", "og_type", "candidate", "home"...
    signals: PageSignals = PageSignals()


@dataclass(frozen=True)
class Rejection:
    """An extracted page that is no article: the reason and every signal read."""

    reason: str  # "product", "service", "catalogue", "teaser_list", "listing", ... (see below)
    detail: str  # the deciding evidence, for the log line
    signals: dict[str, Any]


def looks_like_article_url(url: str) -> bool:
    path = urlsplit(url).path
    if path in ("", "/"):
        return False
    return bool(_DATE_IN_PATH.search(path) or _SLUG.search(path) or _ARTICLE_ID.search(path))


def is_home_path(path: str) -> bool:
    """Whether ``path`` is a home page's: ``/``, or an edition's (``/en/``, ``/us/en/``,
    ``/global/``: locale or edition segments alone)."""
    return all(_LOCALE.match(s) or s.lower() in SITE_EDITIONS for s in path.split("/") if s)


def section_front(path: str) -> str:
    """The story section (``STORY_SECTIONS``) whose front page ``path`` is: ``news`` for
    ``/news``, ``/en/news/``; ``""`` for any other path (``/news/some-story``)."""
    segments = [unquote(s).lower() for s in path.split("/") if s]
    while len(segments) > 1 and (_LOCALE.match(segments[0]) or segments[0] in SITE_EDITIONS):
        segments.pop(0)
    return segments[0] if len(segments) == 1 and segments[0] in STORY_SECTIONS else ""


def _visible_chars(texts: list[str]) -> int:
    return len("".join(" ".join(texts).split()))


def body_texts(tree: HtmlElement) -> list[str]:
    """The text nodes of the body's visible text (scripts, styles and templates left out)."""
    body = tree.find("body")
    return [] if body is None else visible_texts(body)


def link_density(tree: HtmlElement, texts: list[str] | None = None) -> float:
    """Share of the characters of the body's visible text (``texts``, read from ``tree`` when
    not given) that are in links."""
    total = _visible_chars(body_texts(tree) if texts is None else texts)
    if not total:
        return 0.0
    return min(1.0, _visible_chars(_LINK_TEXT(tree)) / total)  # type: ignore[arg-type]


def linked_headings(tree: HtmlElement) -> int:
    """``<h2>``-``<h4>`` headings whose text is mostly a link: teasers of other pages."""
    count = 0
    for heading in tree.iter("h2", "h3", "h4"):
        text = "".join(heading.text_content().split())
        if not text:
            continue
        linked = "".join("".join(a.text_content().split()) for a in heading.iter("a"))
        if len(linked) >= 0.6 * len(text):
            count += 1
    return count


def heading_count(tree: HtmlElement) -> int:
    """``<h2>``-``<h4>`` headings with text, outside the site's navigation, header, footer and
    side bars."""
    return sum(
        1
        for h in tree.iter("h2", "h3", "h4")
        if h.text_content().strip() and not any(a.tag in SITE_FURNITURE for a in h.iterancestors())
    )


def price_count(tree: HtmlElement, texts: list[str] | None = None) -> int:
    """Prices (an amount with a currency sign or code) in the body's visible text (``texts``,
    read from ``tree`` when not given)."""
    return len(PRICE.findall(" ".join(body_texts(tree) if texts is None else texts).lower()))


def has_add_to_cart(tree: HtmlElement) -> bool:
    """Whether a button, form, input or link is an add-to-cart control: one of its attributes
    (class, id, name, action, value, href) or the start of its label names one."""
    if ADD_TO_CART.search("\n".join(_CONTROL_ATTRIBUTES(tree)).lower()):  # type: ignore[arg-type]
        return True
    if not ADD_TO_CART.search("\n".join(_CONTROL_TEXTS(tree)).lower()):  # type: ignore[arg-type]
        return False  # (most pages: no label anywhere names one)
    return any(
        ADD_TO_CART.search(el.text_content()[:_LABEL_CHARS].lower())
        for el in tree.iter("button", "a")
    )


def product_markup(markup: PageMarkup) -> tuple[str, ...]:
    """What the page declares of a product: its own product JSON-LD, a product ``og:type``,
    a price tag."""
    found = [f"jsonld:{t}" for t in sorted(markup.types & PRODUCT_TYPES)]
    if markup.og_type in PRODUCT_OG_TYPES:
        found.append(f"og:type:{markup.og_type}")
    found += [f"meta:{name}" for name in PRICE_META if markup.first(name)]
    return tuple(found)


def shop_evidence(tree: HtmlElement) -> tuple[str, ...]:
    """Weaker signs of a shop page, which articles about products show too: an add-to-cart
    control, product microdata (a page's offer box)."""
    found = ["add_to_cart"] if has_add_to_cart(tree) else []
    itemtypes = {schema_type(t) for value in _ITEMTYPES(tree) for t in str(value).split()}  # type: ignore[union-attr]
    found += [f"microdata:{t}" for t in sorted(itemtypes & PRODUCT_TYPES)]
    return tuple(found)


def service_markup(tree: HtmlElement, markup: PageMarkup) -> tuple[str, ...]:
    """What the page declares of a service it offers: its own JSON-LD ``Service`` (or a
    subtype), ``Service`` microdata."""
    found = [f"jsonld:{t}" for t in sorted(markup.types & SERVICE_TYPES)]
    itemtypes = {schema_type(t) for value in _ITEMTYPES(tree) for t in str(value).split()}  # type: ignore[union-attr]
    found += [f"microdata:{t}" for t in sorted(itemtypes & SERVICE_TYPES)]
    return tuple(found)


def _in_site_chrome(el: HtmlElement) -> bool:
    return any(a.tag in SITE_FURNITURE for a in el.iterancestors())


def calls_to_action(tree: HtmlElement) -> tuple[str, ...]:
    """The different calls to action (links and buttons labelled "Get a quote", "Book a
    demo", "Оставить заявку"…) outside the site's navigation, header, footer and side bars,
    lower case."""
    found: dict[str, None] = {}
    for el in tree.iter("a", "button"):
        label = " ".join(el.text_content().split()).replace("\u2019", "'").lower()
        is_call = label and len(label) <= _CALL_MAX_CHARS and CALL_TO_ACTION.match(label)
        if is_call and not _in_site_chrome(el):
            found[label.rstrip(".!…")] = None
    return tuple(found)


def lead_form_count(tree: HtmlElement) -> int:
    """Forms asking the reader to get in touch: a message box or at least three fields to fill
    in (a search box, a comment form, a newsletter sign-up or a login is none)."""
    count = 0
    for form in tree.iter("form"):
        attributes = " ".join(form.get(k) or "" for k in ("action", "id", "class", "name", "role"))
        if NOT_LEAD_FORM.search(attributes):
            continue
        fields = [
            f
            for f in form.iter("input", "textarea", "select")
            if (f.get("type") or "text").lower() not in _NOT_FIELDS
        ]
        if len(fields) >= LEAD_FORM_MIN_FIELDS or next(form.iter("textarea"), None) is not None:
            count += 1
    return count


def fold_name(name: str) -> str:
    """A name compared with others: lower case, letters and digits only ("Gym-Provisions" and
    "gymprovisions" are one)."""
    return "".join(_NAME.findall(name.lower()))


def site_names(markup: PageMarkup) -> tuple[str, ...]:
    """The names the site goes by, folded: ``og:site_name``, ``application-name`` and its
    domain without the suffix (``gymprovisions`` for ``www.gymprovisions.com``)."""
    names = [markup.first(key) or "" for key in ("og:site_name", "application-name")]
    names.append(registered_domain(url_host(markup.url)).split(".", 1)[0])
    return tuple(dict.fromkeys(n for n in map(fold_name, names) if n))


@dataclass(frozen=True)
class Cards:
    """Repeated cards read on a page (see :func:`read_cards`)."""

    cards: int = 0
    priced: int = 0
    teasers: int = 0
    teaser_words: int = 0


@dataclass(frozen=True)
class _Card:
    words: int
    priced: bool
    teaser: bool  # a heading and a snippet besides it


def _card(block: HtmlElement) -> _Card | None:
    """The block as a card (a link, a heading or an image, a few words), or None."""
    links = [a for a in block.iter("a") if a.get("href")]
    if not links:
        return None
    text = block.text_content()
    words = len(text.split())
    if not words or words > CARD_MAX_WORDS:
        return None
    headings = " ".join(h.text_content() for h in block.iter(*_HEADINGS)).split()
    if not headings and next(block.iter("img", "picture"), None) is None:
        return None
    link_words = len(" ".join(a.text_content() for a in links).split())
    snippet = words - max(len(headings), link_words)  # besides the headline and the link text
    return _Card(
        words,
        bool(PRICE.search(text.lower())),
        bool(headings) and snippet >= TEASER_MIN_SNIPPET,
    )


def read_cards(tree: HtmlElement) -> Cards:
    """The page's groups of repeated cards outside the site's navigation, header, footer and
    side bars (sibling blocks of one tag and first class, each a card: :func:`_card`): the
    largest group, the most priced cards of a group, and the group of the most teasers."""
    groups: list[list[_Card]] = []
    body = tree.find("body")
    stack = [body if body is not None else tree]
    while stack:
        parent = stack.pop()
        blocks = [c for c in parent if isinstance(c.tag, str) and c.tag not in SITE_FURNITURE]
        stack.extend(blocks)
        if len(blocks) < CARD_MIN_GROUP:
            continue
        siblings: dict[tuple[str, str], list[HtmlElement]] = {}
        for block in blocks:
            first_class = (block.get("class") or "").split()[:1]
            siblings.setdefault((str(block.tag), "".join(first_class)), []).append(block)
        for group in siblings.values():
            if len(group) < CARD_MIN_GROUP:
                continue
            cards = [c for c in map(_card, group) if c is not None]
            if len(cards) >= CARD_MIN_GROUP:
                groups.append(cards)
    if not groups:
        return Cards()
    teasers = max(([c for c in g if c.teaser] for g in groups), key=len)
    return Cards(
        cards=max(map(len, groups)),
        priced=max(sum(c.priced for c in g) for g in groups),
        teasers=len(teasers),
        teaser_words=sum(c.words for c in teasers),
    )


def page_signals(tree: HtmlElement, markup: PageMarkup) -> PageSignals:
    """Everything routing and the later judgement read on the page ``tree`` (its ``markup``)."""
    parts = urlsplit(markup.url)
    segments = [s.lower() for s in parts.path.split("/") if s]
    # (page 1 is left out: article URLs often carry the listing they were opened from)
    listing_url = is_archive_url(markup.url) or (pagination_number(markup.url) or 0) > 1
    texts = body_texts(tree)
    return PageSignals(
        article_types=tuple(sorted(markup.types & ARTICLE_TYPES)),
        og_type=markup.og_type,
        listing_types=tuple(sorted(markup.types & LISTING_TYPES)),
        product=product_markup(markup),
        shop=shop_evidence(tree),
        home=is_home_path(parts.path) and not parts.query,
        section_front="" if parts.query else section_front(parts.path),
        listing_url=listing_url,
        article_url=looks_like_article_url(markup.url) and not listing_url,
        sections=tuple(dict.fromkeys(s for s in segments if s in NON_ARTICLE_SECTIONS)),
        link_density=round(link_density(tree, texts), 3),
        linked_headings=linked_headings(tree),
        headings=heading_count(tree),
        prices=price_count(tree, texts),
        services=service_markup(tree, markup),
        site_names=site_names(markup),
        calls_to_action=calls_to_action(tree),
        lead_forms=lead_form_count(tree),
        **_card_signals(read_cards(tree)),
    )


def _card_signals(cards: Cards) -> dict[str, int]:
    return {
        "cards": cards.cards,
        "priced_cards": cards.priced,
        "teasers": cards.teasers,
        "teaser_words": cards.teaser_words,
    }


def classify_page(tree: HtmlElement, markup: PageMarkup, *, announced: bool = False) -> PageKind:
    """Extract the page, or take it as a hub (its links are followed either way).

    ``tree`` is the page's lxml tree (``response.selector.root``), ``markup`` what it declares
    (:func:`newscrawler.markup.read_markup` of the same tree and the page's URL); ``announced``:
    a feed or sitemap listed it, so it is extracted whatever it looks like.
    """
    signals = page_signals(tree, markup)
    return PageKind(*route(signals, announced=announced), signals)


def route(signals: PageSignals, *, announced: bool = False) -> tuple[bool, str]:
    """``(extract, reason)`` for a page of these signals."""
    if announced:
        return True, "announced"
    if signals.home:  # whatever it declares: a featured story's markup
        return False, "home"
    if signals.article_types:
        return True, "jsonld"
    if signals.og_type == "article":
        return True, "og_type"
    if signals.section_front:
        return False, "section_front"
    if signals.listing_types:
        return False, "hub_markup"
    if signals.listing_url:
        return False, "listing_url"
    if not signals.article_url and (
        signals.link_density >= HUB_LINK_DENSITY
        or (
            signals.linked_headings >= HUB_LINKED_HEADINGS
            and signals.link_density >= HUB_HEADINGS_LINK_DENSITY
        )
    ):
        return False, "listing"
    return True, "candidate"


def prose_share(text: str) -> float:
    """Share of the words of ``text`` in paragraphs of prose (sentences, not list items,
    prices or button labels)."""
    total = prose = 0
    for line in text.splitlines():
        words = len(line.split())
        total += words
        if words >= _PROSE_MIN_WORDS and _SENTENCE_END.search(line.strip()):
            prose += words
    return prose / total if total else 0.0


def long_paragraphs(text: str) -> int:
    """Paragraphs of ``text`` that are long prose (40 words or more, ending like a sentence)."""
    return sum(
        1
        for line in text.splitlines()
        if len(line.split()) >= _LONG_PARAGRAPH_WORDS and _SENTENCE_END.search(line.strip())
    )


def table_rows(text: str) -> tuple[int, float]:
    """Table rows in ``text`` (extraction writes a row ``| a | b |``) and their share of its
    words."""
    total = rows = count = 0
    for line in text.splitlines():
        words = len(line.split())
        total += words
        if _TABLE_ROW.match(line.strip()):
            rows += words
            count += 1
    return count, (rows / total if total else 0.0)


def quoted_paragraphs(text: str) -> tuple[int, float]:
    """Paragraphs of ``text`` that are quotations in full (a testimonial: it opens and closes
    with quotation marks, 8 words or more), and their share of its words."""
    total = quoted = count = 0
    for line in text.splitlines():
        words = len(line.split())
        total += words
        if words >= _PROSE_MIN_WORDS and _QUOTED.match(line.strip()):
            quoted += words
            count += 1
    return count, (quoted / total if total else 0.0)


def dated_entries(text: str, language: str | None = None) -> tuple[int, int]:
    """Paragraphs of ``text`` that end on a date ("… 46m - Dec 15, 2025"), and all its
    paragraphs (month names of ``language`` and English)."""
    languages = parser_languages([language.split("-")[0]] if language else [])
    paragraphs = [line.strip() for line in text.splitlines() if line.strip()]
    dated = 0
    for line in paragraphs:
        found = find_dates(line[-_DATE_TAIL_CHARS:], languages)
        if found and line.rstrip(" .,;)|").endswith(found[-1]):
            dated += 1
    return dated, len(paragraphs)


def announced_items(title: str) -> int | None:
    """The number of items a listicle's ``title`` announces ("14 Low-Light Houseplants That
    Thrive", "Top 10 …", "Die 7 besten …", "10 лучших …"), or ``None``."""
    for word in title.split()[:LISTICLE_MAX_WORD]:
        digits = word.strip("#.:()[]")
        if digits.isdigit() and int(digits) in LISTICLE_COUNTS:
            return int(digits)
    return None


def is_listicle(announced: int | None, teasers: int) -> bool:
    """Whether ``teasers`` are the ``announced`` items of a title (:func:`announced_items`)."""
    return announced is not None and abs(teasers - announced) <= max(1, announced // 10)


def is_list_title(title: str) -> bool:
    """Whether ``title`` names a list page ("List of Nobel laureates", "Список …")."""
    folded = " ".join(title.split()).lower() + " "
    return folded.startswith(LIST_TITLE_PREFIXES)


def article_signals(signals: PageSignals, record: Mapping[str, Any]) -> list[str]:
    """The signals of an article that the page and its extracted ``record`` show."""
    method = record.get("published_method")
    present = {
        "og_type_article": signals.og_type == "article",
        "published": bool(record.get("published")) and method not in _NOT_A_DATE,
        "byline": bool(record.get("authors")),
        "article_url": signals.article_url,
    }
    return [name for name, shown in present.items() if shown]


def byline_names_the_site(signals: PageSignals, record: Mapping[str, Any]) -> bool:
    """Whether the record's byline is only the site's own name ("Gym Provisions" on
    gymprovisions.com): no article evidence on a page that shows nothing else (a personal
    blog's byline is its owner's name too, so it is no evidence against an article either)."""
    authors = record.get("authors") or ()
    return bool(authors) and all(fold_name(str(a)) in signals.site_names for a in authors)


def judge_extraction(signals: PageSignals, record: Mapping[str, Any]) -> Rejection | None:
    """The reason an extracted page is no article, with the evidence, or ``None`` (a record).

    ``record`` holds the fields extraction found (``text``, ``published``, ``authors``...). A
    list page (a title "List of …" over a page of links) is none (``list_page``), nor is the
    site's home page (``home``); a page declaring an article type is an article; otherwise, in
    this order: product markup (``product``), service markup on a page without both a
    publication date and a byline (``service``), a story section's front page (``/news``,
    ``/blog``: ``section_front``), listing markup (``listing``), an add-to-cart
    control or product microdata on a page with neither ``og:type`` article nor a byline,
    unless its main text is a body of long prose paragraphs on a page of few prices
    (``product``), a shop or service URL section with at most one article signal or with
    neither a date nor a byline (``non_article_section``), no article signal and a text of
    links, a short one, or a page of many prices (``no_article_signals``); with neither a date
    nor a byline: a lead form and calls to action over a main text that is no prose body
    (``landing_page``), a main text of table rows (``table``), of quotations in full
    (``testimonials``) or of paragraphs ending on a date (``dated_list``); a group of cards
    with prices on a page without both a date and a byline (``catalogue``), teasers making
    most of a main text that is not prose, on a page without both a date and a byline, unless
    its title announces as many items (a listicle) (``teaser_list``), a page of cards: many
    headings over little text, with neither a publication date nor a byline (``listing``),
    and a text of links that is hardly prose with at most one article signal (``listing``). The
    publication date is the page's (its markup, its text, its URL or the feed), not htmldate's
    guess; a byline naming only the site is no signal when it would be the page's only one.
    """
    text = str(record.get("text") or "")
    shown = article_signals(signals, record)
    words = len(text.split())
    prose = prose_share(text)
    rows, table = table_rows(text)
    quoted, quoted_share = quoted_paragraphs(text)
    dated, paragraphs = dated_entries(text, record.get("language"))
    body = Body(
        words, prose, long_paragraphs(text), rows, table, quoted, quoted_share, dated, paragraphs
    )
    title = str(record.get("title") or "")
    evidence = {
        **signals.as_dict(),
        "article_signals": shown,
        "words": words,
        "prose_share": round(prose, 3),
        "long_paragraphs": body.long_paragraphs,
        "table_rows": rows,
        "table_share": round(table, 3),
        "quoted_paragraphs": quoted,
        "quoted_share": round(quoted_share, 3),
        "dated_entries": dated,
        "paragraphs": paragraphs,
        "list_title": is_list_title(title),
        "announced_items": announced_items(title),
        "site_byline": byline_names_the_site(signals, record),
    }
    if evidence["list_title"] and signals.link_density >= LIST_PAGE_LINK_DENSITY:
        detail = f"a list page: title {title[:60]!r}, link density {signals.link_density:.2f}"
        return Rejection("list_page", detail, evidence)
    if signals.home:  # the featured story's markup on a home page declares an article
        return Rejection("home", "the site's home page", evidence)
    if signals.article_types:
        return None
    found = _rejection(
        signals,
        shown,
        body,
        site_byline=evidence["site_byline"],
        listicle=is_listicle(evidence["announced_items"], signals.teasers),
    )
    if found is None:
        return None
    reason, detail = found
    return Rejection(reason, detail, evidence)


@dataclass(frozen=True)
class Body:
    """What the judgement reads of the extracted main text."""

    words: int
    prose: float  # prose_share()
    long_paragraphs: int  # long_paragraphs()
    table_rows: int = 0  # table_rows(): the rows of its tables
    table: float = 0.0  # and their share of the words
    quoted: int = 0  # quoted_paragraphs(): the paragraphs that are quotations in full
    quoted_share: float = 0.0  # and their share of the words
    dated_entries: int = 0  # dated_entries(): paragraphs ending on a date
    paragraphs: int = 0  # all its paragraphs

    def is_prose_body(self, prices: int) -> bool:
        """A main text of many long paragraphs of prose on a page showing few prices: an
        article's, whatever buttons the page has."""
        return (
            self.long_paragraphs >= BODY_LONG_PARAGRAPHS
            and self.prose >= BODY_PROSE_SHARE
            and prices < BODY_MAX_PRICES
        )

    def headings_per_1000_words(self, headings: int) -> float:
        return 1000 * headings / max(1, self.words)


def _rejection(
    signals: PageSignals,
    shown: list[str],
    body: Body,
    *,
    site_byline: bool = False,
    listicle: bool = False,
) -> tuple[str, str] | None:
    words, prose = body.words, body.prose
    texture = (
        f"link density {signals.link_density:.2f}, prose share {prose:.2f}, {words} words,"
        f" {signals.prices} prices"
    )
    signed = f"article signals: {', '.join(shown) or 'none'}"
    if signals.product:
        return "product", f"product markup: {', '.join(signals.product)}"
    dated_and_signed = {"published", "byline"} <= set(shown)
    if signals.services and not dated_and_signed:
        return "service", f"service markup: {', '.join(signals.services)}; {signed}"
    if signals.section_front:
        return "section_front", f"the front page of the site's {signals.section_front!r} section"
    if signals.listing_types:
        return "listing", f"listing markup: {', '.join(signals.listing_types)}"
    if (
        signals.shop
        and not {"og_type_article", "byline"} & set(shown)
        and not body.is_prose_body(signals.prices)
    ):
        return "product", (
            f"{', '.join(signals.shop)}; no og:type article, no byline;"
            f" {body.long_paragraphs} long paragraphs, {signals.prices} prices"
        )
    if signals.sections and (len(shown) <= 1 or not {"published", "byline"} & set(shown)):
        return "non_article_section", f"URL section {signals.sections[0]!r}; {signed}"
    unsigned = not shown or (shown == ["byline"] and site_byline)
    if unsigned and (
        signals.link_density >= UNSIGNED_LINK_DENSITY
        or words < UNSIGNED_MIN_WORDS
        or signals.prices >= UNSIGNED_MAX_PRICES
    ):
        return "no_article_signals", f"{signed}; {texture}"
    undated_unsigned = not {"published", "byline"} & set(shown)
    if (
        undated_unsigned
        and signals.lead_forms
        and len(signals.calls_to_action) >= LANDING_MIN_CALLS
        and not body.is_prose_body(signals.prices)
    ):
        return "landing_page", (
            f"{signals.lead_forms} lead form(s), calls to action:"
            f" {', '.join(signals.calls_to_action[:4])}; no date, no byline; {signed}"
        )
    if undated_unsigned and body.table_rows >= TABLE_MIN_ROWS and body.table >= TABLE_SHARE:
        return "table", (
            f"{body.table_rows} table rows, {body.table:.0%} of the main text;"
            f" no date, no byline; {signed}"
        )
    if (
        undated_unsigned
        and body.quoted >= QUOTED_MIN_PARAGRAPHS
        and body.quoted_share >= QUOTED_SHARE
    ):
        return "testimonials", (
            f"{body.quoted} quoted paragraphs, {body.quoted_share:.0%} of the main text;"
            f" no date, no byline; {signed}"
        )
    if (
        undated_unsigned
        and body.dated_entries >= DATED_ENTRIES_MIN
        and body.dated_entries >= DATED_ENTRIES_SHARE * body.paragraphs
    ):
        return "dated_list", (
            f"{body.dated_entries} of {body.paragraphs} paragraphs end on a date;"
            f" no date, no byline; {signed}"
        )
    if signals.priced_cards >= CATALOGUE_MIN_PRICED and not dated_and_signed:
        return "catalogue", (
            f"{signals.priced_cards} of {signals.cards} repeated cards show a price; {signed}"
        )
    if (
        signals.teasers >= TEASERS_MIN
        and signals.teaser_words >= TEASERS_TEXT_SHARE * words
        and prose < TEASERS_MAX_PROSE
        and not dated_and_signed
        and not listicle
    ):
        return "teaser_list", (
            f"{signals.teasers} teasers, {signals.teaser_words} words"
            f" for {words} of main text; {signed}"
        )
    density = body.headings_per_1000_words(signals.headings)
    if (
        undated_unsigned
        and signals.headings >= CARDS_MIN_HEADINGS
        and density >= CARDS_HEADINGS_PER_1000_WORDS
    ):
        return "listing", (
            f"cards: {signals.headings} headings for {words} words; no date, no byline"
        )
    if (
        len(shown) <= 1
        and signals.link_density >= LISTING_LINK_DENSITY
        and prose < LISTING_PROSE_SHARE
    ):
        return "listing", f"{signed}; {texture}"
    return None
