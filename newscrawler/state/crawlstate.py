"""The crawl state extension: the crawl's view of its persistent state.

:class:`CrawlState` is a Scrapy extension (``EXTENSIONS``); the dedup pipeline, the incremental
middlewares (:mod:`newscrawler.state.middlewares`) and the durable feed storage
(:mod:`newscrawler.state.feed`) reach it with ``crawler.get_extension(CrawlState)``, and cope
with its absence (``NEWSCRAWLER_STATE_ENABLED`` off). It decides duplicates over the store plus
the records of this run that are not durable yet, and moves a record into the store only once
its JSONL line is fsynced (or, when the run writes no durable JSONL output, once the item has
passed every pipeline).

On start it repairs torn last lines and reconciles the store with the output files on disk:
every complete line past the offset already recorded is added to the store, so a ``kill -9``
between fsync and the state commit cannot give a duplicate in the next run. And it refuses to
start when ``-O`` would truncate an output file whose records the state knows: the state would
skip those articles, and the file would end up without them (:class:`OverwriteRefused`).
"""

from __future__ import annotations

import logging
import sqlite3
import time
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlparse

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from w3lib.url import file_uri_to_path

from newscrawler import __version__
from newscrawler.dedup.config import DedupConfig, dedup_config
from newscrawler.dedup.decision import Candidate, Deduplicator
from newscrawler.dedup.index import LayeredIndex, Seen
from newscrawler.errors import ConfigError, CrawlFailed
from newscrawler.state.location import shown, state_path
from newscrawler.state.lock import StateLock
from newscrawler.state.store import CachedPage, SQLiteStateStore, StateStore
from newscrawler.storage.jsonl import dataset_files, read_lines, repair_tail

if TYPE_CHECKING:  # the Redis client is imported only by a distributed crawl
    from newscrawler.state.redis_link import RedisLink

logger = logging.getLogger(__name__)

DURABLE_EXPORTER = "newscrawler.state.feed.DurableJsonLinesExporter"
# Lines of an output file read to tell whether the state knows its records.
_PROBE_LINES = 100


class OverwriteRefused(ConfigError):
    """``-O`` (overwrite) names an output file whose records the crawl state knows.

    The state would skip those articles, so truncating the file would lose them. A usage error:
    the crawl stops before anything is fetched or opened; the ``crawl`` command prints the
    message on one line and exits with status 2.
    """


# Settings every worker of a distributed crawl must share (a worker that differs is refused).
CRAWL_WIDE_SETTINGS = (
    "NEWSCRAWLER_DEDUP_ENABLED",
    "NEWSCRAWLER_DEDUP_URL",
    "NEWSCRAWLER_DEDUP_FINGERPRINT",
    "NEWSCRAWLER_DEDUP_NEAR",
    "NEWSCRAWLER_DEDUP_NEAR_THRESHOLD",
    "NEWSCRAWLER_DEDUP_NUM_PERM",
    "NEWSCRAWLER_DEDUP_MINHASH_SCHEME",
    "NEWSCRAWLER_DEDUP_NEAR_ACTION",
    "NEWSCRAWLER_DEDUP_VERSIONS",
    "NEWSCRAWLER_STATE_RETENTION_DAYS",
    "NEWSCRAWLER_REVISIT_ARTICLES",
    "NEWSCRAWLER_REVISIT_MIN_INTERVAL",
    "NEWSCRAWLER_REVISIT_MAX_INTERVAL",
    "NEWSCRAWLER_RETRY_GONE_AFTER",
    "NEWSCRAWLER_RETRY_GONE_TIMES",
    "NEWSCRAWLER_RETRY_ERROR_AFTER",
    "NEWSCRAWLER_RETRY_ERROR_TIMES",
    "NEWSCRAWLER_REDIS_LEASE_TIMEOUT",
)


def crawl_wide_settings(settings: BaseSettings) -> dict[str, Any]:
    """The values of :data:`CRAWL_WIDE_SETTINGS` (compared when a worker joins a crawl)."""
    return {name: settings.get(name) for name in CRAWL_WIDE_SETTINGS}


