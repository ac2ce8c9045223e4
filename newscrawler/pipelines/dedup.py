"""Drop duplicates, link near-duplicates and versions, against this run and all earlier runs.

Levels (each a setting, each counted as ``newscrawler/dedup/<verdict>``): canonical URL, exact
body fingerprint, near-duplicate (MinHash LSH). The decision logic is
:class:`newscrawler.dedup.decision.Deduplicator`; the persistent state is the crawler's
:class:`~newscrawler.state.crawlstate.CrawlState` extension. Runs last, so that an accepted
record only has the storage ahead of it.
"""

from __future__ import annotations

import logging
from typing import Any, NoReturn

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from newscrawler.dedup.config import dedup_config
from newscrawler.dedup.decision import Candidate, Deduplicator, Verdict, annotate
from newscrawler.dedup.index import MemoryIndex
from newscrawler.errors import ConfigError
from newscrawler.items import record_of
from newscrawler.pipelines.drops import Drop
from newscrawler.pipelines.extract import attached_fingerprints
from newscrawler.state.crawlstate import CrawlState

logger = logging.getLogger(__name__)

NEAR_ACTIONS = ("link", "drop")
VERSION_ACTIONS = ("emit", "skip")


class DuplicateArticle(Drop):
    """The same body was stored before (same canonical URL, or another URL)."""


class NearDuplicateDropped(Drop):
    """A near-duplicate of a stored article (``NEWSCRAWLER_DEDUP_NEAR_ACTION=drop``)."""


class VersionSkipped(Drop):
    """A changed article (``NEWSCRAWLER_DEDUP_VERSIONS=skip``)."""


class DedupPipeline:
    """Decide each article's verdict; drop, annotate or pass it on."""

    def __init__(
        self,
        state: CrawlState | None,
        dedup: Deduplicator,
        stats: StatsCollector,
        near_action: str,
        versions: str,
    ) -> None:
        self.state = state  # None: no crawl state, duplicates are found within this run only
        self.dedup = dedup
        self.stats = stats
        self.near_action = near_action
        self.versions = versions
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> DedupPipeline:
        s = crawler.settings
        if not s.getbool("NEWSCRAWLER_DEDUP_ENABLED"):
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_DEDUP_ENABLED
        near_action = s.get("NEWSCRAWLER_DEDUP_NEAR_ACTION")
        versions = s.get("NEWSCRAWLER_DEDUP_VERSIONS")
        if near_action not in NEAR_ACTIONS:
            raise ConfigError(f"NEWSCRAWLER_DEDUP_NEAR_ACTION must be one of {NEAR_ACTIONS}")
        if versions not in VERSION_ACTIONS:
            raise ConfigError(f"NEWSCRAWLER_DEDUP_VERSIONS must be one of {VERSION_ACTIONS}")
        assert crawler.stats is not None
        state = crawler.get_extension(CrawlState)
        dedup = state.dedup if state else Deduplicator(MemoryIndex(), dedup_config(s))
        return cls(state, dedup, crawler.stats, near_action, versions)

    def _remember_url(self, *urls: str) -> None:
        if self.state is not None:
            for url in urls:
                self.state.remember_url(url)

    def process_item(self, item: Any) -> Any:
        adapter = ItemAdapter(item)
        if "fingerprint" not in adapter.field_names() or not adapter.get("canonical_url"):
            return item  # not an article record
        # fingerprints computed with the extraction (in a worker): the body is not hashed here
        candidate = Candidate.from_record(record_of(item), attached_fingerprints(item))
        dedup = self.dedup
        decision = dedup.check(candidate)
        verdict = decision.verdict
        self.stats.inc_value(f"newscrawler/dedup/{verdict.value}")
        earlier = decision.of.canonical_url if decision.of else ""
        what = verdict.value.replace("_", "-")
        if decision.is_exact_duplicate:
            if verdict is Verdict.DUPLICATE_FINGERPRINT:
                self._remember_url(candidate.url, candidate.canonical_url)
            self._drop(DuplicateArticle, f"{candidate.url}: {what} of {earlier}")
        if verdict is Verdict.NEAR_DUPLICATE and self.near_action == "drop":
            self._remember_url(candidate.url, candidate.canonical_url)
            self._drop(
                NearDuplicateDropped,
                f"{candidate.url}: {what} of {earlier} (similarity {decision.score})",
            )
        if verdict is Verdict.VERSION and self.versions == "skip":
            self._drop(VersionSkipped, f"{candidate.url}: {what} of {earlier}")
        if verdict in (Verdict.NEAR_DUPLICATE, Verdict.VERSION):
            logger.log(
                self._level(verdict.value),
                "%s: %s of %s (similarity %s)",
                candidate.url,
                what,
                earlier,
                decision.score,
            )
            for key, value in annotate({}, decision).items():
                adapter[key] = value
        seen = dedup.remember(candidate, decision)
        if self.state is not None:
            if not self.state.claim(seen):
                # a distributed crawl: another worker stores this article (or its text) now
                self.state.index.pending.pop(seen.id)
                self.stats.inc_value("newscrawler/dedup/claimed_elsewhere")
                self._remember_url(candidate.url, candidate.canonical_url)
                self._drop(DuplicateArticle, f"{candidate.url}: stored by another worker")
            self.state.accept(item, seen)
        return item

    def _level(self, kind: str) -> int:
        """INFO for the first event of a kind, DEBUG for the others."""
        level = logging.DEBUG if kind in self._logged else logging.INFO
        self._logged.add(kind)
        return level

    def _drop(self, drop: type[Drop], message: str) -> NoReturn:
        """Drop the item: the first of each kind logged at INFO, then only Scrapy's DEBUG line."""
        level = self._level(drop.__name__)
        if level > logging.DEBUG:
            logger.log(level, "Dropped %s (further such drops are logged at DEBUG)", message)
        raise drop(message)
