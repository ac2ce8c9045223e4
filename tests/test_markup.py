"""One reading of a page's markup for routing, extraction and deduplication."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from lxml import html as lxml_html
from scrapy.http import HtmlResponse

from newscrawler.dataset.dedup import NEW, CrossRunDeduplicator
from newscrawler.discovery.classify import classify_page
from newscrawler.extraction import extract_article
from newscrawler.markup import read_markup
from newscrawler.urls import canonical_url

PROSE = (
    "The committee met on Tuesday to review the new timetable for the regional trains. "
    "Members agreed that the changes would take effect in the spring and asked the operator "
    "to publish the details a month in advance so that commuters can plan their journeys. "
)


def page(jsonld: str, *, head: str = "", paragraphs: int = 1) -> str:
    body = "".join(f"<p>{PROSE}</p>" for _ in range(paragraphs))
    return (
        "<html lang='en'><head><title>Timetable review</title>"
        f'<script type="application/ld+json">{jsonld}</script>{head}</head>'
        f"<body><h1>Timetable review</h1>{body}</body></html>"
    )


def tree_of(html: str) -> lxml_html.HtmlElement:
    return lxml_html.document_fromstring(html)


@pytest.mark.parametrize("kind", ["TechArticle", "SatiricalArticle", "ScholarlyArticle"])
def test_every_article_type_routes_the_page_as_an_article_and_makes_a_record(kind: str) -> None:
    url = "https://n.example/guides/timetables"  # neither a date, nor a slug, nor an id
    html = page(json.dumps({"@type": kind, "headline": "Timetable review"}))
    tree = tree_of(html)
    decision = classify_page(tree, read_markup(tree, url))
    assert decision.is_article and decision.reason == "jsonld"
    result = extract_article(html, url)
    assert result.fields is not None and result.fields["title"] == "Timetable review"


def test_a_trailing_comma_in_json_ld_feeds_routing_as_it_feeds_extraction() -> None:
    url = "https://n.example/guides/timetables"
    html = page('{"@type": "NewsArticle", "headline": "Timetable review", "author": "Ann Lee",}')
    tree = tree_of(html)
    markup = read_markup(tree, url)
    assert "newsarticle" in markup.types
    assert classify_page(tree, markup).reason == "jsonld"
    fields = extract_article(html, url).fields
    assert fields is not None and fields["authors"] == ["Ann Lee"]


def test_entities_listed_by_a_hub_do_not_make_it_an_article() -> None:
    listing = {
        "@type": "CollectionPage",
        "mainEntity": {
            "@type": "ItemList",
            "itemListElement": [{"@type": "NewsArticle", "headline": "One"}],
        },
    }
    url = "https://n.example/trains/"
    tree = tree_of(page(json.dumps(listing)))
    markup = read_markup(tree, url)
    assert "newsarticle" not in markup.types
    assert any(obj.get("@type") == "NewsArticle" for obj in markup.jsonld)
    assert not classify_page(tree, markup).is_article


def test_canonical_url_is_one_key_for_all(tmp_path: Path) -> None:
    """The spider's key, the record's ``canonical_url`` and the dedup/export key agree."""
    url = "https://n.example/amp/news/timetable-review.html?amp=1&utm_source=feed"
    html = page(
        json.dumps({"@type": "NewsArticle", "headline": "Timetable review"}),
        head='<link rel="canonical" href="/news/timetable-review.html?utm_medium=rss&b=2&a=1">',
        paragraphs=3,
    )
    response = HtmlResponse(url, body=html.encode(), encoding="utf-8")
    # discovery: what the spider reads from the response (its canonical redirect and seen set)
    markup = read_markup(response.selector.root, response.url)
    assert markup.links.canonical is not None
    discovery_key = canonical_url(markup.links.canonical)
    assert discovery_key == "https://n.example/news/timetable-review.html?a=1&b=2"
    assert classify_page(response.selector.root, markup).is_article
    assert markup.canonical_url == discovery_key
    # extraction: the record
    fields = extract_article(html, url).fields
    assert fields is not None
    assert fields["canonical_url"] == discovery_key
    # deduplication and export: the key their index stores versions under
    with CrossRunDeduplicator(tmp_path) as dedup:
        assert dedup.check(dict(fields)) == NEW
        assert dedup.index.latest_version(discovery_key) is not None


def test_a_canonical_pointing_at_the_home_page_is_passed_over_for_og_url() -> None:
    head = '<link rel="canonical" href="/"><meta property="og:url" content="/news/x.html">'
    tree = tree_of(page("{}", head=head))
    links = read_markup(tree, "https://n.example/news/x.html?ref=home").links
    assert links.canonical == "https://n.example/news/x.html"
