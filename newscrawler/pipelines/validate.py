"""Validate every record against the shipped JSON Schema before it is stored."""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.statscollectors import StatsCollector

from newscrawler.dataset.validation import RecordValidator
from newscrawler.items import record_of
from newscrawler.pipelines.drops import Drop

logger = logging.getLogger(__name__)


class InvalidArticle(Drop):
    """The record does not match the article schema: logged at WARNING, every time."""

    level = "WARNING"


@lru_cache(maxsize=1)
def record_validator() -> RecordValidator:
    return RecordValidator()


def schema_errors(record: dict[str, Any]) -> list[str]:
    """Human-readable schema violations of ``record`` (empty when valid).

    A validator compiled from the schema clears valid records in microseconds; a record it
    refuses is checked by ``jsonschema``, whose messages are the ones reported.
    """
    return record_validator().errors(record)


class ValidationPipeline:
    """Drop (and count) records that do not match the schema."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        if not crawler.settings.getbool("NEWSCRAWLER_VALIDATE_SCHEMA"):
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_VALIDATE_SCHEMA is off
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        errors = schema_errors(record_of(item))
        if errors:
            self.stats.inc_value("newscrawler/validate/invalid")
            # Scrapy logs it (at WARNING, with the record): "Dropped: invalid record for ..."
            raise InvalidArticle(
                f"invalid record for {ItemAdapter(item).get('url')}: {'; '.join(errors)}"
            )
        self.stats.inc_value("newscrawler/validate/valid")
        return item
