"""The crawl database in SQLite: two tables of the state file (or a file or memory of its own).

Writes are buffered and written in one transaction by :meth:`SQLiteCrawlDatabase.flush`, which
:meth:`~SQLiteCrawlDatabase.take` runs first: a request handed out was therefore written before,
and the requests a page led to are written no later than that page's ``done``, so a ``kill -9``
loses at most the last unflushed changes, never a request whose parent was marked done.
Sharing the state store's connection (and its transactions) keeps one writer on the file.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import astuple
from typing import Any

from newscrawler.crawldb.database import CrawlDbCounts, FrontierEntry
from newscrawler.crawldb.records import Kind, Status, UrlRecord
from newscrawler.dedup.fingerprint import url_key

SCHEMA_KEY = "crawldb_schema"
SCHEMA_VERSION = "1"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS crawl_meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS crawl_urls (
    key INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    http_status INTEGER,
    outcome TEXT,
    alias_of TEXT,
    first_seen REAL NOT NULL,
    last_seen REAL NOT NULL,
    last_fetch REAL,
    next_fetch REAL,
    fetches INTEGER NOT NULL,
    failures INTEGER NOT NULL,
    interval REAL NOT NULL,
    new_links INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS crawl_urls_next ON crawl_urls (next_fetch)
    WHERE next_fetch IS NOT NULL;
CREATE INDEX IF NOT EXISTS crawl_urls_last_seen ON crawl_urls (last_seen);
CREATE TABLE IF NOT EXISTS frontier (
    key INTEGER PRIMARY KEY,
    tier INTEGER NOT NULL,
    priority INTEGER NOT NULL,
    rank REAL NOT NULL,
    seq INTEGER NOT NULL,
    lease INTEGER NOT NULL,
    request TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS frontier_order ON frontier (lease, tier DESC, priority DESC,
    rank DESC, seq);
"""

_URL_COLUMNS = (
    "url, kind, status, http_status, outcome, alias_of, first_seen, last_seen, last_fetch,"
    " next_fetch, fetches, failures, interval, new_links"
)


class CrawlDbSchemaError(RuntimeError):
    """The crawl database was written by an incompatible version."""


def _record(row: tuple[Any, ...]) -> UrlRecord:
    url, kind, status, *rest = row
    return UrlRecord(url, Kind(kind), Status(status), *rest)


def _row(record: UrlRecord) -> tuple[Any, ...]:
    values = list(astuple(record))
    values[1] = record.kind.value
    values[2] = record.status.value
    return (url_key(record.url), *values)


