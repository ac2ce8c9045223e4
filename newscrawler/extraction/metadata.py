"""What a page declares, read for the record: the JSON-LD article, site names, language.

The JSON-LD and meta tags come parsed in a :class:`~newscrawler.markup.PageMarkup`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from lxml.html import HtmlElement

from newscrawler.extraction.authors import AuthorRole, parse_byline
from newscrawler.markup import PageMarkup, first_meta, object_types, unescape_entities
from newscrawler.urls import site_name
from newscrawler.vocabulary import (
    ARTICLE_LIKE_TYPES,
    ORGANISATION_TYPES,
    PERSON_TYPE,
    SITE_TYPE,
)


@dataclass
class JsonLdArticle:
    """The fields of a JSON-LD article object that extraction uses."""

    type: str
    headline: str | None = None
    published: str | None = None
    modified: str | None = None
    authors: list[AuthorRole] = field(default_factory=list)
    organisations: list[str] = field(default_factory=list)  # authors typed as organisations
    publisher: str | None = None
    language: str | None = None
    url: str | None = None
    description: str | None = None
    keywords: list[str] = field(default_factory=list)
    image: str | None = None


@dataclass
class PageMetadata:
    """Everything a page declares about itself."""

    meta: dict[str, list[str]]
    article: JsonLdArticle | None
    site_names: list[str]
    organisations: list[str]

    def first(self, *keys: str) -> str | None:
        """The first non-empty meta value among ``keys`` (lower-case names/properties)."""
        return first_meta(self.meta, *keys)


def _string(value: Any) -> str | None:
    if isinstance(value, list):
        value = next((v for v in value if v), None)
    if isinstance(value, dict):
        value = value.get("@value") or value.get("name") or value.get("url") or value.get("@id")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if isinstance(value, str):
        value = " ".join(unescape_entities(value).split())
        return value or None
    return None


def _flat(value: Any, depth: int = 0) -> Iterator[Any]:
    if isinstance(value, list) and depth < 3:
        for item in value:
            yield from _flat(item, depth + 1)
    elif not isinstance(value, list):
        yield value


def _authors(value: Any) -> tuple[list[AuthorRole], list[str]]:
    """People (names as declared) and organisations of a JSON-LD ``author``."""
    people: list[AuthorRole] = []
    orgs: list[str] = []
    for item in _flat(value):  # nested lists occur: ``[{Person}, [{Person}]]``
        if isinstance(item, str):
            people.extend(parse_byline(item, declared=True))
            continue
        if not isinstance(item, dict):
            continue
        name = _string(item.get("name"))
        if not name:
            given, family = _string(item.get("givenName")), _string(item.get("familyName"))
            name = " ".join(p for p in (given, family) if p) or None
        if not name:
            continue
        if object_types(item) & ORGANISATION_TYPES and PERSON_TYPE not in object_types(item):
            orgs.append(name)
            continue
        found = parse_byline(name, declared=True)
        job = _string(item.get("jobTitle"))
        if job and len(found) == 1:
            found[0].roles.append(job)
        people.extend(found)
    return people, orgs


def _article(obj: dict[str, Any]) -> JsonLdArticle:
    authors, orgs = _authors(obj.get("author") or obj.get("creator"))
    publisher = obj.get("publisher")
    keywords = obj.get("keywords")
    if isinstance(keywords, str):
        keyword_list = [k.strip() for k in keywords.split(",") if k.strip()]
    elif isinstance(keywords, list):
        keyword_list = [k for k in (_string(k) for k in keywords) if k]
    else:
        keyword_list = []
    language = obj.get("inLanguage")
    return JsonLdArticle(
        type=next(iter(object_types(obj) & ARTICLE_LIKE_TYPES), "article"),
        headline=_string(obj.get("headline")) or _string(obj.get("name")),
        published=_string(obj.get("datePublished")) or _string(obj.get("dateCreated")),
        modified=_string(obj.get("dateModified")),
        authors=authors,
        organisations=orgs,
        publisher=_string(publisher.get("name")) if isinstance(publisher, dict) else None,
        language=_string(language.get("alternateName") if isinstance(language, dict) else language),
        url=_string(obj.get("url")) or _string(obj.get("mainEntityOfPage")),
        description=_string(obj.get("description")),
        keywords=keyword_list,
        image=_string(obj.get("image")),
    )


def _pick_article(objects: tuple[dict[str, Any], ...], url: str) -> JsonLdArticle | None:
    candidates = [o for o in objects if object_types(o) & ARTICLE_LIKE_TYPES]
    if not candidates:
        return None

    def score(obj: dict[str, Any]) -> tuple[int, int, int]:
        own = _string(obj.get("url")) or _string(obj.get("mainEntityOfPage")) or ""
        same_page = int(
            bool(own) and own.rstrip("/").split("?")[0] == url.rstrip("/").split("?")[0]
        )
        news = int(any("news" in t or t == "article" for t in object_types(obj)))
        complete = sum(1 for k in ("headline", "datePublished", "author") if obj.get(k))
        return same_page, complete, news

    best = max(candidates, key=score)
    return _article(best)


def read_metadata(markup: PageMarkup) -> PageMetadata:
    """The article object, site names and organisations among what the page declares."""
    meta, objects, url = markup.meta, markup.jsonld, markup.url
    article = _pick_article(objects, url)
    site_names: list[str] = []
    organisations: list[str] = []
    for obj in objects:
        types = object_types(obj)
        name = _string(obj.get("name"))
        if name and (types & ORGANISATION_TYPES or SITE_TYPE in types):
            site_names.append(name)
            organisations.append(name)
        publisher = obj.get("publisher")
        if isinstance(publisher, dict) and _string(publisher.get("name")):
            organisations.append(str(_string(publisher.get("name"))))
    for key in ("og:site_name", "application-name", "apple-mobile-web-app-title", "twitter:site"):
        for value in meta.get(key, []):
            value = value.strip().lstrip("@")
            if value:
                site_names.append(value)
    if article is not None:
        if article.publisher:
            site_names.append(article.publisher)
        organisations.extend(article.organisations)
    site_names.append(site_name(url))
    return PageMetadata(
        meta=meta,
        article=article,
        site_names=list(dict.fromkeys(n for n in site_names if n)),
        organisations=list(dict.fromkeys(organisations)),
    )


# --- Language ---------------------------------------------------------------------------------


def _lang_tag(value: str | None) -> tuple[str, str | None] | None:
    if not value:
        return None
    match = re.match(r"^\s*([A-Za-z]{2,3})(?:[-_]([A-Za-z]{2}|\d{3}))?\b", value)
    if not match:
        return None
    lang = match[1].lower()
    lang = _ISO639_2.get(lang, lang)
    if len(lang) != 2:
        return None
    return lang, match[2].lower() if match[2] else None


_ISO639_2 = {
    "rus": "ru",
    "eng": "en",
    "deu": "de",
    "ger": "de",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "ita": "it",
    "ukr": "uk",
    "por": "pt",
    "pol": "pl",
    "nld": "nl",
    "dut": "nl",
    "zho": "zh",
    "chi": "zh",
}


def declared_language(tree: HtmlElement, page: PageMetadata) -> tuple[str | None, str | None]:
    """``(language, region)`` the document declares (``<html lang>``, meta, JSON-LD)."""
    values = [
        tree.get("lang"),
        tree.get("xml:lang"),
        tree.get("{http://www.w3.org/XML/1998/namespace}lang"),
        page.first("content-language"),
        page.first("language", "dc.language", "dcterms.language"),
        page.first("og:locale"),
        page.article.language if page.article else None,
    ]
    lang: str | None = None
    region: str | None = None
    for value in values:
        tag = _lang_tag(value)
        if tag is None:
            continue
        if lang is None:
            lang, region = tag
        elif tag[0] == lang and region is None and tag[1]:
            region = tag[1]
    return lang, region


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str | None, float]:
    """The language of ``text`` by py3langid and its probability; ``(None, 0)`` when too short."""
    sample = " ".join(text.split())[:3000]
    if len(sample) < 40:
        return None, 0.0
    lang, prob = _identifier().classify(sample)
    return str(lang), float(prob)


def page_language(declared: str | None, text: str) -> tuple[str | None, str | None]:
    """``(language, event)``: the declared language unless the text clearly says otherwise."""
    detected, prob = detect_language(text)
    if declared is None:
        if detected is not None and prob >= 0.5:
            return detected, "language/detected"
        return None, None
    if detected is not None and detected != declared and prob >= 0.95 and len(text) >= 200:
        return detected, "language/corrected"
    return declared, None
