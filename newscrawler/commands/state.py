"""``scrapy state stats|urls|reset|prune``: inspect or clear the persistent crawl state and its
crawl database, in the state file or, for a distributed crawl (``NEWSCRAWLER_REDIS_URL``), in
its Redis."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError
from scrapy.settings import BaseSettings

from newscrawler.crawldb.database import CrawlDatabase, CrawlDbCounts
from newscrawler.crawldb.records import Kind, Status, UrlRecord
from newscrawler.crawldb.sqlite import SQLiteCrawlDatabase
from newscrawler.errors import ConfigError, CrawlFailed, StateLocked
from newscrawler.middlewares.shared_rate import schedule_keys
from newscrawler.spiders.news import NewsSpider
from newscrawler.state.location import resolve_state_path
from newscrawler.state.lock import StateLock
from newscrawler.state.store import SQLiteStateStore, StateStore

if TYPE_CHECKING:
    from newscrawler.crawldb.redis_frontier import RedisCrawlDatabase
    from newscrawler.state.redis_link import RedisLink

# The Redis modules are imported where they are used: Scrapy imports every command module to
# list them, and `scrapy crawl` on one machine should not pay for the Redis client.

ACTIONS = ("stats", "urls", "reset", "prune")
READ_ONLY = ("stats", "urls")  # SQLite isolates a reader from a running crawl: no lock
NEXT_DUE_SHOWN = 10
SITES_SHOWN = 20  # the busiest sites of a distributed crawl in ``stats``
RATE_WINDOW = 60.0  # seconds of request start times the shared schedule keeps per site
_STEP = 500  # hosts read per pipeline
URL_COLUMNS = ("KIND", "STATUS", "HTTP", "LAST FETCH (UTC)", "NEXT FETCH (UTC)", "OUTCOME")
_WIDTHS = (8, 12, 5, 20, 20, 12)


def age(seconds: float) -> str:
    """A duration in words, to the largest two units: ``3 d 4 h``, ``12 min``, ``40 s``."""
    seconds = max(0, int(seconds))
    parts: list[str] = []
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60), ("s", 1)):
        if seconds >= size or (unit == "s" and not parts):
            parts.append(f"{seconds // size} {unit}")
            seconds %= size
        if len(parts) == 2:
            break
    return " ".join(parts)


def iso(epoch: float | None) -> str | None:
    """Epoch seconds as an ISO 8601 UTC date (``None`` stays ``None``)."""
    if epoch is None:
        return None
    return datetime.fromtimestamp(epoch, timezone.utc).isoformat(timespec="seconds")


def readable_counts(counts: dict[str, Any], now: float) -> dict[str, Any]:
    """The store's counts with the first-seen times (epoch seconds) as ISO 8601 UTC dates and
    ages (``oldest_age``: how long ago the oldest stored article was first seen)."""
    shown = dict(counts)
    for key in ("oldest", "newest"):
        value = shown.get(key)
        if value is None:
            continue
        shown[key] = iso(value)
        shown[f"{key}_age"] = age(now - value)
    return shown


def _ordered(names: Iterable[str], order: Iterable[str]) -> list[str]:
    """``names`` in the order of ``order`` (the enum's), unknown names last."""
    rank = {name: n for n, name in enumerate(order)}
    return sorted(names, key=lambda name: (rank.get(name, len(rank)), name))


def readable_crawldb(counts: CrawlDbCounts, now: float) -> dict[str, Any]:
    """The crawl database's counts for ``scrapy state stats``: URLs by kind (rows) and status
    (columns), the frontier, the unfinished crawl, the visits due."""
    statuses = [s.value for s in Status]
    by_kind: dict[str, dict[str, int]] = {}
    by_status: dict[str, int] = {}
    for kind in _ordered(counts.by_kind_status, (k.value for k in Kind)):
        row = counts.by_kind_status[kind]
        by_kind[kind] = {s: row[s] for s in _ordered(row, statuses)}
        for status, n in row.items():
            by_status[status] = by_status.get(status, 0) + n
    started = counts.crawl_started
    return {
        "urls": counts.urls,
        "by_kind": by_kind,
        "by_status": {s: by_status[s] for s in _ordered(by_status, statuses)},
        "frontier": {"waiting": counts.frontier - counts.leased, "leased": counts.leased},
        "unfinished_crawl": None
        if started is None
        else {"begun": iso(started), "begun_age": age(now - started)},
        "due_now": counts.due_now,
        "next_due": [
            {"at": iso(at), "in": age(at - now) if at > now else "now", "kind": kind, "url": url}
            for at, kind, url in counts.next_due
        ],
    }


def to_json(value: Any, depth: int = 0) -> str:
    """JSON, indented, with the innermost objects and lists on one line each (a table row)."""
    nested = isinstance(value, (dict, list)) and bool(value)
    flat = nested and not any(
        isinstance(v, (dict, list)) for v in (value.values() if isinstance(value, dict) else value)
    )
    if not nested or (flat and depth > 0):
        return json.dumps(value, ensure_ascii=False)
    pad = " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{pad}{json.dumps(k)}: {to_json(v, depth + 1)}" for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        items = [f"{pad}{to_json(v, depth + 1)}" for v in value]
        opening, closing = "[", "]"
    return opening + "\n" + ",\n".join(items) + "\n" + " " * depth + closing


def url_json(record: UrlRecord) -> dict[str, Any]:
    """A URL record for ``scrapy state urls --json``: times as ISO 8601 UTC dates."""
    shown = asdict(record)
    shown["kind"] = record.kind.value
    shown["status"] = record.status.value
    for key in ("first_seen", "last_seen", "last_fetch", "next_fetch"):
        shown[key] = iso(shown[key])
    return shown


def _utc(epoch: float | None) -> str:
    return "-" if epoch is None else time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(epoch))


