"""End to end: ``scrapy crawl news`` against the loopback news site."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from newscrawler.pipelines.validate import schema_errors
from tests.conftest import CrawlResult, run_crawl
from tests.site.routes import ARTICLES, news_site_routes
from tests.site.server import LoopbackSite


@pytest.fixture(scope="module")
def home_crawl(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LoopbackSite, CrawlResult]]:
    """One crawl of the whole test site from its home page, shared by the tests below."""
    with LoopbackSite(news_site_routes()) as site:
        yield site, run_crawl(tmp_path_factory.mktemp("crawl"), "-a", f"start_urls={site.url('/')}")


def test_crawl_writes_one_valid_record_per_article(
    home_crawl: tuple[LoopbackSite, CrawlResult],
) -> None:
    news_site, result = home_crawl
    assert result.returncode == 0, result.log[-3000:]
    urls = sorted(r["url"] for r in result.records)
    assert urls == sorted(news_site.url(p) for p in ARTICLES)
    for record in result.records:
        assert schema_errors(record) == [], record["url"]
    assert result.stats["newscrawler/pages/skipped/non_html"] == 1  # /data/latest
    assert not any("/about.html" in u for u in urls)


def test_seed_page_record_carries_every_part_of_the_page(
    home_crawl: tuple[LoopbackSite, CrawlResult],
) -> None:
    news_site, result = home_crawl
    by_path = {r["url"].removeprefix(news_site.origin): r for r in result.records}
    seed = by_path["/news/2024/03/27/lukashenko-rostov.html"]

    assert seed["title"] == (
        "Пора в Ростов? Окружение Лукашенко ведет тайные переговоры с Кремлем о бегстве "
        "политика в Россию"
    )
    paragraphs = seed["text"].split("\n\n")
    assert len(paragraphs) == 7
    assert paragraphs[0].startswith("Окружение президента Белоруссии Александра Лукашенко")
    assert paragraphs[-1].endswith("которая существует и для России.")
    for boilerplate in ("Реклама", "Источник", "Посмотреть также", "Поделиться", "Шифе"):
        assert boilerplate not in seed["text"]
    assert seed["title"] not in seed["text"]  # the headline shown twice is not body text

    assert seed["authors"] == ["Ирина Волкова"]
    assert seed["author_roles"] == [{"name": "Ирина Волкова", "roles": ["корреспондент"]}]
    assert seed["published"] == "2024-03-27T06:15:00"
    assert seed["published_raw"] == "27 марта 2024 06:15"
    assert seed["language"] == "ru"
    assert seed["source"] == {
        "name": "bloomberg.com",
        "url": "https://www.bloomberg.com/news/articles/2020-08-19/lukashenko-allies-sound-out-kremlin",
        "label": "Источник",
    }

    [related] = seed["related"]
    assert related["title"].startswith("«В «Шифе» укрываются до 1000 боевиков»")
    assert related["url"] == news_site.url("/news/2024/03/27/shifa-hamas.html")
    assert {d["raw"]: d["value"] for d in related["dates"]} == {
        "03/27/2024  11:24:02": "2024-03-27T11:24:02",
        "27 МАРТА 2024  07:51": "2024-03-27T07:51:00",
    }
    assert related["published"] == "2024-03-27T07:51:00"
    assert related["modified"] == "2024-03-27T11:24:02"
    assert related["authors"] == ["Борислав Протченко"]
    assert related["author_roles"] == [
        {"name": "Борислав Протченко", "roles": ["журналист", "редактор"]}
    ]
    assert related["excerpt"] == "Взятые в плен военнослужащими …"


def test_windows_1251_pages_come_out_as_cyrillic(
    home_crawl: tuple[LoopbackSite, CrawlResult],
) -> None:
    news_site, result = home_crawl
    by_path = {r["url"].removeprefix(news_site.origin): r for r in result.records}
    declared = by_path["/news/2024/03/26/vesennij-rynok.html"]  # charset in header and meta
    undeclared = by_path["/news/2024/03/27/shifa-hamas.html"]  # no charset anywhere
    assert declared["title"] == "В Москве открылся первый весенний рынок фермерских продуктов"
    assert "Киевского вокзала" in declared["text"]
    assert declared["published"] == "2024-03-26T09:30:00+03:00"
    assert declared["authors"] == ["Анна Смирнова"]
    assert undeclared["title"].startswith("«В «Шифе» укрываются до 1000 боевиков»")
    assert "подземная инфраструктура" in undeclared["text"]
    # No language declared and date and author on one line: "27 марта 2024 07:51 · Автор: …".
    assert (undeclared["published"], undeclared["published_raw"]) == (
        "2024-03-27T07:51:00",
        "27 марта 2024 07:51",
    )
    assert undeclared["published_method"] == "visible"
    assert undeclared["author_roles"] == [
        {"name": "Борислав Протченко", "roles": ["журналист", "редактор"]}
    ]
    for record in (declared, undeclared):
        assert record["language"] == "ru"
        assert "\ufffd" not in record["text"]


def test_jsonl_is_utf8_with_real_characters(home_crawl: tuple[LoopbackSite, CrawlResult]) -> None:
    _, result = home_crawl
    raw = result.output.read_bytes()
    assert raw.endswith(b"\n")
    text = raw.decode("utf-8")
    assert "\\u04" not in text and "Лукашенко" in text
    assert len(text.splitlines()) == len(ARTICLES)


def test_seeds_from_a_file_with_comments(news_site: LoopbackSite, tmp_path: Path) -> None:
    seeds = tmp_path / "seeds.txt"
    seeds.write_text(
        f"# sections of the test site\n\n{news_site.url('/world/')}  # world desk\n",
        encoding="utf-8",
    )
    result = run_crawl(
        tmp_path, "-a", f"urls_file={seeds}", settings={"NEWSCRAWLER_FOLLOW_LINKS": "False"}
    )
    assert result.returncode == 0
    assert news_site.paths("GET")[:2] == ["/robots.txt", "/world/"]
    assert result.records == []  # a hub, and links are not followed


def test_a_bad_seed_fails_with_a_clear_message(tmp_path: Path) -> None:
    result = run_crawl(tmp_path, "-a", "start_urls=ftp://example.org/")
    assert result.returncode != 0
    assert "seed URL must be an absolute http(s) URL: 'ftp://example.org/'" in result.log
