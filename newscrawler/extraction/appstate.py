"""The article a JavaScript page ships as data, read without running the page.

Pages built by Next.js or Nuxt often carry the whole article in a script for the browser to
render, while their HTML is an empty shell. :func:`read_app_state` reads each of these that the
page ships, in the order of its scripts (flight data last, once all its chunks are read):

- ``next_data``: ``<script id="__NEXT_DATA__">``, one JSON document (Next.js Pages Router);
- ``next_flight``: the App Router's flight data, ``self.__next_f.push([1, "..."])`` chunks
  whose string payloads, concatenated, are rows ``id:value``: JSON values, and text rows
  ``id:T<hex length>,<text>`` (the length counted in UTF-8 bytes) that JSON values reference
  as ``"$id"``;
- ``nuxt``: ``window.__NUXT__ = {...}`` (a JavaScript object literal, or a function called with
  the values its returned object names), parsed with chompjs; ``<script id="__NUXT_DATA__">``,
  the JSON array in which every value is the index of another entry (devalue's format).

JSON-LD ``articleBody`` is read by :mod:`newscrawler.extraction.body` with the rest of the DOM.

Where the article is in an arbitrary tree (:func:`find_article`): every string is turned into
paragraphs (an HTML fragment by its block elements, plain text by its lines). Strings found at
the same place of sibling entries (``body[0].text``, ``body[1].text``...) form one candidate, in
document order: an article kept as a list of blocks. A candidate is worth the characters of its
sentences (paragraphs of :data:`SENTENCE_MIN_WORDS` words or more ending like a sentence), twice
that under a key that names a body (``body``, ``content``, ``text``, ``articleBody``...: the
lists in :mod:`newscrawler.vocabulary`); candidates under keys of other stories, comments or
furniture (``related``, ``teaser``, ``menu``...) are left out. The best candidate is the text;
its headline, publication time and authors are the nearest such keys on the way back up from
the text to the root.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import chompjs
from lxml import etree
from lxml import html as lxml_html
from lxml.html import HtmlElement

from newscrawler.extraction.body import render_blocks, word_count
from newscrawler.text import coverage
from newscrawler.vocabulary import (
    APP_STATE_AUTHOR_KEYS,
    APP_STATE_BODY_KEYS,
    APP_STATE_DATE_KEYS,
    APP_STATE_NAME_KEYS,
    APP_STATE_SKIP_KEYS,
    APP_STATE_TITLE_KEYS,
)

# A paragraph is a sentence of the article when it has this many words and ends like one.
SENTENCE_MIN_WORDS = 6
# A candidate under a body key counts this many times its sentences' characters.
BODY_KEY_WEIGHT = 2
# The app state's text replaces the DOM's when it holds this many times its words and this
# share of the DOM text's 4-word shingles: the page's HTML showed a part of the article (its
# first paragraphs, a teaser).
MORE_TEXT = 2.0
AGREEMENT = 0.5
# Deeper nesting than this is not read (no article is kept that deep; hostile pages may be).
MAX_DEPTH = 64
# No more entries than this are revived from a ``__NUXT_DATA__`` array (shared references can
# make the revived tree exponentially larger than the array).
MAX_REVIVED = 200_000

Path = tuple[str | int, ...]

_SENTENCE_END = re.compile(r"[.!?…。！？][\"'»”’)\]]*$")
_TAG = re.compile(r"<[a-zA-Z][^<>]*>")
# A template's placeholder left in the text: one token wrapped in symbols ("$$ARTICLEAD$$").
_PLACEHOLDER = re.compile(r"^[^\w\s\"'«„“(]+\w+[^\w\s\"'»”.!?)]+$")
# Image captions and credits are not article text (as in the DOM's body, see body.py).
_CAPTIONS = "//figcaption | //*[contains(concat(' ', normalize-space(@class), ' '), ' caption ')]"
_SPACE = re.compile(r"\s")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")
_FLIGHT_PUSH = "self.__next_f.push("
_NUXT_ASSIGN = "window.__NUXT__"
_DEVALUE_WRAPPERS = frozenset({"Reactive", "ShallowReactive", "Ref", "ShallowRef", "EmptyRef"})
# Literals chompjs hands back as strings (it keeps the source of what is no JSON value).
_JS_EMPTY = frozenset({"null", "undefined", "void 0"})


@dataclass(frozen=True)
class AppArticle:
    """The article found in a page's app state."""

    text: str  # paragraphs separated by a blank line
    method: str  # "next_data", "next_flight" or "nuxt"
    title: str | None = None
    published: str | None = None  # as written in the data
    authors: list[str] = field(default_factory=list)


def read_app_state(tree: HtmlElement) -> AppArticle | None:
    """The article in the first of the page's app states that holds one, or ``None``.

    Never raises on malformed data: a script that does not parse is skipped.
    """
    for method, data in app_states(tree):
        found = find_article(data)
        if found is not None:
            text, meta = found
            return AppArticle(text, method, **meta)
    return None


