"""Everything the crawl needs from an HTML page, read from one parse of it.

:func:`read_page` parses the page's bytes once and answers, from that one tree, what the spider
asks (is it an article or a hub, which links and feeds it declares, what it says its own URL
is) and then, for an article candidate, runs extraction on the same tree and fingerprints its
body. It is a plain function of picklable arguments, so the crawl runs it in its extraction
workers: the crawl's main process then only downloads, schedules and writes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from lxml.html import HtmlElement

from newscrawler.dedup.config import DedupConfig
from newscrawler.dedup.fingerprint import Fingerprints, fingerprints
from newscrawler.discovery.classify import PageKind, Rejection, classify_page, judge_extraction
from newscrawler.discovery.feeds import find_feed_links
from newscrawler.discovery.links import page_links
from newscrawler.extraction import (
    Extraction,
    ExtractionOptions,
    UnreadablePage,
    extract_parsed,
    parse_page,
)
from newscrawler.extraction.stages import timed
from newscrawler.items import PageHints
from newscrawler.markup import DeclaredLinks, PageMarkup, read_markup
from newscrawler.urls import canonical_url, registered_domain, url_host

ExtractFunction = Callable[..., Extraction]


@dataclass(frozen=True)
class ReadingTask:
    """What the spider knows about a page that reading it needs."""

    url: str
    announced: bool  # a feed or sitemap listed it: extract whatever it looks like
    forced: bool | None  # the site's article URL pattern decides (None: no pattern)
    canonical_of: bool  # fetched as the canonical URL of another page
    domains: frozenset[str]  # the seeds' registered domains: links elsewhere are dropped
    follow: bool  # read its links
    extract: bool = True  # extract it if it is an article candidate


@dataclass(frozen=True)
class PageReading:
    """What a page is and declares, and for an article candidate what extraction found."""

    kind: PageKind
    declared: DeclaredLinks
    links: tuple[str, ...]  # canonical URLs of its links on the seed sites, document order
    feeds: tuple[str, ...]  # the feeds it declares (read on hubs only)
    # Extraction's result and the body's fingerprints: None when the page is no candidate, or
    # when its declared canonical URL is another page on the seed sites (the spider decides
    # whether that URL is fetched instead; see needs_canonical_decision).
    extraction: Extraction | None = None
    fingerprints: Fingerprints | None = None
    # The article judgement of what extraction found (judge_extraction): None when it stands.
    rejection: Rejection | None = None


def read_page(
    body: bytes,
    declared_encoding: str | None,
    task: ReadingTask,
    *,
    hints: PageHints,
    options: ExtractionOptions,
    config: DedupConfig,
    function: ExtractFunction | None = None,
) -> PageReading | Extraction:
    """Read the page once (see the module docstring); an :class:`Extraction` without fields
    when its bytes give no tree. ``function``, a custom extraction function
    (``NEWSCRAWLER_EXTRACTION_FUNCTION``), is given the bytes (and parses them itself)."""
    try:
        tree = parse_page(body, declared_encoding)
    except UnreadablePage as exc:
        return Extraction(None, reason=exc.reason, detail=exc.detail)
    reading, markup = route_page(tree, task)
    if not (task.extract and reading.kind.is_article) or needs_canonical_decision(
        reading.declared, task
    ):
        return reading
    extraction = _extract(tree, markup, body, declared_encoding, task.url, hints, options, function)
    prints = rejection = None
    if extraction.fields is not None:
        rejection = judge_extraction(reading.kind.signals, extraction.fields)
        if rejection is None:
            with timed("fingerprints"):
                prints = fingerprints(str(extraction.fields.get("text") or ""), config)
    return replace(reading, extraction=extraction, fingerprints=prints, rejection=rejection)


def route_page(tree: HtmlElement, task: ReadingTask) -> tuple[PageReading, PageMarkup]:
    """What the page ``tree`` is (article or hub) and declares (its canonical URL, links,
    feeds), without extraction; and its markup, read once for extraction too."""
    with timed("routing"):
        markup = read_markup(tree, task.url)
        kind = classify_page(tree, markup, announced=task.announced)
        if task.forced is not None and task.forced != kind.is_article:
            kind = replace(kind, is_article=task.forced, reason="site_pattern")
        links = on_site_links(tree, markup.base, task.domains) if task.follow else ()
        feeds = () if kind.is_article else tuple(find_feed_links(tree, task.url))
    return PageReading(kind, markup.links, links, feeds), markup


def on_site_links(tree: HtmlElement, base: str, domains: frozenset[str]) -> tuple[str, ...]:
    """Canonical URLs of the page's links whose registered domain is among ``domains``."""

    def on_site(host: str) -> bool:
        return registered_domain(host) in domains

    links = page_links(tree, base, on_site)
    kept = (canonical_url(u) for u in links if on_site(url_host(u)))
    return tuple(dict.fromkeys(kept))


def needs_canonical_decision(declared: DeclaredLinks, task: ReadingTask) -> bool:
    """Whether the page names another page on the seed sites as its canonical URL: the spider
    then decides (with what it has scheduled) whether the page stands for it, and only then is
    it extracted (:meth:`~newscrawler.discovery.variants.VariantRules.instead_of_page`)."""
    if not declared.canonical or task.canonical_of:
        return False
    target = canonical_url(declared.canonical)
    return target != canonical_url(task.url) and registered_domain(url_host(target)) in task.domains


def _extract(
    tree: HtmlElement,
    markup: PageMarkup,
    body: bytes,
    declared_encoding: str | None,
    url: str,
    hints: PageHints,
    options: ExtractionOptions,
    function: ExtractFunction | None,
) -> Extraction:
    if function is None:
        return extract_parsed(tree, url, markup=markup, hints=hints, options=options)
    return function(body, url, declared_encoding=declared_encoding, hints=hints, options=options)
