"""The spider's link reader: what it keeps, what it drops, and parity with Scrapy's extractor."""

from __future__ import annotations

import lxml.html
from scrapy.http import HtmlResponse
from scrapy.linkextractors import LinkExtractor

from newscrawler.discovery.links import page_links
from newscrawler.urls import canonical_url

PAGE = """<!DOCTYPE html><html lang="ru"><head><title>Лента</title></head><body>
<nav><a href="/">Главная</a> <a href="/news/">Новости</a> <a href="#top">Наверх</a></nav>
<ul>
  <li><a href="/news/2024/03/27/vstrecha.html">Встреча</a></li>
  <li><a href="  /news/2024/03/27/vstrecha.html#comments ">Комментарии</a></li>
  <li><a href="news/relative.html">Относительная</a></li>
  <li><a href="//vestnik.example/news/scheme-relative.html">Без схемы</a></li>
  <li><a href="HTTPS://Vestnik.Example/news/upper.html">Заглавные</a></li>
  <li><a href="https://user:pw@vestnik.example:8443/news/port.html">Порт</a></li>
  <li><a href="/news/новость-дня.html">Кириллица</a></li>
  <li><a href="/news/story.html?utm_source=x&amp;id=7">Метки</a></li>
  <li><a href="https://sub.vestnik.example/news/sub.html">Поддомен</a></li>
  <li><a href="https://other.example/news/elsewhere.html">Чужой сайт</a></li>
  <li><a href="//other.example/news/elsewhere2.html">Чужой без схемы</a></li>
  <li><a href="http://[::1]/news/v6.html">IPv6</a></li>
  <li><a href="http://[::1">Сломанная</a></li>
  <li><a href="/photos/big.JPG">Фото</a> <a href="/docs/report.pdf">PDF</a></li>
  <li><a href="javascript:void(0)">JS</a> <a href="mailto:desk@vestnik.example">Почта</a>
      <a href="tel:+7000">Телефон</a> <a href="ftp://vestnik.example/file">FTP</a></li>
  <li><a>Без ссылки</a> <a href="">Пустая</a></li>
</ul>
<map><area href="/news/from-area.html" alt="area"></map>
<link href="/not-a-link.css" rel="stylesheet">
</body></html>"""

BASE = "https://vestnik.example/section/index.html"


def links(keep_host: object = None) -> list[str]:
    root = lxml.html.document_fromstring(PAGE)
    return page_links(root, BASE, keep_host)  # type: ignore[arg-type]


def test_reads_a_and_area_links_resolved_in_document_order() -> None:
    found = links()
    assert found[:4] == [
        "https://vestnik.example/",
        "https://vestnik.example/news/",
        "https://vestnik.example/news/2024/03/27/vstrecha.html",
        "https://vestnik.example/section/news/relative.html",
    ]
    assert "https://Vestnik.Example/news/upper.html" in found  # canonical_url lower-cases later
    assert "https://vestnik.example/news/scheme-relative.html" in found
    assert "https://vestnik.example/news/from-area.html" in found
    assert "https://vestnik.example/news/новость-дня.html" in found
    assert len(found) == len(set(found))


def test_drops_fragments_files_and_non_web_schemes() -> None:
    found = links()
    assert not any("#" in url for url in found)
    assert not any(url.lower().endswith((".jpg", ".pdf", ".css")) for url in found)
    assert BASE not in found  # "#top" is the page itself
    assert not any(url.startswith(("javascript:", "mailto:", "tel:", "ftp:")) for url in found)
    assert not any("[::1" in url and "]" not in url for url in found)  # the bogus link


def test_host_filter_drops_other_sites_before_joining() -> None:
    asked: list[str] = []

    def keep(host: str) -> bool:
        asked.append(host)
        return host.endswith("vestnik.example")

    found = links(keep)
    assert not any("other.example" in url for url in found)
    assert "https://sub.vestnik.example/news/sub.html" in found
    assert "https://user:pw@vestnik.example:8443/news/port.html" in found
    # Only absolute links are asked about, each by its host: lower-cased, without user info,
    # port or IPv6 brackets.
    assert set(asked) == {"other.example", "vestnik.example", "sub.vestnik.example", "::1"}


def test_same_on_site_urls_as_scrapys_link_extractor() -> None:
    """Scrapy's extractor also gives the page itself for ``#top`` and ``ftp:`` links; the crawl
    has fetched the one and cannot fetch the other."""
    response = HtmlResponse(BASE, body=PAGE.encode("utf-8"), encoding="utf-8")

    def on_site(urls: list[str]) -> set[str]:
        canonical = {canonical_url(url) for url in urls}
        return {u for u in canonical if u.startswith("https://vestnik.example/")} - {BASE}

    theirs = on_site([link.url for link in LinkExtractor(unique=True).extract_links(response)])
    assert on_site(links()) == theirs
    assert len(theirs) == 9
