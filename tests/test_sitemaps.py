"""Sitemaps: indexes, URL sets, Google News fields, gzip, and hostile input."""

from __future__ import annotations

import gzip
from datetime import datetime, timezone

from newscrawler.discovery.sitemaps import parse_sitemap

NEWS = """<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"
        xmlns:image="http://www.google.com/schemas/sitemap-image/1.1">
<url><loc>https://n.example/news/2024/03/27/plan.html</loc>
  <lastmod>2024-03-27T12:00:00+03:00</lastmod>
  <image:image><image:loc>https://n.example/i.jpg</image:loc><image:title>Photo</image:title>
  </image:image>
  <news:news><news:publication><news:name>Vestnik</news:name><news:language>ru</news:language>
  </news:publication><news:publication_date>2024-03-27T09:00:00+03:00</news:publication_date>
  <news:title>Совет утвердил план</news:title></news:news></url>
<url><loc>/relative.html</loc><lastmod>2023-11-02</lastmod></url>
<url><lastmod>2024-01-01</lastmod></url>
<url><loc>javascript:alert(1)</loc></url>
</urlset>""".encode()

INDEX = b"""<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
<sitemap><loc>https://n.example/news.xml.gz</loc><lastmod>2024-03-28</lastmod></sitemap>
<sitemap><loc>https://n.example/2019.xml</loc><lastmod>2019-12-31</lastmod></sitemap>
</sitemapindex>"""


def test_news_sitemap_fields() -> None:
    result = parse_sitemap(NEWS, "https://n.example/sitemap.xml")
    assert result.kind == "urlset" and result.error is None
    news, plain = result.entries
    assert news.news_title == "Совет утвердил план"  # not the image:title
    assert news.news_published == "2024-03-27T09:00:00+03:00"
    assert news.date == datetime(2024, 3, 27, 6, 0, tzinfo=timezone.utc)
    assert plain.url == "https://n.example/relative.html"
    assert plain.news_title is None
    assert plain.date == datetime(2023, 11, 2, tzinfo=timezone.utc)  # lastmod


def test_sitemap_index() -> None:
    result = parse_sitemap(INDEX, "https://n.example/robots-sitemap.xml")
    assert result.kind == "sitemapindex"
    assert [e.url for e in result.entries] == [
        "https://n.example/news.xml.gz",
        "https://n.example/2019.xml",
    ]
    assert result.entries[1].lastmod == datetime(2019, 12, 31, tzinfo=timezone.utc)


def test_gzip_sitemap() -> None:
    result = parse_sitemap(gzip.compress(NEWS), "https://n.example/news.xml.gz")
    assert len(result.entries) == 2


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * 20_000_000 + b"</urlset>")
    assert len(bomb) < 100_000
    result = parse_sitemap(bomb, "https://n.example/s.xml.gz", max_size=1_000_000)
    assert result.error == "too_large" and result.entries == []


def test_entity_declarations_are_refused_not_expanded() -> None:
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE u [<!ENTITY a "aaaaaaaaaaaaaaaaaaaa">'
        b'<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;">'
        b'<!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">'
        b'<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<urlset><url><loc>https://n.example/&c;&x;</loc></url></urlset>"
    )
    result = parse_sitemap(bomb, "https://n.example/s.xml")
    assert result.error == "unsafe" and result.entries == []


def test_broken_sitemaps_give_an_error_or_what_could_be_read() -> None:
    assert parse_sitemap(b"", "u").error == "malformed"
    assert parse_sitemap(b"\x1f\x8b\x08garbage", "u").error == "bad_gzip"
    assert parse_sitemap(b"<html><body>Not found</body></html>", "u").error == "not_a_sitemap"
    truncated = b"<urlset><url><loc>https://n.example/a</loc></url><url><loc>https://n.ex"
    assert parse_sitemap(truncated, "u").entries[0].url == "https://n.example/a"
