"""Turn each :class:`Page` into an :class:`Article` by running extraction (in worker processes)."""

from __future__ import annotations

import logging
import os
from collections import Counter
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.settings import BaseSettings
from scrapy.statscollectors import StatsCollector
from scrapy.utils.conf import build_component_list
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.misc import load_object
from twisted.internet.defer import DeferredSemaphore

from newscrawler.dedup.config import DedupConfig
from newscrawler.dedup.config import fingerprint_config as dedup_fingerprint_config
from newscrawler.dedup.fingerprint import Fingerprints, fingerprints, record_id
from newscrawler.discovery.classify import PageSignals, Rejection, judge_extraction
from newscrawler.discovery.reading import PageReading, ReadingTask
from newscrawler.extraction import Extraction, ExtractionOptions, extract_article
from newscrawler.items import Article, Page, PageHints
from newscrawler.pipelines.drops import Rejected
from newscrawler.pipelines.extraction_pool import (
    ExtractFunction,
    ExtractionPool,
    ExtractResult,
    PageExtractor,
    run_inline,
    start_fork_server,
    start_method,
)
from newscrawler.urls import site_name

logger = logging.getLogger(__name__)

_ARTICLE_FIELDS = {f.name for f in dataclass_fields(Article)}


class ExtractionFailed(Rejected):
    """The page gave no article (no main text, too short, undecodable, extraction error).

    The pipeline logs the first pages of each reason and site itself; Scrapy's own ``Dropped:``
    line for every such page is DEBUG. :attr:`reason` is the extraction's reason
    (``too_short``, ``no_text``, ``timeout``...), counted per site by the health check.
    """


class NotAnArticle(Rejected):
    """Extraction found a text, but the page is no article (a product, a listing, a page with
    no article signal): :func:`~newscrawler.discovery.classify.judge_extraction`'s reason and
    evidence. Logged like :class:`ExtractionFailed`; not an extraction failure for the health
    check."""


# Reasons that are part of normal crawling (a short note, an empty page): the first pages of each
# reason and site are logged at INFO; of any other reason (time-out, crash, error) at WARNING.
EXPECTED_REASONS = frozenset({"too_short", "no_text", "empty"})


def options_from_settings(crawler: Crawler) -> ExtractionOptions:
    s = crawler.settings
    return ExtractionOptions(
        min_words=s.getint("NEWSCRAWLER_EXTRACTION_MIN_WORDS"),
        languages=s.getlist("NEWSCRAWLER_DEFAULT_LANGUAGES"),
        date_future_tolerance=s.getfloat("NEWSCRAWLER_DATE_FUTURE_TOLERANCE"),
        date_min_year=s.getint("NEWSCRAWLER_DATE_MIN_YEAR"),
    )


def options_for_page(options: ExtractionOptions, page: Page) -> ExtractionOptions:
    """The crawl's options with the page's per-site selectors (from the sites file) on top."""
    return options_for_hints(options, page.hints)


def options_for_hints(options: ExtractionOptions, hints: PageHints) -> ExtractionOptions:
    """The crawl's options with the per-site selectors of ``hints`` on top."""
    if not hints.selectors:
        return options
    return replace(options, selectors={**options.selectors, **hints.selectors})


def article_from_extraction(
    page: Page, result: Extraction, prints: Fingerprints | None = None
) -> Article:
    """Build the record from extracted fields and what the crawl knows about the page.

    The body's fingerprints come beside ``result`` when a :class:`PageExtractor` made it (they
    are computed here otherwise) and travel on with the record to the dedup pipeline.
    """
    assert result.fields is not None
    values: dict[str, Any] = {k: v for k, v in result.fields.items() if k in _ARTICLE_FIELDS}
    values["url"] = page.url
    canonical = values.get("canonical_url") or page.url
    values["canonical_url"] = canonical
    values["site"] = site_name(canonical)
    prints = prints or fingerprints(values["text"], DedupConfig(near=False))
    values["fingerprint"] = prints.fingerprint
    values["id"] = record_id(canonical, values["fingerprint"])
    values["word_count"] = len(values["text"].split())
    values["fetched_at"] = page.fetched_at
    article = Article(**values)
    attach_fingerprints(article, prints)
    return article


def fingerprint_config(crawler: Crawler) -> DedupConfig:
    """What the workers fingerprint: the body sha1, and the MinHash when near-dedup is on."""
    return dedup_fingerprint_config(crawler.settings)


_ATTRIBUTE = "_newscrawler_fingerprints"


def attach_fingerprints(item: Any, prints: Fingerprints) -> None:
    """Carry ``prints`` with ``item`` to the dedup pipeline, outside its fields (not exported)."""
    setattr(item, _ATTRIBUTE, prints)


