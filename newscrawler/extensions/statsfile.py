"""Write the crawl's final stats as JSON to a file, for schedulers and monitoring."""

from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


class StatsFile:
    """On close, write all stats to ``NEWSCRAWLER_STATS_FILE`` (atomically: temp file + rename)."""

    def __init__(self, path: Path, stats: StatsCollector) -> None:
        self.path = path
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> StatsFile:
        path = crawler.settings.get("NEWSCRAWLER_STATS_FILE")
        if not path:
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_STATS_FILE is not set
        assert crawler.stats is not None
        ext = cls(Path(path), crawler.stats)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        return ext

    def spider_closed(self, reason: str) -> None:
        data = {k: _jsonable(v) for k, v in self.stats.get_stats().items()}
        data.setdefault("finish_reason", reason)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.path.with_name(self.path.name + ".tmp")
        with tmp.open("w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False, indent=1, sort_keys=True)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.path)
