"""``scrapy state stats|urls|reset|prune``: inspect or clear the persistent crawl state and its
crawl database."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterable
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawler.crawldb.database import CrawlDatabase, CrawlDbCounts
from newscrawler.crawldb.records import Kind, Status, UrlRecord
from newscrawler.crawldb.sqlite import SQLiteCrawlDatabase
from newscrawler.errors import StateLocked
from newscrawler.state.location import resolve_state_path
from newscrawler.state.lock import StateLock
from newscrawler.state.store import SQLiteStateStore

ACTIONS = ("stats", "urls", "reset", "prune")
READ_ONLY = ("stats", "urls")  # SQLite isolates a reader from a running crawl: no lock
NEXT_DUE_SHOWN = 10
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
            "they print one line and exit with status 75."
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
                before = store.counts().articles
                urls = crawldb.counts(time.time(), next_due=0).urls
                crawldb.reset()
                store.reset()
                print(f"Reset {path}: forgot {before} articles and {urls} crawl database URLs")
            elif action == "prune":
                self.prune(store, crawldb, opts.days)
            elif action == "urls":
                self.list_urls(crawldb, opts)
            else:
                now = time.time()
                counts = readable_counts(asdict(store.counts()), now)
                crawl = readable_crawldb(crawldb.counts(now, NEXT_DUE_SHOWN), now)
                shown = {"path": str(path), "exists": True, **counts, "crawldb": crawl}
                print(to_json(shown))
        finally:
            store.close()
            if lock is not None:
                lock.release()

    def prune(self, store: SQLiteStateStore, crawldb: CrawlDatabase, days: float | None) -> None:
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
