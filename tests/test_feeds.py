"""Feeds: autodiscovery on HTML pages and safe parsing of RSS, Atom and JSON feeds."""

from __future__ import annotations

import json
from datetime import datetime, timezone

from parsel import Selector

from newscrawler.discovery.feeds import find_feed_links, has_unsafe_prolog, parse_feed

RSS = """<?xml version="1.0" encoding="utf-8"?>
<rss version="2.0"><channel><title>Вестник</title><link>https://n.example/</link>
<item><title>Совет утвердил план</title><link>/news/2024/03/27/plan.html</link>
<pubDate>Wed, 27 Mar 2024 09:30:00 +0300</pubDate></item>
<item><title>No date</title><link>https://n.example/news/undated.html</link></item>
<item><title>No link</title></item>
</channel></rss>""".encode()

ATOM = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>Herald</title>
<entry><title>Bridge reopens</title><link rel="alternate" href="https://n.example/world/bridge"/>
<updated>2024-03-26T12:00:00Z</updated></entry></feed>"""


def test_rss_entries_carry_title_and_date() -> None:
    result = parse_feed(RSS, "https://n.example/rss.xml")
    assert result.error is None
    first, second = result.entries
    assert first.url == "https://n.example/news/2024/03/27/plan.html"
    assert first.title == "Совет утвердил план"
    assert first.published == "Wed, 27 Mar 2024 09:30:00 +0300"
    assert first.date == datetime(2024, 3, 27, 6, 30, tzinfo=timezone.utc)
    assert second.date is None and second.published is None


def test_atom_entry_without_published_date_uses_updated_for_the_window_only() -> None:
    (entry,) = parse_feed(ATOM, "https://n.example/atom.xml").entries
    assert entry.url == "https://n.example/world/bridge"
    assert entry.published is None  # not a publication date: no hint
    assert entry.date == datetime(2024, 3, 26, 12, 0, tzinfo=timezone.utc)


def test_json_feed() -> None:
    body = json.dumps(
        {
            "version": "https://jsonfeed.org/version/1.1",
            "items": [
                {"url": "/a.html", "title": "A", "date_published": "2024-03-25T10:00:00+01:00"},
                {"id": "no-url"},
                "junk",
            ],
        }
    ).encode()
    (entry,) = parse_feed(body, "https://n.example/feed.json").entries
    assert entry.url == "https://n.example/a.html"
    assert entry.date == datetime(2024, 3, 25, 9, 0, tzinfo=timezone.utc)


def test_entity_declarations_are_rejected_before_parsing() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;">]>'
        b"<rss><channel><item><title>&c;</title><link>https://n.example/x</link></item>"
        b"</channel></rss>"
    )
    assert has_unsafe_prolog(bomb)
    assert parse_feed(bomb, "https://n.example/rss").error == "unsafe"
    external = b'<?xml version="1.0"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><rss/>'
    assert parse_feed(external, "https://n.example/rss").error == "unsafe"


def test_doctype_inside_entry_content_is_not_a_declaration() -> None:
    body = RSS.replace(b"<title>No date</title>", b"<title><![CDATA[<!DOCTYPE html>]]></title>")
    assert not has_unsafe_prolog(body)
    assert len(parse_feed(body, "https://n.example/rss").entries) == 2


def test_bad_feeds_give_an_error_not_an_exception() -> None:
    assert parse_feed(b"", "u").error == "not_a_feed"
    assert parse_feed(b"{not json", "u").error == "malformed"
    assert parse_feed(b'{"version": "1"}', "u").error == "not_a_feed"
    assert parse_feed(b"<html><body><p>Soft 404</p></body></html>", "u").entries == []
    assert parse_feed(b"\x00\xff<rss><channel><item>", "u").entries == []


def test_feed_links_declared_on_a_page() -> None:
    sel = Selector(
        text="""<html><head>
        <link rel="alternate" type="application/rss+xml" href="/rss.xml">
        <link rel="alternate" type="application/atom+xml" href="https://n.example/atom">
        <link rel="alternate" type="application/feed+json" href="/feed.json">
        <link rel="alternate" type="application/rss+xml" href="/comments/feed/">
        <link rel="alternate" type="application/json" href="/wp-json/wp/v2/posts/1">
        <link rel="alternate" hreflang="de" href="/de/">
        <link rel="stylesheet" type="text/css" href="/s.css">
        </head></html>"""
    )
    assert find_feed_links(sel, "https://n.example/news/") == [
        "https://n.example/rss.xml",
        "https://n.example/atom",
        "https://n.example/feed.json",
    ]
