"""The date window after extraction, and per-site selectors reaching extraction options."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawler.discovery.dates import is_before, parse_since
from newscrawler.extraction import ExtractionOptions
from newscrawler.items import Article, Page, PageHints
from newscrawler.pipelines.extract import options_for_page
from newscrawler.pipelines.window import DateWindowPipeline, OutsideDateWindow

# The window comes from the crawl scope (an extension).
SCOPE = {"EXTENSIONS": {"newscrawler.discovery.scope.CrawlScope": 0}}


def article(published: str | None) -> Article:
    return Article(
        id="x",
        url="https://n.example/a",
        canonical_url="https://n.example/a",
        site="n.example",
        title="t",
        text="text",
        published=published,
    )


def test_since_parsing() -> None:
    assert parse_since("2024-03-01") == datetime(2024, 3, 1, tzinfo=timezone.utc)
    assert parse_since("2024-03-01T12:00:00+03:00").hour == 12
    with pytest.raises(ValueError, match="since must be a date"):
        parse_since("last week")
    assert not is_before(None, parse_since("2024-03-01"))


def test_records_older_than_the_window_are_dropped_and_counted() -> None:
    crawler = get_crawler(settings_dict={**SCOPE, "NEWSCRAWLER_SINCE": "2024-03-01"})
    pipeline = build_from_crawler(DateWindowPipeline, crawler)
    assert pipeline.process_item(article("2024-03-01T00:00:00+00:00"))
    assert pipeline.process_item(article(None))
    with pytest.raises(OutsideDateWindow):
        pipeline.process_item(article("2024-02-29T23:59:00+00:00"))
    # Moscow midnight of March 1st is still February 29th in UTC
    with pytest.raises(OutsideDateWindow):
        pipeline.process_item(article("2024-03-01T00:30:00+03:00"))
    assert crawler.stats.get_value("newscrawler/window/dropped_after_fetch") == 2
    assert crawler.stats.get_value("newscrawler/window/undated_kept") == 1


def test_no_window_no_pipeline() -> None:
    with pytest.raises(NotConfigured):
        build_from_crawler(DateWindowPipeline, get_crawler(settings_dict=SCOPE))


def test_site_selectors_override_the_crawl_options() -> None:
    options = ExtractionOptions(selectors={"title": "h1", "body": "main"})
    page = Page(url="u", body=b"", hints=PageHints(selectors={"title": "h1.headline"}))
    merged = options_for_page(options, page)
    assert merged.selectors == {"title": "h1.headline", "body": "main"}
    assert options.selectors == {"title": "h1", "body": "main"}
    assert options_for_page(options, Page(url="u", body=b"")) is options