def attached_fingerprints(item: Any) -> Fingerprints | None:
    """The fingerprints attached to ``item`` by the extraction pipeline, if any."""
    prints = getattr(item, _ATTRIBUTE, None)
    return prints if isinstance(prints, Fingerprints) else None


def usable_cores() -> int:
    """Cores this process may run on (its CPU affinity where the platform tells it)."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def extraction_workers(settings: BaseSettings) -> int:
    """The worker processes ``NEWSCRAWLER_EXTRACTION_WORKERS`` asks for (the usable cores when
    it is not set; 0 extracts in the crawl's own process)."""
    workers = settings.get("NEWSCRAWLER_EXTRACTION_WORKERS")
    return max(0, usable_cores() if workers in (None, "") else int(workers))


def start_extraction_early(settings: BaseSettings) -> bool:
    """Start the extraction pool's fork server now if a crawl with ``settings`` will extract in
    worker processes: it then loads and warms up extraction (seconds) while Scrapy starts,
    instead of after the spider opened, and the first pages wait less for it. Returns whether it
    started it."""
    if extraction_workers(settings) == 0 or start_method() != "forkserver":
        return False
    pipelines = build_component_list(settings.getwithbase("ITEM_PIPELINES"))
    if not any(_is_extraction(pipeline) for pipeline in pipelines):
        return False
    start_fork_server()
    return True


def _is_extraction(component: Any) -> bool:
    try:
        cls = load_object(component) if isinstance(component, str) else component
    except (ImportError, NameError, ValueError):  # Scrapy reports it when it builds the pipelines
        return False
    return isinstance(cls, type) and issubclass(cls, ExtractionPipeline)


class ExtractionPipeline:
    """Extract articles from pages; count and log the pages that give none.

    With ``NEWSCRAWLER_EXTRACTION_WORKERS`` > 0 extraction runs in an :class:`ExtractionPool`
    of worker processes and ``process_item`` awaits it without blocking the reactor; at most
    ``NEWSCRAWLER_EXTRACTION_MAX_PENDING`` pages are in flight, the others wait (and Scrapy's
    scraper slot, which counts their response bodies, stops the engine from fetching more).
    With 0 workers extraction runs inline, in the reactor thread. Either way the body's dedup
    fingerprints (sha1, MinHash signature) are computed with the extraction
    (:class:`PageExtractor`), so in the workers when there are any.
    """

    def __init__(
        self,
        stats: StatsCollector,
        options: ExtractionOptions,
        *,
        function: ExtractFunction = extract_article,
        workers: int = 0,
        timeout: float = 60.0,
        max_pending: int = 1,
        fingerprint: DedupConfig | None = None,
        log_first: int = 3,
    ) -> None:
        self.stats = stats
        self.options = options
        self.extractor = PageExtractor(function, fingerprint or DedupConfig(near=False))
        self.workers = workers
        self.max_pending = max(1, max_pending)
        self.log_first = max(0, log_first)
        self._logged: Counter[tuple[str, str]] = Counter()  # (reason, site) -> pages logged
        self._slots = DeferredSemaphore(self.max_pending)
        self._pending = 0
        self.pool: ExtractionPool | None = None
        if workers > 0:
            self.pool = ExtractionPool(
                workers,
                timeout,
                self.extractor,
                warmup_options=options,
                on_restart=lambda: self.stats.inc_value("newscrawler/extraction/pool_restarts"),
            )

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        assert crawler.stats is not None
        s = crawler.settings
        workers = extraction_workers(s)
        max_pending = s.get("NEWSCRAWLER_EXTRACTION_MAX_PENDING")
        max_pending = 4 * max(1, workers) if max_pending in (None, "") else int(max_pending)
        pipeline = cls(
            crawler.stats,
            options_from_settings(crawler),
            function=load_object(s.get("NEWSCRAWLER_EXTRACTION_FUNCTION")),
            workers=workers,
            timeout=s.getfloat("NEWSCRAWLER_EXTRACTION_TIMEOUT"),
            max_pending=max_pending,
            fingerprint=fingerprint_config(crawler),
            log_first=s.getint("NEWSCRAWLER_REJECTED_LOG_FIRST"),
        )
        # A backstop for stops that skip close_spider; close() is idempotent.
        crawler.signals.connect(pipeline.close_spider, signal=signals.engine_stopped)
        return pipeline

    def open_spider(self) -> None:
        self.stats.set_value("newscrawler/extraction/workers", self.workers)
        if self.pool is not None:
            self.pool.start()

    def close_spider(self) -> None:
        if self.pool is not None:
            self.pool.close()

    def options_for(self, page: Page) -> ExtractionOptions:
        """The extraction options for one page (per-site selectors on top)."""
        return options_for_page(self.options, page)

    @property
    def reads_at_once(self) -> bool:
        """Whether :meth:`read` starts on a page now: it runs inline, or a worker has warmed up.
        (While the workers warm up, the spider routes pages itself, so that discovery does not
        wait for them.)"""
        return self.pool is None or self.pool.warm

    async def read(
        self,
        body: bytes,
        declared_encoding: str | None,
        task: ReadingTask,
        hints: PageHints,
    ) -> PageReading | ExtractResult:
        """Read a page the spider fetched (routing, links, and extraction of an article
        candidate: :func:`~newscrawler.discovery.reading.read_page`) in a worker, or inline
        with no workers. At most ``max_pending`` pages are in flight, as for :meth:`process_item`.
        An :data:`ExtractResult` without fields says the page could not be read (unreadable
        bytes, a time-out, a crashed worker): the spider then routes it itself."""
        kwargs = {"hints": hints, "options": options_for_hints(self.options, hints)}
        await maybe_deferred_to_future(self._slots.acquire())
        self._pending += 1
        self.stats.max_value("newscrawler/extraction/max_pending", self._pending)
        try:
            if self.pool is None:
                result: Any = run_inline(
                    self.extractor.read, (body, declared_encoding, task), kwargs
                )
            else:
                deferred = self.pool.submit_reading(
                    task.url, body, declared_encoding, task, **kwargs
                )
                result = await maybe_deferred_to_future(deferred)
        finally:
            self._pending -= 1
            self._slots.release()
        if isinstance(result, Extraction):  # bytes that give no tree
            return result, None
        assert isinstance(result, PageReading | tuple)
        return result

    async def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        if item.extracted is not None:  # read in a worker with its routing
            extracted, item.extracted, item.body = item.extracted, None, b""
            if isinstance(extracted, PageReading):
                assert extracted.extraction is not None
                outcome = (extracted.extraction, extracted.fingerprints)
                return self.finish(item, outcome, judged=True, rejection=extracted.rejection)
            return self.finish(item, extracted)  # the worker's failure
        args = (item.body, item.url)
        kwargs = {
            "declared_encoding": item.declared_encoding,
            "hints": item.hints,
            "options": self.options_for(item),
        }
        await maybe_deferred_to_future(self._slots.acquire())
        self._pending += 1
        self.stats.max_value("newscrawler/extraction/max_pending", self._pending)
        try:
            if self.pool is None:
                result = run_inline(self.extractor, args, kwargs)
            else:
                item.body = b""  # the pool holds the bytes until the page is done
                result = await maybe_deferred_to_future(self.pool.submit(item.url, *args, **kwargs))
        finally:
            self._pending -= 1
            self._slots.release()
        item.body = b""
        return self.finish(item, result)

    def finish(
        self,
        page: Page,
        outcome: ExtractResult,
        *,
        judged: bool = False,
        rejection: Rejection | None = None,
    ) -> Article:
        """Count the extraction's events and build the record, or reject the page: the
        extraction found no article, or what it found is no article (:func:`judge_extraction`
        on the page's signals, when the spider read them; ``judged``: the worker that read the
        page judged it, with ``rejection`` as the verdict)."""
        result, prints = outcome
        for event in result.events:
            self.stats.inc_value(f"newscrawler/extraction/{event}")
        if result.fields is None:
            reason = result.reason or "unknown"
            self.stats.inc_value(f"newscrawler/extraction/failed/{reason}")
            detail = result.detail or ""
            self.count_rejected(page, reason, detail, expected=reason in EXPECTED_REASONS)
            raise ExtractionFailed(
                f"no article from {page.url}: {reason} ({detail})",
                reason,
                signals={**page.signals, "detail": detail},
            )
        if page.signals and not judged:
            rejection = judge_extraction(PageSignals.from_dict(page.signals), result.fields)
        if rejection is not None:
            self.count_rejected(page, rejection.reason, rejection.detail, expected=True)
            raise NotAnArticle(
                f"no article from {page.url}: {rejection.reason} ({rejection.detail})",
                rejection.reason,
                signals=rejection.signals,
            )
        self.stats.inc_value("newscrawler/extraction/articles")
        return article_from_extraction(page, result, prints)

    def count_rejected(self, page: Page, reason: str, detail: str, *, expected: bool) -> None:
        """Count a page that gives no record; log the first ``log_first`` of each reason and
        site at INFO (WARNING for an error-like reason), the others at DEBUG."""
        self.stats.inc_value(f"newscrawler/pages/rejected/{reason}")
        key = (reason, site_name(page.url))
        self._logged[key] += 1
        seen = self._logged[key]
        if seen > self.log_first:
            logger.debug("No article from %s: %s (%s)", page.url, reason, detail)
            return
        level = logging.INFO if expected else logging.WARNING
        more = " (further such pages of this site are logged at DEBUG)" * (seen == self.log_first)
        logger.log(level, "No article from %s: %s (%s)%s", page.url, reason, detail, more)
