"""End to end: incremental runs, versions, syndicated copies and crash safety, with real crawls.

Every test crawls a loopback site with ``scrapy crawl news`` in a subprocess and keeps its state
in a real SQLite file in the test's folder.
"""

from __future__ import annotations

import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from newscrawler.pipelines.validate import schema_errors
from tests.conftest import FAST, check_stderr, crawl_env, run_crawl, scrapy_state
from tests.site.server import LoopbackSite, Route
from tests.state_site import (
    add_sitemap,
    article_page,
    article_paths,
    article_text,
    generated_site,
    hub_page,
)

STATE = ".newscrawler/state.sqlite3"


def all_lines(path: Path) -> list[dict[str, Any]]:
    """Every line of a JSONL file parsed (fails on an invalid or torn line)."""
    raw = path.read_bytes()
    assert not raw or raw.endswith(b"\n"), "torn last line"
    return [json.loads(line) for line in raw.decode("utf-8").splitlines()]


# The incremental-run test revalidates a sitemap: sitemap discovery must be on.
SITEMAPS_ON = {"NEWSCRAWLER_SITEMAPS_ENABLED": "1"}


def test_second_run_of_unchanged_site_fetches_only_hubs_and_emits_nothing(
    tmp_path: Path,
) -> None:
    routes = generated_site(per_section=30)
    with LoopbackSite(routes, validators=True) as site:
        add_sitemap(site.routes, site.origin)
        first = run_crawl(
            tmp_path, "-a", f"start_urls={site.url('/')}", overwrite=False, settings=SITEMAPS_ON
        )
        assert first.returncode == 0, first.log[-3000:]
        assert len(first.records) == 90
        assert first.stats["newscrawler/sitemaps/urlset"] == 1
        first_requests = list(site.requests)
        site.clear_log()

        second = run_crawl(
            tmp_path, "-a", f"start_urls={site.url('/')}", overwrite=False, settings=SITEMAPS_ON
        )
        assert second.returncode == 0, second.log[-3000:]
        requested = site.paths()

    assert len(second.records) == 90  # the same file, nothing appended
    assert second.stats.get("newscrawler/dedup/new", 0) == 0
    assert second.stats["newscrawler/state/skipped_known"] >= 90  # linked from hubs and feeds
    assert not any("/story-number-" in p for p in requested)
    # hubs, the feed and the sitemap were revalidated and answered 304
    hubs = {"/robots.txt", "/", "/s0/", "/s1/", "/s2/", "/rss.xml", "/sitemap.xml"}
    assert sorted(requested) == sorted(hubs)
    assert second.stats["downloader/response_status_count/304"] == len(hubs)
    assert len(requested) < 0.1 * len(first_requests)
    assert (tmp_path / STATE).exists()


def test_changed_article_is_emitted_as_a_version(tmp_path: Path) -> None:
    routes = generated_site(sections=1, per_section=5)
    path = article_paths(routes)[0]
    settings = {"NEWSCRAWLER_STATE_REVISIT_WINDOW": "3600"}
    with LoopbackSite(routes, validators=True) as site:
        first = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", settings=settings)
        assert first.returncode == 0, first.log[-3000:]
        old = next(r for r in first.records if r["url"] == site.url(path))
        text = [*article_text(0), "Correction: the council vote was held on Tuesday evening."]
        site.routes[path] = Route(body=article_page("Story 0-0", text, "2024-03-10"))
        # -O over the first run's file is refused: this run's records go to a file of their own
        second = run_crawl(
            tmp_path, "-a", f"start_urls={site.url('/')}", settings=settings, output="2.jsonl"
        )

    assert second.returncode == 0, second.log[-3000:]
    assert len(second.records) == 1
    version = second.records[0]
    assert version["url"] == site.url(path)
    assert version["version_of"] == old["id"]
    assert version["id"] != old["id"]
    assert "Correction" in version["text"]
    assert schema_errors(version) == []
    assert second.stats["newscrawler/dedup/version"] == 1
    assert second.stats["newscrawler/dedup/duplicate_url"] == 4
    assert second.stats["item_dropped_reasons_count/DuplicateArticle"] == 4


