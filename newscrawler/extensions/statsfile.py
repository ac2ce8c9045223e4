"""Write the crawl's stats as JSON to a file, for schedulers and monitoring.

The file is written when the crawl starts (``"status": "running"``, the ``pid`` and the
``start_time``) and replaced at the end with every stat (``"status": "finished"``, or the
finish reason when the crawl did not finish: ``shutdown``, ``closespider_…``). Both writes go
through a temporary file and a rename, so a reader never sees half a file. A run killed
outright (``kill -9``) leaves ``"status": "running"`` with a PID that no longer exists, never
the previous run's result.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

# Counters a monitor reads: written as 0 when the run never counted one (no items, no errors).
COUNTERS = (
    "item_scraped_count",
    "item_dropped_count",
    "response_received_count",
    "downloader/request_count",
    "log_count/ERROR",
    "log_count/WARNING",
    "newscrawler/dedup/new",
)


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Replace ``path`` with ``data`` as JSON, atomically (temporary file, fsync, rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)
        fh.flush()
        os.fsync(fh.fileno())
    os.replace(tmp, path)


class StatsFile:
    """Write ``NEWSCRAWLER_STATS_FILE`` at start (running) and at close (every stat)."""

    def __init__(self, path: Path, stats: StatsCollector) -> None:
        self.path = path
        self.stats = stats
        self.pid = os.getpid()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("NEWSCRAWLER_STATS_FILE")
        if not path:
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_STATS_FILE is not set
        assert crawler.stats is not None
        ext = cls(Path(path), crawler.stats)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_opened(self) -> None:
        start = self.stats.get_value("start_time") or datetime.now(timezone.utc)
        write_json(
            self.path, {"status": "running", "pid": self.pid, "start_time": _jsonable(start)}
        )

    def spider_closed(self, reason: str) -> None:
        data = {k: _jsonable(v) for k, v in self.stats.get_stats().items()}
        data.setdefault("finish_reason", reason)
        for key in COUNTERS:
            data.setdefault(key, 0)
        finish = data["finish_reason"]
        data["status"] = "finished" if finish == "finished" else finish
        data["pid"] = self.pid
        write_json(self.path, data)
