"""The fault suite: one crawl of a misbehaving site, one test per fault.

The site (``tests/site/fault_routes.py``) links every fault from its home page next to the
healthy articles of the basic site; two more seeds serve a robots.txt that is an HTML page and
one that answers 503. Each test reads what a user sees after that single crawl: the stat the
fault counts, the one log line naming the URL and the reason, and the records stored.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from tests.conftest import CrawlResult, run_crawl
from tests.site.fault_routes import (
    FAULT_CRAWL_SETTINGS,
    FAULTS,
    RETRY_AFTER_SECONDS,
    Fault,
    Flaky,
    article_page,
    build_faults,
    fault_robots_txt,
    fault_site_routes,
)
from tests.site.routes import ARTICLES
from tests.site.server import LoopbackSite, Route

LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
LOG_LINE = re.compile(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[(?P<logger>[^\]]+)\] (?P<level>[A-Z]+): ")

ROBOTS_HTML_ARTICLE = "/news/2024/04/10/robots-page-is-html.html"


@dataclass
class FaultCrawl:
    result: CrawlResult
    origin: str
    faults: dict[str, Fault]
    html_robots: LoopbackSite
    down_robots: LoopbackSite

    def lines(self, min_level: str = "DEBUG") -> list[str]:
        out = []
        for line in self.result.log.splitlines():
            m = LOG_LINE.match(line)
            if m and LEVELS.get(m["level"], 0) >= LEVELS[min_level]:
                out.append(line)
        return out

    def record(self, url: str) -> dict[str, object] | None:
        return next((r for r in self.result.records if r["url"] == url), None)


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaultCrawl]:
    faults = build_faults()
    html_robots_routes = {
        "/": Route(body=f'<html><body><a href="{ROBOTS_HTML_ARTICLE}">News</a></body></html>'),
        ROBOTS_HTML_ARTICLE: Route(body=article_page("Robots page is HTML")),
        "/robots.txt": Route(
            body="<!DOCTYPE html><html><body><p>User-agent: *</p><p>Disallow: /</p></body></html>"
        ),
    }
    down_robots_routes = {
        "/": Route(body=f'<html><body><a href="{ROBOTS_HTML_ARTICLE}">News</a></body></html>'),
        "/robots.txt": Route(body="<html><body>Service unavailable</body></html>", status=503),
    }
    workdir = tmp_path_factory.mktemp("faults")
    with (
        LoopbackSite(fault_site_routes(faults)) as site,
        LoopbackSite(html_robots_routes) as html_robots,
        LoopbackSite(down_robots_routes) as down_robots,
    ):
        site.routes["/robots.txt"] = fault_robots_txt(faults, site.origin)
        seeds = ",".join(s.url("/") for s in (site, html_robots, down_robots))
        result = run_crawl(workdir, "-a", f"start_urls={seeds}", settings=FAULT_CRAWL_SETTINGS)
        yield FaultCrawl(result, site.origin, {f.name: f for f in faults}, html_robots, down_robots)


def test_fault_crawl_finishes_cleanly(crawl: FaultCrawl) -> None:
    result = crawl.result
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["finish_reason"] == "finished"
    assert not [k for k in result.stats if k.startswith("spider_exceptions/")]
    assert "Traceback" not in "\n".join(crawl.lines("INFO"))
    assert not [line for line in crawl.lines("ERROR") if "Gave up retrying" not in line]


def test_every_healthy_article_is_stored(crawl: FaultCrawl) -> None:
    urls = {r["url"] for r in crawl.result.records}
    assert {crawl.origin + p for p in ARTICLES} <= urls


@pytest.mark.parametrize("name", [f.name for f in FAULTS])
def test_fault(crawl: FaultCrawl, name: str) -> None:
    fault = crawl.faults[name]
    url = crawl.origin + fault.path
    if fault.stat is not None:
        assert crawl.result.stats.get(fault.stat, 0) >= 1, fault.stat
    if fault.log is not None:
        pattern = re.compile(fault.log.format(url=re.escape(url), origin=re.escape(crawl.origin)))
        matching = [line for line in crawl.lines(fault.level) if pattern.search(line)]
        assert len(matching) == 1, (pattern.pattern, matching)
    if fault.stored is None:
        assert crawl.record(url) is None
        return
    record = crawl.record(crawl.origin + fault.stored)
    assert record is not None, f"no record for {fault.stored}"
    text = str(record["text"])
    assert "\ufffd" not in text
    if fault.text is not None:
        assert fault.text in text
    if fault.absent is not None:
        dates = [record[k] for k in ("published", "published_raw", "modified", "modified_raw")]
        assert not [d for d in dates if d and fault.absent in str(d)], dates
    if fault.undated:
        assert record["published"] is None  # the page has no valid date at all


def test_retry_after_is_waited_before_the_retry(crawl: FaultCrawl) -> None:
    handler = (
        crawl.faults["429 with Retry-After, then success"]
        .routes["/faults/2024/04/02/rate-limited.html"]
        .handler
    )
    assert isinstance(handler, Flaky)
    assert len(handler.times) == 2
    assert handler.times[1] - handler.times[0] >= RETRY_AFTER_SECONDS - 0.05


def test_retry_after_over_the_cap_is_not_retried(crawl: FaultCrawl) -> None:
    handler = (
        crawl.faults["429 with a Retry-After over the cap"]
        .routes["/faults/rate-limited-for-an-hour.html"]
        .handler
    )
    assert isinstance(handler, Flaky)
    assert len(handler.times) == 1


def test_redirected_article_is_stored_under_its_final_url(crawl: FaultCrawl) -> None:
    assert crawl.record(crawl.origin + "/faults/redirect/1") is None
    assert crawl.record(crawl.origin + "/faults/2024/04/03/moved-article.html") is not None


def test_robots_txt_served_as_html_applies_no_rules(crawl: FaultCrawl) -> None:
    assert crawl.result.stats["newscrawler/robots/html"] == 1
    robots_url = crawl.html_robots.url("/robots.txt")
    lines = [line for line in crawl.lines("INFO") if robots_url in line]
    assert len(lines) == 1 and "HTML page, not robots.txt rules" in lines[0], lines
    assert crawl.record(crawl.html_robots.url(ROBOTS_HTML_ARTICLE)) is not None


def test_robots_txt_server_error_disallows_the_site(crawl: FaultCrawl) -> None:
    assert crawl.result.stats["newscrawler/robots/unavailable"] == 1
    robots_url = crawl.down_robots.url("/robots.txt")
    lines = [line for line in crawl.lines("WARNING") if "treating the whole site" in line]
    assert len(lines) == 1 and robots_url in lines[0], lines
    assert set(crawl.down_robots.paths()) == {"/robots.txt"}


def test_bombs_are_not_decompressed_past_the_limit(crawl: FaultCrawl) -> None:
    assert crawl.result.stats["newscrawler/compression/max_size_exceeded"] == 3
    for line in crawl.lines("WARNING"):
        if "during decompression" in line:
            decompressed = int(re.search(r"(\d+) B decompressed so far", line)[1])  # type: ignore[index]
            assert decompressed < 9 * 1024 * 1024  # stopped just past DOWNLOAD_MAXSIZE


def test_fault_crawl_sees_every_fault(crawl: FaultCrawl) -> None:
    """The home page links every fault: none is missing from the crawl's request log."""
    log = crawl.result.log
    missing = [f.name for f in crawl.faults.values() if crawl.origin + f.path not in log]
    assert missing == []


def test_fault_table_paths_are_distinct() -> None:
    paths = [f.path for f in FAULTS]
    assert len(paths) == len(set(paths))
