"""When a URL is fetched again: the revisit policy per kind, and backoff for failures.

Stored articles are not fetched again (the known-article rule of
:class:`~newscrawler.state.middlewares.KnownArticleMiddleware`, unless
``NEWSCRAWLER_REVISIT_ARTICLES``). Seeds, hubs, feeds and sitemaps get an interval that halves
when a visit finds new links and doubles when it finds none, within
``NEWSCRAWLER_REVISIT_MIN_INTERVAL`` and ``NEWSCRAWLER_REVISIT_MAX_INTERVAL``. A 404/410 is tried
``NEWSCRAWLER_RETRY_GONE_TIMES`` times, the gaps growing fourfold from
``NEWSCRAWLER_RETRY_GONE_AFTER``, then retired; a 5xx, timeout or connection error comes back
after ``NEWSCRAWLER_RETRY_ERROR_AFTER``, doubling up to the maximum interval, and is retired
after ``NEWSCRAWLER_RETRY_ERROR_TIMES`` failures in a row.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from newscrawler.crawldb.records import (
    ARTICLE_OUTCOMES,
    LINKS,
    NOT_MODIFIED,
    Kind,
    Status,
    UrlRecord,
)

GONE_STATUSES = frozenset({404, 410})
GONE_GROWTH = 4.0
ERROR_GROWTH = 2.0
# Kinds read for their links, on an adaptive interval.
REVISITED_KINDS = frozenset({Kind.SEED, Kind.FEED, Kind.SITEMAP, Kind.HUB})


@dataclass(frozen=True)
class RevisitPolicy:
    """The revisit rules, from the ``NEWSCRAWLER_REVISIT_*`` and ``NEWSCRAWLER_RETRY_*``
    settings (seconds)."""

    min_interval: float = 300.0
    max_interval: float = 7 * 86400.0
    gone_after: float = 86400.0
    gone_times: int = 3
    error_after: float = 600.0
    error_times: int = 10

    @classmethod
    def from_settings(cls, settings: Any) -> RevisitPolicy:
        return cls(
            min_interval=max(0.0, settings.getfloat("NEWSCRAWLER_REVISIT_MIN_INTERVAL")),
            max_interval=max(0.0, settings.getfloat("NEWSCRAWLER_REVISIT_MAX_INTERVAL")),
            gone_after=max(0.0, settings.getfloat("NEWSCRAWLER_RETRY_GONE_AFTER")),
            gone_times=max(1, settings.getint("NEWSCRAWLER_RETRY_GONE_TIMES")),
            error_after=max(0.0, settings.getfloat("NEWSCRAWLER_RETRY_ERROR_AFTER")),
            error_times=max(1, settings.getint("NEWSCRAWLER_RETRY_ERROR_TIMES")),
        )

    # --- after a fetch ------------------------------------------------------------------------
    def fetched(self, record: UrlRecord, http_status: int | None, now: float) -> UrlRecord:
        """The record after a fetch answered ``http_status`` (``None``: no answer)."""
        record = replace(
            record,
            http_status=http_status,
            last_fetch=now,
            last_seen=now,
            fetches=record.fetches + 1,
        )
        if http_status is None or http_status >= 500 or http_status == 429:
            return self._failed(record, Status.FETCH_ERROR, self.error_after, ERROR_GROWTH, now)
        if http_status in GONE_STATUSES:
            return self._failed(record, Status.GONE, self.gone_after, GONE_GROWTH, now)
        if 300 <= http_status < 400:
            return replace(record, status=Status.REDIRECTION, failures=0, next_fetch=None)
        if http_status >= 400:  # 401, 403, ...: retired like a gone page, on the same schedule
            return self._failed(record, Status.GONE, self.gone_after, GONE_GROWTH, now)
        return replace(
            record, status=Status.FETCHED, failures=0, next_fetch=self._next_visit(record, now)
        )

    def outcome(self, record: UrlRecord, kind: Kind, outcome: str, new_links: int) -> UrlRecord:
        """The record once its page was processed: what it was and what it gave."""
        if outcome == NOT_MODIFIED:
            outcome = LINKS
        fetched = record.last_fetch
        if record.status is not Status.FETCHED or fetched is None:
            return record  # the answer (404, an error) is its outcome, its kind as it was
        record = replace(record, kind=kind, outcome=outcome, new_links=new_links)
        interval = record.interval
        if kind in REVISITED_KINDS:
            if not interval:
                interval = self.min_interval
            elif new_links:
                interval = max(self.min_interval, interval / 2)
            else:
                interval = min(self.max_interval, max(self.min_interval, interval * 2))
            return replace(record, interval=interval, next_fetch=fetched + interval)
        if outcome in ARTICLE_OUTCOMES:
            return replace(record, interval=0.0, next_fetch=None)
        # an article candidate that gave no record, or another page: looked at again rarely
        return replace(record, interval=self.max_interval, next_fetch=fetched + self.max_interval)

    def _next_visit(self, record: UrlRecord, now: float) -> float | None:
        if record.kind in REVISITED_KINDS:
            return now + (record.interval or self.min_interval)
        return None  # decided by the page's outcome

    def _failed(
        self, record: UrlRecord, status: Status, first: float, growth: float, now: float
    ) -> UrlRecord:
        failures = record.failures + 1
        limit = self.gone_times if status is Status.GONE else self.error_times
        if failures >= limit:
            return replace(record, status=Status.ERROR, failures=failures, next_fetch=None)
        gap = min(first * growth ** (failures - 1), max(self.max_interval, first))
        return replace(record, status=status, failures=failures, next_fetch=now + gap)

    # --- before a fetch -----------------------------------------------------------------------
    def refusal(self, record: UrlRecord | None, kind: Kind, now: float) -> str | None:
        """Why a URL is not to be fetched now (``None``: fetch it). Seeds are always fetched
        when a run starts; the crawl-wide "already fetched in this crawl" rule is the
        scheduler's."""
        if record is None or kind is Kind.SEED:
            return None
        if record.status is Status.ERROR:
            return "retired"
        if record.status is Status.DISCOVERED:
            return None
        if record.is_stored_article:
            return None  # the known-article rule decides
        if record.next_fetch is None:
            return None if record.status is Status.REDIRECTION else "not_due"
        if record.next_fetch > now:
            return {Status.GONE: "gone", Status.FETCH_ERROR: "backoff"}.get(
                record.status, "not_due"
            )
        return None
