"""A test extension that reports what the crawl's main process loaded and computed.

Enabled with ``EXTENSIONS`` in a test crawl; at the end of the crawl it writes a JSON file (the
``PROCESS_PROBE_FILE`` setting) with the heavy modules present in ``sys.modules`` and whether
this process ever computed a MinHash (the permutations are cached on first use).
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

from scrapy import signals
from scrapy.crawler import Crawler

WATCHED = ("scipy", "datasketch", "redis")  # none is needed by a crawl on one machine


class ProcessProbe:
    def __init__(self, path: Path) -> None:
        self.path = path

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ProcessProbe:
        probe = cls(Path(crawler.settings["PROCESS_PROBE_FILE"]))
        crawler.signals.connect(probe.engine_stopped, signal=signals.engine_stopped)
        return probe

    def engine_stopped(self) -> None:
        from newscrawler.dedup.minhash import permutations

        report = {
            "pid": os.getpid(),
            "modules": sorted(name for name in sys.modules if name.split(".")[0] in WATCHED),
            "minhashes_computed": permutations.cache_info().misses,
        }
        self.path.write_text(json.dumps(report), encoding="utf-8")
