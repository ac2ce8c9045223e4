"""Date parsing: languages, numeric orders, plausibility, and the order of trust on a page."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from newscrawler.extraction import ExtractionOptions, extract_article
from newscrawler.extraction.dates import (
    EVENT_FUTURE,
    EVENT_IMPLAUSIBLE_YEAR,
    EVENT_INVALID,
    DateContext,
    DateRejected,
    date_order,
    find_dates,
    parse_date,
    parser_languages,
    url_date,
)
from newscrawler.items import PageHints

NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def ctx(*languages: str, order: str = "DMY", tz: str | None = None) -> DateContext:
    return DateContext(
        languages=parser_languages(list(languages)), order=order, timezone=tz, now=NOW
    )


@pytest.mark.parametrize(
    ("raw", "language", "value"),
    [
        ("27 марта 2024 06:15", "ru", "2024-03-27T06:15:00"),
        ("27 МАРТА 2024  07:51", "ru", "2024-03-27T07:51:00"),
        ("27 Марта 2024 г., 07:51", "ru", "2024-03-27T07:51:00"),
        ("1 мая 2024", "ru", "2024-05-01"),
        ("22. März 2024, 06:45 Uhr", "de", "2024-03-22T06:45:00"),
        ("22.03.2024 um 06:45", "de", "2024-03-22T06:45:00"),
        ("21 mars 2024 à 07h30", "fr", "2024-03-21T07:30:00"),
        ("1er avril 2024", "fr", "2024-04-01"),
        ("5 de marzo de 2024", "es", "2024-03-05"),
        ("March 5, 2024 at 4:15 p.m. EST", "en", "2024-03-05T16:15:00-05:00"),
        ("Tuesday 5 March 2024 16.15 GMT", "en", "2024-03-05T16:15:00+00:00"),
        ("2024-03-27T08:00:00+0000", "en", "2024-03-27T08:00:00+00:00"),
        ("2024-05-03T15:47:42.389Z", "en", "2024-05-03T15:47:42+00:00"),
        ("Wed, 27 Mar 2024 08:00:00 GMT", "en", "2024-03-27T08:00:00+00:00"),
        ("Fri Apr 28 19:20:36 CEST 2023", "de", "2023-04-28T19:20:36+02:00"),
        ("September 1st, 2023", "en", "2023-09-01"),
        ("March 3rd, 2024 at 5:00 pm", "en", "2024-03-03T17:00:00"),
    ],
)
def test_dates_in_the_page_language(raw: str, language: str, value: str) -> None:
    found = parse_date(raw, ctx(language), "visible")
    assert found is not None
    assert (found.raw, found.value, found.method) == (raw, value, "visible")


@pytest.mark.parametrize(
    ("raw", "order", "value"),
    [
        ("03/05/2024", "MDY", "2024-03-05"),  # en-US
        ("03/05/2024", "DMY", "2024-05-03"),  # en-GB, ru, de, fr
        ("03/27/2024 11:24:02", "DMY", "2024-03-27T11:24:02"),  # unambiguous: 27 is the day
        ("27/03/2024", "MDY", "2024-03-27"),
        ("2024/03/05", "MDY", "2024-03-05"),  # year first is never ambiguous
        ("05.03.24", "DMY", "2024-03-05"),
        ("03/05/2024 4:15 PM", "MDY", "2024-03-05T16:15:00"),
    ],
)
def test_numeric_order_from_locale_unless_the_value_decides(
    raw: str, order: str, value: str
) -> None:
    found = parse_date(raw, ctx("en", order=order), "visible")
    assert found is not None and found.value == value


@pytest.mark.parametrize(
    ("language", "region", "order"),
    [
        ("en", "us", "MDY"),
        ("en", None, "MDY"),
        ("en", "gb", "DMY"),
        ("en", "au", "DMY"),
        ("ru", None, "DMY"),
        ("de", "de", "DMY"),
        ("fr", None, "DMY"),
        ("ja", None, "YMD"),
    ],
)
def test_date_order_of_a_locale(language: str, region: str | None, order: str) -> None:
    assert date_order(language, region) == order


@pytest.mark.parametrize(
    ("raw", "event"),
    [
        ("31 февраля 2024", EVENT_INVALID),
        ("31.02.2024", EVENT_INVALID),
        ("2024-02-30T10:00:00Z", EVENT_INVALID),
        ("13/13/2024", EVENT_INVALID),
        ("27 марта 20244", EVENT_IMPLAUSIBLE_YEAR),
        ("20244-03-27", EVENT_IMPLAUSIBLE_YEAR),
        ("27.03.20244", EVENT_IMPLAUSIBLE_YEAR),
        ("1985-01-01", EVENT_IMPLAUSIBLE_YEAR),
        ("27 марта 2030", EVENT_FUTURE),
        ("2024-06-03T12:00:00Z", EVENT_FUTURE),
    ],
)
def test_impossible_implausible_and_future_dates_are_rejected(raw: str, event: str) -> None:
    with pytest.raises(DateRejected) as info:
        parse_date(raw, ctx("ru"), "visible")
    assert info.value.event == event


def test_future_tolerance_allows_clock_skew() -> None:
    found = parse_date("2024-06-01T20:00:00Z", ctx("en"), "meta")  # 8 h ahead, tolerance 24 h
    assert found is not None and found.value == "2024-06-01T20:00:00+00:00"


def test_not_a_date_is_none_not_an_event() -> None:
    assert parse_date("Реклама", ctx("ru"), "visible") is None
    assert parse_date("вчера", ctx("ru"), "visible") is None
    assert parse_date("27 марта", ctx("ru"), "visible") is None  # no year: never guessed


def test_timezone_hint_applies_only_to_times_without_offset() -> None:
    moscow = ctx("ru", tz="Europe/Moscow")
    assert parse_date("27 марта 2024 06:15", moscow, "v").value == "2024-03-27T06:15:00+03:00"  # type: ignore[union-attr]
    assert parse_date("27 марта 2024", moscow, "v").value == "2024-03-27"  # type: ignore[union-attr]
    iso = parse_date("2024-03-27T06:15:00+01:00", moscow, "v")
    assert iso is not None and iso.value == "2024-03-27T06:15:00+01:00"


def test_find_dates_splits_a_line_with_two_formats() -> None:
    line = "03/27/2024  11:24:02 АВТОР: БОРИСЛАВ ПРОТЧЕНКО, ЖУРНАЛИСТ 27 МАРТА 2024  07:51 Взятые"
    assert find_dates(line, parser_languages(["ru"])) == [
        "03/27/2024  11:24:02",
        "27 МАРТА 2024  07:51",
    ]
    assert find_dates("Publié le 21 mars 2024 à 07h30", parser_languages(["fr"])) == [
        "21 mars 2024 à 07h30"
    ]
    assert find_dates("5 killed 2024 in a crash", parser_languages(["en"])) == []


def test_url_dates() -> None:
    assert url_date("https://x.example/news/2024/03/27/a.html") == (
        "/2024/03/27/",
        datetime(2024, 3, 27).date(),
    )
    assert url_date("https://x.example/a/20240327/b") is not None
    assert url_date("https://x.example/a-2024-03-27-b") is not None
    assert url_date("https://x.example/2024/02/31/b") is None
    assert url_date("https://x.example/item/12345678") is None
    assert url_date("https://x.example/blog/2023/october/03/a") == (
        "/2023/october/03/",
        datetime(2023, 10, 3).date(),
    )
    assert url_date("https://x.example/2023/Sept/3") == (
        "/2023/Sept/3",
        datetime(2023, 9, 3).date(),
    )
    assert url_date("https://x.example/2023/spring/03/a") is None
    assert url_date("https://x.example/2023/february/30/a") is None


# --- Order of trust on a page ---------------------------------------------------------------

BODY = "<p>" + "Der Streik legte am Freitag den Fernverkehr lahm. " * 8 + "</p>"


def page(head: str = "", body: str = "", lang: str = "de") -> str:
    return (
        f'<html lang="{lang}"><head><title>Streik</title>{head}</head>'
        f"<body><article><h1>Streik</h1>{body}{BODY}</article></body></html>"
    )


JSONLD = (
    '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Streik", '
    '"datePublished": "2024-03-22T06:45:00+01:00", "dateModified": "2024-03-22T09:00:00+01:00"}'
    "</script>"
)
META = '<meta property="article:published_time" content="2024-03-21T10:00:00+01:00">'
TIME = '<time datetime="2024-03-20T08:00:00+01:00">20. März 2024</time>'
VISIBLE = '<p class="datum">19. März 2024, 07:00 Uhr</p>'


@pytest.mark.parametrize(
    ("head", "body", "url", "published", "raw", "method"),
    [
        (JSONLD + META, TIME + VISIBLE, "/a", "2024-03-22T06:45:00+01:00", None, "jsonld"),
        (META, TIME + VISIBLE, "/a", "2024-03-21T10:00:00+01:00", None, "meta"),
        ("", TIME + VISIBLE, "/a", "2024-03-20T08:00:00+01:00", None, "time_element"),
        ("", VISIBLE, "/2024/03/18/a", "2024-03-19T07:00:00", "19. März 2024, 07:00", "visible"),
        ("", "", "/2024/03/18/a", "2024-03-18", "/2024/03/18/", "url"),
        ("", "", "/a", "2024-03-17T09:00:00+00:00", "Sun, 17 Mar 2024 09:00:00 GMT", "sitemap"),
    ],
)
def test_order_of_trust(
    head: str,
    body: str,
    url: str,
    published: str,
    raw: str | None,
    method: str,
) -> None:
    hints = PageHints(published="Sun, 17 Mar 2024 09:00:00 GMT", published_method="sitemap")
    result = extract_article(
        page(head, body), f"https://zeitung.example{url}", hints=hints, now=NOW
    )
    assert result.fields is not None
    fields = result.fields
    assert (fields["published"], fields["published_method"]) == (published, method)
    assert fields["published_raw"] == (raw or fields["published_raw"])
    assert fields["published_raw"]


def test_modified_is_kept_beside_published_with_raw_and_method() -> None:
    result = extract_article(page(JSONLD), "https://zeitung.example/a", now=NOW)
    assert result.fields is not None
    assert result.fields["modified"] == "2024-03-22T09:00:00+01:00"
    assert result.fields["modified_raw"] == "2024-03-22T09:00:00+01:00"
    assert result.fields["modified_method"] == "jsonld"


def test_modified_before_published_is_dropped_with_an_event() -> None:
    head = JSONLD.replace("2024-03-22T09:00:00", "2024-03-01T09:00:00")
    result = extract_article(page(head), "https://zeitung.example/a", now=NOW)
    assert result.fields is not None
    assert result.fields["modified"] is None
    assert result.events == ["dates/modified_before_published"]


def test_rejected_declared_date_falls_back_to_the_next_source_and_is_counted() -> None:
    head = JSONLD.replace("2024-03-22T06:45:00+01:00", "2034-03-22T06:45:00+01:00") + META
    result = extract_article(page(head), "https://zeitung.example/a", now=NOW)
    assert result.fields is not None
    assert (result.fields["published"], result.fields["published_method"]) == (
        "2024-03-21T10:00:00+01:00",
        "meta",
    )
    assert result.events == [EVENT_FUTURE]


def test_a_page_with_only_bad_dates_has_no_date_and_counts_each() -> None:
    body = '<p class="date">31 февраля 2024</p><p class="date">27 марта 20244</p>'
    result = extract_article(
        page(body=body, lang="ru"),
        "https://gazeta.example/a",
        options=ExtractionOptions(date_min_year=2000),
        now=NOW,
    )
    assert result.fields is not None
    assert result.fields["published"] is None
    assert sorted(result.events) == [EVENT_IMPLAUSIBLE_YEAR, EVENT_INVALID]


def test_us_page_reads_numeric_dates_month_first() -> None:
    body = '<div class="dateline">Published 03/05/2024 4:15 PM</div>'
    us = extract_article(page(body=body, lang="en-US"), "https://x.example/a", now=NOW)
    gb = extract_article(page(body=body, lang="en-GB"), "https://x.example/a", now=NOW)
    assert us.fields is not None and gb.fields is not None
    assert us.fields["published"] == "2024-03-05T16:15:00"
    assert gb.fields["published"] == "2024-05-03T16:15:00"


def test_the_local_day_survives_an_offset_east_of_utc() -> None:
    # 01:30 in Moscow is 22:30 the evening before in UTC: the value keeps the page's own offset.
    found = parse_date("2024-03-27T01:30+03:00", ctx("ru"), "meta")
    assert found is not None
    assert found.value == "2024-03-27T01:30:00+03:00"
    head = '<meta property="article:published_time" content="2024-03-27T01:30+03:00">'
    result = extract_article(page(head, lang="ru"), "https://gazeta.example/a", now=NOW)
    assert result.fields is not None
    assert result.fields["published"] == "2024-03-27T01:30:00+03:00"


# --- htmldate: the last source --------------------------------------------------------------

PROSE = {
    "ru": "Городской совет обсудил бюджет на следующий год и расходы на транспорт. ",
    "de": "Der Stadtrat beriet am Dienstag über den Haushalt für das kommende Jahr. ",
    "en": "The city council met on Tuesday to discuss the budget for the coming year. ",
    "fr": "Le conseil municipal a débattu mardi du budget de l'année prochaine. ",
}


def plain_page(lang: str, head: str = "", body: str = "", footer: str = "") -> str:
    """A page whose article declares and shows no date; ``footer`` is the site's footer."""
    return (
        f'<html lang="{lang}"><head><meta charset="utf-8"><title>Budget</title>{head}</head>'
        f"<body><article><h1>Budget</h1>{body}<p>{PROSE[lang] * 8}</p><p>{PROSE[lang] * 6}</p>"
        f"</article><footer>{footer}</footer></body></html>"
    )


