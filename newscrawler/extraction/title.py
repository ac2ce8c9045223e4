"""The article's title: a choice among the headlines a page declares and the one it shows.

Candidates: the JSON-LD article ``headline``, ``og:title``, ``twitter:title``, ``dc.title``,
``<meta name="headline">`` and ``<title>`` (the declared ones, stripped of the site name and of
tails another source leaves out), and the headings the page shows. A shown heading is an
``<h1>`` outside navigation, widgets and breadcrumb trails (an ``<h1>`` that is the last step of
a trail is the page's search title, not the headline shown above the article); when a heading is
built of a kicker (topline) and a headline in elements of their own
(``<h2><span>Kicker</span><span>Headline</span></h2>``), the headline alone is shown too. The
candidates are ranked by signals that can be told apart on one page, strongest first:

1. **confirmed**: a declared headline that the page also shows: first one that is a shown
   headline without its kicker, then one that is a whole shown heading (declared order:
   JSON-LD > OpenGraph > Twitter > Dublin Core > headline meta > ``<title>``);
2. **shown with a tail**: a declared headline that is a shown heading plus a separator and a
   tail (``Headline - Section``): the heading;
3. **another kicker**: a declared headline that is a shown headline with a kicker of its own
   before it (``Kicker: Headline``, the heading's kicker being a different one): the shown
   headline;
4. **the ``<h2>``**: on a page where no ``<h1>`` can be the headline (its ``<h1>`` is a
   breadcrumb or a logo), rules 1 to 3 with the ``<h2>`` headings that are not teasers (in or
   around a link) in place of the ``<h1>``;
5. **the shown headline**: on a page that is not a news article (no JSON-LD ``NewsArticle`` or
   subtype) and whose first ``<h1>`` is not a kicker and a headline (a news layout), that
   ``<h1>`` when it has at least :data:`SHOWN_HEADLINE_MIN_WORDS` words and is a different
   headline from every declared one, not a variant of one (the same words with a kicker
   before them, or a spelling difference). Blog and CMS pages fill ``og:title``, ``<title>``
   and often the JSON-LD from one search-engine title, while their ``<h1>`` is the headline a
   reader sees; news sites write their declared headlines as headlines, and their ``<h1>``
   often carries a kicker or a live-ticker line;
6. declared order without ``<title>``, then the first shown ``<h1>``, then ``<title>``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml.html import HtmlElement

from newscrawler.extraction.dom import CHROME_TAGS, ancestors, attr_words, text_of
from newscrawler.extraction.metadata import PageMetadata
from newscrawler.text import squash, words
from newscrawler.vocabulary import BREADCRUMB_HINT, NEWS_ARTICLE_TYPES

_TITLE_SEPARATORS = re.compile(r"\s+(?:\||-|–|—|·|::|»|/|•)\s+|\s*[｜ㅣ：]\s*|(?<=\S)-(?=\S+ㅣ)")
# A separator right after a shorter title that another source gives without the tail.
_TAIL_SEPARATOR = re.compile(r"^\s*(?:[-|–—:：｜ㅣ·•»/])\s*")
# What ends a kicker before the headline: ``Kicker: Headline``, ``Kicker - Headline``.
_KICKER_END = re.compile(r":\s+|\s+[-–—|]\s+")
_DATE_SEGMENT = re.compile(r"^\s*\d{1,4}[./-]\d{1,2}[./-]\d{1,4}\s*$")
# Characters that typesetting puts into headlines and a reader never sees: soft hyphens,
# zero-width spaces and joiners, word joiners, byte-order marks.
_INVISIBLE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# An <h1> inside these is navigation or a widget, never the headline (a page <header> is not
# among them: many sites put the headline there).
_NOT_HEADLINE = CHROME_TAGS - {"header"}
# Where a breadcrumb trail would end: the trail sits inside one of these.
_SECTIONS = frozenset({"article", "body", "header", "html", "main", "section"})
# A shown headline shorter than this ("Webcams", "Index funds") is a label, not a headline.
SHOWN_HEADLINE_MIN_WORDS = 3
# Two headlines at least this similar (difflib ratio of their squashed forms) are one headline
# spelt two ways ("Joburg"/"Johannesburg", hyphenation, quotes).
VARIANT_SIMILARITY = 0.9
# Declared headlines in the order they are trusted, with the method name each reports.
_DECLARED = (
    ("og:title", "meta"),
    ("twitter:title", "meta"),
    ("dc.title", "meta"),
    ("headline", "meta"),
)


def clean_title(text: str) -> str:
    """``text`` without invisible typesetting characters, whitespace collapsed."""
    return " ".join(_INVISIBLE.sub("", text).split())


def _is_site_name(segment: str, site_names: list[str]) -> bool:
    seg = squash(segment)
    if not seg or _DATE_SEGMENT.match(segment):
        return True
    for name in site_names:
        squashed = squash(name)
        host_label = squash(name.split(".")[0]) if "." in name and " " not in name else squashed
        if seg in {squashed, host_label} or (
            len(seg) >= 4 and (squashed.startswith(seg) or seg.startswith(host_label))
        ):
            return True
    return False


def strip_site_name(title: str, site_names: list[str]) -> str:
    """``Headline | Site`` (or ``Site - Headline``) → ``Headline``."""
    title = " ".join(title.split())
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    seps = _TITLE_SEPARATORS.findall(title)
    # Drop site-name segments from the end, then from the start.
    while len(parts) > 1 and _is_site_name(parts[-1], site_names):
        parts.pop()
        seps.pop()
    while len(parts) > 1 and _is_site_name(parts[0], site_names):
        parts.pop(0)
        seps.pop(0)
    out = parts[0]
    for sep, part in zip(seps, parts[1:], strict=False):
        out += sep + part
    return out


def _links_home(el: HtmlElement, url: str) -> bool:
    """Whether ``el`` holds a link to the site's home page (a logo, not a headline)."""
    for link in el.iter("a"):
        target = urlsplit(urljoin(url, link.get("href") or ""))
        if link.get("href") is not None and target.path in ("", "/") and not target.query:
            return True
    return False