def prefer_app_state(dom_text: str | None, app_text: str, min_words: int) -> bool:
    """Whether the app state's text replaces the DOM's: when the DOM gave no body or one of
    fewer than ``min_words`` words (an app shell's leftovers), or when the app state holds
    :data:`MORE_TEXT` times the DOM's words and :data:`AGREEMENT` of its text."""
    if not dom_text or word_count(dom_text) < min_words:
        return word_count(app_text) > word_count(dom_text or "")
    return (
        word_count(app_text) >= MORE_TEXT * word_count(dom_text)
        and coverage(app_text, dom_text) >= AGREEMENT
    )


def app_states(tree: HtmlElement) -> Iterator[tuple[str, Any]]:
    """``(method, data)`` of each app state the page ships that parses."""
    flight: list[str] = []
    for script in tree.iter("script"):
        source = script.text or ""
        ident = script.get("id")
        if ident == "__NEXT_DATA__":
            data = _json(source)
            if data is not None:
                yield "next_data", data
        elif ident == "__NUXT_DATA__":
            data = _json(source)
            if isinstance(data, list):
                yield "nuxt", revive_devalue(data)
        elif source.lstrip().startswith(_FLIGHT_PUSH):
            chunk = _flight_chunk(source)
            if chunk is not None:
                flight.append(chunk)
        elif _NUXT_ASSIGN in source:
            data = nuxt_object(source)
            if data is not None:
                yield "nuxt", data
    if flight:
        yield "next_flight", flight_rows("".join(flight))


# --- sources ---------------------------------------------------------------------------------


def _json(source: str) -> Any:
    try:
        return json.loads(source)
    except (ValueError, RecursionError):
        return None


def _flight_chunk(source: str) -> str | None:
    """The string payload of one ``self.__next_f.push([1, "..."])`` script."""
    start = source.find(_FLIGHT_PUSH) + len(_FLIGHT_PUSH)
    end = source.rfind(")")
    pushed = _json(source[start:end]) if end > start else None
    if isinstance(pushed, list) and len(pushed) == 2 and pushed[0] == 1:
        payload = pushed[1]
        return payload if isinstance(payload, str) else None
    return None