def count_outage(stats: StatsCollector, lasted: float) -> None:
    """Redis was unreachable for ``lasted`` seconds (the worker paused)."""
    stats.inc_value("newscrawler/redis/outages")
    stats.inc_value("newscrawler/redis/paused_ms", int(lasted * 1000))


def feed_path(uri: str) -> Path | None:
    """Local path of a feed URI (``None`` for remote storages and stdout)."""
    scheme = urlparse(uri).scheme
    if scheme == "file":
        return Path(file_uri_to_path(uri))
    if scheme == "" or (len(scheme) == 1 and uri[1:3] in (":\\", ":/")):
        return Path(uri)
    return None


def durable_feeds(settings: BaseSettings) -> list[tuple[Path, dict[str, Any]]]:
    """Local feeds of this run written by the durable JSONL exporter, with their options."""
    exporters = settings.getwithbase("FEED_EXPORTERS")
    found = []
    for uri, options in settings.getdict("FEEDS").items():
        fmt = (options or {}).get("format")
        path = feed_path(str(uri))
        if path is not None and exporters.get(str(fmt)) == DURABLE_EXPORTER:
            found.append((path, options or {}))
    return found


def seen_from_record(dedup: Deduplicator, record: dict[str, Any], now: float) -> tuple[Seen, Any]:
    """The store entry for a record read back from an output file."""
    cand = dedup.prepare(Candidate.from_record(record))
    seen = Seen(
        id=cand.id,
        canonical_url=cand.canonical_url,
        fingerprint=cand.fingerprint,
        modified=cand.modified,
        origin=record.get("duplicate_of") or cand.canonical_url,
        first_seen=now,
        url=cand.url,
    )
    return seen, cand


