"""Orchestrates the extraction stages for one page.

The page is decoded and parsed once. Every stage reads the same tree: metadata (JSON-LD, meta
tags), title, related-articles blocks, the attribution line, bylines and dates. Only then are
the related blocks, the attribution line, ad labels and share prompts removed, and the tree is
handed to the body stage.
"""

from __future__ import annotations

import dataclasses
import re
from datetime import datetime, timezone
from typing import Any

from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from newscrawler.extraction.appstate import AppArticle, prefer_app_state, read_app_state
from newscrawler.extraction.attribution import Attribution, find_attribution, parse_attribution
from newscrawler.extraction.authors import (
    AuthorRole,
    byline_after_label,
    is_agency,
    merge_authors,
    parse_byline,
)
from newscrawler.extraction.body import extract_body_method, word_count
from newscrawler.extraction.boilerplate import boilerplate_nodes
from newscrawler.extraction.dates import (
    DECLARED_METHODS,
    EVENT_MODIFIED_BEFORE_PUBLISHED,
    SHOWN_METHODS,
    DateContext,
    FoundDate,
    ambiguous_numeric,
    date_order,
    find_dates,
    htmldate_date,
    in_page_offset,
    parse_dates,
    parser_languages,
    read_as_the_page,
    saved_not_published,
    saved_together,
    shown_over_declared,
    url_date,
    written_with_time,
)
from newscrawler.extraction.decode import UndecodableBody, decode_html
from newscrawler.extraction.dom import (
    PageIndex,
    SelectorError,
    drop,
    short_text,
    text_of,
    unwrap_unclosed_chrome,
)
from newscrawler.extraction.dom import select as select_nodes
from newscrawler.extraction.metadata import (
    PageMetadata,
    declared_language,
    detect_language,
    page_language,
    read_metadata,
)
from newscrawler.extraction.related import RelatedBlock, entries_of, find_related_blocks
from newscrawler.extraction.result import Extraction, ExtractionOptions
from newscrawler.extraction.stages import timed
from newscrawler.extraction.title import choose_title, clean_title
from newscrawler.extraction.visible import find_bylines, find_signature, find_visible_dates
from newscrawler.items import PageHints
from newscrawler.markup import PageMarkup, read_markup
from newscrawler.urls import absolute_url, site_name
from newscrawler.vocabulary import AUTHOR_LABEL, MODIFIED_HINT

# Meta tags holding the publication and modification dates, most trusted first.
PUBLISHED_META = (
    "article:published_time",
    "og:article:published_time",
    "og:published_time",
    "published_time",
    "article.published",
    "datepublished",
    "parsely-pub-date",
    "sailthru.date",
    "publishdate",
    "publish-date",
    "publish_date",
    "pubdate",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "dcterms.created",
    "date",
    "citation_publication_date",
    "originalpublicationdate",
    "article:published",
)
MODIFIED_META = (
    "article:modified_time",
    "og:article:modified_time",
    "og:updated_time",
    "article:updated_time",
    "datemodified",
    "dateupdated",
    "last-modified",
    "dcterms.modified",
    "dc.date.modified",
)
AUTHOR_META = (
    "author",
    "article:author",
    "og:article:author",
    "dc.creator",
    "dcterms.creator",
    "parsely-author",
    "sailthru.author",
    "byl",
    "cxenseparse:author",
)
# The page's content sat inside a header, aside, nav, footer or menu left unclosed: unwrapped.
EVENT_UNCLOSED_CHROME = "unclosed_chrome"
# Publication dates that the app state's declared one replaces.
_GUESSED_DATES = frozenset({"url", "htmldate"})
# Country-code top-level domains whose region differs from the code.
_TLD_REGION = {"uk": "gb"}


@dataclasses.dataclass
class _Stage:
    """What the stages share for one page."""

    tree: HtmlElement
    index: PageIndex
    url: str
    base: str
    page: PageMetadata
    ctx: DateContext
    options: ExtractionOptions
    events: list[str]

    def select(self, key: str) -> list[HtmlElement] | None:
        """Nodes of the per-site selector ``key``; None when there is none (or it is invalid)."""
        selector = self.options.selectors.get(key)
        if not selector:
            return None
        try:
            nodes = select_nodes(self.tree, selector)
        except SelectorError:
            self.events.append("selectors/invalid")
            return None
        if not nodes:
            self.events.append("selectors/no_match")
            return None
        return nodes