def flight_rows(stream: str) -> dict[str, Any]:
    """The rows of a flight stream by id: JSON values, and text rows as strings; a JSON value's
    ``"$id"`` reference to a text row is replaced by the text."""
    rows: dict[str, Any] = {}
    texts: dict[str, str] = {}
    data = stream.encode("utf-8", "surrogatepass")
    pos = 0
    while pos < len(data):
        colon = data.find(b":", pos)
        if colon < 0:
            break
        ident = data[pos:colon].decode("ascii", "replace").strip()
        if data[colon + 1 : colon + 2] == b"T":
            comma = data.find(b",", colon)
            try:
                size = int(data[colon + 2 : comma], 16)
            except ValueError:
                size = -1
            if comma < 0 or size < 0:
                break
            texts[ident] = data[comma + 1 : comma + 1 + size].decode("utf-8", "replace")
            pos = comma + 1 + size
            continue
        end = data.find(b"\n", colon)
        end = len(data) if end < 0 else end
        value = data[colon + 1 : end].decode("utf-8", "replace")
        value = value.lstrip("ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # a row type: I(mport), HL (hint)...
        parsed = _json(value)
        if parsed is not None:
            rows[ident] = parsed
        pos = end + 1
    resolved = {ident: _resolve_texts(value, texts, 0) for ident, value in rows.items()}
    used = _references(resolved)
    for ident, text in texts.items():
        if f"${ident}" not in used:
            resolved[ident] = text  # a text row nothing points to: read where it stands
    return resolved


def _resolve_texts(value: Any, texts: dict[str, str], depth: int) -> Any:
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, str):
        if value.startswith("$") and value[1:] in texts:
            return _Resolved(texts[value[1:]], value)
        return value
    if isinstance(value, list):
        return [_resolve_texts(v, texts, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: _resolve_texts(v, texts, depth + 1) for k, v in value.items()}
    return value


class _Resolved(str):
    """A text row's text standing where a JSON value referenced it, with the reference."""

    reference: str

    def __new__(cls, text: str, reference: str) -> _Resolved:
        obj = super().__new__(cls, text)
        obj.reference = reference
        return obj


def _references(tree: Any) -> set[str]:
    found: set[str] = set()
    for _path, value in _leaves(tree, (), 0):
        if isinstance(value, _Resolved):
            found.add(value.reference)
    return found


def nuxt_object(source: str) -> Any:
    """The object of a ``window.__NUXT__ = ...`` script: an object literal, or the object a
    function returns, its parameters replaced by the values it is called with."""
    start = source.find(_NUXT_ASSIGN)
    rest = source[start + len(_NUXT_ASSIGN) :].lstrip()
    if not rest.startswith("="):
        return None
    rest = rest[1:].lstrip()
    try:
        if rest.lstrip("(").startswith("function"):
            return _nuxt_function(rest)
        return _js_value(chompjs.parse_js_object(rest))
    except (ValueError, RecursionError):
        return None


def _nuxt_function(source: str) -> Any:
    """``(function(a,b){return {...}}("x",2))``: the returned object with ``a``, ``b`` bound."""
    open_params = source.find("(", source.find("function"))
    close_params = source.find(")", open_params)
    params = [p.strip() for p in source[open_params + 1 : close_params].split(",") if p.strip()]
    body_start = source.find("{", close_params)
    body_end = _matching(source, body_start)
    if body_start < 0 or body_end < 0:
        return None
    returned = source.find("return", body_start, body_end)
    if returned < 0:
        return None
    value: Any = chompjs.parse_js_object(source[returned + len("return") : body_end])
    call = source.find("(", body_end)
    call_end = _matching(source, call) if call >= 0 else -1
    args: list[Any] = []
    if call_end > call:
        listed: Any = chompjs.parse_js_object(f"[{source[call + 1 : call_end]}]")
        args = listed if isinstance(listed, list) else []
    bound = dict(zip(params, (_js_value(a) for a in args), strict=False))
    return _bind(_js_value(value), bound, 0)


def _matching(source: str, start: int) -> int:
    """Index of the bracket closing the one at ``start`` (strings skipped), or -1."""
    if start < 0:
        return -1
    pairs = {"(": ")", "{": "}", "[": "]"}
    stack: list[str] = []
    quote = ""
    i = start
    while i < len(source):
        char = source[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'`":
            quote = char
        elif char in pairs:
            stack.append(pairs[char])
        elif stack and char == stack[-1]:
            stack.pop()
            if not stack:
                return i
        i += 1
    return -1


def _js_value(value: Any) -> Any:
    """chompjs's result with JavaScript's empty literals as ``None``."""
    if isinstance(value, str):
        return None if value in _JS_EMPTY else value
    if isinstance(value, list):
        return [_js_value(v) for v in value]
    if isinstance(value, dict):
        return {k: _js_value(v) for k, v in value.items()}
    return value


def _bind(value: Any, bound: dict[str, Any], depth: int) -> Any:
    if depth > MAX_DEPTH:
        return None
    if isinstance(value, str):
        return bound.get(value, value)
    if isinstance(value, list):
        return [_bind(v, bound, depth + 1) for v in value]
    if isinstance(value, dict):
        return {k: _bind(v, bound, depth + 1) for k, v in value.items()}
    return value


def revive_devalue(table: list[Any]) -> Any:
    """The tree a ``__NUXT_DATA__`` array encodes: entry 0 is the root, and every number in an
    object or a list is the index of the entry it stands for (negative ones are empty)."""
    budget = [MAX_REVIVED]

    def revive(index: Any, depth: int, active: frozenset[int]) -> Any:
        if not isinstance(index, int) or isinstance(index, bool) or not 0 <= index < len(table):
            return None
        if index in active or depth > MAX_DEPTH or budget[0] <= 0:
            return None  # a cycle, too deep, or too large: left empty
        budget[0] -= 1
        entry = table[index]
        inner = active | {index}
        if isinstance(entry, dict):
            return {k: revive(v, depth + 1, inner) for k, v in entry.items()}
        if isinstance(entry, list):
            if entry and isinstance(entry[0], str):
                kind = entry[0]
                if kind in _DEVALUE_WRAPPERS and len(entry) > 1:
                    return revive(entry[1], depth + 1, inner)
                if kind == "Date" and len(entry) > 1:
                    return entry[1]
                return [revive(v, depth + 1, inner) for v in entry[1:]]  # Set, Map, ...
            return [revive(v, depth + 1, inner) for v in entry]
        return entry

    return revive(0, 0, frozenset())


# --- finding the article ---------------------------------------------------------------------


def _key(name: str | int) -> str:
    return _NON_ALNUM.sub("", name.lower()) if isinstance(name, str) else ""


def _leaves(tree: Any, path: Path, depth: int) -> Iterator[tuple[Path, str]]:
    """``(path, string)`` of every string in ``tree``, in document order."""
    if depth > MAX_DEPTH:
        return
    if isinstance(tree, str):
        yield path, tree
    elif isinstance(tree, dict):
        for name, value in tree.items():
            yield from _leaves(value, (*path, str(name)), depth + 1)
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _leaves(value, (*path, index), depth + 1)


def paragraphs_of(value: str) -> list[str]:
    """The paragraphs of one string: an HTML fragment's blocks (image captions left out), else
    its non-empty lines; template placeholders ("$$ARTICLEAD$$") are dropped."""
    if "<" not in value and not _SPACE.search(value):  # one token, or a line of CJK text
        return [value] if value.strip() and not _PLACEHOLDER.match(value) else []
    if _TAG.search(value):
        try:
            fragment = lxml_html.fragment_fromstring(value, create_parent="div")
        except (etree.ParserError, ValueError):
            fragment = None
        if fragment is not None:
            for caption in fragment.xpath(_CAPTIONS):
                caption.drop_tree()  # its tail, text after it, stays
            text = render_blocks([fragment])
            return [p for p in text.split("\n\n") if p and not _PLACEHOLDER.match(p)]
    lines = (" ".join(line.split()) for line in value.splitlines())
    return [line for line in lines if line and not _PLACEHOLDER.match(line)]


def is_sentence(paragraph: str) -> bool:
    """A paragraph of :data:`SENTENCE_MIN_WORDS` words or more that ends like a sentence."""
    return word_count(paragraph) >= SENTENCE_MIN_WORDS and bool(
        _SENTENCE_END.search(paragraph.rstrip())
    )


@dataclass
class _Candidate:
    path: Path  # where its first string is
    paragraphs: list[str] = field(default_factory=list)
    score: int = 0


def _strings(
    tree: Any, path: Path, slot: tuple[str, ...], body: bool, depth: int
) -> Iterator[tuple[Path, tuple[str, ...], bool, str]]:
    """``(path, slot, under a body key, string)`` of the strings of ``tree`` in document order,
    those under a key of what is not the article left out; ``slot`` is the path with list
    indices as ``*``."""
    if depth > MAX_DEPTH:
        return
    if isinstance(tree, str):
        yield path, slot, body, tree
    elif isinstance(tree, dict):
        for name, value in tree.items():
            key = _key(str(name))
            if key not in APP_STATE_SKIP_KEYS:
                under = body or key in APP_STATE_BODY_KEYS
                yield from _strings(value, (*path, str(name)), (*slot, str(name)), under, depth + 1)
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from _strings(value, (*path, index), (*slot, "*"), body, depth + 1)


def find_article(tree: Any) -> tuple[str, dict[str, Any]] | None:
    """The article text in ``tree`` and its ``title``, ``published`` and ``authors`` (see the
    module's docstring for the rule), or ``None`` when no string in it reads as sentences."""
    candidates: dict[tuple[str, ...], _Candidate] = {}
    for path, slot, body, value in _strings(tree, (), (), False, 0):
        paragraphs = paragraphs_of(value)
        if not paragraphs:
            continue
        score = sum(len(p) for p in paragraphs if is_sentence(p))
        candidate = candidates.get(slot)
        if candidate is None:
            candidate = candidates[slot] = _Candidate(path)
        candidate.paragraphs.extend(paragraphs)
        candidate.score += (BODY_KEY_WEIGHT if body else 1) * score
    best = max(candidates.values(), key=lambda c: c.score, default=None)
    if best is None or not best.score:
        return None
    text = "\n\n".join(dict.fromkeys(best.paragraphs))  # a paragraph repeated verbatim: once
    return text, _article_meta(tree, best.path)


def _ancestors(tree: Any, path: Path) -> list[dict[str, Any]]:
    """The objects on the way from ``tree`` to ``path``, nearest the end first."""
    found: list[dict[str, Any]] = []
    node = tree
    for step in path:
        if isinstance(node, dict):
            found.append(node)
            node = node.get(step) if isinstance(step, str) else None
        elif isinstance(node, list) and isinstance(step, int) and step < len(node):
            node = node[step]
        else:
            break
    return found[::-1]


def _field(objects: list[dict[str, Any]], keys: tuple[str, ...]) -> Any:
    """The value of the first of ``keys`` in the nearest object that has one."""
    for obj in objects:
        named = {_key(k): v for k, v in obj.items()}
        for key in keys:
            value = named.get(key)
            if value:
                return value
    return None


def _article_meta(tree: Any, path: Path) -> dict[str, Any]:
    objects = _ancestors(tree, path)
    title = _field(objects, APP_STATE_TITLE_KEYS)
    published = _field(objects, APP_STATE_DATE_KEYS)
    return {
        "title": " ".join(title.split()) or None if isinstance(title, str) else None,
        "published": published if isinstance(published, str) else None,
        "authors": _names(_field(objects, APP_STATE_AUTHOR_KEYS)),
    }


def _names(value: Any) -> list[str]:
    """Names in an author value: a string, an object with a name, or a list of those (not a
    flight reference, ``"$1de"``, left unresolved)."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict):
            item = _field([item], APP_STATE_NAME_KEYS)
        if isinstance(item, str) and item.strip() and not item.startswith("$"):
            names.append(" ".join(item.split()))
    return names