def url_line(record: UrlRecord) -> str:
    """A URL record on one line: kind, status, HTTP status, last and next fetch, outcome, the
    URL and ``-> ALIAS_OF`` when it stands for another URL."""
    cells = (
        record.kind.value,
        record.status.value,
        "-" if record.http_status is None else str(record.http_status),
        _utc(record.last_fetch),
        _utc(record.next_fetch),
        record.outcome or "-",
    )
    line = " ".join(c.ljust(w) for c, w in zip(cells, _WIDTHS, strict=True)) + " " + record.url
    return line + (f" -> {record.alias_of}" if record.alias_of else "")


def url_header() -> str:
    return " ".join(c.ljust(w) for c, w in zip(URL_COLUMNS, _WIDTHS, strict=True)) + " URL"


def check_choice(what: str, value: str | None, choices: Iterable[str]) -> str | None:
    """``None`` if ``value`` is one of ``choices`` (or not given), else the error line."""
    valid = list(choices)
    if value is None or value in valid:
        return None
    return f"unknown {what} {value!r}; expected one of: {', '.join(valid)}"


def redis_link(settings: BaseSettings) -> RedisLink | None:
    """A link to the Redis of the distributed crawl the settings name (``None`` without
    ``NEWSCRAWLER_REDIS_URL``); the crawl's prefix is ``NEWSCRAWLER_REDIS_PREFIX`` or the
    spider's name. It only reads and writes: it never joins the crawl as a worker, so an
    unreachable Redis raises :class:`~newscrawler.errors.CrawlFailed` at the first command."""
    url = settings.get("NEWSCRAWLER_REDIS_URL")
    if not url:
        return None
    from newscrawler.state.redis_link import RedisLink

    return RedisLink(
        url,
        settings.get("NEWSCRAWLER_REDIS_PREFIX") or NewsSpider.name,
        lease_timeout=settings.getfloat("NEWSCRAWLER_REDIS_LEASE_TIMEOUT"),
    )


@contextmanager
def redis_errors(link: RedisLink) -> Iterator[None]:
    """An error Redis answers with (a missing permission, a wrong type) as
    :class:`~newscrawler.errors.CrawlFailed`, as an unreachable Redis is: one line, the URL
    without its password."""
    import redis

    try:
        yield
    except redis.RedisError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise CrawlFailed(f"Redis {link.shown_url}: {reason}") from None


def crawl_meta(link: RedisLink) -> dict[str, str]:
    """The crawl's ``<prefix>:meta`` hash: its schema, version, crawl-wide settings, start."""
    from newscrawler.state.redis_link import text

    meta = link.call(link.client.hgetall, link.key("meta"))
    return {text(k): text(v) for k, v in meta.items()}


def crawl_lease_timeout(meta: dict[str, str], default: float) -> float:
    """The lease timeout the crawl was begun with (recorded with its crawl-wide settings)."""
    try:
        value = json.loads(meta.get("settings_shown", "")).get("NEWSCRAWLER_REDIS_LEASE_TIMEOUT")
        return float(value)
    except (ValueError, TypeError, AttributeError):
        return default