def test_changed_article_skipped_when_versions_are_off(tmp_path: Path) -> None:
    routes = generated_site(sections=1, per_section=3)
    path = article_paths(routes)[0]
    settings = {"NEWSCRAWLER_STATE_REVISIT_WINDOW": "3600", "NEWSCRAWLER_DEDUP_VERSIONS": "skip"}
    with LoopbackSite(routes) as site:
        assert run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", settings=settings).records
        text = [*article_text(0), "Update: the bridge will close again next week for tests."]
        site.routes[path] = Route(body=article_page("Story 0-0", text, "2024-03-10"))
        second = run_crawl(
            tmp_path, "-a", f"start_urls={site.url('/')}", settings=settings, output="2.jsonl"
        )
    assert second.records == []
    assert second.stats["item_dropped_reasons_count/VersionSkipped"] == 1


def syndication_sites() -> tuple[dict[str, Route], dict[str, Route], list[str]]:
    story = [
        "The city council approved next year's budget late on Tuesday after a long debate "
        "about transport, schools and the repair of roads in the northern districts.",
        "The mayor said the new budget would pay for two metro stations and the repair of "
        "forty kilometres of streets, and that work on the first station would begin in May.",
        "The opposition called the plan far too optimistic and demanded an independent review "
        "of the figures before any contract is signed with the builders.",
        "Thirty-two of the forty-five councillors voted for the plan; the rest voted against "
        "it or abstained, and two were absent because of illness.",
    ]
    # the wire copy: another headline, a new lead sentence and light edits
    edited = [
        "According to our correspondent, the city council approved next year's budget late on "
        "Tuesday after a long debate about transport, schools and the repair of roads in the "
        "northern districts.",
        story[1].replace("two metro stations", "two new metro stations"),
        story[2],
        story[3].replace("because of illness", "through illness"),
    ]
    site_a = {
        "/": Route(body=hub_page("Daily", ["/city/2024/03/26/council-budget-approved.html"])),
        "/city/2024/03/26/council-budget-approved.html": Route(
            body=article_page("Council approves budget", story, "2024-03-26")
        ),
    }
    site_b = {
        "/": Route(
            body=hub_page(
                "Wire",
                [
                    "/wire/2024/03/27/budget-passes-after-debate.html",
                    "/wire/2024/03/27/mirror.html",
                ],
            )
        ),
        "/wire/2024/03/27/budget-passes-after-debate.html": Route(
            body=article_page("Budget passes after long debate", edited, "2024-03-27", variant=1)
        ),
        # an exact copy of the first site's text at another URL
        "/wire/2024/03/27/mirror.html": Route(
            body=article_page("Council approves budget", story, "2024-03-27", variant=1)
        ),
    }
    return site_a, site_b, story


def test_syndicated_copy_on_another_site_is_linked_not_duplicated(tmp_path: Path) -> None:
    routes_a, routes_b, _ = syndication_sites()
    with LoopbackSite(routes_a) as site_a, LoopbackSite(routes_b) as site_b:
        first = run_crawl(tmp_path, "-a", f"start_urls={site_a.url('/')}", overwrite=False)
        second = run_crawl(tmp_path, "-a", f"start_urls={site_b.url('/')}", overwrite=False)
    assert first.returncode == 0 and second.returncode == 0, second.log[-3000:]
    records = second.records
    assert len(records) == 2
    original, copy = records
    assert original["url"].startswith(site_a.origin) and original.get("duplicate_of") is None
    assert copy["url"] == site_b.url("/wire/2024/03/27/budget-passes-after-debate.html")
    assert copy["duplicate_of"] == original["canonical_url"]
    assert second.stats["newscrawler/dedup/near_duplicate"] == 1
    assert second.stats["newscrawler/dedup/duplicate_fingerprint"] == 1  # the mirror page


def test_near_duplicates_dropped_when_asked(tmp_path: Path) -> None:
    routes_a, routes_b, _ = syndication_sites()
    settings = {"NEWSCRAWLER_DEDUP_NEAR_ACTION": "drop"}
    with LoopbackSite(routes_a) as site_a, LoopbackSite(routes_b) as site_b:
        run_crawl(tmp_path, "-a", f"start_urls={site_a.url('/')}", settings=settings)
        second = run_crawl(
            tmp_path, "-a", f"start_urls={site_b.url('/')}", settings=settings, output="2.jsonl"
        )
    assert second.records == []
    assert second.stats["item_dropped_reasons_count/NearDuplicateDropped"] == 1


def crawl_cmd(origin: str, *extra: str) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={origin}/"]
    for key, value in {
        **FAST,
        "LOG_LEVEL": "WARNING",
        "NEWSCRAWLER_STORAGE_SYNC_ITEMS": "3",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "8",
    }.items():
        cmd += ["-s", f"{key}={value}"]
    return [*cmd, *extra]


