"""The crawl database: its revisit policy and SQLite backend as plain functions, the scheduler on a
real crawler, and real crawls of a loopback site that changes between runs or is killed mid-crawl.

The end-to-end tests judge from the server's request log what each run fetched.
"""

from __future__ import annotations

import json
import random
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from scrapy import Request

from newscrawler.crawldb.database import FrontierEntry
from newscrawler.crawldb.policy import RevisitPolicy
from newscrawler.crawldb.records import LINKS, STORED, Kind, Status, UrlRecord
from newscrawler.crawldb.requests import request_from_json, request_to_json
from newscrawler.crawldb.scheduler import CrawlScheduler
from newscrawler.crawldb.sqlite import CrawlDbSchemaError, SQLiteCrawlDatabase
from newscrawler.dedup.fingerprint import url_key
from newscrawler.discovery import meta
from newscrawler.items import PageHints
from newscrawler.spiders.news import NewsSpider
from tests.conftest import FAST, check_stderr, crawl_env, news_crawler, run_crawl
from tests.site.server import LoopbackSite, Route
from tests.state_site import (
    article_page,
    article_path,
    article_paths,
    article_text,
    generated_site,
    hub_page,
    rss,
    sitemap,
)

UNREPORTED = "newscrawler/crawldb/unreported"
HOUR = 3600.0
DAY = 86400.0


# --- the revisit policy -------------------------------------------------------------------------

POLICY = RevisitPolicy(
    min_interval=HOUR, max_interval=8 * HOUR, gone_after=DAY, gone_times=3, error_after=600.0
)


def visit(record: UrlRecord, now: float, new_links: int, status: int = 200) -> UrlRecord:
    fetched = POLICY.fetched(record, status, now)
    return POLICY.outcome(fetched, record.kind, LINKS, new_links)


def test_hub_interval_halves_on_new_links_and_doubles_without_within_bounds() -> None:
    hub = UrlRecord("http://127.0.0.1/news/", Kind.HUB)
    now = 1000.0
    hub = visit(hub, now, new_links=5)
    assert hub.interval == HOUR and hub.next_fetch == now + HOUR  # the first visit: the minimum
    intervals = []
    for _ in range(5):  # nothing new: doubled up to the maximum
        now = hub.next_fetch or now
        hub = visit(hub, now, new_links=0)
        intervals.append(hub.interval)
        assert hub.next_fetch == now + hub.interval
    assert intervals == [2 * HOUR, 4 * HOUR, 8 * HOUR, 8 * HOUR, 8 * HOUR]
    halved = []
    for _ in range(5):  # new links: halved down to the minimum
        hub = visit(hub, hub.next_fetch or now, new_links=3)
        halved.append(hub.interval)
    assert halved == [4 * HOUR, 2 * HOUR, HOUR, HOUR, HOUR]
    assert hub.status is Status.FETCHED and hub.fetches == 11


def test_stored_article_is_not_scheduled_again() -> None:
    page = POLICY.fetched(UrlRecord("http://127.0.0.1/a/story.html", Kind.ARTICLE), 200, 50.0)
    stored = POLICY.outcome(page, Kind.ARTICLE, STORED, 0)
    assert stored.next_fetch is None and stored.is_stored_article
    # a candidate that gave no record is looked at again only after the maximum interval
    hub_like = POLICY.outcome(page, Kind.ARTICLE, "rejected/TooShort", 0)
    assert hub_like.next_fetch == 50.0 + POLICY.max_interval


def test_gone_page_is_retried_with_growing_gaps_then_retired() -> None:
    policy = RevisitPolicy(gone_after=DAY, gone_times=3, max_interval=7 * DAY)
    record = UrlRecord("http://127.0.0.1/a/gone.html", Kind.ARTICLE)
    now = 0.0
    gaps = []
    for _ in range(2):
        record = policy.fetched(record, 404, now)
        assert record.status is Status.GONE
        assert record.next_fetch is not None
        gaps.append(record.next_fetch - now)
        assert policy.refusal(record, Kind.ARTICLE, record.next_fetch - 1) == "gone"
        assert policy.refusal(record, Kind.ARTICLE, record.next_fetch) is None
        now = record.next_fetch
    assert gaps == [DAY, 4 * DAY]
    record = policy.fetched(record, 410, now)  # the third failure in a row
    assert record.status is Status.ERROR and record.next_fetch is None
    assert policy.refusal(record, Kind.ARTICLE, now + 365 * DAY) == "retired"
    assert policy.refusal(record, Kind.SEED, now) is None  # a seed is always fetched


