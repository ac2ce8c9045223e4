"""Article, hub or rejected: what a crawl makes of posts, sections and shop pages.

A loopback site with a blog post, a Russian listicle and a German guide (little ``<p>`` text,
bodies of lists, ``og:type=website``), a section page and a product page, crawled through links
and through a sitemap: the three articles become records either way; the section is a hub when
linked and rejected when a sitemap announces it; the product page is rejected, counted, logged at
INFO with its URL and written with its evidence to the rejected-pages file.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

import newscrawler.settings as project_settings
from newscrawler.extraction import Extraction
from newscrawler.items import Page
from newscrawler.pipelines.extract import ExtractionPipeline, NotAnArticle
from newscrawler.pipelines.rejected import RejectedPages
from tests.conftest import CrawlResult, news_crawler, read_jsonl, run_crawl
from tests.site.server import LoopbackSite, Route

POSTS = {
    "/blog/what-to-pack-for-a-night-train/": Route("en-night-train-list.html"),
    "/blog/2024/05/10-mest-dlya-progulok-v-moskve.html": Route("ru-progulki-list.html"),
    "/ratgeber/strom-sparen-im-winter": Route("de-strom-sparen-list.html"),
}
PRODUCT = "/shop/products/insulated-travel-mug"
SECTION = "/guides/"
PAGES = {
    "/": Route("travel-home.html"),
    SECTION: Route("section-guides.html"),
    PRODUCT: Route("shop-travel-mug.html"),
    **POSTS,
}
TITLES = {
    "What to pack for a night train",
    "10 мест для прогулок в Москве",
    "Strom sparen im Winter",
}


def sitemap(site: LoopbackSite, paths: list[str]) -> Route:
    urls = "".join(f"<url><loc>{site.url(p)}</loc></url>" for p in paths)
    body = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    return Route(body=body, content_type="application/xml")


def path_of(site: LoopbackSite, url: str) -> str:
    return url.removeprefix(site.origin)


@pytest.fixture(scope="module")
def linked(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LoopbackSite, CrawlResult]]:
    """The site crawled from its home page through links (no sitemap), with a rejected file."""
    workdir = tmp_path_factory.mktemp("linked")
    with LoopbackSite(dict(PAGES)) as site:
        result = run_crawl(
            workdir,
            "-a",
            f"start_urls={site.url('/')}",
            settings={"NEWSCRAWLER_REJECTED_FILE": str(workdir / "rejected.jsonl")},
        )
        yield site, result


@pytest.fixture(scope="module")
def announced(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[LoopbackSite, CrawlResult]]:
    """The same pages reached only through the sitemap robots.txt names (links not followed)."""
    workdir = tmp_path_factory.mktemp("announced")
    with LoopbackSite(dict(PAGES)) as site:
        site.routes["/sitemap.xml"] = sitemap(site, [*POSTS, SECTION, PRODUCT])
        site.routes["/robots.txt"] = Route(
            body=f"User-agent: *\nAllow: /\nSitemap: {site.url('/sitemap.xml')}\n",
            content_type="text/plain",
        )
        result = run_crawl(
            workdir,
            "-a",
            f"start_urls={site.url('/')}",
            settings={
                "NEWSCRAWLER_FOLLOW_LINKS": "False",
                "NEWSCRAWLER_REJECTED_FILE": str(workdir / "rejected.jsonl"),
            },
        )
        yield site, result


def rejected_lines(result: CrawlResult) -> dict[str, dict[str, Any]]:
    return {line["url"]: line for line in read_jsonl(result.output.parent / "rejected.jsonl")}


@pytest.mark.parametrize("crawl", ["linked", "announced"])
def test_list_heavy_posts_with_little_paragraph_text_become_records(
    crawl: str, request: pytest.FixtureRequest
) -> None:
    site, result = request.getfixturevalue(crawl)
    assert result.returncode == 0, result.log[-3000:]
    assert sorted(path_of(site, r["url"]) for r in result.records) == sorted(POSTS)
    assert {r["title"] for r in result.records} == TITLES
    by_path = {path_of(site, r["url"]): r for r in result.records}
    assert (
        "dining car often closes before midnight"
        in by_path["/blog/what-to-pack-for-a-night-train/"]["text"]
    )
    assert by_path["/blog/2024/05/10-mest-dlya-progulok-v-moskve.html"]["language"] == "ru"
    assert "Spülmaschine" in by_path["/ratgeber/strom-sparen-im-winter"]["text"]


def test_linked_posts_are_candidates_and_the_section_a_hub(
    linked: tuple[LoopbackSite, CrawlResult],
) -> None:
    site, result = linked
    stats = result.stats
    assert stats["newscrawler/pages/article/candidate"] == 4  # three posts and the product
    assert stats["newscrawler/pages/hub/home"] == 1
    assert stats["newscrawler/pages/hub/hub_markup"] == 1  # the section: links, not a record
    # a hub is not rejected: it gave its links
    assert site.url(SECTION) not in rejected_lines(result)
    assert not any(k.startswith("newscrawler/pages/rejected/listing") for k in stats)


def test_product_page_is_rejected_counted_logged_and_written_with_its_evidence(
    linked: tuple[LoopbackSite, CrawlResult],
) -> None:
    site, result = linked
    url = site.url(PRODUCT)
    assert url not in {r["url"] for r in result.records}
    assert result.stats["newscrawler/pages/rejected/product"] == 1
    assert result.stats["item_dropped_reasons_count/NotAnArticle"] == 1
    assert f"INFO: No article from {url}: product (product markup: jsonld:product" in result.log
    lines = rejected_lines(result)
    assert list(lines) == [url]
    line = lines[url]
    assert (line["reason"], line["route"]) == ("product", "link")
    assert line["signals"]["product"] == [
        "jsonld:product",
        "og:type:product",
        "meta:product:price:amount",
    ]
    assert "add_to_cart" in line["signals"]["shop"]
    assert line["signals"]["words"] > 20
    assert result.stats["newscrawler/pages/rejected_written"] == 1


def test_announced_section_and_product_are_extracted_then_rejected(
    announced: tuple[LoopbackSite, CrawlResult],
) -> None:
    site, result = announced
    assert result.returncode == 0, result.log[-3000:]
    stats = result.stats
    assert stats["newscrawler/pages/article/announced"] == 5
    assert stats["newscrawler/pages/rejected/listing"] == 1
    assert stats["newscrawler/pages/rejected/product"] == 1
    lines = rejected_lines(result)
    assert set(lines) == {site.url(SECTION), site.url(PRODUCT)}
    section = lines[site.url(SECTION)]
    assert (section["reason"], section["route"]) == ("listing", "entry")
    assert section["signals"]["listing_types"] == ["collectionpage"]
    assert f"INFO: No article from {site.url(SECTION)}: listing (listing markup" in result.log
    assert f"INFO: No article from {site.url(PRODUCT)}: product" in result.log


def test_rejected_file_is_off_by_default(tmp_path: Path) -> None:
    assert project_settings.NEWSCRAWLER_REJECTED_FILE == ""
    crawler = get_crawler(settings_dict={"NEWSCRAWLER_REJECTED_FILE": ""})
    with pytest.raises(NotConfigured):
        build_from_crawler(RejectedPages, crawler)
    with LoopbackSite(dict(PAGES)) as site:
        result = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}")
    assert result.stats["newscrawler/pages/rejected/product"] == 1
    assert "newscrawler/pages/rejected_written" not in result.stats
    assert not [p for p in tmp_path.rglob("*") if "rejected" in p.name]


SIGNALS = {"product": ["jsonld:product"], "article_url": True}


def test_first_rejected_pages_of_each_reason_and_site_are_logged_at_info(
    caplog: pytest.LogCaptureFixture,
) -> None:
    settings = {k: v for k, v in vars(project_settings).items() if k.isupper()}
    settings.update(
        NEWSCRAWLER_STATE_ENABLED=False,
        NEWSCRAWLER_EXTRACTION_WORKERS=0,
        NEWSCRAWLER_REJECTED_LOG_FIRST=2,
    )
    crawler = news_crawler(settings, start_urls="https://a.example/")
    pipeline = build_from_crawler(ExtractionPipeline, crawler)
    found = Extraction({"text": "An insulated mug for long journeys. " * 10, "authors": []})
    hosts = ("a.example", "b.example")
    urls = [f"https://{host}/products/mug-{i}" for host in hosts for i in range(3)]
    with caplog.at_level(logging.DEBUG, logger="newscrawler.pipelines.extract"):
        for url in urls:
            with pytest.raises(NotAnArticle) as info:
                pipeline.finish(Page(url=url, body=b"", signals=dict(SIGNALS)), (found, None))
            assert info.value.reason == "product"
            assert info.value.signals["product"] == ["jsonld:product"]
    at_info = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert [m.split()[3] for m in at_info] == [u + ":" for u in urls if not u.endswith("-2")]
    assert at_info[1].endswith("(further such pages of this site are logged at DEBUG)")
    assert crawler.stats is not None
    assert crawler.stats.get_value("newscrawler/pages/rejected/product") == 6
