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


# --- Agencies, desks, declared names, the site's own credits ---------------------------------


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Von Felix Weber und Jonas Roth, dpa", ["Felix Weber", "Jonas Roth", "dpa"]),
        ("Par Claire Dubois, AFP", ["Claire Dubois", "AFP"]),
        ("Door Sanne de Vries, ANP", ["Sanne de Vries", "ANP"]),
        ("Av Karin Lund, TT", ["Karin Lund", "TT"]),
        ("Por Lucía Gómez, EFE", ["Lucía Gómez", "EFE"]),
        ("Автор: Иван Петров, ТАСС", ["Иван Петров", "ТАСС"]),
        ("Anna Weber (dpa)", ["Anna Weber", "dpa"]),
        # any other single word after a comma is a place, not a second author
        ("Von Anna Weber, Berlin", ["Anna Weber"]),
        ("Por Lucía Gómez, Madrid", ["Lucía Gómez"]),
    ],
)
def test_agencies_in_a_byline_are_credits_and_places_are_not(
    byline: str, expected: list[str]
) -> None:
    assert [p.name for p in parse_byline(byline)] == expected


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("Von BR24 Redaktion", ["BR24 Redaktion"]),
        ("MM-Redaktion", ["MM-Redaktion"]),
        ("By Herald staff reporter", ["Herald staff reporter"]),
        ("MND Staff", ["MND Staff"]),
        ("Редакция РБК", ["Редакция РБК"]),
        # a desk credited with the agencies is one credit
        ("By Staff and agencies", ["Staff and agencies"]),
        ("Guardian staff and agencies", ["Guardian staff and agencies"]),
        ("Von Redaktion und Agenturen", ["Redaktion und Agenturen"]),
        ("By Jane Doe and agencies", ["Jane Doe"]),
        # a job title after a named person stays a role
        ("Mary Smith, Herald Staff Writer", ["Mary Smith"]),
        ("Von unserer Redaktion", []),
    ],
)
def test_newsroom_credits_are_kept_whole(byline: str, expected: list[str]) -> None:
    assert [p.name for p in parse_byline(byline)] == expected


def test_declared_names_are_taken_as_written_but_never_numbers_or_addresses() -> None:
    def declared(text: str) -> list[str]:
        return [p.name for p in parse_byline(text, declared=True)]

    assert declared("dpa") == ["dpa"]
    assert declared("viktor hedlund") == ["Viktor Hedlund"]
    assert declared("jan van dijk") == ["Jan van Dijk"]
    assert declared("FOCUS online") == ["FOCUS online"]
    assert declared("105092") == []
    assert declared("j.doe@herald.example") == []
    assert declared("https://herald.example/authors/jane") == []
    # read from the page's text, the same words do not look like a name
    assert [p.name for p in parse_byline("viktor hedlund")] == []


@pytest.mark.parametrize(
    ("byline", "expected"),
    [
        ("By Julian Borger in Washington", ["Julian Borger"]),
        ("Associated Press in Valencia", ["Associated Press"]),
        ("Von Jonas Weber Stand: 28.04.2023, 05:00 Uhr", ["Jonas Weber"]),
        ("By Jane Doe Updated 5 March 2024", ["Jane Doe"]),
        ("Par Claire Dubois Publié le 3 mars 2024", ["Claire Dubois"]),
        ("この記事を書いた人 渡辺洋介 東京社会部 フォロー 戦争、平和", []),
    ],
)
def test_places_date_labels_and_sentences_are_cut_from_names(
    byline: str, expected: list[str]
) -> None:
    assert [p.name for p in parse_byline(byline)] == expected


def test_acronyms_drop_only_equal_names() -> None:
    merged = merge_authors(
        [[AuthorRole("LTO"), AuthorRole("MM-Redaktion"), AuthorRole("Max Kolter")]],
        acronyms=["LTO", "MM"],
    )
    assert [p.name for p in merged] == ["MM-Redaktion", "Max Kolter"]


def test_nested_json_ld_author_lists_are_read() -> None:
    head = jsonld(
        '[{"@type": "Person", "name": "Jane Porter"}, [{"@type": "Person", "name": "Tom Reilly"}]]'
    )
    assert authors_of(head) == ["Jane Porter", "Tom Reilly"]


def test_an_author_typed_both_person_and_organization_is_a_person() -> None:
    head = jsonld('{"@type": ["Person", "Organization"], "name": "Kyle Reed"}')
    assert authors_of(head, '<p class="byline">By Tom Reilly</p>') == ["Kyle Reed"]


def test_json_ld_agency_next_to_a_person_is_kept() -> None:
    head = jsonld(
        '[{"@type": "Person", "name": "Paula Keller"}, {"@type": "Organization", "name": "SDA"}]'
    )
    assert authors_of(head) == ["Paula Keller", "SDA"]


