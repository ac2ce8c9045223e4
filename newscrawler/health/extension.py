"""The health check extension: per-site counts, the health rules at close, the run history.

When the spider closes (before the stats file is written: it runs first in ``EXTENSIONS``) it
applies the rules of :mod:`newscrawler.health.rules` to this run's counts and the run history
kept in the crawl state, logs one WARNING line per finding, sets the stats
``newscrawler/health/<rule>/<site>`` = 1 and ``newscrawler/health/verdict``, and adds the run to
the history. The last line of the crawl is one summary line with the verdict and exit status.
"""

from __future__ import annotations

import logging
import time
from collections import defaultdict
from typing import Any

from itemadapter import ItemAdapter
from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.http import Response
from scrapy.statscollectors import StatsCollector

from newscrawler.health.rules import (
    VERDICT_EXIT_CODES,
    Finding,
    HealthConfig,
    SiteCounts,
    crawl_failed,
    run_findings,
    site_findings,
    verdict,
)
from newscrawler.pipelines.dedup import DuplicateArticle, NearDuplicateDropped, VersionSkipped
from newscrawler.pipelines.extract import EXPECTED_REASONS, ExtractionFailed
from newscrawler.state.crawlstate import CrawlState
from newscrawler.state.middlewares import KnownArticle
from newscrawler.state.store import RunRecord
from newscrawler.urls import site_name

logger = logging.getLogger(__name__)

ROBOTS_FORBIDDEN = "Forbidden by robots.txt"  # Scrapy's RobotsTxtMiddleware's IgnoreRequest
_DUPLICATES = (DuplicateArticle, NearDuplicateDropped, VersionSkipped)


def health_config(crawler: Crawler) -> HealthConfig:
    s = crawler.settings
    return HealthConfig(
        min_requests=s.getint("NEWSCRAWLER_HEALTH_MIN_REQUESTS"),
        error_ratio=s.getfloat("NEWSCRAWLER_HEALTH_ERROR_RATIO"),
        extraction_error_ratio=s.getfloat("NEWSCRAWLER_HEALTH_EXTRACTION_ERROR_RATIO"),
        site_runs=s.getint("NEWSCRAWLER_HEALTH_SITE_RUNS"),
        robots_denied_ratio=s.getfloat("NEWSCRAWLER_HEALTH_ROBOTS_DENIED_RATIO"),
        cut_short=s.getbool("NEWSCRAWLER_HEALTH_CUT_SHORT"),
    )