@pytest.mark.parametrize(
    ("lang", "body", "footer"),
    [
        ("en", "", "Last updated: 12 March 2023"),
        ("ru", "", "Обновлено: 12.03.2023"),
        ("de", "", "Zuletzt aktualisiert am 12.03.2023"),
        ("fr", "", "Mis à jour le 12/03/2023"),
        ("en", '<abbr class="published" title="2023-03-12T10:00:00">12 Mar</abbr>', ""),
        ("en", '<div data-published="2023-03-12"></div>', ""),
        ("ru", '<img src="/uploads/2023/03/12/photo.jpg" alt="">', ""),
    ],
)
def test_a_date_only_htmldate_finds_is_its_day(lang: str, body: str, footer: str) -> None:
    # In the site's footer, an <abbr title>, a data attribute, an image path: none of the
    # declared, shown or URL readers takes these, htmldate does.
    result = extract_article(
        plain_page(lang, body=body, footer=footer), "https://paper.example/news/budget", now=NOW
    )
    assert result.fields is not None
    fields = result.fields
    assert (fields["published"], fields["published_raw"], fields["published_method"]) == (
        "2023-03-12",
        "2023-03-12",
        "htmldate",
    )


def test_a_shown_date_beats_htmldate() -> None:
    head = '<script>var page = {"datePublished": "2020-01-15"};</script>'
    body = '<p class="date">27 марта 2024 07:51</p>'
    result = extract_article(
        plain_page("ru", head=head, body=body), "https://gazeta.example/a", now=NOW
    )
    assert result.fields is not None
    assert (result.fields["published"], result.fields["published_method"]) == (
        "2024-03-27T07:51:00",
        "visible",
    )