class UnreadablePage(ValueError):
    """The page's bytes give no HTML tree: :attr:`reason` is ``undecodable``, ``empty`` or
    ``unparsable``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def parse_page(html: bytes | str, declared_encoding: str | None = None) -> HtmlElement:
    """The page's lxml tree, as every stage reads it (:class:`UnreadablePage` if it has none).

    Comments and processing instructions are dropped at parse time: left in the tree they split
    paragraphs and make trafilatura lose half of some bodies. (A parser a call: lxml parsers
    must not be shared between threads.)
    """
    if isinstance(html, bytes):
        try:
            with timed("decode"):
                text, _encoding = decode_html(html, declared_encoding)
        except UndecodableBody as exc:
            raise UnreadablePage("undecodable", str(exc)) from exc
    else:
        text = html
    if not text.strip():
        raise UnreadablePage("empty", "empty document")
    try:
        parser = lxml_html.HTMLParser(remove_comments=True, remove_pis=True, collect_ids=False)
        with timed("parse"):
            tree: HtmlElement = lxml_html.document_fromstring(text, parser=parser)
    except (etree.ParserError, ValueError) as exc:
        raise UnreadablePage("unparsable", str(exc)) from exc
    return tree


def build_from_tree(
    tree: HtmlElement,
    url: str,
    *,
    markup: PageMarkup | None = None,
    hints: PageHints,
    options: ExtractionOptions,
    now: datetime | None,
) -> Extraction:
    """Extract the page parsed as ``tree`` (by :func:`parse_page`; the stages change it), with
    ``markup`` when it has been read from it already (see
    :func:`newscrawler.extraction.extract_parsed`)."""
    events: list[str] = []
    now = now or datetime.now(timezone.utc)
    with timed("metadata"):
        markup = markup or read_markup(tree, url)
        page = read_metadata(markup)
    lang, region = declared_language(tree, page)
    if not region:
        tld = site_name(url).rsplit(".", 1)[-1]
        region = _TLD_REGION.get(tld, tld) if len(tld) == 2 else None
    languages = [x for x in (lang, hints.language, *options.languages) if x]
    if not languages:  # nothing declared: month names in the language the page is written in
        with timed("language"):
            guessed, prob = detect_language(_prose_sample(tree))
        if guessed is not None and prob >= 0.5:
            languages.append(guessed)
    ctx = DateContext(
        languages=parser_languages(languages),
        order=date_order(lang or (languages[0] if languages else None), region),
        timezone=hints.timezone or options.timezone,
        now=now,
        min_year=options.date_min_year,
        future_tolerance=options.date_future_tolerance,
    )
    if hints.selectors:  # the site's selectors (from the sites file) win over the crawl's
        options = dataclasses.replace(options, selectors={**options.selectors, **hints.selectors})
    if unwrap_unclosed_chrome(tree):
        events.append(EVENT_UNCLOSED_CHROME)
    with timed("index"):
        stage = _Stage(tree, PageIndex(tree), url, markup.base, page, ctx, options, events)
    with timed("title"):
        title, headline = _title(stage, hints)
    with timed("related"):
        blocks = _related_blocks(stage, headline)
        related: list[dict[str, Any]] = []
        seen: set[str] = set()
        for block in blocks:
            for entry in entries_of(block, stage.base, url, ctx, events):
                if entry["url"] not in seen:
                    seen.add(entry["url"])
                    related.append(entry)
    exclude = [node for block in blocks for node in block.nodes]
    with timed("attribution"):
        attribution = _attribution(stage, exclude)
    with timed("authors"):
        people = _authors(stage, exclude, headline)
    with timed("dates"):
        published, modified = _dates(stage, exclude, headline, hints)

    # Everything the metadata stages need has been read: clear the body stage's way.
    with timed("boilerplate"):
        leftovers = boilerplate_nodes(stage.index)
        for node in [*exclude, *([attribution.element] if attribution else []), *leftovers]:
            drop(node)
    body_nodes = stage.select("body")
    with timed("body"):
        body, text_method = extract_body_method(
            tree,
            url,
            body_selector=options.selectors.get("body") if body_nodes else None,
            markup=markup,
        )
    with timed("app_state"):
        app = None if body_nodes else read_app_state(tree)  # a site's body selector wins
    if app is not None and prefer_app_state(body, app.text, options.min_words):
        body, text_method = app.text, app.method
        title, people, published = _from_app_state(stage, app, title, people, published)
    if not body:
        return Extraction(None, reason="no_text", detail="no main text found", events=events)
    words = word_count(body)
    if words < options.min_words:
        return Extraction(None, reason="too_short", detail=f"{words} words", events=events)
    if text_method != "dom":
        events.append(f"text/{text_method}")

    with timed("language"):
        language, language_event = page_language(lang, body)
    if language_event:
        events.append(language_event)
    fields: dict[str, Any] = {
        "url": url,
        "canonical_url": markup.canonical_url,
        "title": title,
        "text": body,
        "text_method": text_method,
        "description": _description(page),
        "authors": [p.name for p in people],
        "author_roles": [p.as_dict() for p in people],
        "published": published.value if published else None,
        "published_raw": published.raw if published else None,
        "published_method": published.method if published else None,
        "modified": modified.value if modified else None,
        "modified_raw": modified.raw if modified else None,
        "modified_method": modified.method if modified else None,
        "language": language,
        "source": attribution.as_dict() if attribution else None,
        "related": related,
        "tags": _tags(page),
        "image": _image(page, stage.base),
    }
    return Extraction(fields, events=events)


def _from_app_state(
    stage: _Stage,
    app: AppArticle,
    title: str | None,
    people: list[AuthorRole],
    published: FoundDate | None,
) -> tuple[str | None, list[AuthorRole], FoundDate | None]:
    """The headline, authors and publication date of the app state's article where the page's
    elements gave none (a publication day read from the URL or guessed by htmldate is replaced
    too: the app state's is declared, often with its time)."""
    if not title and app.title:
        title = clean_title(app.title) or None
    if not people and app.authors:
        orgs = _site_credits(stage.page, stage.url)
        named = [p for name in app.authors for p in parse_byline(name, declared=True)]
        people = merge_authors([named], orgs)
    if app.published and (published is None or published.method in _GUESSED_DATES):
        published = parse_dates(app.published, stage.ctx, "app_state", stage.events) or published
    return title, people, published


def _prose_sample(tree: HtmlElement, limit: int = 3000) -> str:
    """The first paragraphs' text (up to ``limit`` characters), for a language guess."""
    parts: list[str] = []
    size = 0
    for el in tree.iter("p"):
        text = el.text_content()
        parts.append(text)
        size += len(text)
        if size >= limit:
            break
    return " ".join(parts)


def _title(stage: _Stage, hints: PageHints) -> tuple[str | None, HtmlElement | None]:
    nodes = stage.select("title")
    if nodes:
        title: str | None = text_of(nodes[0]) or None
    else:
        title, _method = choose_title(stage.tree, stage.page, stage.url)
    if not title and hints.title:
        title = " ".join(hints.title.split()) or None
    headline = None
    for h1 in stage.tree.iter("h1"):
        if title and clean_title(text_of(h1)) == title:
            headline = h1
            break
        if headline is None:
            headline = h1
    if nodes:
        headline = nodes[0]
    return title, headline


def _related_blocks(stage: _Stage, headline: HtmlElement | None) -> list[RelatedBlock]:
    nodes = stage.select("related")
    if nodes is not None:
        return [RelatedBlock([n]) for n in nodes]
    return find_related_blocks(stage.index, stage.base, stage.url, headline)


def _attribution(stage: _Stage, exclude: list[HtmlElement]) -> Attribution | None:
    nodes = stage.select("source")
    if nodes is None:
        return find_attribution(stage.index, stage.base, exclude)
    node = nodes[0]
    found = parse_attribution(node, stage.base)
    if found is not None:
        return found
    link = next(
        (u for u in (absolute_url(stage.base, a.get("href")) for a in node.iter("a")) if u), None
    )
    name = short_text(node, 160) or (site_name(link) if link else None)
    return Attribution(name=name, url=link, label=None, element=node) if name or link else None


def _author_meta_values(page: PageMetadata) -> list[list[str]]:
    """Author meta values, grouped by tag in order of trust; ``twitter:dataN`` last."""
    groups = [page.meta.get(key, []) for key in AUTHOR_META]
    labels, data = page.meta.get("twitter:label1", []), page.meta.get("twitter:data1", [])
    groups.append([d for label, d in zip(labels, data, strict=False) if AUTHOR_LABEL.match(label)])
    return groups


def _meta_authors(page: PageMetadata) -> list[AuthorRole]:
    people: list[AuthorRole] = []
    for values in _author_meta_values(page):
        for value in values:
            if absolute_url("https://x.invalid/", value) and re.match(r"\s*(https?:|/)", value):
                continue  # article:author is often a profile URL
            people.extend(parse_byline(value, declared=True))
        if people:
            break
    return people


def _acronyms(names: list[str]) -> list[str]:
    """``LTO`` for "Legal Tribune Online": initials of names of capitalised words."""
    out = []
    for name in names:
        words = re.findall(r"[^\W\d_]+", name)
        if len(words) >= 2 and all(w[0].isupper() for w in words):
            out.append("".join(w[0] for w in words))
    return out


def _site_credits(page: PageMetadata, url: str) -> list[str]:
    """Names by which the site credits itself: its organisations and names, and meta authors
    naming its domain (``Deutsche Welle (www.dw.com)``)."""
    names = [*page.organisations, *page.site_names[:-1]]
    domain = re.sub(r"^(?:www|m|amp)\.", "", site_name(url).lower())
    if "." in domain:
        for values in _author_meta_values(page):
            for value in values:
                if domain in value.lower() and not re.match(r"\s*(https?:|/)", value):
                    names.extend(p.name for p in parse_byline(value, declared=True))
    return names


def _authors(
    stage: _Stage, exclude: list[HtmlElement], headline: HtmlElement | None
) -> list[AuthorRole]:
    nodes = stage.select("authors")
    orgs = _site_credits(stage.page, stage.url)
    if nodes is not None:
        texts = [text_of(n) for n in nodes]
        return merge_authors([parse_byline(t) for t in texts], orgs, acronyms=_acronyms(orgs))
    visible: list[AuthorRole] = []
    near = False
    for byline in find_bylines(stage.index, exclude, headline):
        text = byline_after_label(byline.text) if byline.marked else byline.text
        visible = parse_byline(text, strict=not byline.marked)
        if visible:
            near = byline.near
            break
    article = stage.page.article
    declared = article.authors if article else []
    # A news agency typed Organization is a credit (``[Person, {Organization: "SDA"}]``); any
    # other organisation as author is the publisher posing as one, used only when no one else is.
    agencies = [AuthorRole(o) for o in (article.organisations if article else []) if is_agency(o)]
    orgs = [o for o in orgs if not is_agency(o)] if agencies else orgs
    declared = [*declared, *agencies]
    acronyms = [a for a in _acronyms(orgs) if not is_agency(a)]
    groups = (declared, _meta_authors(stage.page), visible)
    roles = {p.name.casefold(): p.roles for p in visible}
    for group in groups:
        people = merge_authors([group], orgs, acronyms=acronyms)
        if people and near and _completes(visible, people):
            # The page's byline names everyone declared and more: it is the fuller credit.
            people = merge_authors([people, visible], orgs, acronyms=acronyms)
        if people:
            for person in people:
                for role in roles.get(person.name.casefold(), []):
                    if role not in person.roles:
                        person.roles.append(role)
            return people
    signed = _signature(stage, exclude, orgs, acronyms)
    if signed:
        return signed
    # No person anywhere: the organisation credited as author (an agency, a desk) is the credit.
    credited = [AuthorRole(name) for name in (article.organisations if article else [])]
    for group in (credited + list(declared), *groups[1:]):
        people = merge_authors([group])
        if people:
            return people
    return []


def _signature(
    stage: _Stage, exclude: list[HtmlElement], orgs: list[str], acronyms: list[str]
) -> list[AuthorRole]:
    """Names signing the text (see :func:`find_signature`), when the whole line is names."""
    text = find_signature(stage.index, exclude)
    if not text:
        return []
    people = parse_byline(text, strict=True)
    # Every word of the line is in a name: not a sentence ("Read more", "mit dpa").
    named = {w for p in people for w in re.findall(r"\w+", p.name.casefold())}
    if not people or set(re.findall(r"\w+", text.casefold())) - named:
        return []
    return merge_authors([people], orgs, acronyms=acronyms)


def _completes(visible: list[AuthorRole], declared: list[AuthorRole]) -> bool:
    """``visible`` names every one of ``declared`` and other people (names of two words or
    more: a single word left over is more often a place or a desk) besides."""
    seen = {p.name.casefold() for p in visible}
    known = {p.name.casefold() for p in declared}
    extra = seen - known
    return bool(extra) and known <= seen and all(len(name.split()) >= 2 for name in extra)


def _visible_candidates(
    stage: _Stage, exclude: list[HtmlElement], headline: HtmlElement | None
) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(published, modified) ``(raw, method)`` candidates from the page's own elements."""
    published: list[tuple[str, str]] = []
    modified: list[tuple[str, str]] = []
    found_dates = find_visible_dates(stage.index, exclude, headline, stage.url)
    found_dates.sort(key=lambda d: not d.labelled)  # "Datum …", "Published …" first
    for found in found_dates:
        if found.method != "visible":
            (modified if found.modified else published).append((found.raw, found.method))
            continue
        pos = 0
        for raw in find_dates(found.raw, stage.ctx.languages):
            start = found.raw.find(raw, pos)
            before = found.raw[pos:start]
            pos = start + len(raw)
            is_modified = bool(MODIFIED_HINT.search(before)) or (found.modified and not published)
            (modified if is_modified else published).append((raw, "visible"))
    return published, modified


def _first_date(stage: _Stage, candidates: list[tuple[str | None, str]]) -> FoundDate | None:
    for raw, method in candidates:
        if raw:
            found = parse_dates(raw, stage.ctx, method, stage.events)
            if found is not None:
                return found
    return None


def _quiet_dates(stage: _Stage, candidates: list[tuple[str | None, str]]) -> list[FoundDate]:
    """The plausible dates of ``candidates``; rejections are not counted (these are not the
    record's dates, only the page's other readings)."""
    quiet: list[str] = []
    found = (parse_dates(raw, stage.ctx, method, quiet) for raw, method in candidates if raw)
    return [f for f in found if f is not None]


def _declared_modified(stage: _Stage) -> list[tuple[str | None, str]]:
    """``(raw, method)`` of the modification times the page declares (JSON-LD, then meta)."""
    article = stage.page.article
    return [
        (article.modified if article else None, "jsonld"),
        *((v, "meta") for key in MODIFIED_META for v in stage.page.meta.get(key, [])),
    ]


def _shown_date(
    stage: _Stage,
    declared: FoundDate,
    vis_published: list[tuple[str, str]],
    vis_modified: list[tuple[str, str]],
) -> FoundDate | None:
    """The page's shown date when it outvotes ``declared`` (see :func:`shown_over_declared`
    and :func:`saved_not_published`)."""
    modified = None
    if "T" in declared.value:  # a declared instant stands, unless it is only a save time
        quiet: list[str] = []
        found = (parse_dates(r, stage.ctx, m, quiet) for r, m in _declared_modified(stage) if r)
        modified = next((f for f in found if f is not None), None)
        if not saved_together(declared, modified):
            return None
    shown = _quiet_dates(stage, [(r, m) for r, m in vis_published if m in SHOWN_METHODS])
    if not shown:
        return None
    elsewhere = _quiet_dates(stage, [(r, m) for r, m in vis_modified if m in SHOWN_METHODS])
    if modified is not None:
        return saved_not_published(declared, modified, shown, elsewhere)
    guess = htmldate_date(stage.tree, stage.url, stage.ctx, [])
    return shown_over_declared(declared, shown, elsewhere, guess)


def _as_the_page_writes(
    stage: _Stage,
    found: FoundDate,
    candidates: list[tuple[str | None, str]],
) -> FoundDate:
    """``found`` read in the page's own numeric order and in its own UTC offset (see
    :func:`read_as_the_page` and :func:`in_page_offset`), from the page's other dates
    (``candidates``) and its URL."""
    ambiguous = ambiguous_numeric(found.raw)
    if not ambiguous and not found.value.endswith("+00:00"):
        return found  # nothing to settle: no need to read the page's other dates
    in_url = url_date(stage.url)
    url_day = in_url[1] if in_url else None
    # Only dates with a time of day can tell an offset; every date can confirm an order.
    others = _quiet_dates(
        stage,
        [
            (r, m)
            for r, m in candidates
            if r and r != found.raw and (ambiguous or written_with_time(r))
        ],
    )
    if ambiguous:
        confirmed = {f.value[:10] for f in others if not ambiguous_numeric(f.raw)}
        confirmed |= {url_day.isoformat()} if url_day else set()
        found = read_as_the_page(found, confirmed, stage.ctx)
    return in_page_offset(found, others, url_day)


def _dates(
    stage: _Stage, exclude: list[HtmlElement], headline: HtmlElement | None, hints: PageHints
) -> tuple[FoundDate | None, FoundDate | None]:
    page = stage.page
    article = page.article
    nodes = stage.select("published")
    selected: list[tuple[str | None, str]] = []
    for node in nodes or []:
        value = node.get("datetime") or node.get("content")
        if value:
            selected.append((value, "selector"))
        selected.extend((raw, "selector") for raw in find_dates(text_of(node), stage.ctx.languages))
    vis_published, vis_modified = _visible_candidates(stage, exclude, headline)
    candidates: list[tuple[str | None, str]] = [
        *selected,
        (article.published if article else None, "jsonld"),
        *((v, "meta") for key in PUBLISHED_META for v in page.meta.get(key, [])),
        *((raw, m) for raw, m in vis_published if m == "microdata"),
        *((raw, m) for raw, m in vis_published if m == "time_element"),
        *((raw, m) for raw, m in vis_published if m == "visible"),
    ]
    published = _first_date(stage, candidates)
    if published is not None and published.method in DECLARED_METHODS:
        published = _shown_date(stage, published, vis_published, vis_modified) or published
    if published is not None and published.method != "selector":
        everything = [*candidates, *_declared_modified(stage), *vis_modified]
        published = _as_the_page_writes(stage, published, everything)
    if published is None:
        in_url = url_date(stage.url)
        if in_url is not None:
            found = parse_dates(in_url[1].isoformat(), stage.ctx, "url", stage.events)
            published = dataclasses.replace(found, raw=in_url[0]) if found else None
    if published is None and hints.published:
        published = parse_dates(
            hints.published, stage.ctx, hints.published_method or "feed", stage.events
        )
    modified = _first_date(stage, [*_declared_modified(stage), *vis_modified])
    if modified is not None and published is not None and modified.moment < published.moment:
        stage.events.append(EVENT_MODIFIED_BEFORE_PUBLISHED)
        modified = None
    if published is None and modified is not None:
        # Only an update time is shown: the article was published then or before.
        published = dataclasses.replace(modified, method="modified")
    if published is None:  # nothing declared or shown that our readers find: htmldate's guess
        published = htmldate_date(stage.tree, stage.url, stage.ctx, stage.events)
    return published, modified


def _description(page: PageMetadata) -> str | None:
    if page.article and page.article.description:
        return page.article.description
    value = page.first("og:description", "description", "twitter:description")
    return " ".join(value.split()) if value else None


def _tags(page: PageMetadata) -> list[str]:
    values = list(page.article.keywords) if page.article else []
    if not values:
        values = [v.strip() for v in page.meta.get("article:tag", []) if v.strip()]
    if not values:
        raw = page.first("news_keywords", "keywords")
        values = [v.strip() for v in (raw or "").split(",") if v.strip()]
    return list(dict.fromkeys(values))


def _image(page: PageMetadata, base: str) -> str | None:
    for value in (
        page.first("og:image", "twitter:image"),
        page.article.image if page.article else None,
    ):
        resolved = absolute_url(base, value)
        if resolved:
            return resolved
    return None
