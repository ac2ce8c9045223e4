"""The crawl database's interface: URL records and the frontier, for more than one backend.

A backend keeps, for every URL seen, its :class:`~newscrawler.crawldb.records.UrlRecord`, and
the frontier: the requests waiting to be fetched, each under its URL's key, ordered by tier,
priority and rank. A request handed out (:meth:`CrawlDatabase.take`) stays in the frontier,
leased, until :meth:`CrawlDatabase.done`; :meth:`CrawlDatabase.release_leases` hands the leases
of a dead process out again. Writes may be buffered until :meth:`CrawlDatabase.flush`; reads see
them at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Protocol

from newscrawler.crawldb.records import Kind, UrlRecord


@dataclass(frozen=True, order=True)
class FrontierEntry:
    """A request waiting in the frontier. Higher tiers go first, then higher priorities, then
    higher ranks (a newer date, a more fruitful hub), then the order of arrival."""

    sort_key: tuple[int, int, float] = field(compare=True)  # (tier, priority, rank)
    key: int = field(compare=False)  # the URL's key (newscrawler.dedup.fingerprint.url_key)
    request: str = field(compare=False)  # the request as JSON


@dataclass(frozen=True)
class CrawlDbCounts:
    """URLs by kind and status, the frontier's size and the next visits due."""

    urls: int
    by_kind_status: dict[str, dict[str, int]]
    frontier: int
    leased: int
    due_now: int
    next_due: list[tuple[float, str, str]]  # (time, kind, url), soonest first
    crawl_started: float | None


class CrawlDatabase(Protocol):
    """What the scheduler, the outcome recorders and ``scrapy state`` need of a backend."""

    # --- URLs ------------------------------------------------------------------------------------
    def get(self, url: str) -> UrlRecord | None: ...

    def put(self, records: Iterable[UrlRecord]) -> None: ...

    def due(self, kinds: Iterable[Kind], now: float) -> list[tuple[str, Kind]]:
        """Fetched URLs of these kinds whose next visit is due by ``now``."""

    # --- frontier -----------------------------------------------------------------------------
    def push(self, entries: Iterable[FrontierEntry]) -> None:
        """Add requests (replacing a waiting or leased one under the same key)."""

    def take(self, count: int) -> list[FrontierEntry]:
        """Up to ``count`` waiting requests, first first; they become leased."""

    def done(self, keys: Iterable[int]) -> None:
        """Leased requests whose outcome is recorded: they leave the frontier."""

    def queued(self, key: int) -> bool:
        """Whether a request for this key is in the frontier (waiting or leased)."""

    def waiting(self) -> int:
        """How many requests wait (not leased), as counted along the way."""

    def leased(self) -> int:
        """How many requests are handed out to this process and not done."""

    def leased_elsewhere(self) -> int:
        """How many requests are handed out to other processes (workers) and not done."""

    def recount(self) -> int:
        """How many requests wait, counted anew."""

    def release_leases(self) -> int:
        """Hand out again the requests leased by a process that is gone; how many."""

    def drop_leases(self) -> int:
        """Forget the requests leased by this process (never reported back); how many."""

    def heartbeat(self, now: float) -> int:
        """Called every second: a shared backend says this process is alive, renews its leases
        and hands out again those of processes that are gone (how many)."""

    # --- crawls -------------------------------------------------------------------------------
    def crawl_started(self) -> float | None:
        """When the unfinished crawl began (``None``: the last one finished)."""

    def set_crawl_started(self, started: float | None) -> None: ...

    def begin_crawl(self, now: float) -> tuple[float, bool]:
        """Resume (or join) the unfinished crawl, or begin one at ``now``: when it began, and
        whether it was under way."""

    def end_crawl(self) -> bool:
        """The crawl is over (unless requests still wait or are leased): whether it ended."""

    # --- housekeeping -------------------------------------------------------------------------
    def flush(self) -> None:
        """Write the buffered changes (atomically)."""

    def counts(self, now: float, next_due: int = 10) -> CrawlDbCounts: ...

    def records(
        self,
        *,
        status: str | None = None,
        kind: str | None = None,
        outcome: str | None = None,
        limit: int | None = None,
    ) -> Iterator[UrlRecord]:
        """URL records in URL order; ``outcome`` matches it exactly or as a prefix before a
        ``/`` (``rejected`` matches ``rejected/NotAnArticle``)."""

    def prune(self, older_than: float) -> int:
        """Forget URLs last seen before ``older_than`` that are not in the frontier."""

    def reset(self) -> None: ...

    def close(self) -> None: ...
