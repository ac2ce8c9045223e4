"""Deduplicate records across runs with the crawl's rules, in constant memory.

Rules, in the order they are checked (first seen wins; inputs are read in the order given,
folders sorted by file name):

1. the same record again (same ``id``: same canonical URL, same text) is dropped (``repeat``);
2. the same text at another canonical URL is dropped (``same_text``);
3. a new text at a known canonical URL is kept as a new version, with ``version_of`` set to the
   id of the previous one when the record has none (``version``);
4. an optional near-duplicate index may mark the record with ``duplicate_of`` (``near``).

The state is a temporary SQLite file of 64-bit keys, so memory stays flat however many records
pass through.
"""

from __future__ import annotations

import hashlib
import sqlite3
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any, Protocol

from newscrawler.fingerprints import text_fingerprint

NEW = "new"
REPEAT = "repeat"
SAME_TEXT = "same_text"
VERSION = "version"
NEAR = "near"
DROPPED = frozenset({REPEAT, SAME_TEXT})


class NearDuplicateIndex(Protocol):
    """Finds an earlier near-duplicate of a record (e.g. MinHash LSH over the text)."""

    def first_copy(self, record: dict[str, Any]) -> str | None:
        """canonical_url of the first near-duplicate seen, or None; remembers the record."""


def _key(hex_digest: str) -> int:
    """Signed 64-bit SQLite key from a hex digest."""
    return int(hex_digest[:16], 16) - (1 << 63)


def _hash_key(text: str) -> int:
    return int.from_bytes(hashlib.blake2b(text.encode("utf-8"), digest_size=8).digest(), "big") - (
        1 << 63
    )


class CrossRunDeduplicator:
    """Apply the dedup rules to a stream of records; ``check`` says what to do with each."""

    COMMIT_EVERY = 50_000

    def __init__(self, workdir: Path | None = None, near: NearDuplicateIndex | None = None) -> None:
        self._tmp = tempfile.TemporaryDirectory(prefix="newscrawler-dedup-", dir=workdir)
        # check_same_thread off: Arrow pulls the record stream from its own thread (one at a time).
        self.db = sqlite3.connect(
            Path(self._tmp.name) / "state.sqlite", isolation_level=None, check_same_thread=False
        )
        self.db.executescript(
            """
            PRAGMA journal_mode = OFF;
            PRAGMA synchronous = OFF;
            PRAGMA cache_size = -16000;
            PRAGMA temp_store = FILE;
            CREATE TABLE ids (key INTEGER PRIMARY KEY);
            CREATE TABLE texts (key INTEGER PRIMARY KEY);
            CREATE TABLE urls (key INTEGER PRIMARY KEY, id TEXT NOT NULL);
            BEGIN;
            """
        )
        self.near = near
        self.counts: Counter[str] = Counter()
        self._pending = 0

    def check(self, record: dict[str, Any]) -> str:
        """Verdict for ``record`` (one of the module constants); sets ``version_of`` or
        ``duplicate_of`` on kept records where the rules say so."""
        verdict = self._check(record)
        self.counts[verdict] += 1
        self._pending += 1
        if self._pending >= self.COMMIT_EVERY:
            self.db.execute("COMMIT")
            self.db.execute("BEGIN")
            self._pending = 0
        return verdict

    def _check(self, record: dict[str, Any]) -> str:
        execute = self.db.execute
        record_id = record.get("id")
        if (
            record_id
            and execute("INSERT OR IGNORE INTO ids VALUES (?)", (_key(record_id),)).rowcount == 0
        ):
            return REPEAT
        fingerprint = record.get("fingerprint") or (
            text_fingerprint(record["text"]) if record.get("text") else None
        )
        if (
            fingerprint
            and execute("INSERT OR IGNORE INTO texts VALUES (?)", (_key(fingerprint),)).rowcount
            == 0
        ):
            return SAME_TEXT
        verdict = NEW
        canonical = record.get("canonical_url") or record.get("url")
        if canonical and record_id:
            url_key = _hash_key(canonical)
            row = execute("SELECT id FROM urls WHERE key = ?", (url_key,)).fetchone()
            if row is None:
                execute("INSERT INTO urls VALUES (?, ?)", (url_key, record_id))
            else:
                execute("UPDATE urls SET id = ? WHERE key = ?", (record_id, url_key))
                if not record.get("version_of"):
                    record["version_of"] = row[0]
                verdict = VERSION
        if self.near is not None:
            first = self.near.first_copy(record)
            if first and first != canonical and not record.get("duplicate_of"):
                record["duplicate_of"] = first
                return NEAR
        return verdict

    def close(self) -> None:
        self.db.close()
        self._tmp.cleanup()

    def __enter__(self) -> CrossRunDeduplicator:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
