"""End to end: the seed page's record as ``scrapy crawl news`` writes it to the JSONL file."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_crawl
from tests.site.server import LoopbackSite


def test_crawled_records_carry_the_seed_fields_and_cyrillic_from_cp1251(
    news_site: LoopbackSite, tmp_path: Path
) -> None:
    result = run_crawl(tmp_path, "-a", f"start_urls={news_site.url('/')}")
    assert result.returncode == 0, result.log[-3000:]
    by_path = {r["url"].split(str(news_site.port), 1)[1]: r for r in result.records}

    seed = by_path["/news/2024/03/27/lukashenko-rostov.html"]
    assert seed["title"].startswith("Пора в Ростов? Окружение Лукашенко")
    assert "Вестник Полудня" not in seed["title"]
    for leftover in ("Реклама", "Источник", "Посмотреть также", "Поделиться"):
        assert leftover not in seed["text"]
    assert seed["authors"] == ["Ирина Волкова"]
    assert seed["source"]["label"] == "Источник"
    assert seed["source"]["name"] == "bloomberg.com"
    (entry,) = seed["related"]
    assert entry["url"] == news_site.url("/news/2024/03/27/shifa-hamas.html")
    assert [d["value"] for d in entry["dates"]] == ["2024-03-27T11:24:02", "2024-03-27T07:51:00"]
    assert entry["author_roles"] == [
        {"name": "Борислав Протченко", "roles": ["журналист", "редактор"]}
    ]

    # windows-1251 without any declaration, and declared in the header
    shifa = by_path["/news/2024/03/27/shifa-hamas.html"]
    market = by_path["/news/2024/03/26/vesennij-rynok.html"]
    assert shifa["title"].startswith("«В «Шифе» укрываются до 1000 боевиков»")
    assert market["title"] == "В Москве открылся первый весенний рынок фермерских продуктов"
    assert (shifa["language"], market["language"]) == ("ru", "ru")
    assert result.stats.get("newscrawler/extraction/language/detected", 0) >= 1  # shifa: no lang
