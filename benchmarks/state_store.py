"""State store benchmark: 1,000,000 articles in the SQLite state, against baselines.

    python benchmarks/state_store.py            # 1,000,000 articles (a few minutes)
    python benchmarks/state_store.py --n 100000 # quicker

Measured in one run, in a temporary folder:

1. insert rate into :class:`SQLiteStateStore`, each article with a 128-value MinHash signature
   and its 18 LSH band keys: while building the store (transactions of ``--build-batch``), and
   then ``--extra`` more articles into the full store in transactions of ``--batch`` (the
   crawl's default fsync batch, ``NEWSCRAWLER_STORAGE_SYNC_ITEMS=20``); baseline: inserting the
   same keys into Python dicts and sets (the in-memory index, no durability);
2. lookup rate of the checks a crawl makes per URL/record (``knows_url`` for stored and unknown
   URLs, ``latest_version``, ``by_fingerprint``); baselines: the dict/set lookups, and the same
   SQLite table without indexes (a scan per lookup, measured on a few lookups);
3. near-duplicate query time (band lookup + verification of candidates) for copies of stored
   articles with 25% of their signature changed and for unrelated articles;
4. file size (database + WAL) and the process's peak RSS;
5. the per-record CPU cost of a signature (MinHash of 3-word shingles of a 500-word text)
   against the sha1 fingerprint of the same text.

Signatures in the store are random (what MinHash values look like); the near-duplicate queries
are perturbed copies of stored ones, so each has one true match to find.
"""

from __future__ import annotations

import argparse
import random
import resource
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newscrawler.dedup.config import lsh_params  # noqa: E402
from newscrawler.dedup.fingerprint import minhash_signature, record_id, text_fingerprint, url_key  # noqa: E402
from newscrawler.dedup.index import Seen  # noqa: E402
from newscrawler.dedup.minhash import band_keys, similarity  # noqa: E402
from newscrawler.state.store import SQLiteStateStore  # noqa: E402

NUM_PERM = 128
THRESHOLD = 0.6


def rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def url_of(i: int) -> str:
    return f"https://news{i % 97}.example/{2000 + i % 25}/{i % 12 + 1:02d}/story-{i}.html"


def fingerprint_of(i: int) -> str:
    return text_fingerprint(f"body {i}")


def signature_of(rng: np.random.Generator) -> np.ndarray[Any, Any]:
    return rng.integers(0, 65536, NUM_PERM, dtype=np.uint16)


def rate(count: int, seconds: float) -> str:
    return f"{count / seconds:,.0f}/s"