class HealthCheck:
    """Count per site during the crawl; judge the run and record it when the spider closes."""

    def __init__(self, crawler: Crawler, config: HealthConfig, stats: StatsCollector) -> None:
        self.crawler = crawler
        self.config = config
        self.stats = stats
        self.sites: defaultdict[str, SiteCounts] = defaultdict(SiteCounts)
        self.started = time.time()
        self.summary: tuple[Any, ...] | None = None

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> HealthCheck:
        if not crawler.settings.getbool("NEWSCRAWLER_HEALTH_ENABLED"):
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_HEALTH_ENABLED is off
        assert crawler.stats is not None
        ext = cls(crawler, health_config(crawler), crawler.stats)
        crawler.signals.connect(ext.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(ext.item_scraped, signal=signals.item_scraped)
        crawler.signals.connect(ext.item_dropped, signal=signals.item_dropped)
        crawler.signals.connect(ext.item_error, signal=signals.item_error)
        crawler.signals.connect(ext.spider_closed, signal=signals.spider_closed)
        crawler.signals.connect(ext.engine_stopped, signal=signals.engine_stopped)
        return ext

    def site(self, url: str) -> SiteCounts:
        return self.sites[site_name(url)]

    # --- downloads (from SiteCountsMiddleware) ------------------------------------------------
    def requested(self, url: str) -> None:
        self.site(url).requests += 1

    def answered(self, url: str, status: int, *, seed: bool) -> None:
        counts = self.site(url)
        if status < 400:
            counts.responses += 1
            counts.seeds_ok += seed
        else:
            counts.failures[f"http_{status}"] += 1
            counts.seeds_failed += seed

    def lost(self, url: str, reason: str, *, seed: bool) -> None:
        counts = self.site(url)
        counts.failures[reason] += 1
        counts.seeds_failed += seed

    def ignored(self, url: str, exception: Exception) -> None:
        if isinstance(exception, KnownArticle):
            self.site(url).known += 1
        elif str(exception) == ROBOTS_FORBIDDEN:
            self.site(url).robots_denied += 1

    # --- items --------------------------------------------------------------------------------
    def _item_site(self, item: Any, response: Response | None) -> SiteCounts | None:
        url = ItemAdapter(item).get("url") if ItemAdapter.is_item(item) else None
        if not isinstance(url, str):
            url = response.url if response is not None else None
        return self.site(url) if url else None

    def item_scraped(self, item: Any, response: Response | None = None) -> None:
        counts = self._item_site(item, response)
        if counts is not None:
            counts.pages += 1
            counts.articles += 1

    def item_dropped(
        self, item: Any, exception: BaseException, response: Response | None = None
    ) -> None:
        counts = self._item_site(item, response)
        if counts is None:
            return
        counts.pages += 1
        if isinstance(exception, _DUPLICATES):
            counts.duplicates += 1
        elif isinstance(exception, ExtractionFailed):
            counts.extraction_failures[exception.reason] += 1
            counts.extraction_errors += exception.reason not in EXPECTED_REASONS

    def item_error(self, item: Any, response: Response | None = None) -> None:
        counts = self._item_site(item, response)
        if counts is not None:
            counts.pages += 1
            counts.extraction_failures["error"] += 1
            counts.extraction_errors += 1

    # --- the end of the run -------------------------------------------------------------------
    def spider_opened(self) -> None:
        self.started = time.time()

    def spider_closed(self, reason: str) -> None:
        state = self.crawler.get_extension(CrawlState)
        past = state.store.runs(self.config.site_runs) if state is not None else []
        findings: list[Finding] = []
        for name in sorted(self.sites):
            findings.extend(site_findings(name, self.sites[name], past, self.config))
        findings.extend(run_findings(reason, self.config))
        failed = crawl_failed(self.sites)
        result = verdict(failed, findings)
        if failed:
            reasons = sorted({r for c in self.sites.values() for r in c.failures})
            logger.error(
                "Crawl failed: no seed could be fetched (%s)", ", ".join(reasons) or "no answer"
            )
        for finding in findings:
            self.stats.set_value(f"newscrawler/health/{finding.rule}/{finding.site}", 1)
            logger.warning(
                "Unhealthy site %s (%s): %s", finding.site, finding.rule, finding.message
            )
        code = VERDICT_EXIT_CODES[result]
        self.stats.set_value("newscrawler/health/verdict", result)
        self.stats.set_value("newscrawler/health/exit_code", code)
        duration = time.time() - self.started
        if state is not None:
            state.store.add_run(
                RunRecord(
                    started=self.started,
                    duration=duration,
                    finish_reason=reason,
                    verdict=result,
                    sites=tuple(c.history(name) for name, c in sorted(self.sites.items())),
                )
            )
        sites = self.sites.values()
        self.summary = (
            result,
            code,
            sum(c.responses for c in sites),
            sum(c.articles for c in sites),
            sum(c.known + c.duplicates for c in sites),
            sum(sum(c.failures.values()) for c in sites),
            duration,
        )

    def engine_stopped(self) -> None:
        """The crawl's last line: one summary (after Scrapy's stats dump)."""
        if self.summary is None:
            return
        logger.info(
            "Crawl %s (exit code %d): %d pages, %d new articles, %d known/duplicates,"
            " %d failures, %.1f s",
            *self.summary,
        )