def _in_breadcrumbs(el: HtmlElement) -> bool:
    """Whether ``el`` is the last step of a breadcrumb trail (the page's name in it): it or an
    element around it names a breadcrumb, up to the nearest section (higher up, the classes of
    a page's ``<body>`` or wrapper name every part the page has, breadcrumbs among them)."""
    node: HtmlElement | None = el
    while node is not None and node.tag not in _SECTIONS:
        if BREADCRUMB_HINT.search(f"{attr_words(node)} {node.get('itemtype')}"):
            return True
        node = node.getparent()
    return False


@dataclass(frozen=True)
class Heading:
    """A heading the page shows: its whole text and, when it is built of a kicker (topline) and
    a headline in elements of their own, the headline alone."""

    text: str
    headline: str | None = None


def _parts(el: HtmlElement) -> list[str]:
    """Texts of the elements ``el`` is built of, when all its text is in them (none when it has
    text of its own: then it is one headline with some words marked up)."""
    while len(el) == 1 and not words(el.text or "") and not words(el[0].tail or ""):
        el = el[0]  # a wrapper (a link, a span) around the parts
    if words(el.text or "") or any(words(child.tail or "") for child in el):
        return []
    return [t for t in (clean_title(text_of(c)) for c in el if isinstance(c.tag, str)) if words(t)]


def _heading(el: HtmlElement) -> Heading:
    parts = _parts(el)
    headline = parts[-1] if len(parts) >= 2 else None
    if headline is not None and len(words(headline)) < SHOWN_HEADLINE_MIN_WORDS:
        headline = None
    return Heading(clean_title(text_of(el)), headline)


def shown_headings(
    tree: HtmlElement, site_names: list[str], url: str = "", tag: str = "h1"
) -> list[Heading]:
    """The ``tag`` headings that can be the article's headline, in page order.

    Left out: those in navigation, footers, asides, menus, forms and breadcrumb trails, those
    that only name the site, those linking to the home page (a logo) and, for ``<h2>``, those
    in or around a link (a teaser of another story).
    """
    out: list[Heading] = []
    for el in tree.iter(tag):
        if any(isinstance(a.tag, str) and a.tag in _NOT_HEADLINE for a in ancestors(el)):
            continue
        if _in_breadcrumbs(el) or _links_home(el, url):
            continue
        if tag != "h1" and (next(el.iter("a"), None) is not None or _in_link(el)):
            continue
        heading = _heading(el)
        if not heading.text or _is_site_name(heading.text, site_names):
            continue
        if heading.text not in (h.text for h in out):
            out.append(heading)
    return out


def _in_link(el: HtmlElement) -> bool:
    return any(a.tag == "a" for a in ancestors(el))


def visible_headlines(tree: HtmlElement, site_names: list[str], url: str = "") -> list[str]:
    """Texts of the ``<h1>`` elements that can be the article's headline, in page order (see
    :func:`shown_headings`)."""
    return [h.text for h in shown_headings(tree, site_names, url)]