def test_a_declared_update_time_beats_htmldate() -> None:
    head = '<meta property="article:modified_time" content="2024-03-28T09:00:00+01:00">'
    result = extract_article(
        plain_page("de", head=head, footer="Zuletzt aktualisiert am 12.03.2023"),
        "https://zeitung.example/a",
        now=NOW,
    )
    assert result.fields is not None
    assert (result.fields["published"], result.fields["published_method"]) == (
        "2024-03-28T09:00:00+01:00",
        "modified",
    )


@pytest.mark.parametrize(
    ("lang", "footer"),
    [
        ("ru", "© 2023 Городская газета"),  # a year alone: htmldate would say 2023-01-01
        ("en", "Last updated: 31 February 2023"),  # impossible: htmldate falls back to the year
        ("en", "Last updated: 12 March 2030"),  # later than now
        ("de", "Zuletzt aktualisiert im März 2023"),  # a month alone
    ],
)
def test_htmldate_gives_no_day_the_page_does_not_write(lang: str, footer: str) -> None:
    result = extract_article(
        plain_page(lang, footer=footer), "https://paper.example/news/budget", now=NOW
    )
    assert result.fields is not None
    assert result.fields["published"] is None
    assert result.fields["published_method"] is None


def test_htmldate_leaves_the_page_tree_to_the_body() -> None:
    # htmldate prunes its own copy: the body of an htmldate-dated page is whole.
    page_html = plain_page("en", footer="Last updated: 12 March 2023")
    result = extract_article(page_html, "https://paper.example/news/budget", now=NOW)
    assert result.fields is not None
    assert result.fields["published_method"] == "htmldate"
    assert result.fields["text"].count("city council") == 14