def build_store(
    path: Path, first: int, n: int, batch: int, bands: int, rows: int, seed: int = 1
) -> tuple[float, list[Any]]:
    store = SQLiteStateStore(path)
    rng = np.random.default_rng(seed)
    kept: list[Any] = []  # signatures of a sample of articles, for near-duplicate queries
    start = time.perf_counter()
    now = time.time()
    for lo in range(first, n, batch):
        with store.transaction():
            for i in range(lo, min(n, lo + batch)):
                url = url_of(i)
                fp = fingerprint_of(i)
                sig = signature_of(rng)
                seen = Seen(record_id(url, fp), url, fp, None, url, now, url)
                store.add(seen, sig, band_keys(sig, bands, rows))
                if i % max(1, (n - first) // 500) == 0:
                    kept.append((i, sig))
        if lo > first and lo % 100_000 < batch:
            print(f"  ... {lo:,} articles", flush=True)
    seconds = time.perf_counter() - start
    store.close()
    return seconds, kept


def dict_baseline(n: int, bands: int, rows: int) -> tuple[float, dict[int, int], set[str]]:
    rng = np.random.default_rng(1)
    urls: dict[int, int] = {}
    fps: set[str] = set()
    band_index: dict[int, list[int]] = {}
    start = time.perf_counter()
    for i in range(n):
        urls[url_key(url_of(i))] = i
        fps.add(fingerprint_of(i))
        for key in band_keys(signature_of(rng), bands, rows):
            band_index.setdefault(key, []).append(i)
    return time.perf_counter() - start, urls, fps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="articles in the store")
    parser.add_argument("--build-batch", type=int, default=1000, help="articles per transaction")
    parser.add_argument("--batch", type=int, default=20, help="articles per transaction, after")
    parser.add_argument("--extra", type=int, default=20_000, help="articles inserted after")
    parser.add_argument("--lookups", type=int, default=20_000)
    parser.add_argument("--near", type=int, default=500, help="near-duplicate queries")
    parser.add_argument("--dir", help="folder for the database (default: a temporary one)")
    args = parser.parse_args()
    bands, rows = lsh_params(THRESHOLD, NUM_PERM)
    folder = Path(args.dir or tempfile.mkdtemp(prefix="state-bench-"))
    path = folder / "state.sqlite3"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    n = args.n
    print(f"state store benchmark: {n:,} articles, {NUM_PERM} permutations, {bands}x{rows} bands")

    build_s, kept = build_store(path, 0, n, args.build_batch, bands, rows)
    extra_s, _ = build_store(path, n, n + args.extra, args.batch, bands, rows, seed=9)
    n_total = n + args.extra
    store = SQLiteStateStore(path)
    store.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    size = store.counts().size_bytes
    rss_store = rss_mib()

    rnd = random.Random(2)
    known = [url_of(rnd.randrange(n)) for _ in range(args.lookups)]
    unknown = [url_of(10 * n_total + rnd.randrange(n)) for _ in range(args.lookups)]
    fps = [fingerprint_of(rnd.randrange(n)) for _ in range(args.lookups)]

    def timed(fn: Any, items: list[Any]) -> tuple[float, int]:
        start = time.perf_counter()
        hits = sum(1 for x in items if fn(x))
        return time.perf_counter() - start, hits

    knows_s, hits_known = timed(store.knows_url, known)
    unknown_s, hits_unknown = timed(store.knows_url, unknown)
    latest_s, _ = timed(store.latest_version, known)
    fp_s, hits_fp = timed(store.by_fingerprint, fps)
    assert hits_known == len(known) and hits_unknown == 0 and hits_fp == len(fps)

    # near-duplicates: perturbed copies of stored signatures, and unrelated signatures
    qrng = np.random.default_rng(3)
    near_times, found = [], 0
    for i, sig in kept[: args.near]:
        query = sig.copy()
        changed = qrng.choice(NUM_PERM, NUM_PERM // 4, replace=False)
        query[changed] = qrng.integers(0, 65536, len(changed), dtype=np.uint16)
        start = time.perf_counter()
        matches = [
            seen
            for seen, other in store.near_candidates(band_keys(query, bands, rows))
            if similarity(query, other) >= THRESHOLD
        ]
        near_times.append(time.perf_counter() - start)
        found += any(m.canonical_url == url_of(i) for m in matches)
    miss_times = []
    for _ in range(args.near):
        query = signature_of(qrng)
        start = time.perf_counter()
        list(store.near_candidates(band_keys(query, bands, rows)))
        miss_times.append(time.perf_counter() - start)
    store.close()
    rss_after = rss_mib()

    # baselines -----------------------------------------------------------------------------------
    dict_s, url_dict, fp_set = dict_baseline(n, bands, rows)
    start = time.perf_counter()
    dict_hits = sum(1 for u in known if url_key(u) in url_dict)
    dict_hits += sum(1 for u in unknown if url_key(u) in url_dict)
    dict_hits += sum(1 for f in fps if f in fp_set)
    dict_lookup_s = time.perf_counter() - start
    rss_dict = rss_mib()
    del url_dict, fp_set

    plain = sqlite3.connect(":memory:")
    plain.execute("CREATE TABLE a (canonical_key INTEGER, url_key INTEGER)")
    plain.executemany("INSERT INTO a VALUES (?, ?)", ((url_key(url_of(i)),) * 2 for i in range(n)))
    scans = known[:20]
    start = time.perf_counter()
    for u in scans:
        k = url_key(u)
        plain.execute("SELECT 1 FROM a WHERE canonical_key=? OR url_key=? LIMIT 1", (k, k))
        plain.execute("SELECT COUNT(*) FROM a WHERE canonical_key=?", (k,)).fetchone()
    scan_s = (time.perf_counter() - start) / len(scans)
    plain.close()

    vocab = [f"word{j}" for j in range(5000)]
    texts = [" ".join(random.Random(k).choices(vocab, k=500)) for k in range(200)]
    start = time.perf_counter()
    for t in texts:
        minhash_signature(t)
    mh_s = (time.perf_counter() - start) / len(texts)
    start = time.perf_counter()
    for t in texts:
        text_fingerprint(t)
    sha_s = (time.perf_counter() - start) / len(texts)

    lookup_s = (knows_s + unknown_s + fp_s) / (3 * args.lookups)
    dict_each = dict_lookup_s / (3 * args.lookups)
    near_p50 = float(np.median(near_times)) * 1000
    near_p99 = float(np.percentile(near_times, 99)) * 1000
    miss_p50 = float(np.median(miss_times)) * 1000

    print()
    print(f"{'measure':44} {'value':>16}")
    rows_out = [
        (f"insert rate, build (batches of {args.build_batch})", rate(n, build_s)),
        (f"insert rate at {n:,} (batches of {args.batch})", rate(args.extra, extra_s)),
        ("insert rate baseline (dict/set, no disk)", rate(n, dict_s)),
        ("lookup knows_url, stored URL", rate(args.lookups, knows_s)),
        ("lookup knows_url, unknown URL", rate(args.lookups, unknown_s)),
        ("lookup latest_version", rate(args.lookups, latest_s)),
        ("lookup by_fingerprint", rate(args.lookups, fp_s)),
        ("lookup baseline (dict/set)", rate(1, dict_each)),
        ("lookup baseline (SQLite, no index)", rate(1, scan_s)),
        ("near-dup query, true copy p50 / p99", f"{near_p50:.2f} / {near_p99:.2f} ms"),
        ("near-dup query, no match p50", f"{miss_p50:.2f} ms"),
        ("near-dup recall (25% of signature changed)", f"{found}/{len(near_times)}"),
        ("file size (db + wal)", f"{size / 2**20:,.0f} MiB ({size / n_total:,.0f} B/article)"),
        ("peak RSS after store build + queries", f"{rss_after:,.0f} MiB"),
        ("peak RSS after dict baseline", f"{rss_dict:,.0f} MiB"),
        ("signature CPU per record (MinHash)", f"{mh_s * 1000:.2f} ms"),
        ("fingerprint CPU per record (sha1)", f"{sha_s * 1000:.3f} ms"),
    ]
    for name, value in rows_out:
        print(f"{name:44} {value:>16}")
    print()
    print("ratios")
    insert_s = extra_s / args.extra * n
    label = f"insert: SQLite (batches of {args.batch}) / dict"
    print(f"  {label:43}{dict_s / insert_s:8.3f}x the rate")
    print(f"  lookup: SQLite / dict                      {dict_each / lookup_s:8.3f}x the rate")
    print(f"  lookup: SQLite indexed / SQLite no index   {scan_s / lookup_s:8,.0f}x the rate")
    print(f"  MinHash / sha1 CPU per record              {mh_s / sha_s:8,.0f}x")
    print(f"  RSS: store process / dict baseline         {rss_store / rss_dict:8.3f}")
    print(f"(database kept in {folder})" if args.dir else "")


if __name__ == "__main__":
    main()
