"""``scrapy state``: first-seen times shown as dates and ages, and the crawl database (URLs by
kind and status, the frontier, visits due; ``urls``, prune and reset) after real crawls."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from newscrawler.commands.state import age, readable_counts
from newscrawler.crawldb.database import FrontierEntry
from newscrawler.crawldb.records import Kind, UrlRecord
from newscrawler.crawldb.sqlite import SQLiteCrawlDatabase
from newscrawler.dedup.fingerprint import url_key
from newscrawler.dedup.index import Seen
from newscrawler.state.store import SQLiteStateStore
from tests.conftest import crawl_env, run_crawl, scrapy_state
from tests.site.server import LoopbackSite, Route
from tests.state_site import article_paths, generated_site, hub_page


def test_ages_are_words_to_two_units() -> None:
    assert age(0) == "0 s"
    assert age(40) == "40 s"
    assert age(12 * 60 + 5) == "12 min 5 s"
    assert age(3 * 86400 + 4 * 3600 + 59) == "3 d 4 h"
    assert age(-5) == "0 s"  # a clock that went back


def test_readable_counts_turn_epoch_seconds_into_utc_dates() -> None:
    now = 1_711_526_400.0  # 2024-03-27T08:00:00Z
    shown = readable_counts({"articles": 2, "oldest": now - 2 * 86400, "newest": now}, now)
    assert shown["oldest"] == "2024-03-25T08:00:00+00:00"
    assert shown["oldest_age"] == "2 d"
    assert shown["newest_age"] == "0 s"
    assert readable_counts({"oldest": None, "newest": None}, now) == {
        "oldest": None,
        "newest": None,
    }


def test_state_stats_command_prints_dates(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "state.sqlite3")
    first_seen = time.time() - 3 * 3600
    store.add(
        Seen("id1", "https://a.example/1", "f1", first_seen=first_seen, url="https://a.example/1"),
        None,
        [],
    )
    store.close()
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "state", "stats", "--path", "state.sqlite3"],
        cwd=tmp_path,
        env=crawl_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["articles"] == 1
    assert datetime.fromisoformat(shown["oldest"]).timestamp() == int(first_seen)
    assert shown["oldest_age"].startswith(("2 h", "3 h"))


# --- the crawl database -------------------------------------------------------------------------

STATE = ".newscrawler/state.sqlite3"
MISSING = "/s0/2024/03/20/story-number-0-99.html"  # linked from the section, answers 404


def site_with_a_dead_link() -> dict[str, Route]:
    """Three articles and a section that also links to a page that is not there."""
    routes = generated_site(sections=1, per_section=3)
    routes["/s0/"] = Route(body=hub_page("Section 0", [*article_paths(routes), MISSING]))
    return routes


def url_lines(proc: subprocess.CompletedProcess[str]) -> list[str]:
    """The URL lines of ``scrapy state urls`` (its header checked and left out)."""
    assert proc.returncode == 0, proc.stderr
    header, *lines = proc.stdout.splitlines()
    assert header.split()[:3] == ["KIND", "STATUS", "HTTP"]
    return lines


def test_stats_and_urls_show_the_crawl_database_of_a_crawl(tmp_path: Path) -> None:
    with LoopbackSite(site_with_a_dead_link()) as site:
        crawl = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}")
        assert crawl.returncode == 0, crawl.log[-3000:]
        assert len(crawl.records) == 3

        stats = scrapy_state(tmp_path, "stats")
        assert stats.returncode == 0, stats.stderr
        # a table: one line per kind, the statuses as columns
        # the dead link looks like an article: it stays one, gone
        assert '   "article": {"fetched": 3, "gone": 1}' in stats.stdout.splitlines()
        shown = json.loads(stats.stdout)["crawldb"]
        assert shown["by_kind"]["seed"] == {"fetched": 1}
        assert shown["by_status"]["gone"] >= 1
        assert shown["urls"] == sum(shown["by_status"].values())
        assert shown["frontier"] == {"waiting": 0, "leased": 0}
        assert shown["unfinished_crawl"] is None  # the crawl finished
        # hubs are revisited after NEWSCRAWLER_REVISIT_MIN_INTERVAL (0 here): due at once
        assert shown["due_now"] >= 3
        soonest = shown["next_due"][0]
        assert soonest["in"] == "now" and soonest["kind"] in ("seed", "feed", "hub")
        assert datetime.fromisoformat(soonest["at"]).timestamp() <= time.time()

        gone = url_lines(scrapy_state(tmp_path, "urls", "--status", "gone"))
        dead = [line for line in gone if line.endswith(site.url(MISSING))]
        assert len(dead) == 1
        assert dead[0].split()[1:3] == ["gone", "404"]
        assert all(line.split()[1] == "gone" for line in gone)

        articles = url_lines(scrapy_state(tmp_path, "urls", "--kind", "article"))
        assert len(articles) == 4  # the three stored and the dead link
        stored = [line for line in articles if " stored " in line]
        assert len(stored) == 3 and all("/story-number-0-" in line for line in stored)
        assert len(url_lines(scrapy_state(tmp_path, "urls", "--limit", "2"))) == 2

        as_json = scrapy_state(tmp_path, "urls", "--outcome", "stored", "--json")
        assert as_json.returncode == 0, as_json.stderr
        listed = [json.loads(line) for line in as_json.stdout.splitlines()]
        assert sorted(r["url"] for r in listed) == [site.url(p) for p in article_paths(site.routes)]
        assert {(r["kind"], r["status"], r["http_status"]) for r in listed} == {
            ("article", "fetched", 200)
        }
        assert datetime.fromisoformat(listed[0]["last_fetch"]).timestamp() <= time.time()


def test_unknown_status_or_kind_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / STATE)
    store.close()
    bad_status = scrapy_state(tmp_path, "urls", "--status", "missing")
    assert bad_status.returncode == 2
    assert bad_status.stdout == ""
    assert bad_status.stderr.strip().splitlines() == [
        "Error: unknown status 'missing'; expected one of: discovered, fetched, redirection,"
        " fetch_error, gone, error"
    ]
    bad_kind = scrapy_state(tmp_path, "urls", "--kind", "page")
    assert bad_kind.returncode == 2
    assert bad_kind.stderr.strip() == (
        "Error: unknown kind 'page'; expected one of: seed, feed, sitemap, hub, article, other"
    )


def test_prune_reset_and_retention_cover_the_crawl_database(tmp_path: Path) -> None:
    with LoopbackSite(site_with_a_dead_link()) as site:
        first = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", output="")
        assert first.returncode == 0, first.log[-3000:]
        with sqlite3.connect(tmp_path / STATE) as db:  # the dead link was last seen long ago
            db.execute(
                "UPDATE crawl_urls SET last_seen = last_seen - 200 * 86400 WHERE url = ?",
                (site.url(MISSING),),
            )
        pruned = scrapy_state(tmp_path, "prune", "--days", "30")
        assert pruned.returncode == 0, pruned.stderr
        assert pruned.stdout.splitlines() == [
            "Pruned 0 articles first seen more than 30 days ago",
            "Pruned 1 crawl database URLs last seen more than 30 days ago"
            " (those waiting in the frontier are kept)",
        ]
        gone = url_lines(scrapy_state(tmp_path, "urls", "--status", "gone"))
        assert not any(line.endswith(site.url(MISSING)) for line in gone)

        # the retention applied when a crawl starts (NEWSCRAWLER_STATE_RETENTION_DAYS)
        with sqlite3.connect(tmp_path / STATE) as db:
            db.execute(
                "UPDATE crawl_urls SET last_seen = last_seen - 200 * 86400 WHERE url = ?",
                (site.url("/s0/"),),
            )
        second = run_crawl(
            tmp_path,
            "-a",
            f"start_urls={site.url('/')}",
            output="",
            settings={"NEWSCRAWLER_STATE_RETENTION_DAYS": "180"},
        )
        assert second.returncode == 0, second.log[-3000:]
        assert second.stats["newscrawler/crawldb/pruned"] == 1
        assert "Pruned 1 URLs last seen more than 180.0 days ago" in second.log

    urls = json.loads(scrapy_state(tmp_path, "stats").stdout)["crawldb"]["urls"]
    assert urls > 0
    reset = scrapy_state(tmp_path, "reset")
    assert reset.returncode == 0, reset.stderr
    assert reset.stdout.strip().endswith(f"forgot 3 articles and {urls} crawl database URLs")
    emptied = json.loads(scrapy_state(tmp_path, "stats").stdout)["crawldb"]
    assert emptied["urls"] == 0 and emptied["by_kind"] == {}
    assert url_lines(scrapy_state(tmp_path, "urls")) == []


def test_a_state_file_from_before_the_crawl_database_is_read(tmp_path: Path) -> None:
    SQLiteStateStore(tmp_path / STATE).close()
    with sqlite3.connect(tmp_path / STATE) as db:
        tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master")}
    assert "crawl_urls" not in tables
    stats = scrapy_state(tmp_path, "stats")
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["crawldb"] == {
        "urls": 0,
        "by_kind": {},
        "by_status": {},
        "frontier": {"waiting": 0, "leased": 0},
        "unfinished_crawl": None,
        "due_now": 0,
        "next_due": [],
    }
    assert url_lines(scrapy_state(tmp_path, "urls")) == []
    assert "Pruned 0 crawl database URLs" in scrapy_state(tmp_path, "prune", "--days", "1").stdout


def test_stats_show_an_unfinished_crawl_and_prune_keeps_its_frontier(tmp_path: Path) -> None:
    """A crawl killed mid-way leaves its start time and its frontier; prune keeps both."""
    store = SQLiteStateStore(tmp_path / STATE)
    crawldb = SQLiteCrawlDatabase(store.db, store.transaction)
    old = time.time() - 40 * 86400
    waiting = "https://news.example/queued.html"
    crawldb.put(
        [
            UrlRecord(waiting, Kind.ARTICLE, first_seen=old, last_seen=old),
            UrlRecord("https://news.example/old.html", Kind.HUB, first_seen=old, last_seen=old),
        ]
    )
    crawldb.push([FrontierEntry((2, 0, 0.0), url_key(waiting), json.dumps({"url": waiting}))])
    crawldb.set_crawl_started(time.time() - 2 * 3600)
    store.close()

    shown = json.loads(scrapy_state(tmp_path, "stats").stdout)["crawldb"]
    assert shown["frontier"] == {"waiting": 1, "leased": 0}
    assert shown["unfinished_crawl"]["begun_age"].startswith(("1 h", "2 h"))
    assert shown["by_kind"] == {"hub": {"discovered": 1}, "article": {"discovered": 1}}
    pruned = scrapy_state(tmp_path, "prune", "--days", "30")
    assert "Pruned 1 crawl database URLs" in pruned.stdout
    assert [line.split()[-1] for line in url_lines(scrapy_state(tmp_path, "urls"))] == [waiting]