# --- Shown dates without a date class; a declared day the page contradicts ------------------


@pytest.mark.parametrize(
    ("lang", "before", "after", "published"),
    [
        ("en", '<h5 class="hero-preheadline">January 23, 2024</h5>', "", "2024-01-23"),
        ("en", "", '<h5 class="mt-4"><span>2024-01-23</span></h5>', "2024-01-23"),
        ("ru", "", '<div class="lead-in">23 января 2024</div>', "2024-01-23"),
        ("de", '<span class="kicker">23.01.2024</span>', "", "2024-01-23"),
    ],
)
def test_a_date_alone_beside_the_headline_is_shown(
    lang: str, before: str, after: str, published: str
) -> None:
    html = (
        f'<html lang="{lang}"><head><meta charset="utf-8"><title>Budget</title></head><body>'
        f"<article>{before}<h1>Budget</h1>{after}<p>{PROSE[lang] * 8}</p>"
        f"<p>{PROSE[lang] * 6}</p></article></body></html>"
    )
    result = extract_article(html, "https://paper.example/news/budget", now=NOW)
    assert result.fields is not None
    assert (result.fields["published"], result.fields["published_method"]) == (
        published,
        "visible",
    )


def test_a_date_alone_far_from_the_headline_is_not_the_articles() -> None:
    html = (
        '<html lang="en"><head><meta charset="utf-8"><title>Budget</title></head><body>'
        f"<article><h1>Budget</h1><p>{PROSE['en'] * 8}</p><p>{PROSE['en'] * 6}</p>"
        '<h5 class="mt-4">January 23, 2024</h5></article></body></html>'
    )
    result = extract_article(html, "https://paper.example/news/budget", now=NOW)
    assert result.fields is not None
    assert result.fields["published_method"] != "visible"


