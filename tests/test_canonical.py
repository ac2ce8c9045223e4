"""Canonical URLs and AMP/print variants."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from newscrawler.markup import DeclaredLinks, read_markup
from newscrawler.urls import canonical_url, variant_base


def declared_links(markup: str, url: str) -> DeclaredLinks:
    return read_markup(lxml_html.document_fromstring(markup), url).links


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("HTTP://News.Example:80/a/#top", "http://news.example/a/"),
        ("https://news.example:443/a?b=2&a=1", "https://news.example/a?a=1&b=2"),
        ("https://news.example/a?utm_source=x&utm_medium=y&id=5", "https://news.example/a?id=5"),
        ("https://news.example/a?fbclid=1&gclid=2&yclid=3&mc_cid=4", "https://news.example/a"),
        ("https://news.example/a?sessionid=abc&PHPSESSID=def", "https://news.example/a"),
        ("https://news.example/a;jsessionid=0AF3?x=1", "https://news.example/a?x=1"),
        # sid is a story id on some sites: kept unless it looks like a random token
        ("https://news.example/article.php?sid=123", "https://news.example/article.php?sid=123"),
        ("https://news.example/a?sid=9f8e7d6c5b4a3f2e1d0c", "https://news.example/a"),
        (
            "https://news.example:8080/новости",
            "https://news.example:8080/%D0%BD%D0%BE%D0%B2%D0%BE%D1%81%D1%82%D0%B8",
        ),
        ("mailto:desk@news.example", "mailto:desk@news.example"),
    ],
)
def test_canonical_url(url: str, expected: str) -> None:
    assert canonical_url(url) == expected


def test_canonical_url_is_idempotent() -> None:
    url = "https://News.example/a b/?z=1&utm_campaign=x&a=%7e#f"
    assert canonical_url(canonical_url(url)) == canonical_url(url)


@pytest.mark.parametrize(
    ("url", "base"),
    [
        ("https://n.example/news/x.html?amp=1", "https://n.example/news/x.html"),
        ("https://n.example/news/x.html?amp", "https://n.example/news/x.html"),
        ("https://n.example/news/x?outputType=amp&id=3", "https://n.example/news/x?id=3"),
        ("https://n.example/amp/news/x.html", "https://n.example/news/x.html"),
        ("https://n.example/news/x/amp/", "https://n.example/news/x/"),
        ("https://n.example/news/x.amp.html", "https://n.example/news/x.html"),
        ("https://n.example/news/x/print", "https://n.example/news/x"),
        ("https://n.example/news/x?print=1", "https://n.example/news/x"),
        ("https://n.example/news/x?view=print", "https://n.example/news/x"),
    ],
)
def test_variant_base(url: str, base: str) -> None:
    assert variant_base(url) == base


@pytest.mark.parametrize(
    "url",
    [
        "https://n.example/news/x.html",
        "https://n.example/print/2024/03/edition.html",  # the print edition, not a variant
        "https://n.example/news/amplifier-review.html",
        "https://n.example/news/x?view=list",
    ],
)
def test_not_a_variant(url: str) -> None:
    assert variant_base(url) is None


def test_declared_links_of_an_amp_page() -> None:
    page = (
        '<html ⚡ lang="en"><head><link rel="Canonical" href="/news/x.html">'
        "</head><body></body></html>"
    )
    links = declared_links(page, "https://n.example/amp/news/x.html")
    assert links.canonical == "https://n.example/news/x.html"
    assert links.is_amp and links.amphtml is None


def test_declared_links_of_a_canonical_page() -> None:
    page = (
        '<html><head><link rel="amphtml" href="https://n.example/x.html?amp=1">'
        '<link rel="canonical" href="javascript:void(0)"></head></html>'
    )
    links = declared_links(page, "https://n.example/x.html")
    assert links.amphtml == "https://n.example/x.html?amp=1"
    assert links.canonical is None and not links.is_amp
