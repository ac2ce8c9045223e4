"""What the crawl database knows of a URL: its kind, status and last outcome."""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import Enum


class Kind(str, Enum):
    """What a URL is to the crawl."""

    SEED = "seed"
    FEED = "feed"
    SITEMAP = "sitemap"
    HUB = "hub"  # an HTML page that gave links, not a record
    ARTICLE = "article"  # an HTML page that gave (or was meant to give) a record
    OTHER = "other"  # robots.txt, probes, pages that are neither


class Status(str, Enum):
    """The status of a URL, after StormCrawler's status index."""

    DISCOVERED = "discovered"  # known, never fetched
    FETCHED = "fetched"  # fetched and processed
    REDIRECTION = "redirection"  # answered with a redirect (``alias_of`` is the target)
    FETCH_ERROR = "fetch_error"  # 5xx, timeout, connection error: retried later with backoff
    GONE = "gone"  # 404/410: retried a few times with growing gaps
    ERROR = "error"  # retired: given up for good (``next_fetch`` is empty)


# Outcomes (``UrlRecord.outcome``): what the last fetch gave.
STORED = "stored"  # an article record stored
DUPLICATE = "duplicate"  # an article already stored (under this URL or another)
KNOWN = "known"  # a stored article, not fetched again
LINKS = "links"  # a hub, feed or sitemap read for its links
NOT_MODIFIED = "not_modified"  # answered 304: the stored page was read again
ARTICLE_OUTCOMES = frozenset({STORED, DUPLICATE, KNOWN})


@dataclass(frozen=True)
class UrlRecord:
    """One URL in the crawl database. Times are epoch seconds."""

    url: str
    kind: Kind = Kind.OTHER
    status: Status = Status.DISCOVERED
    http_status: int | None = None
    outcome: str | None = None  # STORED, DUPLICATE, LINKS, ... or "rejected/<reason>"
    alias_of: str | None = None  # redirect target, AMP/print base, declared canonical URL
    first_seen: float = 0.0
    last_seen: float = 0.0
    last_fetch: float | None = None
    next_fetch: float | None = None  # None: not to be fetched again (unless asked)
    fetches: int = 0
    failures: int = 0  # consecutive failed fetches
    interval: float = 0.0  # current revisit interval (seeds, hubs, feeds, sitemaps)
    new_links: int = 0  # new URLs the last visit found

    @property
    def is_stored_article(self) -> bool:
        return self.outcome in ARTICLE_OUTCOMES

    def seen_again(self, now: float) -> UrlRecord:
        return replace(self, last_seen=now)
