"""The crawl database in SQLite at a million URLs, against same-run baselines.

    python benchmarks/crawldb_scale.py               # 1,000,000 URLs (a few minutes)
    python benchmarks/crawldb_scale.py --urls 100000 # quicker

Measured in one run, in a temporary folder, the way the crawl's scheduler uses
:class:`~newscrawler.crawldb.sqlite.SQLiteCrawlDatabase`:

1. push: a URL record (``put``) and its request's JSON in the frontier (``push``) per URL,
   flushed every ``--batch`` URLs (one transaction); baselines: a plain ``executemany`` INSERT of
   the same keys, URLs and JSON into a one-table SQLite file, and a Python dict plus ``heapq``;
2. take/done: ``take(16)`` (the scheduler's batch, one flush and one lease update each), then
   ``done`` and the fetched record for each, until the frontier is empty; baseline: ``heappop``
   and a dict update;
3. get: ``get`` of known URLs in random order; baseline: the dict lookup;
4. size: the file (database + WAL) per URL with the frontier full and once it is empty, then
   after ``prune`` of the older half of the URLs (and ``VACUUM``), with the prune's time.
"""

from __future__ import annotations

import argparse
import heapq
import json
import os
import random
import sqlite3
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newscrawler.crawldb.database import FrontierEntry  # noqa: E402
from newscrawler.crawldb.records import STORED, Kind, Status, UrlRecord  # noqa: E402
from newscrawler.crawldb.sqlite import SQLiteCrawlDatabase  # noqa: E402
from newscrawler.dedup.fingerprint import url_key  # noqa: E402

TAKE_BATCH = 16  # newscrawler.crawldb.scheduler.TAKE_BATCH


def url_of(i: int) -> str:
    return f"https://news{i % 97}.example/{2000 + i % 25}/{i % 12 + 1:02d}/story-{i}.html"


def request_json(url: str) -> str:
    """What a followed link's request looks like in the frontier (about 400 bytes)."""
    return _REQUEST % (json.dumps(url), json.dumps(url.rsplit("/", 1)[0] + "/"))


_REQUEST = (
    json.dumps(
        {
            "url": "URL",
            "callback": "parse",
            "errback": None,
            "headers": {"Referer": ["REFERER"]},
            "method": "GET",
            "body": {"__bytes__": ""},
            "cookies": {},
            "meta": {"newscrawler_route": "link", "depth": 2, "newscrawler_from_listing": True},
            "encoding": "utf-8",
            "priority": -2,
            "dont_filter": False,
            "flags": [],
            "cb_kwargs": {},
        },
        separators=(",", ":"),
    )
    .replace('"URL"', "%s")
    .replace('"REFERER"', "%s")
)


def file_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.parent.glob(path.name + "*"))