def test_a_date_in_the_articles_header_is_shown() -> None:
    body = '<header class="article-head"><h1>Budget</h1><p class="date">23.01.2024</p></header>'
    html = (
        '<html lang="de"><head><meta charset="utf-8"><title>Budget</title></head><body>'
        '<header class="site"><nav><a href="/">Start</a> <span class="date">01.06.2024</span>'
        f"</nav></header><article>{body}<p>{PROSE['de'] * 8}</p></article></body></html>"
    )
    result = extract_article(html, "https://zeitung.example/a", now=NOW)
    assert result.fields is not None
    assert (result.fields["published"], result.fields["published_method"]) == (
        "2024-01-23",
        "visible",
    )


def declared_page(declared: str, shown: str = "", lang: str = "en") -> str:
    """A page declaring ``declared`` in JSON-LD and showing ``shown`` under its headline, with
    a ``<time>`` element giving the shown day to htmldate as well."""
    jsonld = (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Budget", '
        f'"datePublished": "{declared}"}}</script>'
    )
    return (
        f'<html lang="{lang}"><head><meta charset="utf-8"><title>Budget</title>{jsonld}</head>'
        f"<body><article><h1>Budget</h1>{shown}<p>{PROSE[lang] * 8}</p></article></body></html>"
    )


SHOWN = '<p class="date"><time datetime="2024-03-27">27 March 2024</time></p>'