def test_json_ld_agency_beats_a_byline_elsewhere_on_the_page() -> None:
    head = jsonld('{"@type": "Organization", "name": "dpa"}') + (
        '<meta name="author" content="The Midday Herald">'
    )
    assert authors_of(head, '<p class="byline">Von Christoph Maier</p>') == ["dpa"]


def test_lower_case_json_ld_people_are_kept() -> None:
    assert authors_of(jsonld('{"@type": "Person", "name": "viktor hedlund"}')) == ["Viktor Hedlund"]
    assert authors_of(jsonld('{"@type": "Person", "name": "dpa"}')) == ["dpa"]


def test_meta_author_naming_the_site_gives_way_to_the_byline() -> None:
    head = '<meta name="author" content="Herald Media (www.herald.example)">'
    assert authors_of(head, '<p class="byline">Von Anna Weber</p>') == ["Anna Weber"]
    # the site's acronym ("MHO" for "Midday Herald Online") is the site too
    head = (
        '<meta property="og:site_name" content="Midday Herald Online">'
        '<meta name="author" content="MHO">'
    )
    assert authors_of(head, '<p class="byline">By Tom Reilly</p>') == ["Tom Reilly"]
    # with nothing else, the site's own credit is still the credit
    assert authors_of('<meta name="author" content="Herald Media (www.herald.example)">') == [
        "Herald Media"
    ]


def test_written_by_twitter_label_gives_the_author() -> None:
    head = (
        '<meta name="twitter:label1" content="Verfasst von">'
        '<meta name="twitter:data1" content="Gregor Brandt">'
    )
    assert authors_of(head) == ["Gregor Brandt"]
    head = (
        '<meta name="twitter:label1" content="Est. reading time">'
        '<meta name="twitter:data1" content="3 Minuten">'
    )
    assert authors_of(head) == []


def article_page(header: str, body: str = "", after: str = "") -> str:
    return (
        "<html lang='de'><head></head><body>"
        f"<article><header><h1>Brücke</h1>{header}</header>{body}{TEXT}</article>{after}"
        "</body></html>"
    )


def visible_authors(html: str) -> list[str]:
    result = extract_article(html, "https://herald.example/bruecke", now=NOW)
    assert result.fields is not None
    return list(result.fields["authors"])


def test_byline_marked_on_an_ancestor_is_read_from_its_link() -> None:
    header = '<span class="byline"><span class="author vcard"><a href="/x">Gregor Brandt</a>'
    assert visible_authors(article_page(header + "</span></span>")) == ["Gregor Brandt"]


def test_link_to_an_author_page_marks_a_byline() -> None:
    body = '<p><a href="/autoren/name/max-kolter">Dr. Max Kolter</a></p>'
    assert visible_authors(article_page("", body)) == ["Dr. Max Kolter"]


def test_labelled_byline_in_the_article_header_is_read() -> None:
    header = '<p class="reader-meta">von Dr. Max Kolter</p>'
    assert visible_authors(article_page(header)) == ["Dr. Max Kolter"]


def test_bylines_in_separate_elements_do_not_run_together() -> None:
    head = jsonld('{"@type": "Person", "name": "Marlene Holm"}')
    body = (
        '<div class="bylines"><div class="byline"><a rel="author">Ingrid Berg</a></div>'
        '<div class="byline"><a rel="author">Marlene Holm</a></div></div>'
    )
    assert authors_of(head, body) == ["Marlene Holm", "Ingrid Berg"]


def test_a_teasers_byline_far_below_does_not_add_authors() -> None:
    head = jsonld('{"@type": "Person", "name": "Jane Porter"}')
    teaser = (
        '<div class="more">' + "<p>Another story about the city council and its budget.</p>" * 20
    )
    teaser += '<div class="card"><p class="byline">By Jane Porter and Tom Reilly</p></div></div>'
    html = page(head, "").replace("</article>", "</article>" + teaser)
    result = extract_article(html, "https://herald.example/bridge", now=NOW)
    assert result.fields is not None
    assert result.fields["authors"] == ["Jane Porter"]


def test_signature_paragraph_credits_the_text_when_nothing_else_names_a_person() -> None:
    head = jsonld('{"@type": "Organization", "name": "The Midday Herald"}')
    signed = f"<html><head>{head}</head><body><article><h1>Cầu</h1>{TEXT}{TEXT}"
    signed += "<p><strong>Lê Phương</strong></p></article></body></html>"
    assert visible_authors(signed) == ["Lê Phương"]
    # a bold sentence is not a signature: the organisation stays the credit
    unsigned = signed.replace("Lê Phương", "Read more")
    assert visible_authors(unsigned) == ["The Midday Herald"]


def test_a_sign_in_link_is_no_byline() -> None:
    # "authorization" holds "author": a log-in link styled by its class is no credit
    body = '<a class="authorization-link" href="/account/login">Sign In</a>'
    assert authors_of("", body) == []
    byline = '<p class="byline">Von Anna Schmidt</p>'
    assert authors_of("", body + byline) == ["Anna Schmidt"]
