"""Trap defences: the spider middlewares that cut requests, and the URL shapes they look for."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse
from scrapy.utils.misc import build_from_crawler

from newscrawler.discovery import meta
from newscrawler.discovery.patterns import (
    has_numeric_id,
    is_archive_url,
    max_segment_repeats,
    pagination_number,
)
from newscrawler.discovery.scope import crawl_scope
from newscrawler.discovery.traps import (
    ArchiveLimit,
    DepthLimit,
    ExhaustedListings,
    FeedLimit,
    KnownLinks,
    PaginationLimit,
    QueryVariantsLimit,
    RepeatedSegmentsLimit,
    SeenFilter,
    SiteBudget,
    SitemapLimit,
    UrlLengthLimit,
)
from newscrawler.spiders.news import NewsSpider
from tests.conftest import news_crawler

ORIGIN = "https://n.example"


def make_crawler(sites_file: Path | None = None, **settings: Any) -> Crawler:
    if sites_file is not None:
        return news_crawler(settings, start_urls=f"{ORIGIN}/", sites=str(sites_file))
    return news_crawler(settings, start_urls=f"{ORIGIN}/")


def link(path: str, route: str = meta.LINK) -> Request:
    return Request(ORIGIN + path, meta={meta.ROUTE: route})


def admitted(mw: Any, requests: list[Request]) -> list[str]:
    response = HtmlResponse(ORIGIN + "/", body=b"<html></html>", request=Request(ORIGIN + "/"))
    response.meta["depth"] = 0
    out = mw.process_spider_output(response, requests)
    return [r.url.removeprefix(ORIGIN) for r in out]


def test_url_shapes() -> None:
    assert pagination_number(f"{ORIGIN}/news/?page=12") == 12
    assert pagination_number(f"{ORIGIN}/news/page/3/") == 3
    assert pagination_number(f"{ORIGIN}/news/?page=last") is None
    assert is_archive_url(f"{ORIGIN}/archive/2024/03/")
    assert is_archive_url(f"{ORIGIN}/2024/03/27/")
    assert is_archive_url(f"{ORIGIN}/archive/2024-03-27")
    assert is_archive_url(f"{ORIGIN}/news?date=2024-03-27")
    assert not is_archive_url(f"{ORIGIN}/news/2024/03/27/council-plan.html")
    assert not is_archive_url(f"{ORIGIN}/news/12345/")
    assert max_segment_repeats(f"{ORIGIN}/a/b/a/b/a/") == 3
    assert max_segment_repeats(f"{ORIGIN}/2024/03/03/x") == 1
    assert has_numeric_id(f"{ORIGIN}/story.php?storyid=77&x=a")
    assert not has_numeric_id(f"{ORIGIN}/search?q=77")


def test_url_length_limit_applies_to_every_route() -> None:
    crawler = make_crawler(NEWSCRAWLER_TRAPS_MAX_URL_LENGTH=40)
    mw = build_from_crawler(UrlLengthLimit, crawler)
    requests = [link("/short"), link("/" + "x" * 60, route="entry")]
    assert admitted(mw, requests) == ["/short"]
    assert crawler.stats.get_value("newscrawler/traps/url_length") == 1


def test_repeated_segments_limit() -> None:
    crawler = make_crawler(NEWSCRAWLER_TRAPS_MAX_REPEATED_SEGMENTS=2)
    mw = build_from_crawler(RepeatedSegmentsLimit, crawler)
    requests = [link("/news/more/more/"), link("/news/more/more/more/")]
    assert admitted(mw, requests) == ["/news/more/more/"]
    assert crawler.stats.get_value("newscrawler/traps/repeated_segments") == 1


def test_pagination_limit_spares_feed_and_sitemap_entries() -> None:
    crawler = make_crawler(NEWSCRAWLER_TRAPS_MAX_PAGINATION=2)
    mw = build_from_crawler(PaginationLimit, crawler)
    requests = [link("/news/?page=2"), link("/news/?page=3"), link("/s.xml?page=9", "sitemap")]
    assert admitted(mw, requests) == ["/news/?page=2", "/s.xml?page=9"]
    assert crawler.stats.get_value("newscrawler/traps/pagination") == 1


def test_query_variants_limit_counts_per_path_and_spares_numeric_ids() -> None:
    crawler = make_crawler(NEWSCRAWLER_TRAPS_MAX_QUERY_VARIANTS=2)
    mw = build_from_crawler(QueryVariantsLimit, crawler)
    requests = [link(f"/search?visit={i}x") for i in range(4)]
    requests += [link(f"/story.php?id={i}") for i in range(4)]
    requests += [link("/other?visit=a")]
    assert admitted(mw, requests) == [
        "/search?visit=0x",
        "/search?visit=1x",
        *(f"/story.php?id={i}" for i in range(4)),
        "/other?visit=a",
    ]
    assert crawler.stats.get_value("newscrawler/traps/query_variants") == 2


def test_archive_limit_counts_per_site() -> None:
    crawler = make_crawler(NEWSCRAWLER_TRAPS_MAX_ARCHIVE_PAGES=2)
    mw = build_from_crawler(ArchiveLimit, crawler)
    months = [link(f"/archive/2023/{m:02d}/") for m in range(12, 8, -1)]
    assert admitted(mw, [*months, link("/news/2023/12/01/story.html")]) == [
        "/archive/2023/12/",
        "/archive/2023/11/",
        "/news/2023/12/01/story.html",
    ]
    assert crawler.stats.get_value("newscrawler/traps/archive") == 2


def test_site_budget_and_per_site_override(tmp_path: Path) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text('[sites.herald]\nstart_urls = ["https://herald.example/"]\npage_budget = 1\n')
    crawler = make_crawler(sites, NEWSCRAWLER_TRAPS_MAX_PAGES_PER_SITE=3)
    mw = build_from_crawler(SiteBudget, crawler)
    requests = [link(f"/a{i}", route="entry") for i in range(5)]
    requests += [Request(f"https://herald.example/{i}") for i in range(3)]
    response = HtmlResponse(ORIGIN + "/", body=b"", request=Request(ORIGIN + "/"))
    out = [r.url for r in mw.process_spider_output(response, requests)]
    assert out == [f"{ORIGIN}/a0", f"{ORIGIN}/a1", f"{ORIGIN}/a2", "https://herald.example/0"]
    assert crawler.stats.get_value("newscrawler/traps/budget") == 4


def test_zero_turns_a_limit_off() -> None:
    crawler = make_crawler(NEWSCRAWLER_TRAPS_MAX_ARCHIVE_PAGES=0)
    with pytest.raises(NotConfigured):
        build_from_crawler(ArchiveLimit, crawler)


def test_depth_limit_counts_cuts_and_resets_for_announced_articles() -> None:
    crawler = make_crawler(DEPTH_LIMIT=1)
    mw = build_from_crawler(DepthLimit, crawler)
    response = HtmlResponse(ORIGIN + "/hub", body=b"", request=Request(ORIGIN + "/hub"))
    response.meta["depth"] = 1
    entry = link("/entry", route="entry")
    entry.meta["depth_reset"] = True
    out = list(mw.process_spider_output(response, [link("/deep"), entry]))
    assert [r.url for r in out] == [f"{ORIGIN}/entry"]
    assert out[0].meta["depth"] == 0
    assert crawler.stats.get_value("newscrawler/traps/depth") == 1


def test_seen_filter_drops_repeats_and_shares_the_crawl_set() -> None:
    crawler = make_crawler()
    assert isinstance(crawler.spider, NewsSpider)
    crawler.spider.scope.seen.add(f"{ORIGIN}/skipped-old-entry")
    assert crawl_scope(crawler).seen is crawler.spider.scope.seen
    mw = build_from_crawler(SeenFilter, crawler)
    requests = [link("/a"), link("/a"), link("/skipped-old-entry")]
    requests.append(Request(f"{ORIGIN}/a", dont_filter=True))
    assert admitted(mw, requests) == ["/a", "/a"]
    assert crawler.stats.get_value("newscrawler/discovery/duplicate_requests") == 2


def test_next_listing_page_keeps_the_depth_of_the_page_linking_to_it() -> None:
    crawler = make_crawler(DEPTH_LIMIT=2)
    mw = build_from_crawler(DepthLimit, crawler)
    response = HtmlResponse(ORIGIN + "/news/", body=b"", request=Request(ORIGIN + "/news/"))
    response.meta["depth"] = 2
    next_page = link("/news/?page=3")
    next_page.meta[meta.SAME_DEPTH] = True
    out = list(mw.process_spider_output(response, [next_page, link("/news/x.html")]))
    assert [(r.url, r.meta["depth"]) for r in out] == [(f"{ORIGIN}/news/?page=3", 2)]


def test_feed_cap_counts_each_discovered_feed_of_a_site_once() -> None:
    crawler = make_crawler(NEWSCRAWLER_FEEDS_MAX_PER_SITE=2)
    mw = build_from_crawler(FeedLimit, crawler)
    probe = link("/feed", "feed")
    probe.meta[meta.PROBES] = ["/rss"]
    requests = [link(f"/rss{i}.xml", "feed") for i in range(4)] + [probe, link("/x", "sitemap")]
    assert admitted(mw, requests) == ["/rss0.xml", "/rss1.xml", "/feed", "/x"]
    assert crawler.stats.get_value("newscrawler/feeds/over_limit") == 2


def test_sitemap_cap_spares_configured_start_sitemaps() -> None:
    crawler = make_crawler(NEWSCRAWLER_SITEMAPS_MAX_PER_SITE=1)
    mw = build_from_crawler(SitemapLimit, crawler)
    # start requests (response None) are the sites file's own sitemaps: never counted
    assert mw.get_processed_request(link("/s0.xml", "sitemap"), None) is not None
    assert admitted(mw, [link("/s1.xml", "sitemap"), link("/s2.xml", "sitemap")]) == ["/s1.xml"]
    assert crawler.stats.get_value("newscrawler/sitemaps/over_limit") == 1


def test_exhausted_listing_cuts_the_next_page_of_a_page_with_no_new_articles() -> None:
    crawler = make_crawler(NEWSCRAWLER_TRAPS_SKIP_EXHAUSTED_LISTINGS=True)
    mw = build_from_crawler(ExhaustedListings, crawler)
    article = f"{ORIGIN}/news/2024/03/01/story-one.html"

    def page_links(previous: tuple[str, ...] | None) -> list[str]:
        response = HtmlResponse(ORIGIN + "/news/", body=b"", request=Request(ORIGIN + "/news/"))
        if previous is not None:
            response.meta[meta.LISTING_LINKS] = previous
        requests = [Request(article), Request(f"{ORIGIN}/news/?page=3")]
        for r in requests:
            r.meta[meta.ROUTE] = meta.LINK
            r.meta[meta.FROM_LISTING] = True
        return [r.url for r in mw.process_spider_output(response, requests)]

    assert page_links(None) == [article, f"{ORIGIN}/news/?page=3"]
    assert page_links(("https://n.example/other.html",)) == [article, f"{ORIGIN}/news/?page=3"]
    assert page_links((article,)) == [article]
    assert crawler.stats.get_value("newscrawler/traps/exhausted_listing") == 1


def test_known_links_are_dropped_before_the_limits_count_them() -> None:
    crawler = make_crawler()
    crawl_scope(crawler).seen.add(f"{ORIGIN}/a")
    mw = build_from_crawler(KnownLinks, crawler)
    assert admitted(mw, [link("/a"), link("/b"), link("/a", "entry")]) == ["/b", "/a"]
    assert crawler.stats.get_value("newscrawler/discovery/duplicate_requests") == 1
