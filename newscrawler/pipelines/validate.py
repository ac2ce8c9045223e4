"""Validate every record against the shipped JSON Schema before it is stored."""

from __future__ import annotations

import json
import logging
from functools import lru_cache
from importlib import resources
from typing import Any

from itemadapter import ItemAdapter
from jsonschema import Draft202012Validator
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem, NotConfigured
from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class InvalidArticle(DropItem):
    """The record does not match the article schema."""


@lru_cache(maxsize=1)
def article_schema() -> dict[str, Any]:
    """The JSON Schema of a record, as shipped in the package."""
    text = resources.files("newscrawler.schemas").joinpath("article.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@lru_cache(maxsize=1)
def article_validator() -> Draft202012Validator:
    return Draft202012Validator(article_schema())


def schema_errors(record: dict[str, Any]) -> list[str]:
    """Human-readable schema violations of ``record`` (empty when valid)."""
    return [
        f"{'/'.join(str(p) for p in e.absolute_path) or '<record>'}: {e.message}"
        for e in article_validator().iter_errors(record)
    ]


class ValidationPipeline:
    """Drop (and count) records that do not match the schema."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> ValidationPipeline:
        if not crawler.settings.getbool("NEWSCRAWLER_VALIDATE_SCHEMA"):
            raise NotConfigured("NEWSCRAWLER_VALIDATE_SCHEMA is off")
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_item(self, item: Any) -> Any:
        errors = schema_errors(ItemAdapter(item).asdict())
        if errors:
            self.stats.inc_value("newscrawler/validate/invalid")
            logger.error(
                "Invalid record for %s: %s", ItemAdapter(item).get("url"), "; ".join(errors)
            )
            raise InvalidArticle("; ".join(errors))
        self.stats.inc_value("newscrawler/validate/valid")
        return item
