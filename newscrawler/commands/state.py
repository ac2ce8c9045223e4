"""``scrapy state stats|reset|prune``: inspect or clear the persistent crawl state."""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Any, ClassVar

from scrapy.commands import ScrapyCommand
from scrapy.exceptions import UsageError

from newscrawler.errors import StateLocked
from newscrawler.state.location import resolve_state_path
from newscrawler.state.lock import StateLock
from newscrawler.state.store import SQLiteStateStore

ACTIONS = ("stats", "reset", "prune")


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


def readable_counts(counts: dict[str, Any], now: float) -> dict[str, Any]:
    """The store's counts with the first-seen times (epoch seconds) as ISO 8601 UTC dates and
    ages (``oldest_age``: how long ago the oldest stored article was first seen)."""
    shown = dict(counts)
    for key in ("oldest", "newest"):
        value = shown.get(key)
        if value is None:
            continue
        shown[key] = datetime.fromtimestamp(value, timezone.utc).isoformat(timespec="seconds")
        shown[f"{key}_age"] = age(now - value)
    return shown


class Command(ScrapyCommand):
    requires_project = False
    requires_crawler_process = False
    default_settings: ClassVar[dict[str, Any]] = {"LOG_ENABLED": False}

    def syntax(self) -> str:
        return "stats|reset|prune [--path FILE] [--days N]"

    def short_desc(self) -> str:
        return "Show, prune or reset the crawl state (seen articles, hub validators)"

    def long_desc(self) -> str:
        return (
            "stats: counts and size of the state file (JSON; first-seen times as UTC dates "
            "and ages). reset: forget every article, "
            "cached hub and output offset, so that the next run crawls everything again. "
            "prune: forget articles first seen more than --days days ago "
            "(default NEWSCRAWLER_STATE_RETENTION_DAYS). The file is NEWSCRAWLER_STATE_PATH "
            "(resolved as the crawl does: a relative path against the project folder) unless "
            "--path is given. reset and prune take the state's lock: while a crawl runs on it "
            "they print one line and exit with status 75."
        )

    def add_options(self, parser: argparse.ArgumentParser) -> None:
        super().add_options(parser)
        parser.add_argument("--path", help="state file (default: NEWSCRAWLER_STATE_PATH)")
        parser.add_argument("--days", type=float, help="prune: retention in days")

    def run(self, args: list[str], opts: argparse.Namespace) -> None:
        if len(args) != 1 or args[0] not in ACTIONS:
            raise UsageError(f"expected one of: {', '.join(ACTIONS)}")
        assert self.settings is not None
        path = resolve_state_path(opts.path or self.settings.get("NEWSCRAWLER_STATE_PATH"))
        if args[0] != "reset" and not path.exists():
            print(json.dumps({"path": str(path), "exists": False}))
            return
        # stats only reads (SQLite isolates it from a running crawl); reset and prune write
        lock = StateLock(path) if args[0] != "stats" else None
        try:
            if lock is not None:
                lock.acquire()
        except StateLocked as exc:
            print(f"Error: {exc}", file=sys.stderr)
            self.exitcode = 75
            return
        store = SQLiteStateStore(path)
        try:
            if args[0] == "reset":
                before = store.counts().articles
                store.reset()
                print(f"Reset {path}: forgot {before} articles")
            elif args[0] == "prune":
                days = (
                    opts.days
                    if opts.days is not None
                    else self.settings.getfloat("NEWSCRAWLER_STATE_RETENTION_DAYS")
                )
                if days <= 0:
                    raise UsageError("retention must be more than 0 days")
                removed = store.prune(time.time() - days * 86400)
                print(f"Pruned {removed} articles first seen more than {days:g} days ago")
            else:
                counts = readable_counts(asdict(store.counts()), time.time())
                print(json.dumps({"path": str(path), "exists": True, **counts}, indent=1))
        finally:
            store.close()
            if lock is not None:
                lock.release()
