"""Incremental-run middlewares and the dedup pipeline on a real state file, without a crawl."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import HtmlResponse, Response
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

import newscrawler.settings as project_settings
from newscrawler.dedup.index import Seen
from newscrawler.discovery.meta import LASTMOD, ROUTE
from newscrawler.items import Article
from newscrawler.pipelines.dedup import DedupPipeline, DuplicateArticle
from newscrawler.state.middlewares import (
    ConditionalGetMiddleware,
    KnownArticleMiddleware,
    changed_since,
    crawl_state,
)
from newscrawler.state.store import CachedPage
from tests.test_fingerprints import STORY, SYNDICATED, record

URL = "https://a.example/2024/03/27/budget.html"


def crawler_for(tmp_path: Path, **overrides: Any) -> Any:
    settings = {k: v for k, v in vars(project_settings).items() if k.isupper()}
    settings.update(NEWSCRAWLER_STATE_PATH=str(tmp_path / "state.sqlite3"), **overrides)
    return get_crawler(settings_dict=settings)


def article(url: str, text: str) -> Article:
    rec = record(url, text)
    return Article(
        id=rec["id"], url=url, canonical_url=url, site="a.example", title="t", text=text,
        fingerprint=rec["fingerprint"],
    )  # fmt: skip


def store_article(crawler: Any, url: str = URL, text: str = STORY) -> Article:
    pipeline = build_from_crawler(DedupPipeline, crawler)
    item = pipeline.process_item(article(url, text))
    crawl_state(crawler).commit([item.id])
    return item  # type: ignore[no-any-return]


def test_known_article_is_not_requested_again(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path)
    store_article(crawler)
    mw = build_from_crawler(KnownArticleMiddleware, crawler)
    with pytest.raises(IgnoreRequest):
        mw.process_request(Request(URL))
    mw.process_request(Request("https://a.example/2024/03/27/other.html"))
    mw.process_request(Request(URL, meta={ROUTE: "seed"}))
    assert crawler.stats.get_value("newscrawler/state/skipped_known") == 1


def test_known_article_updated_since_storage_is_requested(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path)
    store_article(crawler)
    mw = build_from_crawler(KnownArticleMiddleware, crawler)
    later = time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime(time.time() + 3600))
    mw.process_request(Request(URL, meta={LASTMOD: later}))
    with pytest.raises(IgnoreRequest):  # a publication date before storage changes nothing
        mw.process_request(Request(URL, meta={LASTMOD: "2024-03-27T08:00:00Z"}))
    assert crawler.stats.get_value("newscrawler/state/revisit/lastmod") == 1


def test_changed_since_compares_with_storage_time_and_modified() -> None:
    seen = Seen("i", URL, "f", modified="2030-01-01T00:00:00+00:00", first_seen=time.time())
    assert not changed_since("2029-06-01T00:00:00Z", seen)
    assert changed_since("2030-01-02", seen)
    assert not changed_since("not a date", seen)


def test_duplicate_found_by_pipeline_and_url_skipped_next_time(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path)
    store_article(crawler)
    pipeline = build_from_crawler(DedupPipeline, crawler)
    with pytest.raises(DuplicateArticle):
        pipeline.process_item(article("https://b.example/2024/03/27/copy.html", STORY))
    near = pipeline.process_item(article("https://c.example/2024/03/27/wire.html", SYNDICATED))
    assert near.duplicate_of == URL
    crawl_state(crawler).engine_stopped()  # flushes the duplicate's URL
    crawler2 = crawler_for(tmp_path)
    mw = build_from_crawler(KnownArticleMiddleware, crawler2)
    with pytest.raises(IgnoreRequest):
        mw.process_request(Request("https://b.example/2024/03/27/copy.html"))


def test_not_modified_hub_is_replayed_from_the_state(tmp_path: Path) -> None:
    crawler = crawler_for(tmp_path)
    ledger = crawl_state(crawler)
    hub = "https://a.example/news/"
    body = b"<html><body><a href='/2024/03/27/budget.html'>Budget</a></body></html>"
    ledger.store.put_pages([CachedPage(hub, '"v1"', "Wed, 27 Mar 2024 10:00:00 GMT",
                                      "text/html; charset=utf-8", body)])  # fmt: skip
    mw = build_from_crawler(ConditionalGetMiddleware, crawler)
    request = Request(hub)
    mw.process_request(request)
    assert request.headers[b"If-None-Match"] == b'"v1"'
    assert request.headers[b"If-Modified-Since"] == b"Wed, 27 Mar 2024 10:00:00 GMT"
    replayed = mw.process_response(request, Response(hub, status=304, request=request))
    assert isinstance(replayed, HtmlResponse)
    assert replayed.status == 200 and replayed.body == body
    assert "not_modified" in replayed.flags
    assert crawler.stats.get_value("newscrawler/state/not_modified") == 1


def test_hub_validators_are_kept_only_when_the_run_finishes(tmp_path: Path) -> None:
    page = "https://a.example/world/"
    for reason, kept in (("shutdown", False), ("finished", True)):
        crawler = crawler_for(tmp_path)
        ledger = crawl_state(crawler)
        mw = build_from_crawler(ConditionalGetMiddleware, crawler)
        request = Request(page)
        response = HtmlResponse(
            page,
            body=b"<html>hub</html>",
            headers={"ETag": '"w"', "Content-Type": "text/html"},
            request=request,
        )
        mw.process_response(request, response)
        ledger.spider_closed(reason)
        ledger.engine_stopped()
        crawler_after = crawler_for(tmp_path)
        assert (crawl_state(crawler_after).cached_page(page) is not None) is kept
        crawl_state(crawler_after).engine_stopped()  # closed: its lock released for the next
