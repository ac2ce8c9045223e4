"""Scrapy's ``SCHEDULER`` backed by the crawl database.

:class:`CrawlScheduler` keeps the frontier in the crawl database (the state file by default)
instead of memory or JOBDIR: a request is written as JSON when it is scheduled, handed out
leased, and leaves the frontier only when its outcome is recorded, so a ``kill -9`` and a rerun
continue the crawl where it stopped. It is also the crawl's duplicate filter and applies the
revisit policy (:mod:`newscrawler.crawldb.policy`) before a request is queued: a URL fetched in
this crawl, a 404 before its retry time, a failing URL in backoff, a hub not due, an alias of a
stored article is refused and counted under ``newscrawler/crawldb/refused/<reason>``.

The outcome of every request is recorded by :class:`~newscrawler.crawldb.outcomes.FetchOutcomes`
(its answer) and :class:`~newscrawler.crawldb.outcomes.PageOutcomes` (what the page was and
gave); item signals give an article's final outcome.
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter
from dataclasses import replace
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, cast

from itemadapter import ItemAdapter
from scrapy import Request, Spider, signals
from scrapy.core.scheduler import BaseScheduler
from scrapy.crawler import Crawler
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector
from twisted.internet import task

from newscrawler.crawldb.database import CrawlDatabase, FrontierEntry
from newscrawler.crawldb.policy import RevisitPolicy
from newscrawler.crawldb.records import (
    DUPLICATE,
    KNOWN,
    LINKS,
    STORED,
    Kind,
    Status,
    UrlRecord,
)
from newscrawler.crawldb.requests import request_from_json, request_to_json
from newscrawler.crawldb.sqlite import SQLiteCrawlDatabase
from newscrawler.dedup.fingerprint import url_key
from newscrawler.discovery import meta
from newscrawler.discovery.dates import parse_iso_date
from newscrawler.discovery.scope import crawl_scope
from newscrawler.discovery.traps import is_article_candidate
from newscrawler.errors import ConfigError
from newscrawler.pipelines.dedup import DuplicateArticle, NearDuplicateDropped, VersionSkipped
from newscrawler.state.crawlstate import CrawlState

if TYPE_CHECKING:
    from typing_extensions import Self

    from newscrawler.crawldb.redis_frontier import RedisCrawlDatabase

logger = logging.getLogger(__name__)

# Request.meta: the frontier key a request was handed out under (kept through its retries and
# redirects, which Scrapy builds with Request.replace), and the key of the page a link was on.
FRONTIER_KEY = "newscrawler_frontier_key"
PARENT_KEY = "newscrawler_parent_key"

# Frontier tiers: feeds and sitemaps first, then the seeds, then article candidates, then hubs.
TIERS = {Kind.FEED: 4, Kind.SITEMAP: 4, Kind.OTHER: 4, Kind.SEED: 3, Kind.ARTICLE: 2, Kind.HUB: 1}
ROUTE_KINDS = {
    "seed": Kind.SEED,
    "feed": Kind.FEED,
    "sitemap": Kind.SITEMAP,
    "robots": Kind.OTHER,
    "hub": Kind.HUB,
    "entry": Kind.ARTICLE,
    "canonical": Kind.ARTICLE,
}
# Drops that mean "stored already": the URL is an article, not fetched again.
DUPLICATES = (DuplicateArticle, NearDuplicateDropped, VersionSkipped)
TAKE_BATCH = 16  # requests read from the frontier at a time
SHARED_TAKE_BATCH = 4  # in a distributed crawl: what one worker holds and others could fetch
# In a distributed crawl, a worker takes no further request while this many wait in its own
# download slots (for a host's delay): the others fetch them instead.
SHARED_QUEUED_MAX = 8
FLUSH_INTERVAL = 1.0  # seconds between writes of the buffered changes, at most


def open_crawl_database(crawler: Crawler) -> tuple[CrawlDatabase, bool]:
    """The crawl database in the crawl state's file (or its Redis, in a distributed crawl), or
    in memory when the state is off; and whether it persists."""
    state = crawler.get_extension(CrawlState)
    if state is None:
        if crawler.settings.get("NEWSCRAWLER_REDIS_URL"):
            raise ConfigError(
                "a distributed crawl (NEWSCRAWLER_REDIS_URL) keeps its state on Redis: it needs"
                " NEWSCRAWLER_STATE_ENABLED (and the CrawlState extension)"
            )
        return SQLiteCrawlDatabase.open(":memory:"), False
    if state.link is not None:
        from newscrawler.crawldb.redis_frontier import RedisCrawlDatabase  # the Redis client

        return RedisCrawlDatabase(state.link), True
    store = state.store
    db = getattr(store, "db", None)
    if db is None:  # a state store of another kind keeps no SQLite connection
        return SQLiteCrawlDatabase.open(":memory:"), False
    return SQLiteCrawlDatabase(db, store.transaction), True


def shared_database(db: CrawlDatabase) -> RedisCrawlDatabase | None:
    """``db`` when it is a distributed crawl's, on Redis (``None`` on one machine). The Redis
    backend is looked up, not imported: a crawl on one machine never loads the Redis client,
    and a database on Redis can only have been made by that module."""
    module = sys.modules.get("newscrawler.crawldb.redis_frontier")
    if module is not None and isinstance(db, module.RedisCrawlDatabase):
        return cast("RedisCrawlDatabase", db)
    return None


def parse_lastmod(value: Any) -> float:
    """Epoch seconds of a feed/sitemap date (0 when there is none)."""
    date = parse_iso_date(value) if isinstance(value, str) else None
    return date.timestamp() if date is not None else 0.0


class CrawlScheduler(BaseScheduler):
    """The frontier and duplicate filter on the crawl database (see the module)."""

    def __init__(
        self,
        crawler: Crawler,
        db: CrawlDatabase,
        policy: RevisitPolicy,
        *,
        persistent: bool,
    ) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats
        self.db = db
        self.policy = policy
        self.persistent = persistent
        self.spider: Spider | None = None
        self.ready: list[FrontierEntry] = []
        self.run_started = time.time()
        self.crawl_started = self.run_started
        self.new_links: Counter[int] = Counter()  # parent key -> new URLs it led to
        self.pending_items: Counter[int] = Counter()  # key -> items not yet through pipelines
        self.state = crawler.get_extension(CrawlState)
        self.awaiting: dict[str, Request] = {}  # record id -> its page's request, until durable
        self.scraping: dict[int, Request] = {}  # done, waiting for Scrapy to handle its output
        self.reason = ""
        self.max_in_process = crawler.settings.getint("NEWSCRAWLER_MAX_PAGES_IN_PROCESS")
        self.shared_db = shared_database(db)  # workers on one Redis, or None
        self.always_on = crawler.settings.getbool("NEWSCRAWLER_ALWAYS_ON")
        self.poll = crawler.settings.getfloat("NEWSCRAWLER_ALWAYS_ON_POLL")
        self.seeds_since = self.run_started  # seeds fetched before this are fetched again
        self._last_poll = 0.0
        self._flusher: task.LoopingCall | None = None
        self._warned: set[str] = set()

    @property
    def shared(self) -> bool:
        """Whether this crawl's database is shared by workers on one Redis."""
        return self.shared_db is not None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        db, persistent = open_crawl_database(crawler)
        if crawler.settings.get("JOBDIR"):
            logger.warning(
                "JOBDIR is not used for the frontier: the crawl database in the state file keeps"
                " it (%s)",
                "an interrupted crawl resumes by itself"
                if persistent
                else "the state is off, so an interrupted crawl is not resumed",
            )
        if crawler.settings.getbool("NEWSCRAWLER_STATE_RESET"):
            db.reset()
        scheduler = cls(
            crawler, db, RevisitPolicy.from_settings(crawler.settings), persistent=persistent
        )
        if persistent:
            scheduler.prune(crawler.settings.getfloat("NEWSCRAWLER_STATE_RETENTION_DAYS"))
        crawler.signals.connect(scheduler.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(scheduler.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(scheduler.item_error, signal=signals.item_error)
        if persistent and scheduler.state is not None:
            scheduler.state.commit_listeners.append(scheduler.records_committed)
            scheduler.state.close_listeners.append(scheduler.state_closing)
        return scheduler

    def prune(self, retention_days: float) -> int:
        """Forget the URLs last seen more than ``retention_days`` ago and not in the frontier
        (the crawl state's retention, applied when a crawl starts; ``0`` keeps everything)."""
        if retention_days <= 0:
            return 0
        removed = self.db.prune(time.time() - retention_days * 86400)
        if removed:
            self.stats.inc_value("newscrawler/crawldb/pruned", removed)
            logger.info(
                "Pruned %d URLs last seen more than %s days ago from the crawl database",
                removed,
                retention_days,
            )
        return removed

    # --- BaseScheduler ---------------------------------------------------------------------------
    def open(self, spider: Spider) -> None:
        self.spider = spider
        released = self.db.release_leases()
        self.crawl_started, resumed = self.db.begin_crawl(self.run_started)
        if resumed:
            waiting = self.db.waiting()
            self.stats.set_value("newscrawler/crawldb/resumed", waiting)
            logger.info(
                "%s the crawl begun %s: %d requests in the frontier (%d were in flight)",
                "Joining" if self.shared else "Resuming",
                datetime.fromtimestamp(self.crawl_started, timezone.utc).isoformat(
                    timespec="seconds"
                ),
                waiting,
                released,
            )
            if self.shared:
                self.seeds_since = self.crawl_started  # the other workers fetched them
        if self.shared_db is not None:
            self._shared_seeds(self.shared_db)
        self._flusher = task.LoopingCall(self.tick)
        self._flusher.start(FLUSH_INTERVAL, now=False)

    def tick(self) -> None:
        """Every second: write the buffered changes; in a distributed crawl, the heartbeat
        (leases of workers that are gone handed out again) and seeds pushed to Redis; in an
        always-on crawl, the revisits that fell due."""
        self._finish_scraped()
        self.db.flush()
        now = time.time()
        reclaimed = self.db.heartbeat(now)
        if reclaimed:
            self.stats.inc_value("newscrawler/crawldb/reclaimed", reclaimed)
            self._warn_once(
                "reclaimed",
                "Handed out again %d requests leased by a worker that stopped answering",
                reclaimed,
            )
        if self.shared and not self.ready and self.db.waiting() > 0:
            self._wake_engine()
        if now - self._last_poll < self.poll:
            return
        self._last_poll = now
        if self.shared_db is not None:
            self._shared_seeds(self.shared_db)
        if self.always_on and self.spider is not None:
            due = getattr(self.spider, "due_requests", None)
            for request in due() if due is not None else ():
                self.enqueue_request(request)

    def _wake_engine(self) -> None:
        """Make the engine ask for requests now: other workers queued some, and an idle engine
        looks only every 5 s (Scrapy's heartbeat)."""
        slot = getattr(self.crawler.engine, "_slot", None)
        nextcall = getattr(slot, "nextcall", None)
        if nextcall is not None:
            nextcall.schedule()

    def _shared_seeds(self, db: RedisCrawlDatabase) -> None:
        """Seeds pushed to ``<prefix>:start_urls`` become requests (and their sites join the
        scope); the sites of seeds other workers took join it too."""
        make = getattr(self.spider, "seed_requests", None)
        if make is None:
            return
        make(db.new_seeds())
        while True:
            urls = db.take_seeds(TAKE_BATCH)
            if not urls:
                return
            self.stats.inc_value("newscrawler/crawldb/shared_seeds", len(urls))
            for request in make(urls):
                self.enqueue_request(request)
            db.flush()
            db.seeds_queued(urls)

    def close(self, reason: str) -> None:
        """The spider closes. Records still to be made durable (the feeds close after this)
        keep their pages in the frontier until :meth:`state_closing`."""
        if self._flusher is not None and self._flusher.running:
            self._flusher.stop()
        self.reason = reason
        self._finish_scraped(everything=True)
        self.db.flush()
        awaited = {r.meta.get(FRONTIER_KEY) for r in self.awaiting.values()}
        unreported = self.db.leased() - len(awaited - {None})
        if reason == "finished" and unreported > 0:
            # handed out, never reported back: a component ate the request's outcome
            self.stats.set_value("newscrawler/crawldb/unreported", unreported)
            logger.warning("%d requests were handed out and never reported back", unreported)
        self.stats.set_value("newscrawler/crawldb/frontier_left", self.db.waiting())
        if not self.persistent or self.state is None:
            self.state_closing()
            self.db.close()

    def state_closing(self) -> None:
        """The last records are durable: end the crawl when it finished, write the rest."""
        if self.reason == "finished" and not self.has_pending_requests():
            self.db.drop_leases()
            self.db.end_crawl()
        self.db.close()  # written (a shared backend's heartbeat stops)

    def has_pending_requests(self) -> bool:
        if self.ready or self.always_on or self.db.waiting() > 0:
            return True
        # the crawl ends when this says no: check the frontier itself, not only the count, and
        # the requests other workers hold (their pages may lead to more)
        return self.db.recount() > 0 or self.db.leased_elsewhere() > 0

    def __len__(self) -> int:
        return len(self.ready) + self.db.waiting()

    def enqueue_request(self, request: Request) -> bool:
        now = time.time()
        key = url_key(request.url)
        previous = request.meta.get(FRONTIER_KEY)
        if previous is not None:
            if previous == key:  # a retry of a request handed out
                return self._push(request, key, self._kind(request), None, now)
            redirected_from = (request.meta.get("redirect_urls") or [None])[-1]
            if redirected_from is not None and url_key(redirected_from) == previous:
                return self._redirected(request, previous, redirected_from, key, now)
            del request.meta[FRONTIER_KEY]  # another request built from a handed-out one
        kind = self._kind(request)
        record = self.db.get(request.url)
        if not request.dont_filter:
            reason = self._refusal(request, key, kind, record, now)
            if reason is not None:
                self.stats.inc_value(f"newscrawler/crawldb/refused/{reason}")
                if record is not None:
                    self.db.put([record.seen_again(now)])
                return False
        if record is None:
            parent = request.meta.get(PARENT_KEY)
            if parent is not None:
                self.new_links[parent] += 1
        return self._push(request, key, kind, record, now)

    def next_request(self) -> Request | None:
        if self.max_in_process and self._in_process() >= self.max_in_process:
            # the pages fetched wait for extraction: fetch no further ahead of it (a kill then
            # loses, and a rerun fetches again, only the pages not yet stored)
            self.stats.inc_value("newscrawler/crawldb/held_back")
            return None
        self._finish_scraped()
        if self.shared and self._queued_in_slots() >= SHARED_QUEUED_MAX:
            self.stats.inc_value("newscrawler/crawldb/held_back_slots")
            return None
        while True:
            if not self.ready:
                self.ready = self.db.take(SHARED_TAKE_BATCH if self.shared else TAKE_BATCH)
                if not self.ready:
                    return None
            entry = self.ready.pop(0)
            assert self.spider is not None
            try:
                request = request_from_json(entry.request, self.spider)
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                self.stats.inc_value("newscrawler/crawldb/unreadable_requests")
                self._warn_once("unreadable", "A frontier request could not be read (%s)", exc)
                self.db.done([entry.key])
                continue
            request.meta[FRONTIER_KEY] = entry.key
            self.stats.inc_value("scheduler/dequeued")
            return request

    def _queued_in_slots(self) -> int:
        """Requests in this worker's downloader that wait for their slot (a host's delay)."""
        try:
            slots = self.crawler.engine.downloader.slots
        except (RuntimeError, AttributeError):
            return 0
        return sum(len(slot.queue) for slot in slots.values())

    def _in_process(self) -> int:
        """Pages fetched whose spider output and items are not through yet."""
        try:
            slot = self.crawler.engine.scraper.slot
        except RuntimeError:
            return 0
        return len(slot.active) if slot is not None else 0

    # --- refusals and the frontier ---------------------------------------------------------------
    def _kind(self, request: Request) -> Kind:
        route = request.meta.get(meta.ROUTE, meta.LINK)
        kind = ROUTE_KINDS.get(route)
        if kind is not None:
            return kind
        return (
            Kind.ARTICLE
            if is_article_candidate(crawl_scope(self.crawler), request.url)
            else Kind.HUB
        )

    def _refusal(
        self, request: Request, key: int, kind: Kind, record: UrlRecord | None, now: float
    ) -> str | None:
        if self.db.queued(key):
            return "queued"
        if record is None:
            return None
        fetched_since = self.seeds_since if kind is Kind.SEED else self.crawl_started
        due = self.always_on and record.next_fetch is not None and record.next_fetch <= now
        if record.last_fetch is not None and record.last_fetch >= fetched_since and not due:
            return "fetched"
        if record.alias_of and record.alias_of != request.url:
            target = self.db.get(record.alias_of)
            if target is not None and target.is_stored_article:
                return "alias"
        return self.policy.refusal(record, kind, now)

    def _push(
        self, request: Request, key: int, kind: Kind, record: UrlRecord | None, now: float
    ) -> bool:
        request.meta.pop(FRONTIER_KEY, None)
        request.meta.pop(PARENT_KEY, None)
        assert self.spider is not None
        text, dropped = request_to_json(request, self.spider)
        for name in dropped:
            self.stats.inc_value("newscrawler/crawldb/meta_dropped")
            self._warn_once(
                f"meta-{name}", "Request meta %r has no JSON form: left out of the frontier", name
            )
        rank = 0.0
        if kind is Kind.ARTICLE:
            rank = parse_lastmod(request.meta.get(meta.LASTMOD))
        elif kind is Kind.HUB and record is not None:
            rank = float(record.new_links)
        self.db.push([FrontierEntry((TIERS[kind], request.priority, rank), key, text)])
        if record is None:
            record = UrlRecord(request.url, kind, Status.DISCOVERED, first_seen=now, last_seen=now)
        else:
            record = record.seen_again(now)
        self.db.put([self._with_aliases(request, record)])
        self.stats.inc_value("scheduler/enqueued")
        return True

    def _with_aliases(self, request: Request, record: UrlRecord) -> UrlRecord:
        """Note the URLs this request stands for: the variant it was rewritten from, the page
        that declared it canonical."""
        for alias in (request.meta.get(meta.VARIANT_OF), request.meta.get(meta.CANONICAL_OF)):
            if isinstance(alias, str) and alias != request.url:
                known = self.db.get(alias)
                now = record.last_seen
                base = known or UrlRecord(alias, record.kind, first_seen=now, last_seen=now)
                self.db.put([_aliased(base, request.url)])
        return record

    def _redirected(
        self, request: Request, previous: int, source: str, key: int, now: float
    ) -> bool:
        """A redirect of a handed-out request: the source becomes an alias of the target, and
        the target takes its place in the frontier (unless it is known)."""
        source_record = self.db.get(source) or UrlRecord(source, first_seen=now, last_seen=now)
        self.db.put([_aliased(source_record, request.url, Status.REDIRECTION, now)])
        self.db.done([previous])
        del request.meta[FRONTIER_KEY]
        kind = source_record.kind
        record = self.db.get(request.url)
        reason = self._refusal(request, key, kind, record, now)
        if reason is not None:
            self.stats.inc_value(f"newscrawler/crawldb/refused/{reason}")
            return False
        return self._push(request, key, kind, record, now)

    # --- outcomes -----------------------------------------------------------------------------
    def fetched(self, request: Request, http_status: int | None) -> None:
        """A request's final answer (``None``: none, after the retries)."""
        now = time.time()
        record = self.db.get(request.url)
        if record is None:
            if FRONTIER_KEY not in request.meta:
                return  # not from the frontier: robots.txt, fetched by Scrapy itself
            record = UrlRecord(request.url, self._kind(request), first_seen=now, last_seen=now)
        self.db.put([self.policy.fetched(record, http_status, now)])
        if http_status is None or http_status >= 300:
            self.finished(request)

    def ignored(self, request: Request, outcome: str) -> None:
        """A request refused before it was fetched (robots.txt, a known article, a guard)."""
        record = self.db.get(request.url)
        if record is not None:
            if outcome == KNOWN:
                kind = Kind.ARTICLE
                outcome = record.outcome or KNOWN if record.is_stored_article else KNOWN
            else:
                kind = record.kind
            self.db.put([replace(record, kind=kind, outcome=outcome)])
        self.finished(request)

    def page_processed(self, request: Request, kind: Kind, items: int) -> None:
        """The spider has read a fetched page: it gave ``items`` items (articles to be) and the
        links counted while it ran."""
        key = request.meta.get(FRONTIER_KEY)
        new_links = self.new_links.pop(key, 0) if key is not None else 0
        record = self.db.get(request.url)
        if record is not None:
            outcome = "pending" if items else LINKS
            self.db.put([self.policy.outcome(record, kind, outcome, new_links)])
        if items and key is not None:
            self.pending_items[key] += items
        else:
            self.finished(request)

    def finished(self, request: Request) -> None:
        """The request's outcome is recorded: it leaves the frontier, but only once Scrapy has
        handled everything its page gave (its links are queued), so that a kill never leaves a
        page done whose links were never written."""
        key = request.meta.get(FRONTIER_KEY)
        if key is None:
            return
        if key in self._keys_in_scraper():
            self.scraping[key] = request
            return
        self.db.done([key])
        self.new_links.pop(key, None)

    def _keys_in_scraper(self) -> set[int]:
        """Frontier keys of the pages Scrapy is still reading or will read (their spider
        output is not all handled)."""
        try:
            slot = self.crawler.engine.scraper.slot
        except (RuntimeError, AttributeError):
            return set()
        if slot is None:
            return set()
        requests = [*slot.active, *(queued[1] for queued in slot.queue)]
        return {key for r in requests if (key := r.meta.get(FRONTIER_KEY)) is not None}

    def _finish_scraped(self, everything: bool = False) -> None:
        """Pages done whose output Scrapy has now handled leave the frontier."""
        if not self.scraping:
            return
        busy = set() if everything else self._keys_in_scraper()
        for key in [k for k in self.scraping if k not in busy]:
            del self.scraping[key]
            self.db.done([key])
            self.new_links.pop(key, None)

    def _item_outcome(self, response: Response | None, outcome: str) -> None:
        if response is None or response.request is None:
            return
        self._record_outcome(response.request, outcome)
        self._item_finished(response.request)

    def _record_outcome(self, request: Request, outcome: str) -> None:
        record = self.db.get(request.url)
        if record is not None:
            self.db.put([self.policy.outcome(record, Kind.ARTICLE, outcome, record.new_links)])

    def _item_finished(self, request: Request) -> None:
        key = request.meta.get(FRONTIER_KEY)
        if key is None:
            return
        self.pending_items[key] -= 1
        if self.pending_items[key] <= 0:
            del self.pending_items[key]
            self.finished(request)

    def item_scraped(self, item: Any, response: Response | None = None) -> None:
        rid = ItemAdapter(item).get("id") if ItemAdapter.is_item(item) else None
        if self.state is not None and isinstance(rid, str) and self.state.is_pending(rid):
            # stored, not durable yet: its page stays in the frontier, and its URL is not
            # "stored" in the crawl database, until the record is (a kill before that loses the
            # line, and the next run must fetch the page again)
            if response is not None and response.request is not None:
                self.awaiting[rid] = response.request
            return
        self._item_outcome(response, STORED)

    def records_committed(self, record_ids: list[str]) -> None:
        """Records made durable: their URLs are stored articles, their pages leave the
        frontier."""
        for rid in record_ids:
            request = self.awaiting.pop(rid, None)
            if request is not None:
                self._record_outcome(request, STORED)
                self._item_finished(request)

    def item_dropped(
        self, item: Any, response: Response | None = None, exception: BaseException | None = None
    ) -> None:
        if not ItemAdapter.is_item(item):
            return
        if isinstance(exception, DUPLICATES):
            outcome = DUPLICATE
        else:
            outcome = f"rejected/{type(exception).__name__ if exception else 'dropped'}"
        self._item_outcome(response, outcome)

    def item_error(self, item: Any, response: Response | None = None) -> None:
        self._item_outcome(response, "rejected/error")

    def due_revisits(self, kinds: tuple[Kind, ...]) -> list[tuple[str, Kind]]:
        """Known URLs of these kinds whose next visit is due (feeds and sitemaps found by an
        earlier run: read again without probing for them)."""
        return self.db.due(kinds, time.time())

    def knows_article(self, url: str) -> bool:
        """Whether an article is stored (or known as a duplicate) under this URL."""
        record = self.db.get(url)
        if record is not None and record.is_stored_article:
            return True
        state = self.crawler.get_extension(CrawlState)
        return state is not None and state.knows_url(url)

    def _warn_once(self, key: str, message: str, *args: Any) -> None:
        if key not in self._warned:
            self._warned.add(key)
            logger.warning(message + " (further cases are only counted)", *args)


def _aliased(
    record: UrlRecord, target: str, status: Status | None = None, now: float | None = None
) -> UrlRecord:
    changes: dict[str, Any] = {"alias_of": target}
    if status is not None:
        changes["status"] = status
        changes["next_fetch"] = None
    if now is not None:
        changes["last_seen"] = now
    return replace(record, **changes)