def test_a_declared_day_the_page_contradicts_gives_way_to_the_shown_date() -> None:
    # JSON-LD says "January 17, 2024" (a day, no time, which htmldate's JSON reader skips); the
    # page shows 27 March and htmldate agrees with it: two readers against one declaration.
    page_html = declared_page("January 17, 2024", SHOWN)
    result = extract_article(page_html, "https://x.example/a", now=NOW)
    assert result.fields is not None
    assert (result.fields["published"], result.fields["published_method"]) == (
        "2024-03-27",
        "time_element",
    )


@pytest.mark.parametrize(
    ("declared", "shown", "published", "method"),
    [
        # a declared instant stands, whatever the page shows
        ("2024-01-17T10:00:00+01:00", SHOWN, "2024-01-17T10:00:00+01:00", "jsonld"),
        # the declared day is shown too (as a second date): it stands
        ("2024-01-17", SHOWN + '<p class="date">17 January 2024</p>', "2024-01-17", "jsonld"),
        # nothing shown: it stands
        ("2024-01-17", "", "2024-01-17", "jsonld"),
    ],
)
def test_a_declared_date_stands_unless_it_is_a_contradicted_day(
    declared: str, shown: str, published: str, method: str
) -> None:
    result = extract_article(declared_page(declared, shown), "https://x.example/a", now=NOW)
    assert result.fields is not None
    assert (result.fields["published"], result.fields["published_method"]) == (published, method)


def test_a_declared_day_stands_when_htmldate_does_not_side_with_the_page() -> None:
    # htmldate reads this JSON-LD day itself: the page's one reading does not overrule it.
    result = extract_article(declared_page("2024-01-17", SHOWN), "https://x.example/a", now=NOW)
    assert result.fields is not None
    assert (result.fields["published"], result.fields["published_method"]) == (
        "2024-01-17",
        "jsonld",
    )


# --- Fixture pages: which candidate the record takes when they disagree ----------------------

DATE_PAGES = Path(__file__).parent / "fixtures" / "dates"
LATER = datetime(2026, 1, 10, 12, 0, tzinfo=timezone.utc)


def dated(name: str, url: str, *replace: tuple[str, str]) -> dict[str, Any]:
    """The record of the fixture page ``name`` at ``url`` (with texts replaced)."""
    html = (DATE_PAGES / f"{name}.html").read_text("utf-8")
    for old, new in replace:
        assert old in html
        html = html.replace(old, new)
    result = extract_article(html, url, now=LATER)
    assert result.fields is not None, result.reason
    return result.fields


def test_a_date_only_htmldate_finds_is_the_records() -> None:
    # The one date is an <abbr title> of a byline without a year in its text: no declared,
    # shown or URL date; htmldate's attribute rules give the day.
    fields = dated("de_htmldate_only", "https://talbote.example/faehre")
    assert (fields["published"], fields["published_method"]) == ("2024-03-12", "htmldate")


def test_a_declared_publication_saved_with_the_modification_gives_way_to_the_shown_date() -> None:
    # JSON-LD datePublished == dateModified to the millisecond (the CMS's last save); the
    # byline shows 14 May: the article's date is the one it shows.
    fields = dated("en_saved_with_modified", "https://gardener.example/winter-garden/")
    assert (fields["published"], fields["published_method"]) == ("2025-05-14", "visible")
    assert fields["modified"] == "2025-11-20T16:02:46+00:00"