def test_server_errors_back_off_doubling_and_a_success_resets_them() -> None:
    record = UrlRecord("http://127.0.0.1/news/", Kind.HUB)
    gaps = []
    now = 0.0
    for status in (500, 503, None, 429):
        record = POLICY.fetched(record, status, now)
        assert record.status is Status.FETCH_ERROR
        assert record.next_fetch is not None
        gaps.append(record.next_fetch - now)
        assert POLICY.refusal(record, Kind.HUB, now + 1) == "backoff"
        now = record.next_fetch
    assert gaps == [600.0, 1200.0, 2400.0, 4800.0]
    many = RevisitPolicy(error_after=600.0, max_interval=3000.0, error_times=50)
    capped = UrlRecord("http://127.0.0.1/x", Kind.HUB)
    for _ in range(10):
        capped = many.fetched(capped, 502, 0.0)
    assert capped.next_fetch == 3000.0  # never more than the maximum interval
    record = visit(record, now, new_links=1)
    assert record.status is Status.FETCHED and record.failures == 0
    assert POLICY.refusal(record, Kind.HUB, now) == "not_due"


def test_server_errors_retire_a_url_after_the_limit() -> None:
    policy = RevisitPolicy(error_times=3)
    record = UrlRecord("http://127.0.0.1/x", Kind.HUB)
    for _ in range(3):
        record = policy.fetched(record, 500, 0.0)
    assert record.status is Status.ERROR and record.next_fetch is None


# --- the SQLite backend -------------------------------------------------------------------------


def entry(key: int, tier: int = 2, priority: int = 0, rank: float = 0.0) -> FrontierEntry:
    return FrontierEntry((tier, priority, rank), key, json.dumps({"url": f"http://x/{key}"}))


@pytest.fixture
def crawldb(tmp_path: Path) -> Iterator[SQLiteCrawlDatabase]:
    db = SQLiteCrawlDatabase.open(str(tmp_path / "crawldb.sqlite3"))
    yield db
    db.close()


def test_frontier_hands_out_by_tier_priority_rank_then_arrival(
    crawldb: SQLiteCrawlDatabase,
) -> None:
    crawldb.push([entry(1, tier=1), entry(2, rank=5.0), entry(3, tier=4), entry(4, rank=5.0)])
    crawldb.push([entry(5, priority=9), entry(6, tier=4, priority=-1)])
    assert crawldb.waiting() == 6
    assert [e.key for e in crawldb.take(10)] == [3, 6, 5, 2, 4, 1]
    assert crawldb.waiting() == 0
    assert crawldb.take(1) == []


def test_frontier_leases_survive_until_done_and_are_released(tmp_path: Path) -> None:
    path = str(tmp_path / "crawldb.sqlite3")
    db = SQLiteCrawlDatabase.open(path)
    db.push([entry(k) for k in range(1, 6)])
    db.push([entry(3)])  # the same key again: replaced, not added
    assert db.waiting() == 5
    taken = [e.key for e in db.take(3)]
    assert taken == [1, 2, 3]
    assert db.waiting() == 2
    assert db.queued(1) and db.queued(3)
    db.done([1, 2])
    assert not db.queued(1)
    db.flush()
    db.db.close()  # a kill -9 after the last flush: close() is never called
    again = SQLiteCrawlDatabase.open(path)
    assert again.waiting() == 2  # the lease of key 3 is still held
    assert again.release_leases() == 1
    assert again.waiting() == 3
    assert sorted(e.key for e in again.take(10)) == [3, 4, 5]  # 3's lease was released
    again.close()


