"""Each kind of dropped item is logged at its level, with a message naming the dropped page.

Expected drops (no article on the page, a date before the window, a duplicate, a skipped
version) are DEBUG in Scrapy's ``Dropped:`` line; a record invalid against the schema is a
WARNING. Checked through the project's log formatter on the exceptions the pipelines raise for
real items, and in a real crawl.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import Crawler
from scrapy.exceptions import DropItem
from scrapy.utils.misc import build_from_crawler

import newscrawler.settings as project_settings
from newscrawler.extraction import Extraction
from newscrawler.items import Article, Page
from newscrawler.pipelines.dedup import (
    DedupPipeline,
    DuplicateArticle,
    NearDuplicateDropped,
    VersionSkipped,
)
from newscrawler.pipelines.extract import ExtractionFailed, ExtractionPipeline
from newscrawler.pipelines.validate import InvalidArticle, ValidationPipeline
from newscrawler.pipelines.window import DateWindowPipeline, OutsideDateWindow
from tests.conftest import news_crawler, run_crawl
from tests.site.server import LoopbackSite
from tests.test_fingerprints import OTHER, STORY, SYNDICATED, record
from tests.test_state_e2e import syndication_sites

KEPT = "https://a.example/2024/03/27/budget.html"


def crawler(**overrides: Any) -> Crawler:
    settings = {k: v for k, v in vars(project_settings).items() if k.isupper()}
    settings.update(NEWSCRAWLER_STATE_ENABLED=False, **overrides)
    return news_crawler(settings, start_urls="https://a.example/")


def article(url: str, text: str = STORY, **fields: Any) -> Article:
    rec = record(url, text)
    return Article(
        id=rec["id"], url=url, canonical_url=url, site="a.example", title="Budget", text=text,
        fingerprint=rec["fingerprint"], **fields,
    )  # fmt: skip


def dropped(crawler: Crawler, pipeline: Any, item: Any) -> tuple[DropItem, int, str]:
    """The drop ``pipeline`` raises for ``item``, with its level and message as Scrapy logs it."""
    with pytest.raises(DropItem) as info:
        pipeline.process_item(item)
    assert crawler.spider is not None
    entry = crawler.logformatter.dropped(item, info.value, None, crawler.spider)
    message = entry["msg"] % entry["args"]
    return info.value, entry["level"], message.splitlines()[0]


def test_page_without_article_is_dropped_at_debug_naming_the_page() -> None:
    c = crawler()
    pipeline = build_from_crawler(ExtractionPipeline, c)
    url = "https://a.example/2024/03/27/note.html"
    with pytest.raises(ExtractionFailed) as info:
        pipeline.finish(Page(url=url, body=b""), (Extraction(None, "too_short", "5 words"), None))
    assert c.spider is not None
    entry = c.logformatter.dropped(Page(url=url, body=b""), info.value, None, c.spider)
    assert entry["level"] == logging.DEBUG
    assert (entry["msg"] % entry["args"]).startswith(
        f"Dropped: no article from {url}: too_short (5 words)"
    )


def test_article_before_the_date_window_is_dropped_at_debug() -> None:
    c = crawler(NEWSCRAWLER_SINCE="2024-03-01")
    pipeline = build_from_crawler(DateWindowPipeline, c)
    old = article(KEPT, published="2024-02-01T10:00:00+00:00")
    exc, level, message = dropped(c, pipeline, old)
    assert isinstance(exc, OutsideDateWindow)
    assert level == logging.DEBUG
    assert message == f"Dropped: {KEPT} published 2024-02-01T10:00:00+00:00, before the window"


def test_duplicate_is_dropped_at_debug_naming_the_dropped_url_and_the_kept_one(
    caplog: pytest.LogCaptureFixture,
) -> None:
    c = crawler()
    pipeline = build_from_crawler(DedupPipeline, c)
    pipeline.process_item(article(KEPT))
    copy = "https://b.example/2024/03/27/copy.html"
    with caplog.at_level(logging.DEBUG, logger="newscrawler.pipelines.dedup"):
        exc, level, message = dropped(c, pipeline, article(copy))
        again = dropped(c, pipeline, article("https://c.example/copy.html"))
    assert isinstance(exc, DuplicateArticle)
    assert level == logging.DEBUG
    assert message == f"Dropped: {copy}: duplicate-fingerprint of {KEPT}"
    assert again[1] == logging.DEBUG
    # the pipeline says it once at INFO, naming both pages
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert infos == [
        f"Dropped {copy}: duplicate-fingerprint of {KEPT} (further such drops are logged at DEBUG)"
    ]


def test_near_duplicate_and_version_drops_are_debug() -> None:
    c = crawler(NEWSCRAWLER_DEDUP_NEAR_ACTION="drop", NEWSCRAWLER_DEDUP_VERSIONS="skip")
    pipeline = build_from_crawler(DedupPipeline, c)
    pipeline.process_item(article(KEPT))
    wire = "https://w.example/2024/03/27/wire.html"
    exc, level, message = dropped(c, pipeline, article(wire, SYNDICATED))
    assert isinstance(exc, NearDuplicateDropped)
    assert level == logging.DEBUG
    assert message.startswith(f"Dropped: {wire}: near-duplicate of {KEPT} (similarity 0.")
    exc, level, message = dropped(c, pipeline, article(KEPT, OTHER))
    assert isinstance(exc, VersionSkipped)
    assert level == logging.DEBUG
    assert message == f"Dropped: {KEPT}: version of {KEPT}"


def test_invalid_record_is_dropped_at_warning_with_the_schema_errors() -> None:
    c = crawler()
    pipeline = build_from_crawler(ValidationPipeline, c)
    bad = article(KEPT, language="not a language code")
    exc, level, message = dropped(c, pipeline, bad)
    assert isinstance(exc, InvalidArticle)
    assert level == logging.WARNING
    assert message.startswith(f"Dropped: invalid record for {KEPT}: ")
    assert "language" in message


def test_crawl_logs_expected_drops_below_warning(tmp_path: Path) -> None:
    routes_a, routes_b, _ = syndication_sites()
    settings = {"NEWSCRAWLER_DEDUP_NEAR_ACTION": "drop"}
    with LoopbackSite(routes_a) as site_a, LoopbackSite(routes_b) as site_b:
        seeds = f"{site_a.url('/')},{site_b.url('/')}"
        result = run_crawl(tmp_path, "-a", f"start_urls={seeds}", settings=settings)
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["item_dropped_count"] >= 2  # the mirror and the syndicated copy
    lines = result.log.splitlines()
    assert not [line for line in lines if "WARNING" in line and "Dropped" in line]
    assert not [line for line in lines if "WARNING: Dropped" in line or "] DEBUG" in line]
    kept = result.records[0]["url"]
    infos = [line for line in lines if "[newscrawler.pipelines.dedup] INFO: Dropped" in line]
    # one line per kind of drop (which kinds depends on which copy the crawl met first), naming
    # the dropped page and the kept one
    dedup_drops = ("DuplicateArticle", "NearDuplicateDropped", "VersionSkipped")
    kinds = [k for k in result.stats if k.rpartition("/")[2] in dedup_drops]
    assert len(infos) == len(kinds) >= 1, infos
    assert all(f"of {kept}" in line for line in infos)
    assert not any(f"Dropped {kept}" in line for line in infos)