def test_a_declared_publication_apart_from_the_modification_stands() -> None:
    # The same page, updated a day after it was published: the declaration says when.
    fields = dated(
        "en_saved_with_modified",
        "https://gardener.example/winter-garden/",
        ('"dateModified": "2025-11-20T16:02:46.767Z"', '"dateModified": "2025-11-21T09:00:00Z"'),
    )
    assert (fields["published"], fields["published_method"]) == (
        "2025-11-20T16:02:46+00:00",
        "jsonld",
    )


def test_a_save_time_stands_against_a_shown_day_it_may_be_somewhere() -> None:
    # Saved at 03:00 UTC on 20 November, which is still 19 November in the Americas: a page
    # showing 19 November does not contradict it.
    fields = dated(
        "en_saved_with_modified",
        "https://gardener.example/winter-garden/",
        ("2025-11-20T16:02:46.767Z", "2025-11-20T03:00:00Z"),
        ("May 14, 2025", "November 19, 2025"),
    )
    assert (fields["published"], fields["published_method"]) == (
        "2025-11-20T03:00:00+00:00",
        "jsonld",
    )


def test_a_utc_declaration_keeps_the_pages_local_day() -> None:
    # JSON-LD 26 March 21:51 UTC; the page's <time> is the same instant, 27 March 00:51 in
    # Moscow: the record keeps the instant and the page's day.
    fields = dated("ru_local_day", "https://vestnik.example/news/parom")
    assert (fields["published"], fields["published_method"]) == (
        "2024-03-27T00:51:00+03:00",
        "jsonld",
    )


def test_a_russian_byline_date_stays_its_day() -> None:
    # "27 марта 2024 07:51" on the page, the JSON-LD instant 04:51 UTC: the day stays the 27th,
    # and a comment's time (another instant, another day) moves nothing.
    fields = dated("ru_byline_day", "https://vestnik.example/news/barzha")
    assert fields["published"] == "2024-03-27T04:51:00+00:00"
    assert fields["published"][:10] == "2024-03-27"


@pytest.mark.parametrize(
    ("url", "published"),
    [
        # the URL writes the local day: the UTC instant in the offset the page's times use
        ("https://notes.example/2025/12/18/are-we-there-yet/", "2025-12-18T19:05:00-08:00"),
        # nothing says which offset is the page's: the instant as declared
        ("https://notes.example/are-we-there-yet/", "2025-12-19T03:05:00+00:00"),
    ],
)
def test_a_utc_declaration_takes_the_day_of_the_url(url: str, published: str) -> None:
    fields = dated("en_local_day_url", url)
    assert (fields["published"], fields["published_method"]) == (published, "meta")


@pytest.mark.parametrize(
    ("url", "published"),
    [
        # "03/10/2023" month first on an English page, unless the URL says 3 October
        ("https://orchard.example/blog/2023/october/03/cider-styles/", "2023-10-03"),
        ("https://orchard.example/blog/cider-styles/", "2023-03-10"),
    ],
)
def test_an_ambiguous_numeric_date_is_read_in_the_order_the_page_confirms(
    url: str, published: str
) -> None:
    fields = dated("en_ambiguous_numeric", url)
    assert (fields["published"], fields["published_raw"]) == (published, "03/10/2023")


@pytest.mark.parametrize(
    "url",
    [
        "https://crafts.example/crafts/repairing-a-dry-stone-wall/",
        # crawled under another address than its permalink: the permalink is still the page's
        "http://www.crafts.example/crafts/repairing-a-dry-stone-wall?utm_source=feed",
    ],
)
def test_a_teaser_cards_date_is_not_the_articles(url: str) -> None:
    # The cards above the article link to other stories with their dates; the article's own
    # date sits in its permalink.
    fields = dated("en_teaser_cards", url)
    assert (fields["published"], fields["published_method"]) == ("2024-03-05", "time_element")
