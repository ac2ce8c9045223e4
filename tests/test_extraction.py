"""Extraction on its own: fixture pages in, record fields out (no crawl)."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from itemadapter import ItemAdapter

from newscrawler.extraction import Extraction, ExtractionOptions, extract_article
from newscrawler.extraction.visible import labelled_byline
from newscrawler.items import Page, PageHints
from newscrawler.pipelines.extract import article_from_extraction
from newscrawler.pipelines.validate import schema_errors

PAGES = Path(__file__).parent / "site" / "pages"
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)
SEED_URL = "http://127.0.0.1:8000/news/2024/03/27/lukashenko-rostov.html"
DE_URL = "https://mittagsblatt.example/wirtschaft/tarifeinigung-nahverkehr-2024.html"


def page_bytes(name: str, encoding: str = "utf-8") -> bytes:
    raw = (PAGES / name).read_bytes()
    return raw if encoding == "utf-8" else raw.decode("utf-8").encode(encoding)


def extract(
    html: bytes | str,
    url: str,
    *,
    declared_encoding: str | None = None,
    hints: PageHints | None = None,
    **options: Any,
) -> Extraction:
    return extract_article(
        html,
        url,
        declared_encoding=declared_encoding,
        hints=hints,
        options=ExtractionOptions(**options),
        now=NOW,
    )


def record_of(result: Extraction, url: str) -> dict[str, Any]:
    """The JSONL record the pipeline builds from ``result``, checked against the schema."""
    assert result.fields is not None, (result.reason, result.detail)
    page = Page(url=url, body=b"", fetched_at="2024-06-01T00:00:00+00:00")
    record = ItemAdapter(article_from_extraction(page, result)).asdict()
    assert schema_errors(record) == []
    return record


# --- The seed page --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seed() -> dict[str, Any]:
    return record_of(extract(page_bytes("ru-seed.html"), SEED_URL), SEED_URL)


HEADLINE = (
    "Пора в Ростов? Окружение Лукашенко ведет тайные переговоры с Кремлем"
    " о бегстве политика в Россию"
)


def test_seed_title_is_the_headline_once_without_site_name(seed: dict[str, Any]) -> None:
    assert seed["title"] == HEADLINE
    assert seed["canonical_url"] == SEED_URL
    assert seed["language"] == "ru"


def test_seed_text_has_the_body_without_ad_label_source_related_or_share(
    seed: dict[str, Any],
) -> None:
    text = seed["text"]
    assert "Окружение президента Белоруссии Александра Лукашенко обращалось" in text
    assert text.rstrip().endswith("которая существует и для России.")
    for leftover in ("Реклама", "Источник", "Посмотреть также", "Шифе", "Поделиться", "АВТОР"):
        assert leftover not in text
    assert "\n\n" in text


def test_seed_byline_gives_name_and_role(seed: dict[str, Any]) -> None:
    assert seed["authors"] == ["Ирина Волкова"]
    assert seed["author_roles"] == [{"name": "Ирина Волкова", "roles": ["корреспондент"]}]
    assert seed["published"] == "2024-03-27T06:15:00"
    assert seed["published_raw"] == "27 марта 2024 06:15"
    assert seed["published_method"] == "visible"


def test_seed_source_is_the_attribution_link(seed: dict[str, Any]) -> None:
    assert seed["source"] == {
        "name": "bloomberg.com",
        "url": "https://www.bloomberg.com/news/articles/2020-08-19/lukashenko-allies-sound-out-kremlin",
        "label": "Источник",
    }


def test_seed_related_entry_has_both_dates_author_role_and_excerpt(seed: dict[str, Any]) -> None:
    assert seed["related"] == [
        {
            "title": "«В «Шифе» укрываются до 1000 боевиков»: на допросах «запели» "
            "высокопоставленные «языки» из ХАМАСа и «Исламского джихада». ВИДЕО",
            "url": "http://127.0.0.1:8000/news/2024/03/27/shifa-hamas.html",
            "published": "2024-03-27T07:51:00",
            "published_raw": "27 МАРТА 2024  07:51",
            "modified": "2024-03-27T11:24:02",
            "modified_raw": "03/27/2024  11:24:02",
            "dates": [
                {"raw": "03/27/2024  11:24:02", "value": "2024-03-27T11:24:02"},
                {"raw": "27 МАРТА 2024  07:51", "value": "2024-03-27T07:51:00"},
            ],
            "authors": ["Борислав Протченко"],
            "author_roles": [{"name": "Борислав Протченко", "roles": ["журналист", "редактор"]}],
            "excerpt": "Взятые в плен военнослужащими …",
        }
    ]


def test_seed_dates_take_the_site_timezone_when_the_page_has_none() -> None:
    result = extract(page_bytes("ru-seed.html"), SEED_URL, timezone="Europe/Moscow")
    record = record_of(result, SEED_URL)
    assert record["published"] == "2024-03-27T06:15:00+03:00"
    assert record["related"][0]["published"] == "2024-03-27T07:51:00+03:00"


# --- The same elements in other markup -----------------------------------------------------


@pytest.fixture(scope="module")
def german() -> dict[str, Any]:
    result = extract(page_bytes("de-tarif.html"), DE_URL, timezone="Europe/Berlin")
    return record_of(result, DE_URL)


def test_german_page_metadata(german: dict[str, Any]) -> None:
    assert german["title"] == "Tarifeinigung im Nahverkehr: Busse fahren ab Montag wieder nach Plan"
    assert german["language"] == "de"
    assert german["published"] == "2024-03-22T06:45:00+01:00"
    assert german["authors"] == ["Lena Fischer", "Max Hoffmann"]
    assert german["author_roles"] == [
        {"name": "Lena Fischer", "roles": ["Redakteurin"]},
        {"name": "Max Hoffmann", "roles": []},
    ]
    # the declared canonical (``?utm_source=feed``), resolved and canonicalised by the one rule
    # the spider and deduplication use too (see test_canonical_url_is_one_key_for_all)
    assert german["canonical_url"] == DE_URL


def test_german_page_source_ad_share_and_related_are_out_of_the_text(
    german: dict[str, Any],
) -> None:
    assert german["source"] == {
        "name": "dpa",
        "url": "https://agentur.example/meldungen/tarif-nahverkehr",
        "label": "Quelle",
    }
    for leftover in ("ANZEIGE", "Quelle", "Teilen", "Lesen Sie auch", "Warnstreik am dritten"):
        assert leftover not in german["text"]
    assert german["text"].rstrip().endswith("Eine Entscheidung soll bis Ende April fallen.")


def test_german_related_entries_split_one_line_of_dates_and_byline(
    german: dict[str, Any],
) -> None:
    first, second = german["related"]
    assert first["title"] == "Warnstreik am dritten Tag: Pendler steigen aufs Fahrrad um"
    assert first["url"] == "https://mittagsblatt.example/wirtschaft/warnstreik-tag-drei.html"
    assert first["dates"] == [
        {"raw": "20.03.2024, 14:05", "value": "2024-03-20T14:05:00+01:00"},
        {"raw": "21. März 2024, 09:10", "value": "2024-03-21T09:10:00+01:00"},
    ]
    assert (first["published"], first["modified"]) == (
        "2024-03-20T14:05:00+01:00",
        "2024-03-21T09:10:00+01:00",
    )
    assert first["author_roles"] == [{"name": "Jonas Weber", "roles": ["Korrespondent"]}]
    assert (
        first["excerpt"]
        == "Leere Haltestellen, volle Radwege: Wie die Stadt den dritten Streiktag erlebte."
    )
    assert second == {
        "title": "Fahrgastverband stellt Forderungen",
        "url": "https://mittagsblatt.example/wirtschaft/fahrgastverband-forderungen.html",
        "published": "2024-03-18",
        "published_raw": "18.03.2024",
        "modified": None,
        "modified_raw": None,
        "dates": [{"raw": "18.03.2024", "value": "2024-03-18"}],
        "authors": [],
        "author_roles": [],
        "excerpt": None,
    }


ENGLISH = """<!DOCTYPE html>
<html lang="en-US"><head><meta charset="utf-8">
<title>Library hours extended across the city | The Evening Courier</title>
<script type="application/ld+json">
{"@context": "https://schema.org", "@graph": [
  {"@type": "WebSite", "name": "The Evening Courier"},
  {"@type": "ReportageNewsArticle", "headline": "Library hours extended across the city",
   "datePublished": "2024-03-05T16:15:00-05:00",
   "author": [{"@type": "Person", "name": "MARIA GONZALEZ", "jobTitle": "Staff Writer"},
              {"@type": "Organization", "name": "Courier Wire"}],
   "publisher": {"@type": "NewsMediaOrganization", "name": "The Evening Courier"}}]}
