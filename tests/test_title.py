"""The title rule (:mod:`newscrawler.extraction.title`) on fixture pages written for it."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from lxml import html as lxml_html

from newscrawler.extraction import extract_article
from newscrawler.extraction.metadata import read_metadata
from newscrawler.extraction.title import (
    choose_title,
    clean_title,
    is_variant,
    strip_site_name,
    visible_headlines,
)
from newscrawler.markup import read_markup

BLOG_URL = "https://garden-notes.example/blog/companion-planting-guide/"
NEWS_URL = "https://abendkurier.example/sport/2024/04/25/liverpool-everton.html"
RU_URL = "https://vechernie-vesti.example/obshchestvo/2024/03/27/most-otkryt.html"
PROSE = "<p>" + "Companion planting keeps pests away from the beds all summer long. " * 8 + "</p>"
RU_PROSE = "<p>" + "Новый мост через реку открыли для движения в среду утром после ремонта. " * 8
RU_PROSE += "</p>"


def page(head: str, body: str, *, lang: str = "en", jsonld: dict[str, object] | None = None) -> str:
    script = ""
    if jsonld is not None:
        script = f'<script type="application/ld+json">{json.dumps(jsonld)}</script>'
    return f"<html lang='{lang}'><head>{head}{script}</head><body>{body}</body></html>"


def title_of(html: str, url: str) -> tuple[str | None, str | None]:
    tree = lxml_html.document_fromstring(html)
    return choose_title(tree, read_metadata(read_markup(tree, url)), url)


def test_blog_shows_its_headline_in_h1_and_declares_a_search_title() -> None:
    html = page(
        "<title>Companion Planting: 12 Tips for 2024 | Garden Notes</title>"
        "<meta property='og:title' content='Companion Planting: 12 Tips for 2024'>"
        "<meta property='og:site_name' content='Garden Notes'>",
        f"<header><a href='/'>Garden Notes</a></header><article><h1>What to plant next to "
        f"tomatoes, and why it works</h1>{PROSE}</article>",
    )
    assert title_of(html, BLOG_URL) == ("What to plant next to tomatoes, and why it works", "h1")


def test_news_article_keeps_its_declared_headline_over_a_different_h1() -> None:
    html = page(
        "<title>Liverpool verliert bei Everton | Abendkurier</title>"
        "<meta property='og:title' content='Liverpool verliert bei Everton'>",
        f"<article><h1>Live: Everton gegen Liverpool im Ticker</h1>{PROSE}</article>",
        lang="de",
        jsonld={
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Liverpool verliert bei Everton",
        },
    )
    assert title_of(html, NEWS_URL) == ("Liverpool verliert bei Everton", "jsonld")


def test_h1_with_a_kicker_before_the_declared_headline_gives_the_declared_one() -> None:
    html = page(
        "<meta property='og:title' content='Liverpool lose at Everton in the title race'>",
        f"<article><h1>Premier League Liverpool lose at Everton in the title race</h1>"
        f"{PROSE}</article>",
    )
    assert title_of(html, BLOG_URL) == ("Liverpool lose at Everton in the title race", "meta")


def test_declared_headline_confirmed_by_h1_wins_and_loses_the_site_name() -> None:
    html = page(
        "<title>Companion planting, explained — Garden Notes</title>"
        "<meta property='og:site_name' content='Garden Notes'>",
        f"<article><h1>Companion planting, explained</h1>{PROSE}</article>",
    )
    assert title_of(html, BLOG_URL) == ("Companion planting, explained", "title")


def test_logo_and_navigation_h1_are_not_headlines() -> None:
    html = page(
        "<meta property='og:title' content='Companion planting, explained'>"
        "<meta property='og:site_name' content='Garden Notes'>",
        "<header><h1><a href='https://garden-notes.example/'>Seasons and Soil Weekly</a></h1>"
        "</header><nav><h1>Browse all our garden topics here</h1></nav>"
        f"<aside><h1>Newsletter sign up for weekly tips</h1></aside><article>{PROSE}</article>",
    )
    tree = lxml_html.document_fromstring(html)
    metadata = read_metadata(read_markup(tree, BLOG_URL))
    assert visible_headlines(tree, metadata.site_names, BLOG_URL) == []
    assert choose_title(tree, metadata, BLOG_URL) == ("Companion planting, explained", "meta")


def test_a_short_label_in_h1_does_not_replace_the_declared_headline() -> None:
    html = page(
        "<meta property='og:title' content='Companion planting: what grows well together'>",
        f"<article><h1>Guides</h1>{PROSE}</article>",
    )
    assert title_of(html, BLOG_URL) == ("Companion planting: what grows well together", "meta")


def test_h1_is_the_title_when_nothing_is_declared() -> None:
    html = page("", f"<article><h1>Companion planting</h1>{PROSE}</article>")
    assert title_of(html, BLOG_URL) == ("Companion planting", "h1")


def test_russian_title_loses_the_site_name_and_matches_the_h1() -> None:
    html = page(
        "<title>Мост через реку открыли после ремонта — Вечерние вести</title>"
        "<meta property='og:site_name' content='Вечерние вести'>",
        f"<article><h1>Мост через реку открыли после ремонта</h1>{RU_PROSE}</article>",
        lang="ru",
    )
    assert title_of(html, RU_URL) == ("Мост через реку открыли после ремонта", "title")


def test_russian_blog_h1_wins_over_a_different_search_title() -> None:
    html = page(
        "<title>Ремонт моста 2024: сроки и объезды | Вечерние вести</title>"
        "<meta property='og:title' content='Ремонт моста 2024: сроки и объезды'>",
        f"<article><h1>Как мы ездили в объезд полгода</h1>{RU_PROSE}</article>",
        lang="ru",
    )
    assert title_of(html, RU_URL) == ("Как мы ездили в объезд полгода", "h1")


def test_russian_news_article_keeps_its_declared_headline() -> None:
    html = page(
        "<meta property='og:title' content='Мост через реку открыли после ремонта'>",
        f"<article><h1>Онлайн: движение по мосту, все новости дня</h1>{RU_PROSE}</article>",
        lang="ru",
        jsonld={"@type": "NewsArticle", "headline": "Мост через реку открыли после ремонта"},
    )
    assert title_of(html, RU_URL) == ("Мост через реку открыли после ремонта", "jsonld")


def test_invisible_typesetting_characters_are_dropped() -> None:
    assert clean_title("Verfassungs\u00adbeschwerde\u2060 ein\u200bgelegt ") == (
        "Verfassungsbeschwerde eingelegt"
    )
    html = page("", f"<article><h1>Verfassungs\u00adbeschwerde eingelegt</h1>{PROSE}</article>")
    assert title_of(html, BLOG_URL) == ("Verfassungsbeschwerde eingelegt", "h1")


def test_variants_are_kickers_or_spellings_not_other_headlines() -> None:
    assert is_variant("Kultur: Was lesen die Philippinen?", "Was lesen die Philippinen?")
    assert is_variant(
        "Joburg has failed its street traders, and here is what the city can do now",
        "Johannesburg has failed its street traders, and here is what the city can do now",
    )
    assert not is_variant("Top 10 language apps, tested", "Best apps to learn a language")


def test_strip_site_name_cuts_the_site_on_either_side() -> None:
    sites = ["Вечерние вести", "vechernie-vesti.example"]
    assert strip_site_name("Мост открыли | Вечерние вести", sites) == "Мост открыли"
    assert strip_site_name("Вечерние вести - Мост открыли", sites) == "Мост открыли"


def test_record_title_and_body_come_from_the_same_headline() -> None:
    html = page(
        "<title>Companion Planting: 12 Tips for 2024 | Garden Notes</title>"
        "<meta property='og:title' content='Companion Planting: 12 Tips for 2024'>",
        f"<article><h1>What to plant next to tomatoes, and why it works</h1>{PROSE}</article>",
    )
    result = extract_article(html, BLOG_URL, now=datetime(2024, 6, 1, tzinfo=timezone.utc))
    assert result.fields is not None
    assert result.fields["title"] == "What to plant next to tomatoes, and why it works"
    assert "What to plant next to tomatoes" not in result.fields["text"]


FIXTURES = Path(__file__).parent / "fixtures" / "title"
NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)


def record_of(name: str, url: str) -> dict[str, object]:
    result = extract_article((FIXTURES / name).read_bytes(), url, now=NOW)
    assert result.fields is not None, result.reason
    return dict(result.fields)


def test_breadcrumb_h1_gives_way_to_the_headline_shown_in_an_h2() -> None:
    fields = record_of("de_breadcrumb_h1.html", "https://talbote.example/region/2024/05/03/f.html")
    assert fields["title"] == "Neue Fähre verbindet drei Dörfer am Fluss"
    assert fields["authors"] == ["Lena Berger"]
    assert str(fields["published"]).startswith("2024-05-03")
    assert "Nahverkehr auf dem Wasser" not in str(fields["text"])


def test_h1_of_kicker_and_headline_gives_the_headline_another_kicker_is_dropped() -> None:
    fields = record_of("en_kicker_parts.html", "https://coast-courier.example/news/lifeboat")
    assert fields["title"] == "The night the lifeboat crew went out three times"


def test_russian_breadcrumb_h1_and_headline_meta() -> None:
    fields = record_of(
        "ru_breadcrumb_h1.html", "https://vechernie-vesti.example/obshchestvo/m.html"
    )
    assert fields["title"] == "Мост через Оку открыли после ремонта"
    assert str(fields["published"]).startswith("2024-03-27")


def test_declared_headline_without_the_kicker_wins_over_the_one_with_it() -> None:
    html = page(
        "<meta property='og:title' content='Liverpool lose at Everton in the title race'>",
        "<article><h1><span>Premier League</span> <span>Liverpool lose at Everton in the title "
        f"race</span></h1>{PROSE}</article>",
        jsonld={
            "@type": "NewsArticle",
            "headline": "Premier League: Liverpool lose at Everton in the title race",
        },
    )
    assert title_of(html, NEWS_URL) == ("Liverpool lose at Everton in the title race", "meta")


def test_a_kicker_and_headline_h1_is_a_news_layout_the_declared_headline_stays() -> None:
    html = page(
        "<meta property='og:title' content='Bridge works: the river crossing reopens'>",
        "<article><h1><span>Bridge works:</span> <span>Drivers wait for the last lane"
        f"</span></h1>{PROSE}</article>",
    )
    assert title_of(html, BLOG_URL) == ("Bridge works: the river crossing reopens", "meta")


def test_page_classes_that_mention_breadcrumbs_do_not_hide_the_h1() -> None:
    html = (
        "<html><head><meta property='og:title' content='Companion Planting: 12 Tips'></head>"
        "<body class='single-post has-breadcrumbs'><div class='content'><article>"
        f"<h1>What to plant next to tomatoes, and why it works</h1>{PROSE}</article></div>"
        "</body></html>"
    )
    assert title_of(html, BLOG_URL) == ("What to plant next to tomatoes, and why it works", "h1")


def test_h2_teasers_linking_elsewhere_confirm_nothing() -> None:
    html = page(
        "<meta property='og:title' content='Companion planting for small beds'>",
        "<nav class='breadcrumb'><h1>Companion planting: small beds guide</h1></nav><article>"
        f"{PROSE}<h2><a href='/other/'>Companion planting: small beds guide</a></h2></article>",
        jsonld={"@type": "NewsArticle", "headline": "Companion planting: small beds guide"},
    )
    assert title_of(html, NEWS_URL) == ("Companion planting: small beds guide", "jsonld")


def test_headline_meta_cuts_the_section_off_the_declared_title() -> None:
    html = page(
        "<meta property='og:title' content='Мост через Оку открыли после ремонта — Общество "
        "| Вечерние вести'><meta property='og:site_name' content='Вечерние вести'>"
        "<meta name='headline' content='Мост через Оку открыли после ремонта'>",
        f"<article>{RU_PROSE}</article>",
        lang="ru",
    )
    assert title_of(html, RU_URL) == ("Мост через Оку открыли после ремонта", "meta")


def news_jsonld(headline: str) -> dict[str, object]:
    return {"@context": "https://schema.org", "@type": "NewsArticle", "headline": headline}


def test_a_social_title_cut_short_does_not_replace_the_shown_headline() -> None:
    shown = "Council approves the riverside cycle path after a year of debate"
    html = page(
        "<meta property='og:title' content='Council approves the riverside cycle path'>"
        "<meta name='twitter:title' content='Council approves the riverside cycle path'>",
        f"<article><h1>{shown}</h1>{PROSE}</article>",
        jsonld=news_jsonld(shown),
    )
    assert title_of(html, NEWS_URL) == (shown, "jsonld")


def test_the_page_title_that_the_h1_shows_wins_over_other_social_titles() -> None:
    shown = "Stadtrat beschließt den Radweg am Fluss nach einem Jahr Streit"
    html = page(
        f"<title>{shown} | Abendkurier</title>"
        "<meta property='og:site_name' content='Abendkurier'>"
        "<meta property='og:title' content='Radweg kommt – endlich'>"
        "<meta name='twitter:title' content='Radweg kommt – endlich'>",
        f"<article><h1>{shown}</h1>{PROSE}</article>",
        lang="de",
    )
    assert title_of(html, NEWS_URL) == (shown, "title")


def test_russian_h2_headline_without_its_kicker_wins_over_the_joined_one() -> None:
    html = page(
        "<meta property='og:title' content='Мост через реку открыли после ремонта'>",
        "<nav class='breadcrumbs'><h1>Общество</h1></nav><article><h2><span>Транспорт</span>"
        f"<span>Мост через реку открыли после ремонта</span></h2>{RU_PROSE}</article>",
        lang="ru",
        jsonld=news_jsonld("Транспорт: Мост через реку открыли после ремонта"),
    )
    assert title_of(html, RU_URL) == ("Мост через реку открыли после ремонта", "meta")


def test_a_blog_h1_that_goes_on_past_the_declared_title_is_the_headline() -> None:
    html = page(
        "<meta property='og:title' content='Companion planting for tomatoes'>",
        f"<article><h1>Companion planting for tomatoes and the herbs that keep pests away</h1>"
        f"{PROSE}</article>",
    )
    assert title_of(html, BLOG_URL) == (
        "Companion planting for tomatoes and the herbs that keep pests away",
        "h1",
    )
