"""The persistent crawl state store: the :class:`StateStore` protocol and its SQLite implementation.

A store is an :class:`~newscrawler.dedup.index.ArticleIndex` (what the deduplicator reads and
writes) plus what incremental runs and crash-safe storage need: cached hub pages with their
HTTP validators, the byte offset of each output file already recorded, retention and reset.
Writes are grouped with :meth:`StateStore.transaction` so that a batch of articles and the
output offset that covers them are committed together. It also keeps each host's download delay
(:class:`HostDelay`), so that a later run starts at the pace the host last set.

:class:`SQLiteStateStore` keeps it in one SQLite file in WAL mode. URLs are indexed by a 64-bit
hash (:func:`~newscrawler.dedup.fingerprint.url_key`) so that indexes stay small; LSH bands are a
``WITHOUT ROWID`` table of (band key, article). Writes outside
:meth:`SQLiteStateStore.transaction` are committed at once. Another backend (Redis, say)
implements the same protocol; :class:`~newscrawler.state.crawlstate.CrawlState` uses nothing else.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import time
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from newscrawler.dedup.fingerprint import url_key
from newscrawler.dedup.index import Seen

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class CachedPage:
    """A non-article page (hub, feed, sitemap) kept for conditional GET."""

    url: str
    etag: str | None
    last_modified: str | None
    content_type: str
    body: bytes


@dataclass(frozen=True)
class HostDelay:
    """A host's download delay at the end of a run, and the robots.txt ``Crawl-delay`` (already
    bounded) that its delay may not go below; both in seconds."""

    delay: float
    crawl_delay: float | None = None


@dataclass(frozen=True)
class StoreCounts:
    articles: int
    urls: int
    band_rows: int
    pages: int
    outputs: int
    oldest: float | None
    newest: float | None
    size_bytes: int
    hosts: int = 0  # hosts with a saved download delay


@dataclass(frozen=True)
class SiteRun:
    """What one run did on one site."""

    site: str
    requests: int = 0
    articles: int = 0  # new articles stored
    duplicates: int = 0  # records dropped as duplicates
    known: int = 0  # known articles not fetched again
    failures: dict[str, int] = field(default_factory=dict)  # reason -> count

    @property
    def failed(self) -> int:
        return sum(self.failures.values())


@dataclass(frozen=True)
class RunRecord:
    """One crawl in the run history: when, how long, how it ended, and each site's counts."""

    started: float
    duration: float
    finish_reason: str
    verdict: str
    sites: tuple[SiteRun, ...] = ()

    def site(self, name: str) -> SiteRun | None:
        return next((s for s in self.sites if s.site == name), None)


class StateStore(Protocol):
    """Persistent state shared by the dedup pipeline, the middlewares and the storage."""

    # --- ArticleIndex --------------------------------------------------------------------------
    def latest_version(self, canonical_url: str) -> Seen | None: ...

    def by_fingerprint(self, fingerprint: str) -> Seen | None: ...

    def has_id(self, record_id: str) -> bool: ...

    def near_candidates(
        self, keys: Sequence[int]
    ) -> Iterable[tuple[Seen, np.ndarray[Any, Any]]]: ...

    def add(
        self, seen: Seen, signature: np.ndarray[Any, Any] | None, keys: Sequence[int]
    ) -> None: ...

    # --- incremental runs ------------------------------------------------------------------------
    def knows_url(self, url: str) -> bool:
        """Whether an article was stored, or a duplicate seen, under this URL."""

    def known_article(self, url: str) -> Seen | None:
        """The latest version stored under this canonical or final URL."""

    def add_known_urls(self, urls: Iterable[str]) -> None:
        """URLs that gave no stored record (duplicates): skipped in later runs."""

    def cached_page(self, url: str) -> CachedPage | None: ...

    def put_pages(self, pages: Iterable[CachedPage]) -> None: ...

    # --- outputs -------------------------------------------------------------------------------
    def output_offsets(self) -> dict[str, int]:
        """Byte offset up to which each output file's lines are recorded."""

    def set_output_offset(self, path: str, offset: int) -> None: ...

    # --- run history -----------------------------------------------------------------------------
    def add_run(self, run: RunRecord) -> None:
        """Append one run (and its sites) to the run history."""

    def runs(self, limit: int | None = None) -> list[RunRecord]:
        """The last ``limit`` runs (all when ``None``), oldest first."""

    # --- politeness ------------------------------------------------------------------------------
    def host_delay(self, host: str) -> HostDelay | None:
        """The delay saved for a host (a download slot key) by an earlier run."""

    def put_host_delays(self, delays: Mapping[str, HostDelay]) -> None:
        """Save (replace) the delays of these hosts."""

    # --- housekeeping ----------------------------------------------------------------------------
    def transaction(self) -> AbstractContextManager[None]:
        """Group writes; committed atomically on exit."""

    def prune(self, older_than: float) -> int:
        """Forget articles and pages first seen, and host delays saved, before ``older_than``
        (epoch seconds)."""

    def reset(self) -> None: ...

    def counts(self) -> StoreCounts: ...

    def iter_articles(self) -> Iterator[Seen]: ...

    def close(self) -> None: ...