def line_count(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def test_exactly_once_after_repeated_kill_9(tmp_path: Path) -> None:
    # Enough articles that every run is still writing when it is killed (a fast crawl of a
    # small site could finish between two kills).
    routes = generated_site(sections=3, per_section=40, delay=0.15)
    out = tmp_path / "articles.jsonl"
    rng = random.Random(7)
    with LoopbackSite(routes) as site:
        # first kill at a random moment (start-up included), then three kills while lines are
        # being written, then one run to the end
        for attempt in range(5):
            before = line_count(out)
            with (tmp_path / f"run{attempt}.log").open("wb") as log:
                proc = subprocess.Popen(
                    crawl_cmd(site.origin, "-o", "articles.jsonl"),
                    cwd=tmp_path,
                    env=crawl_env(tmp_path),
                    stdout=subprocess.DEVNULL,
                    stderr=log,
                )
                if attempt == 0:
                    time.sleep(rng.uniform(0.5, 4.0))
                elif attempt < 4:
                    deadline = time.monotonic() + 60
                    while line_count(out) < before + 2 and time.monotonic() < deadline:
                        time.sleep(0.02)
                    time.sleep(rng.uniform(0.0, 0.5))
                if attempt < 4:
                    proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=180)
            if attempt < 4:
                assert proc.returncode == -signal.SIGKILL
            # a SIGKILLed crawl prints nothing as it dies: what it printed before is checked
            check_stderr((tmp_path / f"run{attempt}.log").read_text("utf-8", "replace"))
        assert proc.returncode == 0, (tmp_path / "run4.log").read_text()[-3000:]
    records = all_lines(out)
    urls = [r["url"] for r in records]
    assert sorted(urls) == sorted(site.url(p) for p in article_paths(routes))
    assert len({r["id"] for r in records}) == len(records)


def test_torn_last_line_is_repaired_and_counted(tmp_path: Path) -> None:
    routes = generated_site(sections=1, per_section=3)
    with LoopbackSite(routes) as site:
        first = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", overwrite=False)
        out = tmp_path / "articles.jsonl"
        kept = out.read_bytes()
        # a crash in the middle of a line left half of a record behind
        with out.open("ab") as fh:
            fh.write(b'{"id": "0123456789abcdef0123", "url": "http://127.0.0.1/half')
        second = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", overwrite=False)
    assert first.returncode == 0 and second.returncode == 0, second.log[-3000:]
    assert out.read_bytes() == kept
    assert len(all_lines(out)) == 3
    assert second.stats["newscrawler/storage/repaired_files"] == 1
    assert second.stats["newscrawler/storage/repaired_bytes"] > 0
    assert "torn last line" in second.log


def test_lines_on_disk_missing_from_state_are_reconciled(tmp_path: Path) -> None:
    """kill -9 after fsync but before the state commit: the next run must not re-emit."""
    routes = generated_site(sections=1, per_section=4)
    with LoopbackSite(routes) as site:
        first = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", overwrite=False)
        assert len(first.records) == 4
        with sqlite3.connect(tmp_path / STATE) as db:  # the commit that never happened
            db.execute("DELETE FROM articles WHERE rowid > 2")
            db.execute("DELETE FROM outputs")
            db.execute("DELETE FROM pages")
        second = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", overwrite=False)
    assert second.returncode == 0, second.log[-3000:]
    assert len(all_lines(tmp_path / "articles.jsonl")) == 4
    assert second.stats["newscrawler/storage/reconciled"] == 2


def test_dataset_folder_gets_one_file_per_day(tmp_path: Path) -> None:
    routes = generated_site(sections=1, per_section=3)
    with LoopbackSite(routes) as site:
        result = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", output="data/:jsonl")
        assert result.returncode == 0, result.log[-3000:]
        files = sorted((tmp_path / "data").glob("*.jsonl"))
        assert len(files) == 1
        assert files[0].name == time.strftime("%Y-%m-%d.jsonl", time.gmtime())
        assert len(all_lines(files[0])) == 3
        run_layout = run_crawl(
            tmp_path / "data",
            "-a",
            f"start_urls={site.url('/')}",
            output="runs/:jsonl",
            settings={"NEWSCRAWLER_STORAGE_LAYOUT": "run", "NEWSCRAWLER_STATE_RESET": "1"},
        )
    runs = list((tmp_path / "data" / "runs").glob("articles-*.jsonl"))
    assert run_layout.returncode == 0 and len(runs) == 1
    assert len(all_lines(runs[0])) == 3


