"""One run at a time per crawl state, and the stats file of a run that runs or was killed.

Real subprocess crawls of a slow loopback site: a second run on a locked state exits 75 with one
line naming the holder; a run killed with ``kill -9`` leaves a stats file that says ``running``
with a dead PID, and its lock never blocks the next run.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import FAST, crawl_env, read_jsonl, run_crawl, scrapy_state
from tests.site.server import LoopbackSite, Route
from tests.state_site import article_page, article_paths, article_text, generated_site, hub_page

LOCKED = re.compile(
    r"^Error: the crawl state \.newscrawler/state\.sqlite3 is in use by another run"
    r" \(PID (\d+), started (\S+)\); this run stopped before crawling\."
    r" Try again when that run has finished\.$"
)


class Gate:
    """Lets the first ``free`` article answers through, holds the others until opened."""

    def __init__(self, free: int) -> None:
        self.free = free
        self.opened = threading.Event()
        self._lock = threading.Lock()

    def wrap(self, route: Route) -> Route:
        inner = route.handler
        assert inner is not None

        def handler(req: BaseHTTPRequestHandler) -> None:
            with self._lock:
                self.free -= 1
                held = self.free < 0
            if held:
                self.opened.wait(120)
            inner(req)

        return Route(handler=handler)


@pytest.fixture
def gate() -> Iterator[Gate]:
    g = Gate(free=4)
    yield g
    g.opened.set()


@pytest.fixture
def slow_site(gate: Gate) -> Iterator[LoopbackSite]:
    """24 articles answered in 0.1 s each; after the first four, held until the gate opens."""
    routes = generated_site(sections=2, per_section=12, delay=0.1)
    for path in article_paths(routes):
        routes[path] = gate.wrap(routes[path])
    with LoopbackSite(routes) as site:
        yield site


def start_crawl(site: LoopbackSite, workdir: Path, *extra: str) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={site.url('/')}"]
    for key, value in {
        **FAST,
        "CONCURRENT_REQUESTS": "2",
        "NEWSCRAWLER_STORAGE_SYNC_ITEMS": "1",
        "NEWSCRAWLER_STATS_FILE": str(workdir / "stats.json"),
    }.items():
        cmd += ["-s", f"{key}={value}"]
    return subprocess.Popen(
        [*cmd, "-o", "articles.jsonl", *extra],
        cwd=workdir,
        env=crawl_env(workdir),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def stats_of(workdir: Path) -> dict[str, Any]:
    path = workdir / "stats.json"
    return json.loads(path.read_text("utf-8")) if path.exists() else {}


def wait_until_running(proc: subprocess.Popen[bytes], workdir: Path, articles: int = 2) -> None:
    """Until the crawl's stats file says running and ``articles`` records are on disk."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "the crawl ended early"
        if (
            stats_of(workdir).get("status") == "running"
            and len(read_jsonl(workdir / "articles.jsonl")) >= articles
        ):
            return
        time.sleep(0.05)
    raise AssertionError("the crawl did not start")


def test_overlapping_crawls_one_exits_75_the_other_stores_each_article_once(
    slow_site: LoopbackSite, gate: Gate, tmp_path: Path
) -> None:
    first = start_crawl(slow_site, tmp_path)
    try:
        wait_until_running(first, tmp_path)
        running = stats_of(tmp_path)
        second = run_crawl(
            tmp_path,
            "-a",
            f"start_urls={slow_site.url('/')}",
            overwrite=False,
            settings={"NEWSCRAWLER_STATS_FILE": str(tmp_path / "stats.json")},
        )
        assert second.returncode == 75, second.log[-3000:]
        lines = [line for line in second.log.splitlines() if "in use by another run" in line]
        assert len(lines) == 1, second.log[-3000:]
        holder = LOCKED.match(lines[0])
        assert holder is not None, lines[0]
        assert int(holder[1]) == first.pid
        assert holder[2].startswith(time.strftime("%Y-%m-%dT", time.gmtime()))
        assert stats_of(tmp_path) == running  # the refused run left the holder's file alone
        assert "Spider opened" not in second.log  # stopped before crawling

        # the state commands that write respect the lock; stats only reads
        pruned = scrapy_state(tmp_path, "prune", "--days", "1")
        assert pruned.returncode == 75, pruned.stderr
        assert pruned.stderr.count("in use by another run") == 1
        assert pruned.stdout == ""
        shown = scrapy_state(tmp_path, "stats")
        assert shown.returncode == 0, shown.stderr
        assert json.loads(shown.stdout)["exists"] is True
    finally:
        gate.opened.set()
        _, err = first.communicate(timeout=180)
    assert first.returncode == 0, err.decode()[-3000:]
    urls = [r["url"] for r in read_jsonl(tmp_path / "articles.jsonl")]
    assert sorted(urls) == sorted(slow_site.url(p) for p in article_paths(slow_site.routes))
    done = stats_of(tmp_path)
    assert done["status"] == "finished" and done["pid"] == first.pid
    # once the holder is done, the state is free again
    assert scrapy_state(tmp_path, "prune", "--days", "1").returncode == 0
    again = run_crawl(tmp_path, "-a", f"start_urls={slow_site.url('/')}", overwrite=False)
    assert again.returncode == 0, again.log[-3000:]
    assert again.stats["item_scraped_count"] == 0  # every article known: 0, not absent