</script></head>
<body>
<article>
<h1>Library hours extended across the city</h1>
<p>The council voted on Tuesday to keep every branch library open until nine in the evening,
a change that families and students had asked for since the pandemic cut the old schedule short.</p>
<p>Four more librarians will be hired, and the main branch will also open on Sunday afternoons from
the first week of the autumn term, the council said in a statement after the meeting.</p>
<div class="advert"><span>Advertisement</span></div>
<p>Opponents said the money should go to road repairs first, but the plan passed seven votes to two
after a debate that lasted most of the evening and drew a large crowd of residents.</p>
<p class="credit">via <a href="https://wire.example/stories/library-hours">Courier Wire</a></p>
<div class="share-tools"><button>Share this article</button></div>
</article>
<div class="related-stories">
  <article class="card">
    <h3><a href="/2024/03/01/budget-vote.html">Budget vote set for Tuesday</a></h3>
    <p class="card-meta">By Tom Reilly | March 1, 2024</p></article>
  <article class="card">
    <h3><a href="/2024/02/20/branch-closures.html">Two branches to close for repairs</a></h3>
    <p class="card-meta">02/20/2024</p></article>
</div>
</body></html>"""
EN_URL = "https://courier.example/2024/03/05/library-hours.html"


def test_english_markup_related_container_via_source_and_json_ld_graph() -> None:
    record = record_of(extract(ENGLISH, EN_URL), EN_URL)
    assert record["title"] == "Library hours extended across the city"
    assert (record["published"], record["published_method"]) == (
        "2024-03-05T16:15:00-05:00",
        "jsonld",
    )
    # an author typed Organization is dropped when people are named; capitals are title-cased
    assert record["author_roles"] == [{"name": "Maria Gonzalez", "roles": ["Staff Writer"]}]
    assert record["source"] == {
        "name": "Courier Wire",
        "url": "https://wire.example/stories/library-hours",
        "label": "via",
    }
    assert [(r["title"], r["url"], r["published"], r["authors"]) for r in record["related"]] == [
        (
            "Budget vote set for Tuesday",
            "https://courier.example/2024/03/01/budget-vote.html",
            "2024-03-01",
            ["Tom Reilly"],
        ),
        (
            "Two branches to close for repairs",
            "https://courier.example/2024/02/20/branch-closures.html",
            "2024-02-20",
            [],
        ),
    ]
    for leftover in ("Advertisement", "Courier Wire", "Share this", "Budget vote"):
        assert leftover not in record["text"]


# --- Per-site selectors -------------------------------------------------------------------


def test_css_selectors_override_the_heuristics() -> None:
    selectors = {
        "title": ".dachzeile",
        "published": "aside li:last-child small",
        "authors": "aside small",
        "body": "main .artikel p:nth-of-type(2)",
        "related": "#kopf",
        "source": ".teilen",
    }
    result = extract(page_bytes("de-tarif.html"), DE_URL, selectors=selectors, min_words=5)
    record = record_of(result, DE_URL)
    assert record["title"] == "Wirtschaft"
    assert (record["published"], record["published_method"]) == ("2024-03-18", "selector")
    assert record["authors"] == ["Jonas Weber"]
    assert record["text"].startswith("Die Beschäftigten erhalten in zwei Stufen")
    assert "Nach drei Wochen" not in record["text"]
    assert [(r["title"], r["url"]) for r in record["related"]] == [
        ("Mittagsblatt", "https://mittagsblatt.example/"),
        ("Wirtschaft", "https://mittagsblatt.example/wirtschaft/"),
    ]
    assert record["source"] == {
        "name": "Teilen E-Mail",
        "url": "https://social.example/share?u=x",
        "label": None,
    }
    assert result.events == []


def test_xpath_selectors_and_invalid_selectors() -> None:
    result = extract(
        page_bytes("de-tarif.html"),
        DE_URL,
        selectors={
            "title": "//div[@class='dachzeile']",
            "body": "(//main//p)[position() <= 4]",
            "authors": "//li[@class='nope']",
            "published": "li[[[",
            "source": "p::first-line",  # parses, but cssselect cannot translate it
        },
    )
    record = record_of(result, DE_URL)
    assert record["title"] == "Wirtschaft"
    assert record["text"].split("\n\n")[0].startswith("Nach drei Wochen mit Warnstreiks")
    assert len(record["text"].split("\n\n")) == 4
    # a selector that matches nothing or does not parse falls back to the heuristics, counted
    assert record["authors"] == ["Lena Fischer", "Max Hoffmann"]
    assert record["published"] == "2024-03-22T06:45:00"
    assert sorted(result.events) == ["selectors/invalid", "selectors/invalid", "selectors/no_match"]


# --- Encodings ------------------------------------------------------------------------------

MOSCOW_URL = "http://127.0.0.1:8000/news/2024/03/26/vesennij-rynok.html"
MOSCOW_TITLE = "В Москве открылся первый весенний рынок фермерских продуктов"


@pytest.mark.parametrize(
    ("body", "declared"),
    [
        pytest.param(page_bytes("ru-moscow-cp1251.html", "cp1251"), None, id="meta-declared"),
        pytest.param(
            page_bytes("ru-moscow-cp1251.html", "cp1251"), "windows-1251", id="header-declared"
        ),
        pytest.param(page_bytes("ru-shifa-cp1251.html", "cp1251"), None, id="undeclared"),
        pytest.param(
            page_bytes("ru-shifa-cp1251.html", "cp1251"), "utf-8", id="labelled-utf8-but-cp1251"
        ),
        pytest.param(
            page_bytes("ru-moscow-cp1251.html"), "windows-1251", id="labelled-cp1251-but-utf8"
        ),
        pytest.param(
            page_bytes("ru-shifa-cp1251.html", "cp1251"), "iso-8859-1", id="labelled-latin1"
        ),
    ],
)
def test_cyrillic_pages_decode_whatever_the_label(body: bytes, declared: str | None) -> None:
    record = record_of(extract(body, MOSCOW_URL, declared_encoding=declared), MOSCOW_URL)
    assert record["language"] == "ru"
    assert any(
        word in record["text"] for word in ("весенний рынок", "Взятые в плен военнослужащими")
    )
    assert "Р" not in record["title"].split()[0]  # no mojibake ("Р’ РњРѕСЃРєРІРµ")


def test_cp1251_page_byline_and_title() -> None:
    body = page_bytes("ru-moscow-cp1251.html", "cp1251")
    record = record_of(extract(body, MOSCOW_URL), MOSCOW_URL)
    assert record["title"] == MOSCOW_TITLE
    assert record["authors"] == ["Анна Смирнова"]
    assert (record["published"], record["published_method"]) == (
        "2024-03-26T09:30:00+03:00",
        "meta",
    )


def test_meta_line_with_date_and_byline_on_a_page_declaring_no_language() -> None:
    body = page_bytes("ru-shifa-cp1251.html", "cp1251")
    record = record_of(extract(body, MOSCOW_URL), MOSCOW_URL)
    assert (record["published"], record["published_method"]) == ("2024-03-27T07:51:00", "visible")
    assert record["authors"] == ["Борислав Протченко"]
    assert "Автор" not in record["text"] and "07:51" not in record["text"]


@pytest.mark.parametrize(
    ("line", "byline"),
    [
        ("27 марта 2024 07:51 · Автор: Борислав Протченко", "Автор: Борислав Протченко"),
        ("Politik | 5. März 2024 | Von Anna Schmidt", "Von Anna Schmidt"),
        ("By Jane Doe — March 5, 2024", "By Jane Doe — March 5, 2024"),  # dates cut later
        ("Автор: Анна Смирнова", "Автор: Анна Смирнова"),
        ("Contributors: Janet Moss", "Contributors: Janet Moss"),
        ("27 марта 2024 07:51 · Москва", None),
        ("Bylines are hard · 2024", None),
    ],
)
def test_labelled_byline_in_a_meta_line(line: str, byline: str | None) -> None:
    assert labelled_byline(line) == byline


# --- Pages that give no record --------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"", "empty"),
        (b"   \n\t ", "empty"),
        (bytes(range(256)) * 16, "undecodable"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\x00\x00\x00<<>>", "undecodable"),
        (b"<!-- only a comment -->", "unparsable"),
        (b"<html><head><title>Nothing</title></head><body></body></html>", "no_text"),
        (page_bytes("about.html"), "too_short"),
    ],
)
def test_pages_without_an_article_give_a_reason(body: bytes, reason: str) -> None:
    result = extract(body, "https://example.org/x")
    assert (result.fields, result.reason) == (None, reason)
    assert result.detail


def test_hostile_markup_never_raises() -> None:
    nasty = (
        "<html><body>"
        + "<div>" * 3000
        + "Читайте также: <a href='javascript:alert(1)'>x</a>"
        + "<script type='application/ld+json'>{\"@graph\": [[[[[{]]]</script>"
        + "</body></html>"
    )
    result = extract(nasty, "https://example.org/deep")
    assert result.reason in {"too_short", "no_text"}


def test_feed_title_is_used_only_when_the_page_has_none() -> None:
    html = "<html><body><article>" + "<p>" + "Слово " * 60 + "</p></article></body></html>"
    hints = PageHints(title="Заголовок из ленты", published="Wed, 27 Mar 2024 08:00:00 +0300")
    record = record_of(extract(html, "https://example.org/a", hints=hints), "https://example.org/a")
    assert record["title"] == "Заголовок из ленты"
    assert (record["published"], record["published_method"]) == (
        "2024-03-27T08:00:00+03:00",
        "feed",
    )
    seed = record_of(extract(page_bytes("ru-seed.html"), SEED_URL, hints=hints), SEED_URL)
    assert seed["title"] == HEADLINE
    assert seed["published_method"] == "visible"


def test_a_desk_and_agencies_byline_is_the_record_s_credit() -> None:
    url = "https://courier.example/world/2024/03/05/flood-warning"
    prose = (
        "Rivers rose across the region overnight and officials warned residents of low-lying "
        "streets to move their cars before the morning tide reached its highest point. "
    )
    html = (
        "<html lang='en'><head><title>Flood warning issued</title></head><body><article>"
        "<h1>Flood warning issued</h1><p class='byline'>By Staff and agencies</p>"
        f"<p>{prose}</p><p>{prose}</p></article></body></html>"
    )
    record = record_of(extract(html, url), url)
    assert record["authors"] == ["Staff and agencies"]