def test_done_before_take_and_push_of_a_leased_key_keep_the_waiting_count(
    crawldb: SQLiteCrawlDatabase,
) -> None:
    crawldb.push([entry(1), entry(2)])
    crawldb.done([2])  # refused after it was queued
    assert crawldb.waiting() == 1
    [taken] = crawldb.take(5)
    assert crawldb.waiting() == 0
    crawldb.push([taken])  # a retry of a leased request: waiting again
    assert crawldb.waiting() == 1
    assert [e.key for e in crawldb.take(5)] == [1]
    crawldb.done([1])
    crawldb.flush()
    assert crawldb.counts(0.0).frontier == 0


def test_urls_are_read_back_before_and_after_flush_and_due_by_kind(
    crawldb: SQLiteCrawlDatabase,
) -> None:
    feed = UrlRecord("http://x/rss.xml", Kind.FEED, Status.FETCHED, next_fetch=10.0)
    hub = UrlRecord("http://x/news/", Kind.HUB, Status.FETCHED, next_fetch=20.0)
    later = UrlRecord("http://x/sitemap.xml", Kind.SITEMAP, Status.FETCHED, next_fetch=99.0)
    gone = UrlRecord("http://x/gone.xml", Kind.FEED, Status.GONE, next_fetch=1.0)
    crawldb.put([feed, hub, later, gone])
    assert crawldb.get(feed.url) == feed  # buffered
    assert crawldb.due([Kind.FEED, Kind.SITEMAP], 50.0) == [(feed.url, Kind.FEED)]
    assert crawldb.get(hub.url) == hub  # from the file
    assert crawldb.get("http://x/unknown") is None
    counts = crawldb.counts(50.0)
    assert counts.urls == 4 and counts.due_now == 3
    assert counts.by_kind_status["feed"] == {"fetched": 1, "gone": 1}
    assert [r.url for r in crawldb.records(kind="feed")] == [gone.url, feed.url]


def test_prune_forgets_old_urls_but_not_those_in_the_frontier(tmp_path: Path) -> None:
    path = tmp_path / "crawldb.sqlite3"
    db = SQLiteCrawlDatabase.open(str(path))
    records = [UrlRecord(f"http://x/{n}.html", last_seen=float(n)) for n in range(200)]
    db.put(records)
    queued = records[10]
    db.push([FrontierEntry((2, 0, 0.0), url_key(queued.url), "{}")])
    assert db.prune(older_than=100.0) == 99  # 0..99 but the queued one
    assert db.get(queued.url) == queued
    assert db.get(records[11].url) is None
    assert db.counts(0.0).urls == 101
    db.close()


def test_schema_of_another_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "crawldb.sqlite3"
    SQLiteCrawlDatabase.open(str(path)).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE crawl_meta SET value='0' WHERE key='crawldb_schema'")
    with pytest.raises(CrawlDbSchemaError):
        SQLiteCrawlDatabase.open(str(path))


# --- requests as JSON and the scheduler ---------------------------------------------------------


def scheduler_for(tmp_path: Path) -> CrawlScheduler:
    crawler = news_crawler(start_urls="http://127.0.0.1:9/")
    spider = crawler.spider
    assert isinstance(spider, NewsSpider)
    db = SQLiteCrawlDatabase.open(str(tmp_path / "crawldb.sqlite3"))
    scheduler = CrawlScheduler(crawler, db, RevisitPolicy(), persistent=True)
    scheduler.open(spider)
    return scheduler


def test_request_meta_without_a_json_form_is_left_out_and_counted(tmp_path: Path) -> None:
    scheduler = scheduler_for(tmp_path)
    hints = PageHints(title="Budget", published="2024-03-27", selectors={"title": "h1"})
    request = Request(
        "http://127.0.0.1:9/city/2024/03/27/budget.html",
        meta={meta.ROUTE: "entry", meta.HINTS: hints, "socket": object(), "tags": (b"a", 1)},
        headers={"X-Seen": "1"},
        priority=7,
    )
    assert scheduler.enqueue_request(request)
    again = scheduler.next_request()
    assert again is not None
    assert again.url == request.url and again.priority == 7
    assert again.headers[b"X-Seen"] == b"1"
    assert again.meta[meta.HINTS] == hints
    assert again.meta["tags"] == [b"a", 1]
    assert "socket" not in again.meta
    stats = scheduler.stats.get_stats()
    assert stats["newscrawler/crawldb/meta_dropped"] == 1
    scheduler.close("shutdown")

    text, dropped = request_to_json(Request("http://x/", meta={"f": lambda: 1}), NewsSpider())
    assert dropped == ["f"]
    assert request_from_json(text, NewsSpider()).url == "http://x/"