def test_retention_prunes_old_articles(tmp_path: Path) -> None:
    routes = generated_site(sections=1, per_section=3)
    with LoopbackSite(routes) as site:
        run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", output="")
        with sqlite3.connect(tmp_path / STATE) as db:  # one article was stored 200 days ago
            db.execute("UPDATE articles SET first_seen = first_seen - 200 * 86400 WHERE rowid = 1")
        second = run_crawl(
            tmp_path,
            "-a",
            f"start_urls={site.url('/')}",
            settings={"NEWSCRAWLER_STATE_RETENTION_DAYS": "180"},
        )
    assert second.stats["newscrawler/state/pruned"] == 1
    assert len(second.records) == 1  # the forgotten article is crawled again


def test_state_command_shows_prunes_and_resets(tmp_path: Path) -> None:
    routes = generated_site(sections=1, per_section=3)
    with LoopbackSite(routes, validators=True) as site:
        run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}")
        stats = scrapy_state(tmp_path, "stats")
        assert stats.returncode == 0, stats.stderr
        shown = json.loads(stats.stdout)
        assert shown["articles"] == 3 and shown["pages"] == 4  # robots.txt, home, section, feed
        assert shown["band_rows"] == 3 * 18
        pruned = scrapy_state(tmp_path, "prune", "--days", "1")
        assert "Pruned 0 articles" in pruned.stdout
        reset = scrapy_state(tmp_path, "reset")
        assert reset.returncode == 0 and "forgot 3 articles" in reset.stdout
        assert json.loads(scrapy_state(tmp_path, "stats").stdout)["articles"] == 0
        again = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}")
    assert len(again.records) == 3
    bad = scrapy_state(tmp_path, "explode")
    assert bad.returncode != 0


def test_pause_and_resume_gives_every_article_once(tmp_path: Path) -> None:
    """A paused crawl resumes its frontier from the crawl database; a JOBDIR given out of habit
    is not used for it, and the log says so."""
    routes = generated_site(sections=2, per_section=15, delay=0.15)
    # two requests at a time: most of the frontier is still waiting when the crawl is paused
    paced = ("-s", "JOBDIR=job", "-s", "CONCURRENT_REQUESTS=2")
    with LoopbackSite(routes) as site:
        proc = subprocess.Popen(
            crawl_cmd(site.origin, *paced, "-o", "articles.jsonl"),
            cwd=tmp_path,
            env=crawl_env(tmp_path),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + 60
        out = tmp_path / "articles.jsonl"
        articles = set(article_paths(routes))
        # Pause once the site has served a few articles: the rest of the frontier waits in the
        # state file whatever the pace of extraction (served pages are finished before the stop).
        while time.monotonic() < deadline and len(articles.intersection(site.paths())) < 8:
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)  # graceful pause: the frontier stays in the state
        _, paused_log = proc.communicate(timeout=120)
        check_stderr(paused_log.decode("utf-8", "replace"))
        assert "JOBDIR is not used for the frontier" in paused_log.decode("utf-8", "replace")
        paused = len(all_lines(out))
        assert 0 < paused < 30
        resumed = subprocess.run(
            crawl_cmd(site.origin, *paced, "-s", "LOG_LEVEL=INFO", "-o", "articles.jsonl"),
            cwd=tmp_path,
            env=crawl_env(tmp_path),
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert resumed.returncode == 0, resumed.stderr[-3000:]
    check_stderr(resumed.stderr)
    assert "Resuming the crawl begun" in resumed.stderr
    urls = [r["url"] for r in all_lines(out)]
    assert sorted(urls) == sorted(site.url(p) for p in article_paths(routes))
    assert os.path.getsize(out) > 0


def test_without_state_duplicates_are_still_found_within_one_run(tmp_path: Path) -> None:
    routes_a, routes_b, _ = syndication_sites()
    with LoopbackSite(routes_a) as site_a, LoopbackSite(routes_b) as site_b:
        result = run_crawl(
            tmp_path,
            "-a",
            f"start_urls={site_a.url('/')},{site_b.url('/')}",
            settings={"NEWSCRAWLER_STATE_ENABLED": "0"},
        )
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.records) == 2
    linked = [r for r in result.records if r.get("duplicate_of")]
    assert len(linked) == 1
    others = [r["canonical_url"] for r in result.records if r is not linked[0]]
    assert linked[0]["duplicate_of"] == others[0]
    assert result.stats["item_dropped_reasons_count/DuplicateArticle"] == 1
    assert not (tmp_path / STATE).exists()
