"""Ad labels ("Реклама", "Anzeige") and share prompts ("Поделиться") kept out of the body."""

from __future__ import annotations

from lxml.html import HtmlElement

from newscrawler.extraction.dom import PageIndex, ancestors
from newscrawler.vocabulary import is_ad_label, is_share_prompt

_CANDIDATE_TAGS: tuple[str, ...] = (
    "p",
    "div",
    "span",
    "small",
    "a",
    "li",
    "strong",
    "b",
    "em",
    "i",
    "button",
)
_CANDIDATE_TAGS += ("h2", "h3", "h4", "h5", "h6", "aside", "section", "ins", "label", "figcaption")
_STOP = frozenset({"body", "html", "article", "main"})


def boilerplate_nodes(index: PageIndex) -> list[HtmlElement]:
    """Elements whose whole text is an ad label or a share prompt (the outermost such element)."""
    found: list[HtmlElement] = []
    for el in index.tree.iter(*_CANDIDATE_TAGS):
        text = index.short_text(el, 40)
        if not text or not (is_ad_label(text) or is_share_prompt(text)):
            continue
        top = el
        for parent in ancestors(el):
            if parent.tag in _STOP or index.short_text(parent, 40) != text:
                break
            top = parent
        if not index.inside_any(top, found):
            found = [f for f in found if not index.contains(top, f)]
            found.append(top)
    return found
