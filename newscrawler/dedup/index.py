"""The index the deduplicator reads and writes: :class:`ArticleIndex` and two implementations.

:class:`MemoryIndex` serves the export over files, tests and a crawl's pending layer;
:class:`LayeredIndex` reads a durable store (the crawl state) under the pending records of this
run. The crawl state's store (:mod:`newscrawler.state.store`) is another :class:`ArticleIndex`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np


@dataclass(frozen=True)
class Seen:
    """One stored version of an article, as the deduplicator needs it."""

    id: str
    canonical_url: str
    fingerprint: str
    modified: str | None = None
    # canonical URL of the first copy of the story (itself unless a near-duplicate)
    origin: str = ""
    first_seen: float = 0.0
    url: str = ""


class ArticleIndex(Protocol):
    """What the deduplicator needs from a store of seen articles (memory, SQLite, Redis)."""

    def latest_version(self, canonical_url: str) -> Seen | None:
        """The most recent version stored at ``canonical_url``."""

    def by_fingerprint(self, fingerprint: str) -> Seen | None:
        """The first article stored with this body fingerprint."""

    def has_id(self, record_id: str) -> bool:
        """Whether this version (record id) is stored."""

    def near_candidates(self, keys: Sequence[int]) -> Iterable[tuple[Seen, np.ndarray[Any, Any]]]:
        """Articles sharing at least one LSH band key, with their signatures."""

    def add(self, seen: Seen, signature: np.ndarray[Any, Any] | None, keys: Sequence[int]) -> None:
        """Store a version (idempotent: a stored id is not added twice)."""


@dataclass
class MemoryIndex:
    """An in-memory :class:`ArticleIndex` (export over files, tests, a crawl's pending layer)."""

    versions: dict[str, list[Seen]] = field(default_factory=dict)
    fingerprints: dict[str, Seen] = field(default_factory=dict)
    ids: dict[str, Seen] = field(default_factory=dict)
    signatures: dict[str, np.ndarray[Any, Any]] = field(default_factory=dict)
    bands: dict[int, list[str]] = field(default_factory=dict)
    keys: dict[str, list[int]] = field(default_factory=dict)

    def latest_version(self, canonical_url: str) -> Seen | None:
        found = self.versions.get(canonical_url)
        return found[-1] if found else None

    def by_fingerprint(self, fingerprint: str) -> Seen | None:
        return self.fingerprints.get(fingerprint)

    def has_id(self, record_id: str) -> bool:
        return record_id in self.ids

    def near_candidates(self, keys: Sequence[int]) -> Iterator[tuple[Seen, np.ndarray[Any, Any]]]:
        done: set[str] = set()
        for key in keys:
            for rid in self.bands.get(key, ()):
                if rid not in done:
                    done.add(rid)
                    yield self.ids[rid], self.signatures[rid]

    def add(self, seen: Seen, signature: np.ndarray[Any, Any] | None, keys: Sequence[int]) -> None:
        if seen.id in self.ids:
            return
        self.ids[seen.id] = seen
        self.versions.setdefault(seen.canonical_url, []).append(seen)
        self.fingerprints.setdefault(seen.fingerprint, seen)
        if signature is not None:
            self.signatures[seen.id] = signature
            self.keys[seen.id] = list(keys)
            for key in keys:
                self.bands.setdefault(key, []).append(seen.id)

    def __len__(self) -> int:
        return len(self.ids)

    def pop(self, record_id: str) -> None:
        """Forget one version (a record that was dropped after the decision)."""
        seen = self.ids.pop(record_id, None)
        if seen is None:
            return
        versions = self.versions.get(seen.canonical_url, [])
        self.versions[seen.canonical_url] = [v for v in versions if v.id != record_id]
        if not self.versions[seen.canonical_url]:
            del self.versions[seen.canonical_url]
        if self.fingerprints.get(seen.fingerprint) is seen:
            del self.fingerprints[seen.fingerprint]
        self.signatures.pop(record_id, None)
        for key in self.keys.pop(record_id, []):
            left = [r for r in self.bands.get(key, []) if r != record_id]
            if left:
                self.bands[key] = left
            else:  # no empty list left behind: a crawl pops every record it commits
                self.bands.pop(key, None)


@dataclass
class LayeredIndex:
    """Reads ``pending`` then ``durable``; writes go to ``pending`` until they are committed."""

    durable: ArticleIndex
    pending: MemoryIndex = field(default_factory=MemoryIndex)

    def latest_version(self, canonical_url: str) -> Seen | None:
        return self.pending.latest_version(canonical_url) or self.durable.latest_version(
            canonical_url
        )

    def by_fingerprint(self, fingerprint: str) -> Seen | None:
        return self.durable.by_fingerprint(fingerprint) or self.pending.by_fingerprint(fingerprint)

    def has_id(self, record_id: str) -> bool:
        return self.pending.has_id(record_id) or self.durable.has_id(record_id)

    def near_candidates(self, keys: Sequence[int]) -> Iterator[tuple[Seen, np.ndarray[Any, Any]]]:
        yield from self.durable.near_candidates(keys)
        yield from self.pending.near_candidates(keys)

    def add(self, seen: Seen, signature: np.ndarray[Any, Any] | None, keys: Sequence[int]) -> None:
        self.pending.add(seen, signature, keys)


__all__ = ["ArticleIndex", "LayeredIndex", "MemoryIndex", "Seen"]