def test_scheduler_hands_out_feeds_and_sitemaps_before_articles_and_hubs(
    tmp_path: Path,
) -> None:
    scheduler = scheduler_for(tmp_path)
    origin = "http://127.0.0.1:9"
    queued = [
        (f"{origin}/news/", meta.LINK),
        (f"{origin}/city/2024/03/27/budget-approved.html", "entry"),
        (f"{origin}/sitemap.xml", "sitemap"),
        (f"{origin}/city/2024/03/26/bridge-closed.html", meta.LINK),
        (f"{origin}/rss.xml", "feed"),
    ]
    for url, route in queued:
        assert scheduler.enqueue_request(Request(url, meta={meta.ROUTE: route}))
    assert not scheduler.enqueue_request(Request(f"{origin}/rss.xml", meta={meta.ROUTE: "feed"}))
    order = []
    while (request := scheduler.next_request()) is not None:
        order.append(request.url.removeprefix(origin))
    assert order[:2] == ["/sitemap.xml", "/rss.xml"]
    assert set(order[2:4]) == {
        "/city/2024/03/27/budget-approved.html",
        "/city/2024/03/26/bridge-closed.html",
    }
    assert order[4] == "/news/"
    assert scheduler.stats.get_value("newscrawler/crawldb/refused/queued") == 1
    scheduler.close("shutdown")


# --- a site that changes between runs -----------------------------------------------------------

PER_PAGE = 5
# one download at a time: the server's log is in the order the frontier hands requests out
RERUN_SETTINGS = {"NEWSCRAWLER_SITEMAPS_ENABLED": "1", "CONCURRENT_REQUESTS_PER_DOMAIN": "1"}


def paginated_section(routes: dict[str, Route], section: int, paths: list[str]) -> None:
    """``/s<N>/`` and ``/s<N>/page/<k>/``, newest first, five article links a page."""
    for old in [p for p in routes if p.startswith(f"/s{section}/page/")]:
        del routes[old]
    chunks = [paths[i : i + PER_PAGE] for i in range(0, len(paths), PER_PAGE)]
    for number, chunk in enumerate(chunks, 1):
        path = f"/s{section}/" if number == 1 else f"/s{section}/page/{number}/"
        nxt = [f"/s{section}/page/{number + 1}/"] if number < len(chunks) else []
        routes[path] = Route(body=hub_page(f"Section {section}, page {number}", chunk + nxt))


def feeds(routes: dict[str, Route], origin: str, paths: list[str]) -> None:
    routes["/rss.xml"] = Route(body=rss(paths[:10]), content_type="application/rss+xml")
    routes["/sitemap.xml"] = Route(body=sitemap(paths, origin), content_type="application/xml")


def story(section: int, n: int, related: tuple[str, ...] = ()) -> Route:
    text = article_text(7000 + 100 * section + n)
    page = article_page(f"Story {section}-{n}", text, "2024-03-27")
    links = "".join(f"<li><a href='{u}'>Related</a></li>" for u in related)
    return Route(body=page.replace("</main>", f"<ul>{links}</ul></main>"))


