"""Related-articles blocks ("Посмотреть также...", "Read more", "Mehr zum Thema") and their entries.

A block is found by its heading or label (whole text in
:data:`~newscrawler.vocabulary.RELATED_LABELS`) or by a container whose class/id says so
(``related``, ``see-also``, ``read-more``…). A block that would swallow the article itself (it
holds the headline or most of the page's text) is narrowed to the label and the link-bearing
siblings after it. Each link target in a block is one entry: its title, absolute URL, the dates
and byline written beside it, and an excerpt.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from typing import Any

from lxml.html import HtmlElement

from newscrawler.extraction.authors import AuthorRole, merge_authors, parse_byline
from newscrawler.extraction.dates import DateContext, FoundDate, find_dates, parse_dates
from newscrawler.extraction.dom import (
    PageIndex,
    ancestors,
    attr_words,
    contains,
    text_of,
)
from newscrawler.urls import absolute_url
from newscrawler.vocabulary import is_related_label, related_prefix, split_author_prefix

_RELATED_ATTR = re.compile(
    r"(?:^|[\s_-])(?:related|see-?also|seealso|read-?also|also-?read|more-?(?:stories|news|articles)"
    r"|recommended|recommendations|similar-?(?:articles|news|posts|stories)|po-?teme"
    r"|mehr-?zum-?thema|lesen-?sie-?auch|weitere-?artikel|a-?lire(?:-?aussi)?|lire-?aussi"
    r"|voir-?aussi|relacionad[ao]s?|noticias-?relacionadas|correlat[ie]|leggi-?anche"
    r"|lees-?ook|czytaj-?(?:tez|takze))(?:$|[\s_-])"
)
_LABEL_TAGS: tuple[str, ...] = (
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "div",
    "span",
    "p",
    "strong",
    "b",
    "header",
)
_LABEL_TAGS += ("legend", "dt", "em", "i", "li", "button", "label", "figcaption", "caption")
_CONTAINER_TAGS = frozenset({"div", "section", "aside", "ul", "ol", "nav", "footer", "dl", "table"})
_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
_EXCERPT_ATTR = re.compile(r"excerpt|lead|summary|desc|teaser|intro|anons|annot|preview|snippet")
_AUTHOR_ATTR = re.compile(r"author|byline|autor|avtor|writer|signature")
_PIECE_SEPARATORS = re.compile(r"\s*[|·•]\s*")
# Links to people, tags and sections sit inside entries but are not entries themselves.
_NOT_ENTRY = re.compile(
    r"/(?:authors?|autor(?:en)?|avtory?|auteurs?|people|person|profile|journalist[s]?|tags?|topics?"
    r"|themen|thema|category|categories|rubric|rubrika|section|search|comments?)(?:/|$|\?)",
    re.I,
)


@dataclass
class RelatedBlock:
    """A related-articles block: the nodes to take entries from (and to keep out of the body)."""

    nodes: list[HtmlElement]
    label: HtmlElement | None = None


class _Finder:
    """Finds related blocks on one page, with the page's links indexed once."""

    def __init__(self, index: PageIndex, base: str, url: str, headline: HtmlElement | None) -> None:
        self.index = index
        self.base = base
        self.url = url
        self.headline = headline
        body = index.tree.find("body")
        self.total_text = index.size.get(body if body is not None else index.tree, 0)
        self.own = url.split("#")[0]
        self.links = [(index.pos[a], a) for a in index.tree.iter("a") if a.get("href")]
        self.positions = [p for p, _a in self.links]
        self._entry: dict[HtmlElement, bool] = {}

    def links_in(self, el: HtmlElement) -> list[tuple[int, HtmlElement]]:
        """Links inside ``el``, in document order."""
        start, end = self.index.pos[el], self.index.end[el]
        return self.links[bisect_left(self.positions, start) : bisect_right(self.positions, end)]

    def is_entry(self, a: HtmlElement) -> bool:
        """Whether ``a`` looks like a link to an article: a title of 12+ characters, elsewhere."""
        known = self._entry.get(a)
        if known is None:
            known = False
            if self.index.size.get(a, 0) >= 12:
                target = absolute_url(self.base, a.get("href"))
                if target is not None:
                    target = target.split("#")[0]
                    known = target != self.own and not _NOT_ENTRY.search(target)
            self._entry[a] = known
        return known

    def has_entries(self, el: HtmlElement, label: HtmlElement | None = None) -> bool:
        """Whether ``el`` links to at least one article-looking target."""
        for _pos, a in self.links_in(el):
            if label is not None and self.index.contains(label, a):
                continue
            if self.is_entry(a):
                return True
        return False

    def non_link_text(self, el: HtmlElement) -> int:
        links = sum(self.index.size.get(a, 0) for _p, a in self.links_in(el))
        return max(0, self.index.size.get(el, 0) - links)

    def allows(self, el: HtmlElement) -> bool:
        """Whether ``el`` may be a block: it must not swallow the headline or the article."""
        if el.tag in ("html", "body", "article", "main"):
            return False
        if self.headline is not None and self.index.contains(el, self.headline):
            return False
        return self.non_link_text(el) <= max(400, self.total_text // 2)

    def link_density(self, el: HtmlElement) -> float:
        links = sum(self.index.size.get(a, 0) for _p, a in self.links_in(el))
        return links / max(1, self.index.size.get(el, 0))

    def block_for_label(self, label: HtmlElement) -> RelatedBlock | None:
        """The smallest container of ``label`` with entries, if it starts with the label."""
        child = label
        before = 0  # text of the container that comes before the label
        for parent in ancestors(label):
            for sibling in child.itersiblings(preceding=True):
                before += self.index.size.get(sibling, 0) + len((sibling.tail or "").strip())
            before += len((parent.text or "").strip())
            if self.has_entries(parent, label):
                if before <= 200 and self.allows(parent):
                    return RelatedBlock([parent], label)
                return self.sibling_run(child, label)
            child = parent
        return None

    def sibling_run(self, start: HtmlElement, label: HtmlElement) -> RelatedBlock | None:
        """The label's own element and the link lists right after it (no wrapping container)."""
        nodes = [start]
        sibling = start.getnext()
        while sibling is not None:
            if not isinstance(sibling.tag, str):
                sibling = sibling.getnext()
                continue
            if sibling.tag in _HEADINGS or not self.has_entries(sibling):
                break
            if self.non_link_text(sibling) > 600 or self.link_density(sibling) < 0.3:
                break
            nodes.append(sibling)
            sibling = sibling.getnext()
        if len(nodes) == 1:
            return None
        return RelatedBlock(nodes, label)


def find_related_blocks(
    index: PageIndex, base: str, url: str, headline: HtmlElement | None
) -> list[RelatedBlock]:
    """Related-articles blocks of the page, not nested in one another."""
    finder = _Finder(index, base, url, headline)
    blocks: list[RelatedBlock] = []

    def taken(el: HtmlElement) -> bool:
        return any(index.contains(node, el) for b in blocks for node in b.nodes)

    for el in index.tree.iter(*_LABEL_TAGS):
        text = index.short_text(el, 80)
        if not text or taken(el):
            continue
        if is_related_label(text):
            if any(index.short_text(child, 80) == text for child in el):
                continue  # the innermost element carries the label
            block = finder.block_for_label(el)
            if block is not None:
                blocks.append(block)
        elif (
            el.tag in ("p", "div", "li")
            and related_prefix(text) is not None
            and finder.has_entries(el)
            and finder.allows(el)
        ):
            blocks.append(RelatedBlock([el], None))

    for el in index.tree.iter(*_CONTAINER_TAGS):
        if not _RELATED_ATTR.search(attr_words(el)) or taken(el):
            continue
        if any(index.contains(el, node) for b in blocks for node in b.nodes):
            continue  # would swallow an already found block: keep the tighter one
        if finder.allows(el) and finder.link_density(el) >= 0.25 and finder.has_entries(el):
            blocks.append(RelatedBlock([el], None))
    return blocks


def _item_for(link: HtmlElement, root: HtmlElement, target: str, base: str) -> HtmlElement:
    """The largest element around ``link`` (below ``root``) that links to ``target`` only."""
    item = link
    for parent in ancestors(link):
        if parent is root:
            break
        urls = {absolute_url(base, a.get("href")) for a in parent.iter("a")}
        urls = {u.split("#")[0] for u in urls if u and not _NOT_ENTRY.search(u)}
        if urls - {target}:
            break
        item = parent
    return item


_BLOCK_TAGS = frozenset(
    {"div", "p", "li", "ul", "ol", "section", "article", "header", "footer", "figure", "table"}
    | {"h1", "h2", "h3", "h4", "h5", "h6", "dl", "dt", "dd", "blockquote", "tr", "td"}
)
_NO_TEXT = frozenset({"script", "style", "noscript", "template", "svg", "button"})


def _pieces(item: HtmlElement, skip: list[HtmlElement]) -> list[tuple[str, str]]:
    """``(text, attribute words)`` of the text runs of ``item``, without the title links.

    A block without block children is one run, its whitespace kept (the raw dates keep their
    spacing); an inline child marked as a byline (class ``author``…) is a run of its own.
    """
    out: list[tuple[str, str]] = []

    def collect(node: HtmlElement, buf: list[str], root: HtmlElement) -> None:
        if node.text:
            buf.append(node.text)
        for child in node:
            if isinstance(child.tag, str) and child.tag not in _NO_TEXT:
                if any(child is s for s in skip):
                    buf.append(" | ")
                elif _AUTHOR_ATTR.search(attr_words(child)) and child is not root:
                    cbuf: list[str] = []
                    collect(child, cbuf, child)
                    out.append(("".join(cbuf).strip(), "author"))
                    buf.append(" | ")
                else:
                    collect(child, buf, root)
            if child.tail:
                buf.append(child.tail)

    def visit(el: HtmlElement, context: str) -> None:
        if not isinstance(el.tag, str) or el.tag in _NO_TEXT or any(el is s for s in skip):
            return
        context = f"{context} {attr_words(el)}"
        has_blocks = any(
            isinstance(d.tag, str) and d.tag in _BLOCK_TAGS for d in el.iterdescendants()
        )
        if not has_blocks:
            buf: list[str] = []
            collect(el, buf, el)
            text = "".join(buf).strip()
            if text.strip(" |"):
                out.append((text, context))
            return
        own = " ".join([el.text or ""] + [c.tail or "" for c in el]).strip()
        if own:
            out.append((own, context))
        for child in el:
            visit(child, context)

    visit(item, "")
    return out


def _entry_links(
    nodes: list[HtmlElement], label: HtmlElement | None, base: str, page_url: str
) -> dict[str, list[HtmlElement]]:
    """Links of ``nodes`` grouped by target (a picture and a headline often share one)."""
    seen: dict[str, list[HtmlElement]] = {}
    own = page_url.split("#")[0]
    for node in nodes:
        for a in node.iter("a"):
            if label is not None and contains(label, a):
                continue
            target = absolute_url(base, a.get("href"))
            if target is None:
                continue
            target = target.split("#")[0]
            if target != own and not _NOT_ENTRY.search(target):
                seen.setdefault(target, []).append(a)
    return seen


def entries_of(
    block: RelatedBlock, base: str, url: str, ctx: DateContext, events: list[str]
) -> list[dict[str, Any]]:
    """The block's entries: one a linked article, with the dates, byline and excerpt beside it."""
    links = _entry_links(block.nodes, block.label, base, url)
    entries: list[dict[str, Any]] = []
    for target, anchors in links.items():
        root = next(n for n in block.nodes if contains(n, anchors[0]))
        item = _item_for(anchors[0], root, target, base)
        title = max((text_of(a) for a in anchors), key=len, default="")
        if not title:
            heading = next((h for h in item.iter(*_HEADINGS) if text_of(h)), None)
            title = text_of(heading) if heading is not None else ""
        if not title:
            continue
        if item is root and len(links) > 1:
            entries.append(_entry(title, target, [], [], None))
            continue
        dates: list[FoundDate] = []
        people: list[AuthorRole] = []
        excerpts: list[tuple[bool, str]] = []
        for text, context in _pieces(item, anchors):
            rest = text
            for raw in find_dates(text, ctx.languages):
                found = parse_dates(raw, ctx, "visible", events)
                if found is not None:
                    dates.append(found)
                rest = rest.replace(raw, " | ")
            for part in _PIECE_SEPARATORS.split(rest):
                part = " ".join(part.split()).strip(" ,;")
                if not part:
                    continue
                prefix, _name = split_author_prefix(part)
                if prefix or _AUTHOR_ATTR.search(context):
                    people.extend(parse_byline(part))
                elif (len(part.split()) >= 3 or _EXCERPT_ATTR.search(context)) and part != title:
                    excerpts.append((bool(_EXCERPT_ATTR.search(context)), part))
        excerpt = None
        if excerpts:
            excerpt = max(excerpts, key=lambda e: (e[0], len(e[1])))[1]
        entries.append(_entry(title, target, dates, merge_authors([people]), excerpt))
    return entries


def _entry(
    title: str,
    url: str,
    dates: list[FoundDate],
    people: list[AuthorRole],
    excerpt: str | None,
) -> dict[str, Any]:
    ordered = sorted(dates, key=lambda d: d.moment)
    published = ordered[0] if ordered else None
    modified = ordered[-1] if len(ordered) > 1 and ordered[-1].value != ordered[0].value else None
    return {
        "title": title,
        "url": url,
        "published": published.value if published else None,
        "published_raw": published.raw if published else None,
        "modified": modified.value if modified else None,
        "modified_raw": modified.raw if modified else None,
        "dates": [{"raw": d.raw, "value": d.value} for d in dates],
        "authors": [p.name for p in people],
        "author_roles": [p.as_dict() for p in people],
        "excerpt": excerpt,
    }
