"""End to end: ``scrapy crawl news`` on the discovery site (feeds, sitemaps, traps), judged by the
server's own request log."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.conftest import CrawlResult, run_crawl
from tests.site.discovery_routes import DiscoverySite, discovery_site, request_kind
from tests.site.routes import ARTICLES as BASIC_ARTICLES
from tests.site.server import LoopbackSite, Route
from tests.state_site import slow


@pytest.fixture
def site() -> Iterator[tuple[LoopbackSite, DiscoverySite]]:
    with LoopbackSite() as server:
        generated = discovery_site(server.origin)
        server.routes = generated.routes
        yield server, generated


# Discovery's defaults, spelled out: these tests are about them.
DISCOVERY = {
    "NEWSCRAWLER_SITEMAPS_ENABLED": "1",
    "NEWSCRAWLER_FEEDS_PROBE_PATHS": "/feed,/rss,/rss.xml,/atom.xml,/feed.xml",
}


@dataclass
class Crawled:
    server: LoopbackSite
    site: DiscoverySite
    result: CrawlResult
    paths: list[str]


@pytest.fixture(scope="module")
def default_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Crawled]:
    """One crawl with default settings, shared by the tests that only read its outcome."""
    with LoopbackSite() as server:
        generated = discovery_site(server.origin)
        server.routes = generated.routes
        result = crawl(server, tmp_path_factory.mktemp("crawl"))
        yield Crawled(server, generated, result, server.paths())


def crawl(server: LoopbackSite, tmp_path: Path, *args: str, **settings: str) -> CrawlResult:
    result = run_crawl(
        tmp_path, "-a", f"start_urls={server.url('/')}", *args, settings={**DISCOVERY, **settings}
    )
    assert result.returncode == 0, result.log[-3000:]
    return result


def record_paths(server: LoopbackSite, result: CrawlResult) -> set[str]:
    return {r["url"].removeprefix(server.origin) for r in result.records}


def test_every_article_is_found_and_fetched_once(default_crawl: Crawled) -> None:
    server, generated, result = default_crawl.server, default_crawl.site, default_crawl.result
    paths = default_crawl.paths
    expected = {a.path for a in generated.articles} | set(BASIC_ARTICLES)
    assert record_paths(server, result) == expected
    assert len(result.records) == len(expected)
    twice = [p for p, n in Counter(paths).items() if n > 1]
    assert twice == []
    # Feed, robots.txt sitemap index, gzip news sitemap: all used.
    assert {"/rss.xml", "/sitemaps/index.xml", "/sitemaps/news.xml.gz"} <= set(paths)
    assert result.stats["newscrawler/sitemaps/from_robots"] == 1
    assert result.stats["newscrawler/feeds/entries"] == 12


def test_no_variant_tracking_or_session_url_is_requested(default_crawl: Crawled) -> None:
    server, generated, result = default_crawl.server, default_crawl.site, default_crawl.result
    paths = default_crawl.paths
    for marker in ("sessionid", "utm_", "fbclid", "amp=", "/amp/"):
        assert not [p for p in paths if marker in p], marker
    # The mobile AMP copy is the one variant the crawler cannot recognise by its URL: it is
    # fetched once, and its canonical article fetched instead of being recorded.
    mobile = next(a for a in generated.articles if a.announced_in == "mobile")
    assert paths.count("/m" + mobile.path) == 1
    assert paths.count(mobile.path) == 1
    assert "/m" + mobile.path not in record_paths(server, result)
    assert result.stats["newscrawler/canonical/followed"] == 1
    assert result.stats["newscrawler/canonical/variant_rewritten"] >= 8


def test_robots_disallowed_paths_are_never_requested(default_crawl: Crawled) -> None:
    paths, result = default_crawl.paths, default_crawl.result
    assert not [p for p in paths if p.startswith("/private/")]
    assert result.stats["robotstxt/forbidden"] == 2  # linked from home, listed in a sitemap
    assert paths.count("/robots.txt") == 1


def test_traps_are_cut_after_a_few_requests(default_crawl: Crawled) -> None:
    generated, result, paths = default_crawl.site, default_crawl.result, default_crawl.paths
    trap = [p for p in paths if request_kind(generated, p) == "trap"]
    archive = [p for p in paths if p.startswith("/archive/")]
    listing = [p for p in paths if urlsplit(p).path == "/news/"]
    # The archive runs dry after 2024/02: one empty month is fetched, its link not followed.
    assert archive == ["/archive/2024/03/", "/archive/2024/02/", "/archive/2024/01/"]
    # One empty page past the end of the listing is fetched, its "next" link not followed.
    assert len(listing) == generated.listing_pages + 1
    assert [p for p in paths if p.startswith("/news/more/")] == ["/news/more/", "/news/more/more/"]
    assert not [p for p in paths if p.startswith("/tag/")]  # over-long URL
    assert len([p for p in paths if p.startswith("/search?")]) == 5  # unknown session parameter
    assert len(trap) <= 1 + 1 + 2 + 5
    stats = result.stats
    assert stats["newscrawler/traps/exhausted_listing"] >= 2
    assert stats["newscrawler/traps/repeated_segments"] == 1
    assert stats["newscrawler/traps/url_length"] == 1
    assert stats["newscrawler/traps/query_variants"] >= 1


def test_trap_limits_bound_listings_that_never_run_dry(
    site: tuple[LoopbackSite, DiscoverySite], tmp_path: Path
) -> None:
    server, _ = site
    result = crawl(
        server,
        tmp_path,
        NEWSCRAWLER_TRAPS_SKIP_EXHAUSTED_LISTINGS="0",
        NEWSCRAWLER_TRAPS_MAX_ARCHIVE_PAGES="5",
        NEWSCRAWLER_TRAPS_MAX_PAGINATION="4",
        NEWSCRAWLER_TRAPS_MAX_QUERY_VARIANTS="3",
        DEPTH_LIMIT="50",
    )
    paths = server.paths()
    assert len([p for p in paths if p.startswith("/archive/")]) == 5
    assert [p for p in paths if urlsplit(p).path == "/news/"] == [
        "/news/",
        "/news/?page=2",
        "/news/?page=3",
        "/news/?page=4",
    ]
    assert len([p for p in paths if p.startswith("/search?")]) == 3
    assert result.stats["newscrawler/traps/archive"] == 1
    assert result.stats["newscrawler/traps/pagination"] == 1
    assert "Trap defence archive cut" in result.log


def test_since_skips_old_announced_articles_before_fetching(
    site: tuple[LoopbackSite, DiscoverySite], tmp_path: Path
) -> None:
    server, generated = site
    result = crawl(server, tmp_path, "-a", "since=2024-03-01")
    paths = server.paths()
    old_announced = [a.path for a in generated.old if a.announced_in == "old_sitemap"]
    assert old_announced and not [p for p in paths if p in old_announced]
    assert result.stats["newscrawler/window/skipped_before_fetch"] == len(old_announced)
    # The old article found through the archive pages only is fetched, then dropped.
    assert "/news/2024/02/10/old-hub-story.html" in paths
    assert result.stats["newscrawler/window/dropped_after_fetch"] == 1
    expected = {a.path for a in generated.current} | set(BASIC_ARTICLES)
    assert record_paths(server, result) == expected
    assert result.stats["item_dropped_reasons_count/OutsideDateWindow"] == 1


def test_since_setting_works_like_the_argument(
    site: tuple[LoopbackSite, DiscoverySite], tmp_path: Path
) -> None:
    server, generated = site
    result = crawl(server, tmp_path, NEWSCRAWLER_SINCE="2024-03-01T00:00:00+00:00")
    assert not {a.path for a in generated.old} & record_paths(server, result)
    assert result.stats["newscrawler/window/skipped_before_fetch"] == 4


def test_bad_since_fails_fast(tmp_path: Path) -> None:
    result = run_crawl(tmp_path, "-a", "start_urls=http://127.0.0.1:9/", "-a", "since=March")
    assert result.returncode != 0
    assert "since must be a date such as 2024-03-01" in result.log


def test_sitemaps_come_from_robots_txt_when_scrapy_does_not_obey_it(
    site: tuple[LoopbackSite, DiscoverySite], tmp_path: Path
) -> None:
    server, _ = site
    result = crawl(server, tmp_path, ROBOTSTXT_OBEY="False")
    paths = server.paths()
    assert paths.count("/robots.txt") == 1
    assert "/sitemaps/news.xml.gz" in paths
    assert result.stats["newscrawler/sitemaps/from_robots"] == 1


HIDDEN_STORY = """<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">
<title>Night buses return to the river routes</title><meta property="og:type" content="article">
</head><body><article><h1>Night buses return to the river routes</h1>
<p>The transport authority restored the night bus service along both river banks on Tuesday,
eighteen months after it was cut to save money during the fuel price spike.</p>
<p>Drivers will run every twenty minutes between midnight and five in the morning, and the
first week of journeys is free for holders of a monthly pass.</p>
<p>Hospital staff and bakery workers, who had campaigned for the return of the routes, said
the change would save them long walks and expensive taxi rides on their way to work.</p>
</article></body></html>"""


def test_feed_found_on_a_common_path_when_none_is_declared(
    news_site: LoopbackSite, tmp_path: Path
) -> None:
    hidden = "/news/2024/03/20/hidden-feed-story.html"
    news_site.routes[hidden] = Route(body=HIDDEN_STORY)
    news_site.routes["/rss"] = Route(
        body=(
            '<?xml version="1.0"?><rss version="2.0"><channel><title>t</title>'
            f"<item><title>Hidden</title><link>{news_site.url(hidden)}</link>"
            "<pubDate>Wed, 20 Mar 2024 08:00:00 +0000</pubDate></item></channel></rss>"
        ),
        content_type="application/rss+xml",
    )
    result = run_crawl(tmp_path, "-a", f"start_urls={news_site.url('/')}", settings=DISCOVERY)
    paths = news_site.paths()
    # Found only through the probed feed (its text repeats a linked article, so deduplication
    # may drop the record: the request log is what tells).
    assert paths.count(hidden) == 1
    assert result.stats["newscrawler/feeds/entries"] == 1
    assert [p for p in paths if p in ("/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.xml")] == [
        "/feed",
        "/rss",
    ]
    assert paths.count("/sitemap.xml") == 1  # robots.txt names no sitemap
    assert result.stats["newscrawler/feeds/probed"] == 2


def _harbour_guide() -> str:
    """A guide dated and signed, whose section headings are links to each walk's map: found
    through a link, it looks like a hub (ten linked headings, much of its text in links)."""
    sections = "".join(
        f'<h2><a href="/maps/walk-{i}.pdf">Walk {i}: from the {name} steps to the lighthouse</a>'
        f"</h2><p>An easy loop of {i + 2} kilometres along the sea wall.</p>"
        for i, name in enumerate(
            ("ferry", "market", "chapel", "school", "mill", "bridge", "harbour", "fort", "park")
        )
    )
    extra = '<h2><a href="/maps/all.pdf">Every walk on one map of the old harbour</a></h2>'
    return (
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8">'
        '<title>Harbour walks for every season</title><meta property="og:type" content="website">'
        '<meta property="article:published_time" content="2024-03-18T09:00:00+00:00">'
        '<meta name="author" content="Mara Quint"></head><body><main>'
        "<h1>Harbour walks for every season</h1><p>By Mara Quint</p>"
        f"{sections}{extra}</main></body></html>"
    )


def test_a_page_a_feed_lists_after_a_link_found_it_is_extracted_as_announced(
    tmp_path: Path,
) -> None:
    guide = Route(body=_harbour_guide())
    feed = (
        '<?xml version="1.0"?><rss version="2.0"><channel><title>Guides</title>'
        "<item><title>Harbour walks</title><link>{url}</link>"
        "<pubDate>Mon, 18 Mar 2024 09:00:00 +0000</pubDate></item></channel></rss>"
    )
    with LoopbackSite() as server:
        home = (
            '<html><head><title>Harbour guides</title><link rel="alternate"'
            ' type="application/rss+xml" href="/feed.xml"></head>'
            '<body><a href="/guides/harbour">Harbour walks</a></body></html>'
        )
        server.routes = {
            "/": Route(body=home),
            "/robots.txt": Route(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
            # the link is scheduled first; the feed is read before the page arrives
            "/guides/harbour": slow(guide, 1.5),
            "/feed.xml": Route(
                body=feed.format(url=server.url("/guides/harbour")),
                content_type="application/rss+xml",
            ),
        }
        result = run_crawl(tmp_path, "-a", f"start_urls={server.url('/')}")
        assert server.paths().count("/guides/harbour") == 1
    titles = [r["title"] for r in result.records]
    assert titles == ["Harbour walks for every season"]
    assert result.stats["newscrawler/pages/article/announced"] == 1
    assert result.stats.get("newscrawler/pages/hub/listing", 0) == 0