def workers_view(link: RedisLink, crawldb: RedisCrawlDatabase, now: float) -> dict[str, Any]:
    """The live workers (name, last heartbeat and its age by Redis's clock ``now``, requests
    leased to each), the most recent heartbeat first; how many registered workers are gone
    (no heartbeat within the link's lease timeout), and the requests still leased to them
    (handed out again once their lease runs out)."""
    alive = sorted(link.alive(), key=lambda w: (-w[1], w[0]))
    key = link.key("workers")

    def build(pipe: Any) -> None:
        pipe.zcard(key).zcard(crawldb.k_lease)
        for name, _ in alive:
            pipe.scard(crawldb.k_mine_prefix + name)

    registered, leased, *mine = link.pipelined(build)
    rows: list[dict[str, Any]] = [
        {"name": name, "last_heartbeat": iso(beat), "heartbeat_age": age(now - beat), "leased": n}
        for (name, beat), n in zip(alive, (int(m) for m in mine), strict=True)
    ]
    return {
        "alive": rows,
        "gone": int(registered) - len(alive),
        "leased_by_gone_workers": max(0, int(leased) - sum(r["leased"] for r in rows)),
    }


def seeds_view(link: RedisLink, crawldb: RedisCrawlDatabase) -> dict[str, int]:
    """Seeds pushed to ``<prefix>:start_urls``: waiting there, taken by a worker and not yet in
    the frontier, taken in all."""
    waiting, pending, taken = link.pipelined(
        lambda p: p.llen(crawldb.k_start_urls).hlen(crawldb.k_seeds_pending).scard(crawldb.k_seeds)
    )
    return {"waiting": int(waiting), "taken_pending": int(pending), "taken": int(taken)}


def sites_view(link: RedisLink, now: float, shown: int = SITES_SHOWN) -> dict[str, Any]:
    """Per-site rates from the shared schedule: every host it has booked (read in steps, one
    read per host: its size is the number of sites, not of URLs), the requests each began in
    the last minute (by Redis's clock ``now``), those booked and waiting for their time, the
    delay between starts and when the next one may start. The busiest ``shown`` hosts."""
    from newscrawler.state.redis_link import text

    next_key, _ = schedule_keys(link, "")
    hosts: list[tuple[str, float]] = []
    cursor = 0
    while True:
        cursor, page = link.call(link.client.hscan, next_key, cursor, count=_STEP)
        hosts += [(text(h), float(free)) for h, free in page.items()]
        if cursor == 0:
            break
    rows: list[dict[str, Any]] = []
    for i in range(0, len(hosts), _STEP):
        step = hosts[i : i + _STEP]

        def build(pipe: Any, step: list[tuple[str, float]] = step) -> None:
            for host, _ in step:
                recent = schedule_keys(link, host)[1]
                pipe.zcount(recent, now - RATE_WINDOW, now)
                pipe.zcount(recent, f"({now}", "+inf")
                pipe.zrange(recent, -1, -1, withscores=True)

        answers = link.pipelined(build)
        for n, (host, free) in enumerate(step):
            started, booked, last = answers[3 * n : 3 * n + 3]
            rows.append(
                {
                    "host": host,
                    "requests_last_min": int(started),
                    "booked": int(booked),
                    "delay": round(free - last[0][1], 3) if last else None,
                    "next_start_in": age(free - now) if free > now else "now",
                }
            )
    active = [r for r in rows if r["requests_last_min"] or r["booked"]]
    active.sort(key=lambda r: (-r["requests_last_min"], -r["booked"], r["host"]))
    return {
        "hosts": len(rows),
        "active": len(active),
        "requests_last_min": sum(r["requests_last_min"] for r in rows),
        "busiest": active[:shown],
    }


def memory_view(link: RedisLink) -> dict[str, Any]:
    """The Redis server's memory (all its data, not only this crawl's) and its limit."""
    info = link.call(link.client.info, "memory")
    return {
        "used_bytes": int(info.get("used_memory", 0)),
        "used": str(info.get("used_memory_human", "")),
        "peak": str(info.get("used_memory_peak_human", "")),
        "maxmemory": int(info.get("maxmemory", 0)),
        "policy": str(info.get("maxmemory_policy", "")),
    }