def test_rerun_of_changed_site_fetches_only_new_stories_and_due_pages(tmp_path: Path) -> None:
    s0 = [article_path(0, n) for n in range(15)]  # three listing pages
    s1 = [article_path(1, n) for n in range(8)]
    s2 = [article_path(2, n) for n in range(4)]
    dead = "/s1/2024/03/20/story-number-1-dead.html"  # linked, never there: 404
    amp_link = s1[0] + "?amp=1"
    routes: dict[str, Route] = {
        "/robots.txt": Route(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/": Route(body=hub_page("Home", ["/s0/", "/s1/", "/s2/", amp_link], "/rss.xml")),
        "/s1/": Route(body=hub_page("Section 1", [*s1, dead])),
        "/s2/": Route(body=hub_page("Section 2", s2)),
    }
    for s, paths in enumerate((s0, s1, s2)):
        for n, path in enumerate(paths):
            routes[path] = story(s, n)
    paginated_section(routes, 0, s0)
    with LoopbackSite(routes) as site:
        feeds(site.routes, site.origin, s0 + s1 + s2)
        first = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", settings=RERUN_SETTINGS)
        assert first.returncode == 0, first.log[-3000:]
        assert len(first.records) == len(s0) + len(s1) + len(s2)
        assert {"/s0/page/3/", dead} <= set(site.paths())
        assert amp_link not in site.paths()  # fetched as the article it stands for
        # the feed goes first: the home page that declares it links an article (as AMP) too
        log = site.paths()
        # (the engine may take a request while the rest of the page's links are still being
        # queued: the first story can slip ahead, the others wait behind the feed)
        stories = [i for i, p in enumerate(log) if "/story-number-" in p]
        assert log.index("/rss.xml") < stories[1]
        # the header names a link's request was queued with reach the server as they were
        followed = [r for r in site.requests if "/story-number-" in r.path]
        assert followed and all("Referer" in r.headers for r in followed)
        assert UNREPORTED not in first.stats

        # The site changes: three new stories on top of section 0, its feed and its sitemap
        # (they link AMP variants of stored stories); a story is taken down; section 2 is gone.
        new = [f"/s0/2024/03/28/new-story-{i}.html" for i in range(3)]
        related = [f"{s0[5]}?amp=1", f"/amp{s0[6]}", f"{s1[1]}?amp"]
        for i, path in enumerate(new):
            site.routes[path] = story(9, i, tuple(related))
        removed = s1[3]
        del site.routes[removed]
        del site.routes["/s2/"]
        s1_now = [p for p in s1 if p != removed]
        site.routes["/s1/"] = Route(body=hub_page("Section 1", [*s1_now, dead]))
        paginated_section(site.routes, 0, new + s0)
        feeds(site.routes, site.origin, new + s0 + s1_now + s2)
        site.clear_log()
        second = run_crawl(
            tmp_path, "-a", f"start_urls={site.url('/')}", settings=RERUN_SETTINGS, output="2.jsonl"
        )
        rerun = site.paths()
        site.clear_log()
        third = run_crawl(
            tmp_path, "-a", f"start_urls={site.url('/')}", settings=RERUN_SETTINGS, output="3.jsonl"
        )
        last = site.paths()

    assert second.returncode == 0, second.log[-3000:]
    assert sorted(r["url"] for r in second.records) == sorted(site.url(p) for p in new)
    # Each due page once, the new stories, the gone section once; page 2 of section 0 holds only
    # known stories: page 3 is not walked; the 404 of the first run is not asked again before
    # its retry time, nor the taken-down story, nor any AMP variant.
    due = ["/robots.txt", "/", "/rss.xml", "/sitemap.xml", "/s0/", "/s1/"]
    assert Counter(rerun) == Counter([*due, "/s0/page/2/", "/s2/", *new])
    assert max(rerun.index("/rss.xml"), rerun.index("/sitemap.xml")) < rerun.index(new[0])
    assert second.stats["newscrawler/crawldb/listing_stopped"] >= 1
    assert second.stats["newscrawler/crawldb/refused/gone"] >= 1  # the dead link
    assert UNREPORTED not in second.stats

    # The third run: nothing new; the section that answered 404 in the second run is not asked
    # again before its retry time either, and section 0 stops at its first page.
    assert third.returncode == 0, third.log[-3000:]
    assert third.records == []
    assert Counter(last) == Counter(due)
    assert third.stats["newscrawler/crawldb/refused/gone"] >= 2
    assert UNREPORTED not in third.stats


def test_gone_url_is_asked_again_once_its_retry_time_has_come(tmp_path: Path) -> None:
    routes = generated_site(sections=1, per_section=3)
    dead = "/s0/2024/03/20/story-number-0-dead.html"
    routes["/s0/"] = Route(body=hub_page("Section 0", [*article_paths(routes), dead]))
    with LoopbackSite(routes) as site:
        settings = {"NEWSCRAWLER_RETRY_GONE_AFTER": "1"}
        first = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", settings=settings)
        assert first.returncode == 0, first.log[-3000:]
        assert dead in site.paths()
        time.sleep(1.5)
        site.clear_log()
        second = run_crawl(
            tmp_path, "-a", f"start_urls={site.url('/')}", settings=settings, output="2.jsonl"
        )
        assert second.returncode == 0, second.log[-3000:]
        assert site.paths().count(dead) == 1
    assert "newscrawler/crawldb/refused/gone" not in second.stats
    assert UNREPORTED not in second.stats


# --- kill -9 and resume ---------------------------------------------------------------------------

# What a kill costs again is the pages fetched but not stored yet: back-pressure keeps them few
# (two downloads at a time, a small scraper slot, extraction in the crawl's own process).
KILL_SETTINGS = {
    **FAST,
    "CONCURRENT_REQUESTS": "2",
    "CONCURRENT_REQUESTS_PER_DOMAIN": "2",
    "SCRAPER_SLOT_MAX_ACTIVE_SIZE": "8000",
    "NEWSCRAWLER_EXTRACTION_WORKERS": "0",
    "NEWSCRAWLER_STORAGE_SYNC_ITEMS": "3",
}


def line_count(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_kill_9_then_rerun_stores_every_article_once_at_little_extra_cost(
    tmp_path: Path,
) -> None:
    routes = generated_site(sections=3, per_section=30, delay=0.1)
    out = tmp_path / "articles.jsonl"
    stats_file = tmp_path / "stats.json"
    cmd_settings = {**KILL_SETTINGS, "NEWSCRAWLER_STATS_FILE": str(stats_file)}
    rng = random.Random(20240327)
    requested: list[str] = []
    logs: list[str] = []
    with LoopbackSite(routes) as site:
        cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={site.url('/')}"]
        for key, value in cmd_settings.items():
            cmd += ["-s", f"{key}={value}"]
        cmd += ["-o", "articles.jsonl"]
        # a kill at a random moment (start-up included), two while lines are written, one run
        # to the end
        for attempt in range(4):
            site.clear_log()
            before = line_count(out)
            log_path = tmp_path / f"run{attempt}.log"
            with log_path.open("wb") as log:
                env = crawl_env(tmp_path)
                out_null = subprocess.DEVNULL
                proc = subprocess.Popen(cmd, cwd=tmp_path, env=env, stdout=out_null, stderr=log)
                if attempt == 0:
                    time.sleep(rng.uniform(0.5, 4.0))
                elif attempt < 3:
                    target = before + rng.randint(8, 25)
                    deadline = time.monotonic() + 90
                    while line_count(out) < target and time.monotonic() < deadline:
                        time.sleep(0.01)
                    time.sleep(rng.uniform(0.0, 0.3))
                if attempt < 3:
                    proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=180)
            requested += site.paths()
            logs.append(log_path.read_text("utf-8", "replace"))
            check_stderr(logs[-1])
            if attempt < 3:
                assert proc.returncode == -signal.SIGKILL
    assert proc.returncode == 0, logs[-1][-3000:]
    records = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    urls = [r["url"] for r in records]
    assert sorted(urls) == sorted(site.url(p) for p in article_paths(routes))  # each once
    assert any("Resuming the crawl" in log for log in logs[1:])
    assert "Resuming the crawl" in logs[-1]
    stats = json.loads(stats_file.read_text("utf-8"))
    assert stats["newscrawler/crawldb/resumed"] > 0
    assert UNREPORTED not in stats
    # A clean run fetches every distinct URL once: all runs together fetched at most 20 % more.
    assert len(requested) <= 1.2 * len(set(requested)), Counter(requested).most_common(12)