def other_site() -> dict[str, Route]:
    """Two articles unlike the slow site's (other text: not duplicates of its articles)."""
    paths = [f"/other/2024/03/10/another-story-{n}.html" for n in range(2)]
    routes = {
        "/robots.txt": Route(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/": Route(body=hub_page("Home", paths)),
    }
    for n, path in enumerate(paths):
        routes[path] = Route(body=article_page(f"Other {n}", article_text(9000 + n), "2024-03-10"))
    return routes


def test_kill_9_leaves_running_with_a_dead_pid_and_no_lock_that_blocks(
    slow_site: LoopbackSite, gate: Gate, tmp_path: Path
) -> None:
    with LoopbackSite(other_site()) as other:
        before = run_crawl(tmp_path, "-a", f"start_urls={other.url('/')}")
    assert before.returncode == 0, before.log[-3000:]
    assert before.stats["status"] == "finished" and len(before.records) == 2
    gate.free = 1  # the run to be killed stores one article, then waits

    killed = start_crawl(slow_site, tmp_path)
    try:
        wait_until_running(killed, tmp_path, articles=3)  # two of the run before, one new
    except BaseException:
        killed.kill()
        killed.communicate(timeout=60)
        raise
    running = stats_of(tmp_path)
    assert running["status"] == "running" and running["pid"] == killed.pid
    assert "start_time" in running and "finish_reason" not in running
    killed.send_signal(signal.SIGKILL)
    killed.communicate(timeout=60)
    after_kill = stats_of(tmp_path)
    assert after_kill == running  # not the previous run's result
    with pytest.raises(ProcessLookupError):
        os.kill(after_kill["pid"], 0)
    assert (tmp_path / ".newscrawler" / "state.sqlite3.lock").exists()

    gate.opened.set()
    resumed = run_crawl(tmp_path, "-a", f"start_urls={slow_site.url('/')}", overwrite=False)
    assert resumed.returncode == 0, resumed.log[-3000:]
    assert "in use by another run" not in resumed.log
    assert resumed.stats["status"] == "finished" and resumed.stats["finish_reason"] == "finished"
    urls = [r["url"] for r in resumed.records if r["url"].startswith(slow_site.origin)]
    assert sorted(urls) == sorted(slow_site.url(p) for p in article_paths(slow_site.routes))


def test_a_run_without_items_writes_zero_counts(tmp_path: Path) -> None:
    routes = {
        "/robots.txt": Route(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/": Route(body="<html><body><p>Nothing to read here.</p></body></html>"),
    }
    with LoopbackSite(routes) as site:
        result = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}")
    assert result.returncode == 0, result.log[-3000:]
    assert result.records == []
    assert result.stats["status"] == "finished"
    for key in ("item_scraped_count", "item_dropped_count", "log_count/ERROR"):
        assert result.stats[key] == 0


def test_progress_line_replaces_scrapys_crawled_pages_line(
    slow_site: LoopbackSite, gate: Gate, tmp_path: Path
) -> None:
    gate.opened.set()  # 24 articles at 0.1 s, two at a time: over a second of crawling
    result = run_crawl(
        tmp_path,
        "-a",
        f"start_urls={slow_site.url('/')}",
        settings={
            "NEWSCRAWLER_PROGRESS_INTERVAL": "0.5",
            "LOGSTATS_INTERVAL": "0.5",  # no effect: Scrapy's LogStats is off
            "CONCURRENT_REQUESTS": "2",
        },
    )
    assert result.returncode == 0, result.log[-3000:]
    progress = re.findall(
        r"\[newscrawler\.extensions\.progress\] INFO: Progress: (\d+) pages \((\d+)/min\),"
        r" (\d+) articles \((\d+) new, (\d+) known\), (\d+) queued, (\d+) failures$",
        result.log,
        re.M,
    )
    assert len(progress) >= 3, result.log[-3000:]
    pages = [int(p[0]) for p in progress]
    assert pages == sorted(pages) and pages[-1] > 0
    assert any(int(p[5]) > 0 for p in progress)  # the queue was seen
    assert all(int(p[2]) == int(p[3]) + int(p[4]) for p in progress)
    assert "Crawled " not in result.log


def test_progress_interval_0_turns_the_line_off(tmp_path: Path) -> None:
    routes = {"/": Route(body="<html><body><p>Nothing.</p></body></html>")}
    with LoopbackSite(routes) as site:
        result = run_crawl(
            tmp_path,
            "-a",
            f"start_urls={site.url('/')}",
            settings={"NEWSCRAWLER_PROGRESS_INTERVAL": "0"},
        )
    assert result.returncode == 0, result.log[-3000:]
    assert "Progress:" not in result.log and "Crawled " not in result.log