# --- SQLite ---------------------------------------------------------------------------------------

SCHEMA_VERSION = "3"
# Older schema versions that opening the state upgrades in place: the DDL below creates the
# tables a version lacks (schema 1 had no run history: ``runs``, ``site_runs``; schema 2 no
# host delays: ``hosts``).
_UPGRADABLE = frozenset({"1", "2"})

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    rowid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    canonical_key INTEGER NOT NULL,
    url_key INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    canonical_url TEXT NOT NULL,
    origin TEXT,
    modified TEXT,
    first_seen REAL NOT NULL,
    signature BLOB
);
CREATE INDEX IF NOT EXISTS articles_canonical ON articles (canonical_key);
CREATE INDEX IF NOT EXISTS articles_url ON articles (url_key);
CREATE INDEX IF NOT EXISTS articles_fingerprint ON articles (fingerprint);
CREATE INDEX IF NOT EXISTS articles_first_seen ON articles (first_seen);
CREATE TABLE IF NOT EXISTS bands (
    key INTEGER NOT NULL,
    article INTEGER NOT NULL,
    PRIMARY KEY (key, article)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pages (
    url_key INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    etag TEXT,
    last_modified TEXT,
    content_type TEXT NOT NULL,
    body BLOB NOT NULL,
    seen REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS known_urls (url_key INTEGER PRIMARY KEY, seen REAL NOT NULL);
CREATE TABLE IF NOT EXISTS outputs (path TEXT PRIMARY KEY, offset INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started REAL NOT NULL,
    duration REAL NOT NULL,
    finish_reason TEXT NOT NULL,
    verdict TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS site_runs (
    run INTEGER NOT NULL,
    site TEXT NOT NULL,
    requests INTEGER NOT NULL,
    articles INTEGER NOT NULL,
    duplicates INTEGER NOT NULL,
    known INTEGER NOT NULL,
    failures TEXT NOT NULL,
    PRIMARY KEY (run, site)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS hosts (
    host TEXT PRIMARY KEY,
    delay REAL NOT NULL,
    crawl_delay REAL,
    seen REAL NOT NULL
);
"""

_SEEN_COLUMNS = "rowid, id, canonical_url, fingerprint, modified, origin, first_seen"


class StateSchemaError(RuntimeError):
    """The state file was written by an incompatible version."""


def _seen(row: tuple[Any, ...]) -> Seen:
    _, rid, canonical, fp, modified, origin, first_seen = row[:7]
    return Seen(
        id=rid,
        canonical_url=canonical,
        fingerprint=fp,
        modified=modified,
        origin=origin or canonical,
        first_seen=first_seen,
    )


class SQLiteStateStore:
    """:class:`StateStore` in a SQLite file."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.db = sqlite3.connect(str(self.path), isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")
        self.db.execute("PRAGMA busy_timeout=10000")
        self._depth = 0
        self.db.executescript(_SCHEMA)  # idempotent DDL (executescript commits by itself)
        with self.transaction():
            row = self.db.execute("SELECT value FROM meta WHERE key='schema'").fetchone()
            if row is None:
                self.db.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA_VERSION,))
            elif row[0] in _UPGRADABLE:
                self.db.execute("UPDATE meta SET value=? WHERE key='schema'", (SCHEMA_VERSION,))
                logger.info(
                    "State %s upgraded from schema %s to %s", self.path, row[0], SCHEMA_VERSION
                )
            elif row[0] != SCHEMA_VERSION:
                raise StateSchemaError(
                    f"{self.path} has state schema {row[0]}, this version needs {SCHEMA_VERSION}"
                )

    # --- transactions -------------------------------------------------------------------------
    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._depth:
            self._depth += 1
            try:
                yield
            finally:
                self._depth -= 1
            return
        self.db.execute("BEGIN IMMEDIATE")
        self._depth = 1
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")
        finally:
            self._depth = 0

    # --- ArticleIndex ----------------------------------------------------------------------------
    def latest_version(self, canonical_url: str) -> Seen | None:
        row = self.db.execute(
            f"SELECT {_SEEN_COLUMNS} FROM articles WHERE canonical_key=? AND canonical_url=?"
            " ORDER BY rowid DESC LIMIT 1",
            (url_key(canonical_url), canonical_url),
        ).fetchone()
        return _seen(row) if row else None

    def by_fingerprint(self, fingerprint: str) -> Seen | None:
        row = self.db.execute(
            f"SELECT {_SEEN_COLUMNS} FROM articles WHERE fingerprint=? ORDER BY rowid LIMIT 1",
            (fingerprint,),
        ).fetchone()
        return _seen(row) if row else None

    def has_id(self, record_id: str) -> bool:
        return (
            self.db.execute("SELECT 1 FROM articles WHERE id=?", (record_id,)).fetchone()
            is not None
        )

    def near_candidates(self, keys: Sequence[int]) -> Iterator[tuple[Seen, np.ndarray[Any, Any]]]:
        if not keys:
            return
        marks = ",".join("?" * len(keys))
        rows = self.db.execute(
            f"SELECT {_SEEN_COLUMNS}, signature FROM articles WHERE rowid IN"
            f" (SELECT DISTINCT article FROM bands WHERE key IN ({marks}))",
            list(keys),
        ).fetchall()
        for row in rows:
            if row[7] is not None:
                yield _seen(row), np.frombuffer(row[7], dtype="<u2")

    def add(self, seen: Seen, signature: np.ndarray[Any, Any] | None, keys: Sequence[int]) -> None:
        with self.transaction():
            cur = self.db.execute(
                "INSERT OR IGNORE INTO articles (id, canonical_key, url_key, fingerprint,"
                " canonical_url, origin, modified, first_seen, signature)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    seen.id,
                    url_key(seen.canonical_url),
                    url_key(seen.url or seen.canonical_url),
                    seen.fingerprint,
                    seen.canonical_url,
                    None if seen.origin in ("", seen.canonical_url) else seen.origin,
                    seen.modified,
                    seen.first_seen or time.time(),
                    None if signature is None else signature.astype("<u2").tobytes(),
                ),
            )
            if cur.rowcount and signature is not None:
                article = cur.lastrowid
                self.db.executemany(
                    "INSERT OR IGNORE INTO bands VALUES (?, ?)", [(k, article) for k in keys]
                )

    # --- incremental runs ---------------------------------------------------------------------
    def knows_url(self, url: str) -> bool:
        key = url_key(url)
        return (
            self.db.execute(
                "SELECT 1 FROM articles WHERE canonical_key=? UNION ALL"
                " SELECT 1 FROM articles WHERE url_key=? UNION ALL"
                " SELECT 1 FROM known_urls WHERE url_key=? LIMIT 1",
                (key, key, key),
            ).fetchone()
            is not None
        )

    def known_article(self, url: str) -> Seen | None:
        key = url_key(url)
        row = self.db.execute(
            f"SELECT {_SEEN_COLUMNS} FROM articles WHERE rowid = (SELECT MAX(rowid) FROM"
            " (SELECT rowid FROM articles WHERE canonical_key=? UNION ALL"
            " SELECT rowid FROM articles WHERE url_key=?))",
            (key, key),
        ).fetchone()
        return _seen(row) if row else None

    def add_known_urls(self, urls: Iterable[str]) -> None:
        now = time.time()
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO known_urls VALUES (?, ?)", [(url_key(u), now) for u in urls]
            )

    def cached_page(self, url: str) -> CachedPage | None:
        row = self.db.execute(
            "SELECT url, etag, last_modified, content_type, body FROM pages WHERE url_key=?",
            (url_key(url),),
        ).fetchone()
        if row is None or row[0] != url:
            return None
        return CachedPage(row[0], row[1], row[2], row[3], zlib.decompress(row[4]))

    def put_pages(self, pages: Iterable[CachedPage]) -> None:
        now = time.time()
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO pages VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        url_key(p.url),
                        p.url,
                        p.etag,
                        p.last_modified,
                        p.content_type,
                        zlib.compress(p.body, 6),
                        now,
                    )
                    for p in pages
                ],
            )

    # --- outputs ------------------------------------------------------------------------------
    def output_offsets(self) -> dict[str, int]:
        return dict(self.db.execute("SELECT path, offset FROM outputs").fetchall())

    def set_output_offset(self, path: str, offset: int) -> None:
        with self.transaction():
            self.db.execute("INSERT OR REPLACE INTO outputs VALUES (?, ?)", (path, offset))

    # --- run history ------------------------------------------------------------------------
    def add_run(self, run: RunRecord) -> None:
        with self.transaction():
            cur = self.db.execute(
                "INSERT INTO runs (started, duration, finish_reason, verdict) VALUES (?, ?, ?, ?)",
                (run.started, run.duration, run.finish_reason, run.verdict),
            )
            self.db.executemany(
                "INSERT OR REPLACE INTO site_runs VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        cur.lastrowid,
                        s.site,
                        s.requests,
                        s.articles,
                        s.duplicates,
                        s.known,
                        json.dumps(s.failures, sort_keys=True),
                    )
                    for s in run.sites
                ],
            )

    def runs(self, limit: int | None = None) -> list[RunRecord]:
        rows = self.db.execute(
            "SELECT id, started, duration, finish_reason, verdict FROM runs"
            " ORDER BY id DESC LIMIT ?",
            (-1 if limit is None else limit,),
        ).fetchall()
        records = []
        for run_id, started, duration, reason, verdict in reversed(rows):
            sites = tuple(
                SiteRun(site, requests, articles, duplicates, known, json.loads(failures))
                for site, requests, articles, duplicates, known, failures in self.db.execute(
                    "SELECT site, requests, articles, duplicates, known, failures FROM site_runs"
                    " WHERE run=? ORDER BY site",
                    (run_id,),
                )
            )
            records.append(RunRecord(started, duration, reason, verdict, sites))
        return records

    # --- politeness ---------------------------------------------------------------------------
    def host_delay(self, host: str) -> HostDelay | None:
        row = self.db.execute(
            "SELECT delay, crawl_delay FROM hosts WHERE host=?", (host,)
        ).fetchone()
        return HostDelay(row[0], row[1]) if row else None

    def put_host_delays(self, delays: Mapping[str, HostDelay]) -> None:
        now = time.time()
        with self.transaction():
            self.db.executemany(
                "INSERT OR REPLACE INTO hosts VALUES (?, ?, ?, ?)",
                [(host, d.delay, d.crawl_delay, now) for host, d in delays.items()],
            )

    # --- housekeeping -------------------------------------------------------------------------
    def prune(self, older_than: float) -> int:
        with self.transaction():
            old = "SELECT rowid FROM articles WHERE first_seen < ?"
            if self.db.execute(old + " LIMIT 1", (older_than,)).fetchone():
                # bands are keyed by band key: this scans them, so only when something expired
                self.db.execute(f"DELETE FROM bands WHERE article IN ({old})", (older_than,))
            removed = self.db.execute("DELETE FROM articles WHERE first_seen < ?", (older_than,))
            count = removed.rowcount
            self.db.execute("DELETE FROM pages WHERE seen < ?", (older_than,))
            self.db.execute("DELETE FROM known_urls WHERE seen < ?", (older_than,))
            self.db.execute("DELETE FROM hosts WHERE seen < ?", (older_than,))
        return count

    def reset(self) -> None:
        """Forget articles, pages and outputs; the run history and host delays stay."""
        with self.transaction():
            for table in ("articles", "bands", "pages", "known_urls", "outputs"):
                self.db.execute(f"DELETE FROM {table}")
        self.db.execute("VACUUM")

    def counts(self) -> StoreCounts:
        one = self.db.execute
        oldest, newest = one("SELECT MIN(first_seen), MAX(first_seen) FROM articles").fetchone()
        size = sum(
            p.stat().st_size
            for p in (self.path, Path(f"{self.path}-wal"), Path(f"{self.path}-shm"))
            if p.exists()
        )
        return StoreCounts(
            articles=one("SELECT COUNT(*) FROM articles").fetchone()[0],
            urls=one("SELECT COUNT(DISTINCT canonical_key) FROM articles").fetchone()[0],
            band_rows=one("SELECT COUNT(*) FROM bands").fetchone()[0],
            pages=one("SELECT COUNT(*) FROM pages").fetchone()[0],
            outputs=one("SELECT COUNT(*) FROM outputs").fetchone()[0],
            oldest=oldest,
            newest=newest,
            size_bytes=size,
            hosts=one("SELECT COUNT(*) FROM hosts").fetchone()[0],
        )

    def iter_articles(self) -> Iterator[Seen]:
        for row in self.db.execute(f"SELECT {_SEEN_COLUMNS} FROM articles ORDER BY rowid"):
            yield _seen(row)

    def close(self) -> None:
        self.db.close()