def _without_tails(values: list[tuple[str, str]], others: list[str]) -> list[tuple[str, str]]:
    """Cut a tail (``Headline - National``) off when another source gives the headline alone."""
    out: list[tuple[str, str]] = []
    pool = [v for _m, v in values] + others
    for method, value in values:
        best = value
        for other in pool:
            if (
                other
                and len(other) >= 10
                and len(other) < len(best)
                and value.startswith(other)
                and _TAIL_SEPARATOR.match(value[len(other) :])
            ):
                best = other
        out.append((method, best))
    return out


def declared_titles(
    tree: HtmlElement, page: PageMetadata, shown: list[str]
) -> list[tuple[str, str]]:
    """``(method, headline)`` of every declared title, most trusted first, cleaned."""
    raw: list[tuple[str, str]] = []
    if page.article and page.article.headline:
        raw.append(("jsonld", page.article.headline))
    for key, method in _DECLARED:
        value = page.first(key)
        if value:
            raw.append((method, value))
    title_el = next(iter(tree.iter("title")), None)
    if title_el is not None and text_of(title_el):
        raw.append(("title", text_of(title_el)))
    cleaned = [(m, strip_site_name(clean_title(v), page.site_names)) for m, v in raw]
    return _without_tails([(m, v) for m, v in cleaned if v], shown)


def is_variant(shown: str, declared: str) -> bool:
    """Whether two headlines are one: the same words, one with a kicker or rubric before them
    (``Premier League: Liverpool lose`` / ``Liverpool lose``), or spelt alike."""
    a, b = words(shown), words(declared)
    if not a or not b:
        return False
    short, long = (a, b) if len(a) < len(b) else (b, a)
    if len(short) >= 2 and long[-len(short) :] == short:
        return True
    return difflib.SequenceMatcher(None, squash(shown), squash(declared)).ratio() >= (
        VARIANT_SIMILARITY
    )


def is_news_article(page: PageMetadata) -> bool:
    """Whether the page's JSON-LD article is a ``NewsArticle`` (or a subtype, a live blog)."""
    return page.article is not None and page.article.type in NEWS_ARTICLE_TYPES


def _with_other_kicker(value: str, headline: str) -> bool:
    """Whether ``value`` is ``headline`` after a kicker and a separator (``Kicker: Headline``)."""
    parts = _KICKER_END.split(value, maxsplit=1)
    return len(parts) == 2 and bool(words(parts[0])) and squash(parts[1]) == squash(headline)


def _shown_choice(
    declared: list[tuple[str, str]], shown: list[Heading], method: str
) -> tuple[str, str] | None:
    """The headline that the ``shown`` headings confirm (rules 1 to 3 of the module)."""
    parts = {squash(h.headline) for h in shown if h.headline}
    for name, value in declared:  # 1. the shown headline without its kicker
        if squash(value) in parts:
            return value, name
    texts = {squash(h.text) for h in shown if squash(h.text)}
    for name, value in declared:  # 1. the whole shown heading
        if squash(value) in texts:
            return value, name
    for _name, value in declared:  # 2. a shown heading with a tail
        for h in shown:
            key = squash(h.text)
            if len(key) >= 10 and squash(value).startswith(key):
                return h.text, method
    for h in shown:  # 3. the shown headline, where a declared one puts another kicker before it
        if h.headline and any(_with_other_kicker(value, h.headline) for _name, value in declared):
            return h.headline, method
    return None


def choose_title(
    tree: HtmlElement, page: PageMetadata, url: str = ""
) -> tuple[str | None, str | None]:
    """The article's headline and where it came from (``jsonld``, ``meta``, ``h1``, ``h2``,
    ``title``); the rules are in the module's docstring."""
    shown = shown_headings(tree, page.site_names, url)
    declared = declared_titles(tree, page, [h.text for h in shown])
    if shown:
        found = _shown_choice(declared, shown, "h1")
    else:  # 4. no <h1> is a headline: the page shows it in an <h2>
        found = _shown_choice(declared, shown_headings(tree, page.site_names, url, "h2"), "h2")
    if found is not None:
        return found
    first = shown[0].text if shown else None
    if (  # 5. the shown headline, a different one from the declared
        first
        and not is_news_article(page)
        and not shown[0].headline
        and len(words(first)) >= SHOWN_HEADLINE_MIN_WORDS
        and not any(is_variant(first, value) for _m, value in declared)
    ):
        return first, "h1"
    for method, value in declared:  # 6. declared order, <title> last
        if method != "title":
            return value, method
    if first:
        return first, "h1"
    for method, value in declared:
        return value, method
    return None, None
