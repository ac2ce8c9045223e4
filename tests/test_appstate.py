"""Article text from the data JavaScript pages ship (``newscrawler/extraction/appstate.py``):
on pages written for these tests, through :func:`extract_article` and through a real crawl."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from lxml import html as lxml_html

from newscrawler.extraction import ExtractionOptions, extract_article
from newscrawler.extraction.appstate import (
    find_article,
    flight_rows,
    nuxt_object,
    prefer_app_state,
    read_app_state,
    revive_devalue,
)
from tests.conftest import run_crawl
from tests.site import appstate_pages as pages
from tests.site.server import LoopbackSite, Route

RU_TEXT = "\n\n".join(pages.RU_PARAGRAPHS)
DE_TEXT = "\n\n".join(pages.DE_PARAGRAPHS)
FR_TEXT = "\n\n".join(pages.FR_PARAGRAPHS)
EN_TEXT = "\n\n".join(pages.EN_PARAGRAPHS)


def extract(page: str, url: str = "https://paper.example/news/story") -> dict[str, object]:
    result = extract_article(page, url)
    assert result.fields is not None, (result.reason, result.detail)
    return {**result.fields, "events": result.events}


def test_next_data_blocks_become_the_text_with_headline_date_and_author() -> None:
    record = extract(pages.next_data_page())
    assert record["text"] == RU_TEXT  # the image caption and the related teaser left out
    assert record["text_method"] == "next_data"
    assert record["authors"] == ["Анна Круглова"]
    assert (record["published"], record["published_method"]) == (
        "2024-05-14T09:30:00+04:00",
        "app_state",
    )
    assert record["language"] == "ru"
    assert "text/next_data" in record["events"]


def test_flight_data_text_row_referenced_by_the_article_becomes_the_text() -> None:
    record = extract(pages.next_flight_page())
    assert record["text"] == DE_TEXT
    assert record["text_method"] == "next_flight"
    assert record["authors"] == ["Jens Albers"]
    assert record["published"] == "2024-05-13T07:15:00+02:00"


def test_nuxt_function_state_is_bound_to_its_arguments() -> None:
    record = extract(pages.nuxt_page())
    assert record["text"] == FR_TEXT
    assert record["text_method"] == "nuxt"
    assert record["authors"] == ["Claire Morvan"]
    assert record["published"] == "2024-05-12T18:00:00+02:00"


def test_nuxt_data_array_is_revived_and_its_text_split_into_lines() -> None:
    record = extract(pages.nuxt_data_page())
    assert record["text"] == EN_TEXT
    assert record["text_method"] == "nuxt"
    assert record["published_method"] == "app_state"
    assert str(record["published"]).startswith("2024-05-11T06:00:00")


def test_a_complete_dom_text_is_kept_over_a_shorter_app_state() -> None:
    record = extract(pages.dom_complete_page())
    assert record["text"] == EN_TEXT
    assert record["text_method"] == "dom"
    assert not [e for e in record["events"] if str(e).startswith("text/")]


def test_an_empty_shell_with_json_ld_article_body_says_json_ld() -> None:
    markup = json.dumps({"@type": "NewsArticle", "articleBody": RU_TEXT}, ensure_ascii=False)
    page = pages.shell(
        "ru", pages.RU_TITLE, f'<script type="application/ld+json">{markup}</script>'
    )
    record = extract(page)
    assert (record["text"], record["text_method"]) == (RU_TEXT, "json_ld")
    assert "text/json_ld" in record["events"]


DEEP = "[" * 100_000 + "]" * 100_000
BROKEN = {
    "truncated_next_data": '<script id="__NEXT_DATA__" type="application/json">{"props": {"pa',
    "deep_next_data": f'<script id="__NEXT_DATA__" type="application/json">{DEEP}</script>',
    "truncated_nuxt": '<script>window.__NUXT__=(function(a,b){return {data:[{body:"</script>',
    "nuxt_not_an_object": "<script>window.__NUXT__ = undefined;</script>",
    "nuxt_no_return": "<script>window.__NUXT__=(function(a){var x=a}(1))</script>",
    "bad_flight": '<script>self.__next_f.push([1,"3:T zz,oops\\n4:{not json"])</script>'
    "<script>self.__next_f.push([1, broken</script>",
    "cyclic_nuxt_data": '<script id="__NUXT_DATA__" type="application/json">'
    '[{"a": 1, "b": 99, "c": -1}, {"back": 0, "self": 1}, ["Set", 0, 1]]</script>',
}


@pytest.mark.parametrize("scripts", BROKEN.values(), ids=BROKEN.keys())
def test_malformed_app_state_leaves_the_dom_text(scripts: str) -> None:
    record = extract(pages.broken_page(scripts))
    assert record["text"] == EN_TEXT
    assert record["text_method"] == "dom"


def test_an_empty_shell_with_malformed_state_gives_no_record_and_no_error() -> None:
    page = pages.shell("en", pages.EN_TITLE, BROKEN["truncated_nuxt"], body="<div id=__nuxt>")
    result = extract_article(page, "https://paper.example/news/story")
    assert (result.fields, result.reason) == (None, "no_text")


# --- the rule on trees of other shapes ---------------------------------------------------------


def test_the_longest_prose_wins_over_many_short_labels_and_a_lead() -> None:
    tree = {
        "menu": [{"text": f"Section {i}"} for i in range(50)],
        "story": {
            "title": "Storm closes the coast road",
            "description": "The coast road is closed after a storm damaged the sea wall.",
            "content": {
                "blocks": [
                    {"kind": "p", "value": pages.EN_PARAGRAPHS[0]},
                    {"kind": "h2", "value": "What happens next"},
                    {"kind": "p", "value": pages.EN_PARAGRAPHS[1]},
                ]
            },
        },
        "footer": {"text": "All rights reserved. " * 30},
    }
    found = find_article(tree)
    assert found is not None
    text, meta = found
    assert text.split("\n\n") == [
        pages.EN_PARAGRAPHS[0],
        "What happens next",
        pages.EN_PARAGRAPHS[1],
    ]
    assert meta["title"] == "Storm closes the coast road"


def test_a_body_key_outweighs_a_longer_unnamed_string() -> None:
    body = " ".join(pages.DE_PARAGRAPHS[:2])
    other = " ".join(pages.DE_PARAGRAPHS)  # longer, under a key that names no body
    found = find_article({"item": {"body": body, "notes": other}})
    assert found is not None and found[0] == body


def test_a_tree_without_sentences_has_no_article() -> None:
    assert find_article({"nav": ["Home", "World", "Sport"], "count": 3, "ok": True}) is None


def test_flight_text_rows_are_counted_in_utf8_bytes() -> None:
    text = "Ёлки в Москве. Ещё одна строка."
    stream = f'1:T{len(text.encode()):x},{text}2:["$","p",null,{{"children":"$1"}}]\n'
    rows = flight_rows(stream)
    assert rows["2"][3]["children"] == text
    assert "1" not in rows  # referenced: read where the reference stands


JS_PIECES = st.sampled_from(
    [*"{}[]()\"'`:,;=\\ \nabT0123456789-.!$_", "function", "return", "void 0", "<p>"]
)


@given(st.lists(JS_PIECES, max_size=80).map("".join))
@settings(max_examples=300, deadline=None)
def test_hostile_scripts_never_raise(source: str) -> None:
    nuxt_object(f"window.__NUXT__={source}")
    flight_rows(source)
    revive_devalue([source, 0, -1, [source, 1], {"a": 3}])


def test_devalue_cycles_and_bad_indices_revive_as_empty() -> None:
    revived = revive_devalue([{"self": 0, "next": 1, "gone": 7}, ["Reactive", 2], "Текст"])
    assert revived == {"self": None, "next": "Текст", "gone": None}


def test_app_state_replaces_a_teaser_it_contains_but_not_an_unrelated_text() -> None:
    teaser = pages.EN_PARAGRAPHS[0]
    assert prefer_app_state(teaser, EN_TEXT, min_words=20)
    assert prefer_app_state(None, EN_TEXT, min_words=20)
    assert not prefer_app_state(teaser, pages.DE_PARAGRAPHS[0], min_words=20)
    assert not prefer_app_state(DE_TEXT, DE_TEXT + "\n\n" + EN_TEXT[:100], min_words=20)


def test_read_app_state_takes_next_data_first() -> None:
    page = pages.next_data_page().replace("</body>", pages.nuxt_page().split("<body>")[1])
    found = read_app_state(lxml_html.document_fromstring(page))
    assert found is not None and found.method == "next_data"


def test_a_body_selector_of_the_site_turns_app_state_off() -> None:
    page = pages.next_data_page().replace('<div id="__next"></div>', f"<main>{EN_TEXT}</main>")
    result = extract_article(
        page,
        "https://paper.example/news/story",
        options=ExtractionOptions(selectors={"body": "main"}),
    )
    assert result.fields is not None
    assert (result.fields["text"], result.fields["text_method"]) == (
        EN_TEXT.replace("\n\n", " "),
        "dom",
    )


# --- through a crawl ---------------------------------------------------------------------------

ARTICLES = {
    "/news/2024/05/14/rechnoj-vokzal.html": pages.next_data_page,
    "/de/2024/05/13/neue-faehre.html": pages.next_flight_page,
    "/fr/2024/05/12/mediatheque-dimanche.html": pages.nuxt_page,
    "/world/2024/05/11/night-ferry.html": pages.dom_complete_page,
}


def hub() -> str:
    links = "".join(f'<li><a href="{path}">Story {i}</a></li>' for i, path in enumerate(ARTICLES))
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Example news</title>'
        '<meta property="og:type" content="website"></head><body><h1>Example news</h1>'
        f'<ul class="teasers">{links}</ul></body></html>'
    )


def test_a_crawl_turns_app_shells_into_records_with_their_text_method(tmp_path: Path) -> None:
    routes = {"/": Route(body=hub()), **{p: Route(body=build()) for p, build in ARTICLES.items()}}
    with LoopbackSite(routes) as site:
        result = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}")
        port = str(site.port)
    assert result.returncode == 0, result.log[-3000:]
    by_path = {r["url"].split(port, 1)[1]: r for r in result.records}
    assert sorted(by_path) == sorted(ARTICLES)
    methods = {path: r["text_method"] for path, r in by_path.items()}
    assert methods == {
        "/news/2024/05/14/rechnoj-vokzal.html": "next_data",
        "/de/2024/05/13/neue-faehre.html": "next_flight",
        "/fr/2024/05/12/mediatheque-dimanche.html": "nuxt",
        "/world/2024/05/11/night-ferry.html": "dom",
    }
    ru = by_path["/news/2024/05/14/rechnoj-vokzal.html"]
    assert ru["text"] == RU_TEXT
    assert (ru["authors"], ru["published"]) == (["Анна Круглова"], "2024-05-14T09:30:00+04:00")
    assert ru["title"].startswith(pages.RU_TITLE)
    assert by_path["/de/2024/05/13/neue-faehre.html"]["text"] == DE_TEXT
    assert result.stats["newscrawler/extraction/text/next_data"] == 1
    assert result.stats["newscrawler/extraction/text/next_flight"] == 1
    assert result.stats["newscrawler/extraction/text/nuxt"] == 1