def rate(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def bench_crawldb(path: Path, n: int, batch: int, gets: int) -> dict[str, float]:
    db = SQLiteCrawlDatabase.open(str(path))
    out: dict[str, float] = {}
    start = time.perf_counter()
    for lo in range(0, n, batch):
        records, entries = [], []
        for i in range(lo, min(n, lo + batch)):
            url = url_of(i)
            records.append(UrlRecord(url, Kind.ARTICLE, first_seen=float(i), last_seen=float(i)))
            entries.append(FrontierEntry((2, -2, float(i % 1000)), url_key(url), request_json(url)))
        db.put(records)
        db.push(entries)
        db.flush()
    out["push"] = rate(n, time.perf_counter() - start)
    db.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    out["bytes_full"] = file_size(path) / n

    start = time.perf_counter()
    handled = 0
    while taken := db.take(TAKE_BATCH):
        done = []
        for entry in taken:
            record = db.get(json.loads(entry.request)["url"])
            assert record is not None
            db.put([replace(record, status=Status.FETCHED, outcome=STORED, fetches=1)])
            done.append(entry.key)
        db.done(done)
        handled += len(taken)
    db.flush()
    out["take_done"] = rate(handled, time.perf_counter() - start)
    assert handled == n, (handled, n)
    db.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    out["bytes_empty"] = file_size(path) / n

    order = random.Random(1).sample(range(n), min(gets, n))
    start = time.perf_counter()
    for i in order:
        assert db.get(url_of(i)) is not None
    out["get"] = rate(len(order), time.perf_counter() - start)

    start = time.perf_counter()
    pruned = db.prune(older_than=n / 2)
    out["prune_seconds"] = time.perf_counter() - start
    assert pruned == (n + 1) // 2, pruned
    db.db.execute("VACUUM")
    db.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    out["bytes_pruned"] = file_size(path) / n
    out["size_pruned_mb"] = file_size(path) / 1e6
    db.close()
    return out


def bench_plain_sqlite(path: Path, n: int, batch: int) -> float:
    """INSERT of the same key, URL and JSON into one table, ``batch`` rows a transaction."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("CREATE TABLE t (key INTEGER PRIMARY KEY, url TEXT, request TEXT)")
    start = time.perf_counter()
    for lo in range(0, n, batch):
        rows = []
        for i in range(lo, min(n, lo + batch)):
            url = url_of(i)
            rows.append((url_key(url), url, request_json(url)))
        db.execute("BEGIN")
        db.executemany("INSERT OR REPLACE INTO t VALUES (?, ?, ?)", rows)
        db.execute("COMMIT")
    seconds = time.perf_counter() - start
    db.close()
    return rate(n, seconds)


def bench_memory(n: int, gets: int) -> dict[str, float]:
    """A dict of records and a heap of (order, key, request): no durability."""
    out: dict[str, float] = {}
    records: dict[int, UrlRecord] = {}
    heap: list[tuple[float, int, str]] = []
    start = time.perf_counter()
    for i in range(n):
        url = url_of(i)
        key = url_key(url)
        records[key] = UrlRecord(url, Kind.ARTICLE, first_seen=float(i), last_seen=float(i))
        heapq.heappush(heap, (-float(i % 1000), key, request_json(url)))
    out["push"] = rate(n, time.perf_counter() - start)
    start = time.perf_counter()
    while heap:
        _, key, request = heapq.heappop(heap)
        url = json.loads(request)["url"]
        records[key] = replace(records[url_key(url)], status=Status.FETCHED, outcome=STORED)
    out["take_done"] = rate(n, time.perf_counter() - start)
    order = random.Random(1).sample(range(n), min(gets, n))
    start = time.perf_counter()
    for i in order:
        assert records.get(url_key(url_of(i))) is not None
    out["get"] = rate(len(order), time.perf_counter() - start)
    return out


def bench_generate(n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        url = url_of(i)
        FrontierEntry((2, -2, 0.0), url_key(url), request_json(url))
        UrlRecord(url, Kind.ARTICLE, first_seen=float(i), last_seen=float(i))
    return rate(n, time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--urls", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=1000, help="URLs pushed per flush")
    parser.add_argument("--gets", type=int, default=200_000)
    args = parser.parse_args()
    n = args.urls
    with tempfile.TemporaryDirectory() as folder:
        crawldb = bench_crawldb(Path(folder) / "crawldb.sqlite3", n, args.batch, args.gets)
        plain = bench_plain_sqlite(Path(folder) / "plain.sqlite3", n, args.batch)
    memory = bench_memory(n, args.gets)
    generate = bench_generate(n)
    print(f"SQLiteCrawlDatabase, {n:,} URLs (pid {os.getpid()})")
    print(f"{'operation':12} {'crawldb/s':>11} {'baseline/s':>11} {'ratio':>7}  baseline")
    rows = [
        ("push", crawldb["push"], plain, "plain SQLite INSERT, same rows"),
        ("push", crawldb["push"], memory["push"], "dict + heapq"),
        ("take+done", crawldb["take_done"], memory["take_done"], "heappop + dict"),
        ("get", crawldb["get"], memory["get"], "dict lookup"),
    ]
    for name, ours, base, label in rows:
        print(f"{name:12} {ours:>11,.0f} {base:>11,.0f} {ours / base:>7.2f}  {label}")
    print(
        f"file: {crawldb['bytes_full']:.0f} bytes/URL with the frontier full, "
        f"{crawldb['bytes_empty']:.0f} once it is empty (pages kept for reuse); after prune of"
        f" half + VACUUM {crawldb['size_pruned_mb']:.1f} MB, {2 * crawldb['bytes_pruned']:.0f}"
        f" bytes per URL kept; prune took {crawldb['prune_seconds']:.2f} s"
    )
    print(f"building the rows alone (URL, key, JSON, record): {generate:,.0f}/s, in every figure")


if __name__ == "__main__":
    main()
