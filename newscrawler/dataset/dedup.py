"""Deduplicate records across runs with the crawl's rules, in constant memory.

The rules are the crawl's own: :class:`newscrawler.dedup.decision.Deduplicator` decides, record by
record in input order (files in the order given, folders sorted by file name), whether a record
is new, the same article again (``duplicate_url``), the same text at another URL
(``duplicate_fingerprint``), a new ``version`` of a known URL (``version_of`` set) or, when
near-duplicate detection is on, a ``near_duplicate`` (``duplicate_of`` set). Exact duplicates
are dropped.

Its state lives in :class:`SqliteIndex`, a temporary SQLite file keyed by 64-bit hashes, so
memory stays flat however many records pass through.
"""

from __future__ import annotations

import sqlite3
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from newscrawler.dedup.config import DedupConfig
from newscrawler.dedup.decision import Deduplicator, Verdict, annotate
from newscrawler.dedup.fingerprint import url_key
from newscrawler.dedup.index import Seen

NEW = Verdict.NEW.value
REPEAT = Verdict.DUPLICATE_URL.value
SAME_TEXT = Verdict.DUPLICATE_FINGERPRINT.value
VERSION = Verdict.VERSION.value
NEAR = Verdict.NEAR_DUPLICATE.value
DROPPED = frozenset({REPEAT, SAME_TEXT})

_SEEN_COLUMNS = "id, canonical_url, fingerprint, modified, origin, first_seen, url"


def _key(text: str) -> int:
    return url_key(text)  # signed 64-bit key of any string


def _seen(row: tuple[Any, ...] | None) -> Seen | None:
    return None if row is None else Seen(*row)


class SqliteIndex:
    """An :class:`~newscrawler.dedup.index.ArticleIndex` in an SQLite file.

    Keys are 64-bit hashes; every lookup compares the full value, so a hash collision can
    never merge two articles.
    """

    COMMIT_EVERY = 50_000

    def __init__(self, path: Path) -> None:
        # check_same_thread off: Arrow pulls the record stream from its own thread (one at a
        # time).
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        self.db.executescript(
            f"""
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -16000;
            CREATE TABLE seen (key INTEGER PRIMARY KEY, {_SEEN_COLUMNS}, signature BLOB);
            CREATE TABLE urls (key INTEGER PRIMARY KEY, seen INTEGER NOT NULL);
            CREATE TABLE fingerprints (key INTEGER PRIMARY KEY, seen INTEGER NOT NULL);
            CREATE TABLE bands (key INTEGER NOT NULL, id TEXT NOT NULL);
            CREATE INDEX bands_key ON bands (key);
            BEGIN;
            """
        )
        self._pending = 0

    def has_id(self, record_id: str) -> bool:
        row = self.db.execute("SELECT id FROM seen WHERE key = ?", (_key(record_id),)).fetchone()
        return row is not None and row[0] == record_id

    def latest_version(self, canonical_url: str) -> Seen | None:
        seen = _seen(
            self.db.execute(
                f"SELECT {_SEEN_COLUMNS} FROM urls JOIN seen ON seen.key = urls.seen"
                " WHERE urls.key = ?",
                (_key(canonical_url),),
            ).fetchone()
        )
        return seen if seen is not None and seen.canonical_url == canonical_url else None

    def by_fingerprint(self, fingerprint: str) -> Seen | None:
        seen = _seen(
            self.db.execute(
                f"SELECT {_SEEN_COLUMNS} FROM fingerprints JOIN seen"
                " ON seen.key = fingerprints.seen WHERE fingerprints.key = ?",
                (_key(fingerprint),),
            ).fetchone()
        )
        return seen if seen is not None and seen.fingerprint == fingerprint else None

    def near_candidates(self, keys: Sequence[int]) -> Iterator[tuple[Seen, np.ndarray[Any, Any]]]:
        done: set[str] = set()
        for key in keys:
            for (record_id,) in self.db.execute("SELECT id FROM bands WHERE key = ?", (key,)):
                if record_id in done:
                    continue
                done.add(record_id)
                row = self.db.execute(
                    f"SELECT {_SEEN_COLUMNS}, signature FROM seen WHERE key = ?",
                    (_key(record_id),),
                ).fetchone()
                if row is not None and row[-1] is not None:
                    yield Seen(*row[:-1]), np.frombuffer(row[-1], dtype=np.uint32)

    def add(self, seen: Seen, signature: np.ndarray[Any, Any] | None, keys: Sequence[int]) -> None:
        blob = None if signature is None else signature.astype(np.uint32).tobytes()
        execute = self.db.execute
        key = _key(seen.id)
        inserted = execute(
            "INSERT OR IGNORE INTO seen VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                key,
                seen.id,
                seen.canonical_url,
                seen.fingerprint,
                seen.modified,
                seen.origin,
                seen.first_seen,
                seen.url,
                blob,
            ),
        ).rowcount
        if not inserted:  # stored already (add is idempotent)
            return
        execute("INSERT OR REPLACE INTO urls VALUES (?, ?)", (_key(seen.canonical_url), key))
        execute("INSERT OR IGNORE INTO fingerprints VALUES (?, ?)", (_key(seen.fingerprint), key))
        if signature is not None:
            self.db.executemany("INSERT INTO bands VALUES (?, ?)", [(k, seen.id) for k in keys])
        self._pending += 1
        if self._pending >= self.COMMIT_EVERY:
            execute("COMMIT")
            execute("BEGIN")
            self._pending = 0

    def close(self) -> None:
        self.db.close()


class CrossRunDeduplicator:
    """Apply the crawl's dedup rules to a stream of records; ``check`` says what to do with
    each and sets ``version_of`` / ``duplicate_of`` on the records it keeps."""

    def __init__(
        self,
        workdir: Path | None = None,
        *,
        near: bool = False,
        config: DedupConfig | None = None,
    ) -> None:
        """``config``: the crawl's dedup settings (``dedup_config(settings)``); ``near`` turns
        near-duplicate detection on or off whatever the config says (it costs a MinHash a
        record)."""
        self._tmp = tempfile.TemporaryDirectory(prefix="newscrawler-dedup-", dir=workdir)
        self.index = SqliteIndex(Path(self._tmp.name) / "state.sqlite")
        self.deduplicator = Deduplicator(self.index, replace(config or DedupConfig(), near=near))
        self.counts: Counter[str] = Counter()

    def check(self, record: dict[str, Any]) -> str:
        """Verdict for ``record`` (one of the module constants)."""
        decision = self.deduplicator.process(record)
        verdict = decision.verdict.value
        self.counts[verdict] += 1
        if verdict in (VERSION, NEAR):
            record.update(annotate(record, decision))
        return verdict

    def close(self) -> None:
        self.index.close()
        self._tmp.cleanup()

    def __enter__(self) -> CrossRunDeduplicator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