class CrawlState:
    """Dedup decisions, pending records and their commit to the persistent store."""

    def __init__(
        self,
        store: StateStore,
        config: DedupConfig,
        stats: StatsCollector,
        *,
        durable_output: bool,
        lock: StateLock | None = None,
        link: RedisLink | None = None,
        locks: Sequence[StateLock] = (),
    ) -> None:
        self.store = store
        self.lock = lock
        self.link = link  # a distributed crawl's Redis (None: the state file)
        self.locks = list(locks)  # a distributed worker's output files
        self.stats = stats
        self.index = LayeredIndex(store)
        self.dedup = Deduplicator(self.index, config)
        self.durable_output = durable_output
        self._accepted: dict[str, int] = {}  # record id -> id() of the accepted item
        self._pages: dict[str, CachedPage] = {}
        self._known_urls: list[str] = []
        self._closed = False
        self._finish_reason = ""
        # Called with the ids of the records just made durable, and just before the store closes
        # (the crawl database's scheduler: a page leaves its frontier once its record is durable).
        self.commit_listeners: list[Callable[[list[str]], None]] = []
        self.close_listeners: list[Callable[[], None]] = []

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> CrawlState:
        """Lock and open the state; ``NotConfigured`` when it is off,
        :class:`~newscrawler.errors.StateLocked` when another run holds it,
        :class:`OverwriteRefused` when ``-O`` would truncate a file the state has recorded."""
        s = crawler.settings
        if not s.getbool("NEWSCRAWLER_STATE_ENABLED"):
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_STATE_ENABLED is off
        assert crawler.stats is not None
        config = dedup_config(s)
        feeds = durable_feeds(s)
        reset = s.getbool("NEWSCRAWLER_STATE_RESET")
        if s.get("NEWSCRAWLER_REDIS_URL"):
            return cls._from_redis(crawler, config, feeds, reset)
        path = state_path(s)
        lock = StateLock(path).acquire()  # before the store is opened or anything is fetched
        try:
            store = SQLiteStateStore(path)
        except (OSError, sqlite3.Error) as exc:
            lock.release()
            raise CrawlFailed(f"cannot open the crawl state {path}: {exc}") from None
        except BaseException:
            lock.release()
            raise
        state = cls(store, config, crawler.stats, durable_output=bool(feeds), lock=lock)
        try:
            if reset:
                store.reset()
                logger.info("State %s reset (NEWSCRAWLER_STATE_RESET)", path)
            else:
                state.refuse_overwrite(feeds, path)
            state.prune(s.getfloat("NEWSCRAWLER_STATE_RETENTION_DAYS"))
            state.reconcile(state.feed_files(feeds))
        except BaseException:
            store.close()
            lock.release()
            raise
        state.connect(crawler)
        logger.info("Crawl state: %s (%d articles)", path, store.counts().articles)
        return state

    @classmethod
    def _from_redis(
        cls,
        crawler: Crawler,
        config: DedupConfig,
        feeds: list[tuple[Path, dict[str, Any]]],
        reset: bool,
    ) -> CrawlState:
        """A worker of a distributed crawl: the state on Redis, shared; its output files its
        own (locked, so that two workers on one machine never write or repair one file)."""
        from newscrawler.state.redis_link import RedisLink
        from newscrawler.state.redis_store import RedisStateStore

        assert crawler.stats is not None
        s = crawler.settings
        stats = crawler.stats
        spider_name = crawler.spidercls.name if crawler.spidercls else "crawl"
        link = RedisLink(
            s.get("NEWSCRAWLER_REDIS_URL"),
            s.get("NEWSCRAWLER_REDIS_PREFIX") or spider_name,
            lease_timeout=s.getfloat("NEWSCRAWLER_REDIS_LEASE_TIMEOUT"),
            on_outage=lambda lasted: count_outage(stats, lasted),
        )
        if not feeds:
            raise ConfigError(
                "a distributed crawl (NEWSCRAWLER_REDIS_URL) writes each worker's articles to its"
                " own JSONL output: pass -o FOLDER/:jsonl (or -o FILE.jsonl)"
            )
        locks: list[StateLock] = []
        try:
            for feed, _ in feeds:
                target = Path(str(feed).rstrip("/\\"))  # a folder's lock is beside it
                locks.append(StateLock(target, "the output").acquire())
            link.join(__version__, crawl_wide_settings(s))
            link.heartbeat()
            store = RedisStateStore(link)
            state = cls(store, config, stats, durable_output=True, link=link, locks=locks)
            if reset:
                store.reset()
                logger.info("Shared state on %s reset (NEWSCRAWLER_STATE_RESET)", link.shown_url)
            else:
                state.refuse_overwrite(feeds, Path(link.shown_url))
            state.prune(s.getfloat("NEWSCRAWLER_STATE_RETENTION_DAYS"))
            state.reconcile(state.feed_files(feeds))
        except BaseException:
            for lock in locks:
                lock.release()
            link.close()
            raise
        state.connect(crawler)
        logger.info(
            "Distributed crawl %r on %s: worker %s (%d articles stored)",
            link.prefix,
            link.shown_url,
            link.worker,
            store.counts().articles,
        )
        return state

    def connect(self, crawler: Crawler) -> None:
        crawler.signals.connect(self.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(self.item_dropped, signal=signals.item_error)
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(self.engine_stopped, signal=signals.engine_stopped)

    # --- start of run -------------------------------------------------------------------------
    @staticmethod
    def feed_files(feeds: Iterable[tuple[Path, dict[str, Any]]]) -> list[Path]:
        """The output files of this run that are on disk already and are appended to."""
        files: list[Path] = []
        for feed, options in feeds:
            if "%(" in str(feed):
                continue  # a new name every run: nothing on disk yet
            if feed.is_dir() or str(feed).endswith(("/", "\\")):
                files.extend(dataset_files(feed))
            elif not options.get("overwrite"):
                files.append(feed)
        return files

    def refuse_overwrite(self, feeds: Iterable[tuple[Path, dict[str, Any]]], state: Path) -> None:
        """Raise :class:`OverwriteRefused` for an ``-O`` file holding records the state knows."""
        offsets = self.store.output_offsets()
        for feed, options in feeds:
            if not options.get("overwrite") or "%(" in str(feed) or str(feed).endswith(("/", "\\")):
                continue
            if not feed.is_file() or feed.stat().st_size == 0:
                continue
            if offsets.get(str(feed.resolve()), 0) > 0 or self._knows_records_of(feed):
                raise OverwriteRefused(
                    f"Refusing to overwrite {feed} (-O): the crawl state {shown(state)} holds its"
                    " records and would skip those articles, leaving the file without them."
                    " Use -o to append, or pass -s NEWSCRAWLER_STATE_RESET=True (or delete the"
                    " file or the state) to start over."
                )

    def _knows_records_of(self, path: Path) -> bool:
        for n, line in enumerate(read_lines(path)):
            if n >= _PROBE_LINES:
                break
            rid = line.record.get("id") if line.record else None
            if isinstance(rid, str) and self.store.has_id(rid):
                return True
        return False

    def prune(self, retention_days: float) -> int:
        if retention_days <= 0:
            return 0
        removed = self.store.prune(time.time() - retention_days * 86400)
        if removed:
            self.stats.inc_value("newscrawler/state/pruned", removed)
            logger.info(
                "Pruned %d articles older than %s days from the state", removed, retention_days
            )
        return removed

    def reconcile(self, extra: Iterable[Path] = ()) -> int:
        """Repair torn tails and add lines on disk that the store has not recorded yet."""
        offsets = self.store.output_offsets()
        paths = {str(Path(p).resolve()) for p in offsets} | {str(p.resolve()) for p in extra}
        added = 0
        for name in sorted(paths):
            path = Path(name)
            removed = repair_tail(path)
            if removed:
                self.stats.inc_value("newscrawler/storage/repaired_files")
                self.stats.inc_value("newscrawler/storage/repaired_bytes", removed)
                logger.warning("Repaired %s: removed a torn last line of %d bytes", path, removed)
            if not path.exists():
                continue
            offset = offsets.get(name, 0)
            if path.stat().st_size < offset:
                offset = 0  # the file was replaced: read it again (adding is idempotent)
            added += self._record_lines(path, offset)
        if added:
            self.stats.inc_value("newscrawler/storage/reconciled", added)
            logger.warning("Recorded %d articles found on disk but missing from the state", added)
        return added

    def _record_lines(self, path: Path, offset: int) -> int:
        added = 0
        end = offset
        now = time.time()
        with self.store.transaction():
            for line in read_lines(path, offset):
                end = line.end
                if line.record is None:
                    self.stats.inc_value("newscrawler/storage/invalid_lines")
                    logger.warning("Invalid JSON line in %s before offset %d", path, line.end)
                    continue
                seen, cand = seen_from_record(self.dedup, line.record, now)
                if not self.store.has_id(seen.id):
                    self.store.add(seen, cand.signature, cand.keys)
                    added += 1
            self.store.set_output_offset(str(path.resolve()), end)
        return added

    # --- during the run -----------------------------------------------------------------------
    def claim(self, seen: Seen) -> bool:
        """Whether this worker may store the article: always on one machine; in a distributed
        crawl, unless another live worker is storing it (or its text) now, or it is stored."""
        if self.link is None:
            return True
        from newscrawler.state.redis_store import RedisStateStore  # loaded with the link

        assert isinstance(self.store, RedisStateStore)
        fingerprint = seen.fingerprint if self.dedup.config.by_fingerprint else ""
        return self.store.claim(seen.id, fingerprint) == 1

    def accept(self, item: Any, seen: Seen) -> None:
        """``item`` passed the dedup pipeline: it is pending until durable."""
        self._accepted[seen.id] = id(item)
        self._pages.pop(seen.url, None)  # an article, not a hub: its page is not kept

    def remember_url(self, url: str) -> None:
        """A URL whose page gave no stored record (duplicate): skip it in later runs."""
        self._known_urls.append(url)
        self._pages.pop(url, None)

    def knows_url(self, url: str) -> bool:
        return self.store.knows_url(url)

    def latest_for_url(self, url: str) -> Seen | None:
        return self.store.known_article(url)

    def is_pending(self, record_id: str) -> bool:
        """Whether a record passed the pipelines and is not durable yet."""
        return record_id in self._accepted

    def commit(self, record_ids: Iterable[str], path: str | None = None, offset: int = 0) -> None:
        """Move pending records into the store (with the output offset that covers them)."""
        record_ids = list(record_ids)
        pending = self.index.pending
        with self.store.transaction():
            for rid in record_ids:
                seen = pending.ids.get(rid)
                self._accepted.pop(rid, None)
                if seen is None:
                    continue
                self.store.add(seen, pending.signatures.get(rid), pending.keys.get(rid, []))
                pending.pop(rid)
                self.stats.inc_value("newscrawler/state/committed")
            if self._known_urls:
                self.store.add_known_urls(self._known_urls)
                self._known_urls = []
            if path is not None:
                self.store.set_output_offset(str(Path(path).resolve()), offset)
        for listener in self.commit_listeners:
            listener(record_ids)

    def output_opened(self, path: Path, overwrite: bool) -> None:
        """A durable output file is open (offset 0 when it was truncated)."""
        resolved = str(path.resolve())
        if overwrite or resolved not in self.store.output_offsets():
            self.store.set_output_offset(resolved, path.stat().st_size)

    def remember_page(self, page: CachedPage) -> None:
        """A page with validators, kept (compressed) until the run finishes; pages that turn
        out to be articles or give no record are forgotten when that is known."""
        self._pages[page.url] = replace(page, body=zlib.compress(page.body, 1))

    def cached_page(self, url: str) -> CachedPage | None:
        return self.store.cached_page(url)

    # --- signals ------------------------------------------------------------------------------
    def item_scraped(self, item: Any) -> None:
        if self.durable_output:
            return
        rid = ItemAdapter(item).get("id")
        if rid is not None and rid in self._accepted:
            self.commit([rid])

    def item_dropped(self, item: Any) -> None:
        if not ItemAdapter.is_item(item):
            return
        url = ItemAdapter(item).get("url")
        if isinstance(url, str):
            self._pages.pop(url, None)  # an article page (no record, or a duplicate)
        rid = ItemAdapter(item).get("id")
        if rid is not None and self._accepted.get(rid) == id(item):
            del self._accepted[rid]
            self.index.pending.pop(rid)

    def spider_closed(self, reason: str) -> None:
        self._finish_reason = reason

    def engine_stopped(self) -> None:
        """Last signal of a crawl: the feeds are closed and committed; close the store."""
        if self._closed:
            return
        self._closed = True
        if self._known_urls:
            self.store.add_known_urls(self._known_urls)
            self._known_urls = []
        if self._finish_reason == "finished" and self._pages:
            # hubs, feeds and sitemaps only: pages that became articles are not cached
            pending_urls = {seen.url for seen in self.index.pending.ids.values()}
            pages = [
                replace(p, body=zlib.decompress(p.body))
                for p in self._pages.values()
                if p.url not in pending_urls and not self.store.knows_url(p.url)
            ]
            self.store.put_pages(pages)
            self.stats.set_value("newscrawler/state/pages_cached", len(pages))
        elif self._pages:
            logger.info(
                "Run ended with %r: hub validators of this run are not kept (next run re-fetches)",
                self._finish_reason,
            )
        if len(self.index.pending):
            self.stats.set_value("newscrawler/state/uncommitted", len(self.index.pending))
        for listener in self.close_listeners:
            listener()
        self.store.close()
        if self.lock is not None:
            self.lock.release()
        for lock in self.locks:
            lock.release()
        if self.link is not None:
            self.link.leave()
            self.link.close()
