"""Turn each :class:`Page` into an :class:`Article` by running extraction."""

from __future__ import annotations

import logging
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from typing import Any

from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.statscollectors import StatsCollector

from newscrawler.discovery.urls import site_name
from newscrawler.extraction import Extraction, ExtractionOptions, extract_article
from newscrawler.fingerprints import record_id, text_fingerprint
from newscrawler.items import Article, Page

logger = logging.getLogger(__name__)

_ARTICLE_FIELDS = {f.name for f in dataclass_fields(Article)}


class ExtractionFailed(DropItem):
    """The page gave no article (no main text, too short, undecodable, extraction error)."""


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
    if not page.hints.selectors:
        return options
    return replace(options, selectors={**options.selectors, **page.hints.selectors})


def article_from_extraction(page: Page, result: Extraction) -> Article:
    """Build the record from extracted fields and what the crawl knows about the page."""
    assert result.fields is not None
    values: dict[str, Any] = {k: v for k, v in result.fields.items() if k in _ARTICLE_FIELDS}
    values["url"] = page.url
    canonical = values.get("canonical_url") or page.url
    values["canonical_url"] = canonical
    values["site"] = site_name(canonical)
    values["fingerprint"] = text_fingerprint(values["text"])
    values["id"] = record_id(canonical, values["fingerprint"])
    values["word_count"] = len(values["text"].split())
    values["fetched_at"] = page.fetched_at
    return Article(**values)


class ExtractionPipeline:
    """Extract articles from pages; count and log the pages that give none."""

    def __init__(self, stats: StatsCollector, options: ExtractionOptions) -> None:
        self.stats = stats
        self.options = options
        self._logged_reasons: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ExtractionPipeline:
        assert crawler.stats is not None
        return cls(crawler.stats, options_from_settings(crawler))

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, Page):
            return item
        result = extract_article(
            item.body,
            item.url,
            declared_encoding=item.declared_encoding,
            hints=item.hints,
            options=options_for_page(self.options, item),
        )
        return self.finish(item, result)

    def finish(self, page: Page, result: Extraction) -> Article:
        """Count the extraction's events and build the record, or drop the page."""
        for event in result.events:
            self.stats.inc_value(f"newscrawler/extraction/{event}")
        if result.fields is None:
            reason = result.reason or "unknown"
            self.stats.inc_value(f"newscrawler/extraction/failed/{reason}")
            level = logging.WARNING if reason not in self._logged_reasons else logging.DEBUG
            self._logged_reasons.add(reason)
            logger.log(level, "No article from %s: %s (%s)", page.url, reason, result.detail)
            raise ExtractionFailed(f"{reason}: {result.detail}")
        self.stats.inc_value("newscrawler/extraction/articles")
        return article_from_extraction(page, result)
