"""The interface of a persistent crawl state store (SQLite now; a Redis store can follow).

A store is an :class:`~newscrawler.dedup.index.ArticleIndex` (what the deduplicator reads and
writes) plus what incremental runs and crash-safe storage need: cached hub pages with their
HTTP validators, the byte offset of each output file already recorded, retention and reset.
Writes are grouped with :meth:`StateStore.transaction` so that a batch of articles and the
output offset that covers them are committed together.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from newscrawler.dedup.index import Seen


@dataclass(frozen=True)
class CachedPage:
    """A non-article page (hub, feed, sitemap) kept for conditional GET."""

    url: str
    etag: str | None
    last_modified: str | None
    content_type: str
    body: bytes


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

    # --- housekeeping ----------------------------------------------------------------------------
    def transaction(self) -> AbstractContextManager[None]:
        """Group writes; committed atomically on exit."""

    def prune(self, older_than: float) -> int:
        """Forget articles and pages first seen before ``older_than`` (epoch seconds)."""

    def reset(self) -> None: ...

    def counts(self) -> StoreCounts: ...

    def iter_articles(self) -> Iterator[Seen]: ...

    def close(self) -> None: ...
