"""Graceful stop: SIGTERM/SIGINT mid-crawl keeps every extracted article; a second breaks nothing.

A real ``scrapy crawl`` subprocess crawls a slow loopback site (each article takes a while to
serve) and is signalled once enough articles were fetched for the crawl to be mid-way. Articles
past the first ``SERVED_BEFORE_SIGNAL`` are held until the signal is sent, so that a crawl slowed
down by a busy machine cannot finish before it.
"""

from __future__ import annotations

import itertools
import json
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from newscrawler.pipelines.validate import schema_errors
from tests.conftest import check_stderr, crawl_env
from tests.site.fault_routes import article_page, send_head, write_quietly
from tests.site.server import LoopbackSite, Route

ARTICLES = 60
SERVE_SECONDS = 0.3
SERVED_BEFORE_SIGNAL = 20
# Set once the test has signalled the crawl: the held articles are served from then on.
signalled = threading.Event()
served = itertools.count()


def slow_article(req: BaseHTTPRequestHandler) -> None:
    if next(served) >= SERVED_BEFORE_SIGNAL:
        signalled.wait(timeout=60)
    time.sleep(SERVE_SECONDS)
    payload = article_page(f"Slow article {req.path}").encode()
    send_head(
        req, 200, {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(payload))}
    )
    write_quietly(req, payload)


@pytest.fixture
def slow_site() -> Iterator[LoopbackSite]:
    global served
    signalled.clear()
    served = itertools.count()
    routes = {
        f"/news/2024/05/{i % 28 + 1:02d}/slow-article-{i}.html": Route(handler=slow_article)
        for i in range(ARTICLES)
    }
    links = "".join(f'<a href="{path}">{path}</a>\n' for path in routes)
    routes["/"] = Route(body=f"<html><body>{links}</body></html>")
    with LoopbackSite(routes) as site:
        yield site


def crawl_and_signal(
    site: LoopbackSite, workdir: Path, signals: list[int], gap: float = 0.1
) -> tuple[int, str, bytes, dict[str, Any]]:
    """Start a crawl, send ``signals`` once it is mid-way; return what it left behind."""
    stats_file = workdir / "stats.json"
    cmd = [
        sys.executable, "-m", "scrapy", "crawl", "news",
        "-a", f"start_urls={site.url('/')}", "-O", "articles.jsonl",
        "-s", "AUTOTHROTTLE_ENABLED=0", "-s", "LOG_LEVEL=INFO", "-s", "CONCURRENT_REQUESTS=8",
        "-s", f"NEWSCRAWLER_STATS_FILE={stats_file}",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd, cwd=workdir, env=crawl_env(workdir), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    output = workdir / "articles.jsonl"
    deadline = time.monotonic() + 60
    # mid-way: a dozen articles requested, and the feed file opened by the first record exported
    while (len(site.paths()) < 14 or not output.exists()) and time.monotonic() < deadline:
        time.sleep(0.02)
    for signum in signals:
        proc.send_signal(signum)
        time.sleep(gap)
    signalled.set()
    _, err = proc.communicate(timeout=120)
    check_stderr(err.decode())
    stats = json.loads(stats_file.read_text("utf-8")) if stats_file.exists() else {}
    return proc.returncode, err.decode(), output.read_bytes() if output.exists() else b"", stats


def complete_records(data: bytes) -> list[dict[str, Any]]:
    """Every line of the JSONL as a record; fails on a broken (partial) line."""
    assert data == b"" or data.endswith(b"\n"), data[-200:]
    return [json.loads(line) for line in data.decode("utf-8").splitlines()]


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_signal_mid_crawl_stores_every_extracted_article(
    slow_site: LoopbackSite, tmp_path: Path, signum: int
) -> None:
    returncode, log, data, stats = crawl_and_signal(slow_site, tmp_path, [signum])
    assert returncode == 0, log[-3000:]
    assert f"Received {signal.Signals(signum).name}, shutting down gracefully" in log
    assert stats["finish_reason"] == "shutdown"
    assert stats["status"] == "shutdown"  # the stats file of the end, not the start's running
    records = complete_records(data)
    assert len(records) == stats["item_scraped_count"]  # every extracted article is stored
    assert 0 < len(records) < ARTICLES  # stopped mid-way
    assert len({r["url"] for r in records}) == len(records)
    for record in records:
        assert schema_errors(record) == []


def test_second_signal_leaves_no_broken_line(slow_site: LoopbackSite, tmp_path: Path) -> None:
    """SIGINT then SIGTERM (a scheduler escalating): forced stop, every exported record kept."""
    returncode, log, data, _ = crawl_and_signal(
        slow_site, tmp_path, [signal.SIGINT, signal.SIGTERM]
    )
    assert returncode == 0, log[-3000:]
    assert "forcing unclean shutdown" in log
    records = complete_records(data)
    flushed = re.search(r"Forced stop: flushed 1 open feed file\(s\) holding (\d+) records", log)
    assert flushed is not None, log[-3000:]
    assert len(records) >= int(flushed[1]) > 0  # every record exported before the stop
    for record in records:
        assert schema_errors(record) == []