def redis_overview(
    link: RedisLink, crawldb: RedisCrawlDatabase, meta: dict[str, str]
) -> dict[str, Any]:
    """What ``scrapy state stats`` adds for a distributed crawl: the crawl's version and lease
    timeout, its workers, seeds, per-site rates and the server's memory. Counters and sizes
    only (``ZCARD``, ``HLEN``, ...): nothing here reads the crawl's URLs or articles."""
    now = link.now()  # heartbeats and the schedule are in Redis's clock
    return {
        "version": meta.get("version"),
        "lease_timeout": link.lease_timeout,
        "workers": workers_view(link, crawldb, now),
        "seeds": seeds_view(link, crawldb),
        "sites": sites_view(link, now),
        "memory": memory_view(link),
    }


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return (
            "stats|urls|reset|prune [--path FILE] [--days N] "
            "[--status S] [--kind K] [--outcome O] [--limit N] [--json]"
        )

    def short_desc(self) -> str:
        return "Show, list, prune or reset the crawl state and its crawl database"

    def long_desc(self) -> str:
        return (
            "stats: counts and size of the state file and its crawl database: URLs by kind and "
            "status, the frontier, an unfinished crawl, the visits due (JSON; times as UTC "
            "dates and ages). urls: the crawl database's URLs, one a line (kind, status, HTTP "
            "status, last and next fetch, outcome, URL, -> the URL it is an alias of), filtered "
            "by --status, --kind, --outcome; --json: one JSON object a line. reset: forget "
            "every article, cached hub, output offset and crawl database URL, so that the next "
            "run crawls everything again. prune: forget articles first seen, and crawl database "
            "URLs last seen (and not waiting in the frontier), more than --days days ago "
            "(default NEWSCRAWLER_STATE_RETENTION_DAYS). The file is NEWSCRAWLER_STATE_PATH "
            "(resolved as the crawl does: a relative path against the project folder) unless "
            "--path is given. reset and prune take the state's lock: while a crawl runs on it "
            "they print one line and exit with status 75. With NEWSCRAWLER_REDIS_URL (and no "
            "--path) the commands act on that distributed crawl's Redis (key prefix "
            "NEWSCRAWLER_REDIS_PREFIX, or news); stats then also shows the live workers and "
            "their leases, the seeds waiting in <prefix>:start_urls, the per-site request "
            "rates and the server's memory, and reset refuses (status 75) while a worker is "
            "alive. An unreachable Redis: one line, status 1."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--path", help="state file (default: NEWSCRAWLER_STATE_PATH)")
        parser.add_argument("--days", type=float, help="prune: retention in days")
        parser.add_argument("--status", help="urls: only URLs of this status")
        parser.add_argument("--kind", help="urls: only URLs of this kind")
        parser.add_argument("--outcome", help="urls: only URLs with this outcome (or prefix/)")
        parser.add_argument("--limit", type=int, help="urls: at most N URLs")
        parser.add_argument("--json", action="store_true", help="urls: one JSON object a line")

    def fail(self, message: str, code: int) -> None:
        print(f"Error: {message}", file=sys.stderr)
        self.exitcode = code

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or args[0] not in ACTIONS:
            raise UsageError(f"expected one of: {', '.join(ACTIONS)}")
        action = args[0]
        assert self.settings is not None
        if action == "urls":
            error = check_choice("status", opts.status, (s.value for s in Status)) or check_choice(
                "kind", opts.kind, (k.value for k in Kind)
            )
            if error is not None:
                self.fail(error, 2)
                return
            if opts.limit is not None and opts.limit < 0:
                self.fail("--limit must be 0 or more", 2)
                return
        if not opts.path and self.settings.get("NEWSCRAWLER_REDIS_URL"):
            self.run_redis(action, opts)
            return
        path = resolve_state_path(opts.path or self.settings.get("NEWSCRAWLER_STATE_PATH"))
        if action != "reset" and not path.exists():
            if action == "urls":
                self.fail(f"no crawl state at {path}", 2)
            else:
                print(json.dumps({"path": str(path), "exists": False}))
            return
        lock = StateLock(path) if action not in READ_ONLY else None
        try:
            if lock is not None:
                lock.acquire()
        except StateLocked as exc:
            self.fail(str(exc), 75)
            return
        store = SQLiteStateStore(path)
        try:
            # the crawl database's tables are created in a state file written before them
            crawldb = SQLiteCrawlDatabase(store.db, store.transaction)
            if action == "reset":
                self.reset(store, crawldb, str(path))
            elif action == "prune":
                self.prune(store, crawldb, opts.days)
            elif action == "urls":
                self.list_urls(crawldb, opts)
            else:
                shown = {"path": str(path), "exists": True, **self.stats(store, crawldb)}
                print(to_json(shown))
        finally:
            store.close()
            if lock is not None:
                lock.release()

    def run_redis(self, action: str, opts: argparse.Namespace) -> None:
        """The action on a distributed crawl's Redis."""
        assert self.settings is not None
        try:
            link = redis_link(self.settings)
        except ConfigError as exc:
            self.fail(str(exc), 2)
            return
        assert link is not None
        try:
            with redis_errors(link):
                self.on_redis(action, opts, link)
        except CrawlFailed as exc:  # unreachable, a wrong password, an error answered
            self.fail(str(exc), 1)
        finally:
            link.close()

    def on_redis(self, action: str, opts: argparse.Namespace, link: RedisLink) -> None:
        from newscrawler.crawldb.redis_frontier import RedisCrawlDatabase
        from newscrawler.state.redis_store import RedisStateStore

        store = RedisStateStore(link)
        crawldb = RedisCrawlDatabase(link)
        crawl = f"crawl {link.prefix!r} on {link.shown_url}"
        exists = bool(link.call(link.client.exists, link.key("meta"), crawldb.k_start_urls))
        meta = crawl_meta(link)
        # workers are alive by the crawl's own lease timeout, not this command's setting
        link.lease_timeout = crawl_lease_timeout(meta, link.lease_timeout)
        if action == "urls":
            if not exists:
                self.fail(f"no {crawl}", 2)
                return
            self.list_urls(crawldb, opts)
        elif action == "stats":
            shown = {
                "path": link.shown_url,
                "prefix": link.prefix,
                "exists": exists,
                **self.stats(store, crawldb),
                "redis": redis_overview(link, crawldb, meta),
            }
            print(to_json(shown))
        elif not exists and action == "prune":
            print(json.dumps({"path": link.shown_url, "prefix": link.prefix, "exists": False}))
        elif action == "prune":
            self.prune(store, crawldb, opts.days)
        else:
            alive = link.alive()
            if alive:
                names = ", ".join(name for name, _ in alive)
                self.fail(
                    f"the {crawl} has {len(alive)} live worker(s) ({names}); nothing was reset."
                    " Try again when they have finished (or their heartbeats are more than"
                    f" {link.lease_timeout:g} s old).",
                    75,
                )
                return
            self.reset(store, crawldb, f"the {crawl}")

    @staticmethod
    def stats(store: StateStore, crawldb: CrawlDatabase) -> dict[str, Any]:
        """The state's counts and its crawl database's, readable (dates and ages)."""
        now = time.time()
        counts = readable_counts(asdict(store.counts()), now)
        return {**counts, "crawldb": readable_crawldb(crawldb.counts(now, NEXT_DUE_SHOWN), now)}

    @staticmethod
    def reset(store: StateStore, crawldb: CrawlDatabase, shown: str) -> None:
        before = store.counts().articles
        urls = crawldb.counts(time.time(), next_due=0).urls
        crawldb.reset()
        store.reset()
        print(f"Reset {shown}: forgot {before} articles and {urls} crawl database URLs")

    def prune(self, store: StateStore, crawldb: CrawlDatabase, days: float | None) -> None:
        assert self.settings is not None
        if days is None:
            days = self.settings.getfloat("NEWSCRAWLER_STATE_RETENTION_DAYS")
        if days <= 0:
            raise UsageError("retention must be more than 0 days")
        cutoff = time.time() - days * 86400
        removed = store.prune(cutoff)
        urls = crawldb.prune(cutoff)
        print(f"Pruned {removed} articles first seen more than {days:g} days ago")
        print(
            f"Pruned {urls} crawl database URLs last seen more than {days:g} days ago"
            " (those waiting in the frontier are kept)"
        )

    def list_urls(self, crawldb: CrawlDatabase, opts: argparse.Namespace) -> None:
        records = crawldb.records(
            status=opts.status, kind=opts.kind, outcome=opts.outcome, limit=opts.limit
        )
        if not opts.json:
            print(url_header())
        for record in records:
            if opts.json:
                print(json.dumps(url_json(record), ensure_ascii=False))
            else:
                print(url_line(record))
