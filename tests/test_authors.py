"""Bylines: names split from roles and boilerplate; organisations and duplicates dropped."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest

from newscrawler.extraction import extract_article
from newscrawler.extraction.authors import (
    AuthorRole,
    byline_after_label,
    merge_authors,
    parse_byline,
    title_case_name,
)


def people(text: str, **kwargs: bool) -> list[dict[str, object]]:
    return [p.as_dict() for p in parse_byline(text, **kwargs)]


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        (
            "АВТОР: БОРИСЛАВ ПРОТЧЕНКО, ЖУРНАЛИСТ, РЕДАКТОР",
            [{"name": "Борислав Протченко", "roles": ["журналист", "редактор"]}],
        ),
        (
            "АВТОР: ИРИНА ВОЛКОВА, КОРРЕСПОНДЕНТ",
            [{"name": "Ирина Волкова", "roles": ["корреспондент"]}],
        ),
        ("Автор: Анна Смирнова", [{"name": "Анна Смирнова", "roles": []}]),
        (
            "Борис Иванов и Мария Петрова",
            [{"name": "Борис Иванов", "roles": []}, {"name": "Мария Петрова", "roles": []}],
        ),
        (
            "By Jane Porter and Tom Reilly",
            [{"name": "Jane Porter", "roles": []}, {"name": "Tom Reilly", "roles": []}],
        ),
        (
            "By Maria Gonzalez, Staff Writer",
            [{"name": "Maria Gonzalez", "roles": ["Staff Writer"]}],
        ),
        (
            "Mary Smith, Washington Post Staff Writer",
            [{"name": "Mary Smith", "roles": ["Washington Post Staff Writer"]}],
        ),
        (
            "Von Lena Fischer, Redakteurin, und Max Hoffmann",
            [
                {"name": "Lena Fischer", "roles": ["Redakteurin"]},
                {"name": "Max Hoffmann", "roles": []},
            ],
        ),
        (
            "Von Klaus Becker und Anna Weber, Berlin",
            [{"name": "Klaus Becker", "roles": []}, {"name": "Anna Weber", "roles": []}],
        ),
        ("Par Sophie Martin", [{"name": "Sophie Martin", "roles": []}]),
        (
            "Por Lucía Fernández, corresponsal",
            [{"name": "Lucía Fernández", "roles": ["corresponsal"]}],
        ),
        (
            "Jane Doe (Reuters)",
            [{"name": "Jane Doe", "roles": []}, {"name": "Reuters", "roles": []}],
        ),
        ("Jane Doe (London)", [{"name": "Jane Doe", "roles": []}]),
        ("by JEAN-PIERRE O'NEIL | March 5, 2024", [{"name": "Jean-Pierre O'Neil", "roles": []}]),
        (
            "By Madeleine Howell 30 August 2023 • 4:45pm",
            [{"name": "Madeleine Howell", "roles": []}],
        ),
        ("by Stephanie Bazzle June 19, 2023", [{"name": "Stephanie Bazzle", "roles": []}]),
        ("Associated PressApril 28, 2023 GMT", [{"name": "Associated Press", "roles": []}]),
        ("By TPN, in News, Portugal, Business", [{"name": "TPN", "roles": []}]),
        (
            "20.03.2024 · Von JONAS WEBER, Korrespondent · Aktualisiert 21. März 2024",
            [{"name": "Jonas Weber", "roles": ["Korrespondent"]}],
        ),
        ("신현주 기자", [{"name": "신현주", "roles": ["기자"]}]),
        ("Jean-Claude van Damme", [{"name": "Jean-Claude van Damme", "roles": []}]),
        ("Themen bearbeiten", []),
        ("https://example.org/authors/jane", []),
        ("", []),
    ],
)
def test_parse_byline(byline: str, expected: list[dict[str, object]]) -> None:
    assert people(byline) == expected


def test_strict_bylines_need_two_words_or_an_agency_in_capitals() -> None:
    assert people("von Montag, den 1. Mai", strict=True) == []
    assert people("Von hier", strict=True) == []
    assert people("Von dpa", strict=True) == [{"name": "dpa", "roles": []}]
    assert people("Von APA", strict=True) == [{"name": "APA", "roles": []}]
    assert people("Von Anna Weber", strict=True) == [{"name": "Anna Weber", "roles": []}]


def test_title_case_only_for_names_in_capitals() -> None:
    assert title_case_name("БОРИСЛАВ ПРОТЧЕНКО") == "Борислав Протченко"
    assert title_case_name("MARIE-ÈVE D'ARCY") == "Marie-Ève D'Arcy"
    assert title_case_name("Bill MCCARTHY") == "Bill MCCARTHY"
    assert title_case_name("AFP") == "AFP"


def test_byline_after_label_cuts_words_before_the_label() -> None:
    assert byline_after_label("capital von Jemima Kelly") == "von Jemima Kelly"
    assert byline_after_label("Jemima Kelly") == "Jemima Kelly"


def test_merge_drops_organisations_and_duplicates_and_merges_roles() -> None:
    merged = merge_authors(
        [
            [AuthorRole("Jane Porter"), AuthorRole("The Midday Herald")],
            [AuthorRole("JANE PORTER".title(), ["editor"]), AuthorRole("Midday Herald Staff")],
        ],
        organisations=["The Midday Herald", "Midday Herald"],
    )
    assert [p.as_dict() for p in merged] == [{"name": "Jane Porter", "roles": ["editor"]}]


NOW = datetime(2024, 6, 1, tzinfo=timezone.utc)
TEXT = (
    "<p>" + "The bridge reopened to traffic on Wednesday after two years of repairs. " * 6 + "</p>"
)


def page(head: str, body: str) -> str:
    return (
        f"<html lang='en'><head>{head}</head>"
        f"<body><article><h1>Bridge</h1>{body}{TEXT}</article></body></html>"
    )


def authors_of(head: str, body: str = "") -> list[str]:
    result = extract_article(page(head, body), "https://herald.example/bridge", now=NOW)
    assert result.fields is not None
    return list(result.fields["authors"])


def jsonld(authors: str, publisher: str = "The Midday Herald") -> str:
    return (
        '<script type="application/ld+json">{"@type": "NewsArticle", "headline": "Bridge",'
        f' "author": {authors}, "publisher": {{"@type": "Organization", "name": "{publisher}"}}}}'
        "</script>"
    )


def test_json_ld_organisation_author_is_dropped_when_people_are_named() -> None:
    head = jsonld(
        '[{"@type": "Person", "name": "Jane Porter"}, {"@type": "Organization", "name": "Wire"}]'
    )
    assert authors_of(head) == ["Jane Porter"]


def test_publisher_posing_as_author_is_dropped_for_the_visible_byline() -> None:
    head = jsonld('{"@type": "Person", "name": "The Midday Herald"}')
    assert authors_of(head, '<p class="byline">By Tom Reilly</p>') == ["Tom Reilly"]


def test_an_organisation_is_kept_when_it_is_the_only_credit() -> None:
    head = jsonld('{"@type": "Organization", "name": "Associated Press"}')
    assert authors_of(head) == ["Associated Press"]


def test_meta_author_profile_urls_are_ignored() -> None:
    head = (
        '<meta property="article:author" content="https://facebook.example/jane">'
        '<meta name="author" content="Jane Porter; Tom Reilly">'
    )
    assert authors_of(head) == ["Jane Porter", "Tom Reilly"]


def test_visible_byline_roles_join_declared_names() -> None:
    head = jsonld('[{"@type": "Person", "name": "Jane Porter"}]')
    body = '<div class="author">By Jane Porter, Transport Correspondent</div>'
    result = extract_article(page(head, body), "https://herald.example/bridge", now=NOW)
    assert result.fields is not None
    assert result.fields["author_roles"] == [
        {"name": "Jane Porter", "roles": ["Transport Correspondent"]}
    ]


def test_photo_credits_are_not_bylines() -> None:
    body = (
        '<p class="author-credit">Foto: Andrew Harnik / AP</p><span class="byline">© Reuters</span>'
    )
    assert authors_of("", body) == []