class SQLiteCrawlDatabase:
    """:class:`~newscrawler.crawldb.database.CrawlDatabase` in SQLite."""

    def __init__(
        self,
        db: sqlite3.Connection,
        transaction: Callable[[], AbstractContextManager[None]] | None = None,
        *,
        own_connection: bool = False,
    ) -> None:
        self.db = db
        self._transaction = transaction or self._own_transaction
        self._own_connection = own_connection
        self._urls: dict[int, UrlRecord] = {}  # buffered URL records
        self._pushed: dict[int, FrontierEntry] = {}  # buffered frontier entries
        self._done: set[int] = set()  # buffered done keys
        self._taken: set[int] = set()  # leased by this process, not done yet
        with self._transaction():
            for statement in _SCHEMA.split(";"):
                if statement.strip():
                    self.db.execute(statement)
            version = self.db.execute(
                "SELECT value FROM crawl_meta WHERE key=?", (SCHEMA_KEY,)
            ).fetchone()
            if version is None:
                self.db.execute(
                    "INSERT INTO crawl_meta VALUES (?, ?)", (SCHEMA_KEY, SCHEMA_VERSION)
                )
            elif version[0] != SCHEMA_VERSION:
                raise CrawlDbSchemaError(
                    f"the crawl database has schema {version[0]}, this version needs"
                    f" {SCHEMA_VERSION}"
                )
        row = self.db.execute("SELECT MAX(seq) FROM frontier").fetchone()
        self._seq = (row[0] or 0) + 1
        self._waiting = self._count_waiting()

    def _count_waiting(self) -> int:
        return int(self.db.execute("SELECT COUNT(*) FROM frontier WHERE lease=0").fetchone()[0])

    @classmethod
    def open(cls, path: str) -> SQLiteCrawlDatabase:
        """A crawl database with a connection of its own (``":memory:"`` for one run only)."""
        db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        if path != ":memory:":
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
        return cls(db, own_connection=True)

    @contextmanager
    def _own_transaction(self) -> Iterator[None]:
        if self.db.in_transaction:
            yield
            return
        self.db.execute("BEGIN IMMEDIATE")
        try:
            yield
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        else:
            self.db.execute("COMMIT")

    # --- URLs ------------------------------------------------------------------------------------
    def get(self, url: str) -> UrlRecord | None:
        key = url_key(url)
        record = self._urls.get(key)
        if record is not None:
            return record
        row = self.db.execute(
            f"SELECT {_URL_COLUMNS} FROM crawl_urls WHERE key=?", (key,)
        ).fetchone()
        return _record(row) if row is not None and row[0] == url else None

    def put(self, records: Iterable[UrlRecord]) -> None:
        for record in records:
            self._urls[url_key(record.url)] = record

    def due(self, kinds: Iterable[Kind], now: float) -> list[tuple[str, Kind]]:
        self.flush()
        names = [k.value for k in kinds]
        marks = ",".join("?" * len(names))
        rows = self.db.execute(
            f"SELECT url, kind FROM crawl_urls WHERE next_fetch IS NOT NULL AND next_fetch <= ?"
            f" AND status=? AND kind IN ({marks}) ORDER BY next_fetch",
            (now, Status.FETCHED.value, *names),
        ).fetchall()
        return [(url, Kind(kind)) for url, kind in rows]

    # --- frontier --------------------------------------------------------------------------------
    def push(self, entries: Iterable[FrontierEntry]) -> None:
        for entry in entries:
            if entry.key in self._taken:
                self._taken.discard(entry.key)  # a leased request handed back (retry, redirect)
                self._waiting += 1
            elif not self.queued(entry.key):
                self._waiting += 1
            self._done.discard(entry.key)
            self._pushed[entry.key] = entry

    def take(self, count: int) -> list[FrontierEntry]:
        self.flush()
        rows = self.db.execute(
            "SELECT key, tier, priority, rank, request FROM frontier WHERE lease=0"
            " ORDER BY tier DESC, priority DESC, rank DESC, seq LIMIT ?",
            (count,),
        ).fetchall()
        if not rows:
            self._waiting = 0  # written and read: none waits
            return []
        with self._transaction():
            self.db.executemany(
                "UPDATE frontier SET lease=1 WHERE key=?", [(row[0],) for row in rows]
            )
        self._waiting = max(0, self._waiting - len(rows))
        self._taken.update(row[0] for row in rows)
        return [FrontierEntry((tier, prio, rank), key, req) for key, tier, prio, rank, req in rows]

    def done(self, keys: Iterable[int]) -> None:
        for key in keys:
            if key in self._taken:
                self._taken.discard(key)
            elif self.queued(key):
                self._waiting = max(0, self._waiting - 1)  # done before it was handed out
            self._pushed.pop(key, None)
            self._done.add(key)

    def queued(self, key: int) -> bool:
        if key in self._pushed:
            return True
        if key in self._done:
            return False
        return self.db.execute("SELECT 1 FROM frontier WHERE key=?", (key,)).fetchone() is not None

    def waiting(self) -> int:
        return self._waiting

    def leased(self) -> int:
        self.flush()
        return int(self.db.execute("SELECT COUNT(*) FROM frontier WHERE lease=1").fetchone()[0])

    def leased_elsewhere(self) -> int:
        return 0  # one process at a time (the state lock)

    def recount(self) -> int:
        """Count the waiting requests anew (from the written frontier)."""
        self.flush()
        self._waiting = self._count_waiting()
        return self._waiting

    def release_leases(self) -> int:
        self.flush()
        with self._transaction():
            released = self.db.execute("UPDATE frontier SET lease=0 WHERE lease=1").rowcount
        self._taken.clear()
        self._waiting = self._count_waiting()
        return int(released)

    def drop_leases(self) -> int:
        self.flush()
        with self._transaction():
            dropped = self.db.execute("DELETE FROM frontier WHERE lease=1").rowcount
        self._taken.clear()
        return int(dropped)

    def heartbeat(self, now: float) -> int:
        return 0  # one process at a time: no lease of another to hand out

    # --- crawls ----------------------------------------------------------------------------------
    def begin_crawl(self, now: float) -> tuple[float, bool]:
        started = self.crawl_started()
        if started is not None and self.waiting():
            return started, True
        self.set_crawl_started(now)
        return now, False

    def end_crawl(self) -> bool:
        self.set_crawl_started(None)
        return True

    def crawl_started(self) -> float | None:
        row = self.db.execute("SELECT value FROM crawl_meta WHERE key='crawl_started'").fetchone()
        return float(row[0]) if row and row[0] is not None else None

    def set_crawl_started(self, started: float | None) -> None:
        self.flush()
        with self._transaction():
            self.db.execute(
                "INSERT OR REPLACE INTO crawl_meta VALUES ('crawl_started', ?)",
                (None if started is None else repr(started),),
            )

    # --- housekeeping ----------------------------------------------------------------------------
    def flush(self) -> None:
        if not (self._urls or self._pushed or self._done):
            return
        with self._transaction():
            if self._urls:
                self.db.executemany(
                    f"INSERT OR REPLACE INTO crawl_urls (key, {_URL_COLUMNS})"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [_row(r) for r in self._urls.values()],
                )
            if self._pushed:
                rows = []
                for entry in self._pushed.values():
                    tier, priority, rank = entry.sort_key
                    rows.append((entry.key, tier, priority, rank, self._seq, entry.request))
                    self._seq += 1
                self.db.executemany(
                    "INSERT OR REPLACE INTO frontier (key, tier, priority, rank, seq, lease,"
                    " request) VALUES (?, ?, ?, ?, ?, 0, ?)",
                    rows,
                )
            if self._done:
                self.db.executemany("DELETE FROM frontier WHERE key=?", [(k,) for k in self._done])
        self._urls.clear()
        self._pushed.clear()
        self._done.clear()

    def counts(self, now: float, next_due: int = 10) -> CrawlDbCounts:
        self.flush()
        one = self.db.execute
        table: dict[str, dict[str, int]] = {}
        for kind, status, n in one(
            "SELECT kind, status, COUNT(*) FROM crawl_urls GROUP BY kind, status"
        ):
            table.setdefault(kind, {})[status] = n
        frontier, leased = one("SELECT COUNT(*), COALESCE(SUM(lease), 0) FROM frontier").fetchone()
        due = one(
            "SELECT COUNT(*) FROM crawl_urls WHERE next_fetch IS NOT NULL AND next_fetch <= ?",
            (now,),
        ).fetchone()[0]
        soonest = one(
            "SELECT next_fetch, kind, url FROM crawl_urls WHERE next_fetch IS NOT NULL"
            " ORDER BY next_fetch LIMIT ?",
            (next_due,),
        ).fetchall()
        return CrawlDbCounts(
            urls=sum(sum(v.values()) for v in table.values()),
            by_kind_status=table,
            frontier=frontier,
            leased=leased,
            due_now=due,
            next_due=[tuple(r) for r in soonest],
            crawl_started=self.crawl_started(),
        )

    def records(
        self,
        *,
        status: str | None = None,
        kind: str | None = None,
        outcome: str | None = None,
        limit: int | None = None,
    ) -> Iterator[UrlRecord]:
        self.flush()
        where: list[str] = []
        params: list[Any] = []
        if status is not None:
            where.append("status=?")
            params.append(status)
        if kind is not None:
            where.append("kind=?")
            params.append(kind)
        if outcome is not None:
            where.append("(outcome=? OR substr(outcome, 1, ?)=?)")
            params += [outcome, len(outcome) + 1, outcome + "/"]
        sql = f"SELECT {_URL_COLUMNS} FROM crawl_urls"
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY url"
        if limit is not None:
            sql += f" LIMIT {int(limit)}"
        for row in self.db.execute(sql, params):
            yield _record(row)

    def prune(self, older_than: float) -> int:
        self.flush()
        with self._transaction():
            removed = self.db.execute(
                "DELETE FROM crawl_urls WHERE last_seen < ?"
                " AND key NOT IN (SELECT key FROM frontier)",
                (older_than,),
            ).rowcount
        return int(removed)

    def reset(self) -> None:
        self._urls.clear()
        self._pushed.clear()
        self._done.clear()
        self._taken.clear()
        with self._transaction():
            for table in ("crawl_urls", "frontier"):
                self.db.execute(f"DELETE FROM {table}")
            self.db.execute("DELETE FROM crawl_meta WHERE key != ?", (SCHEMA_KEY,))
        self._waiting = 0

    def close(self) -> None:
        self.flush()
        if self._own_connection:
            self.db.close()
