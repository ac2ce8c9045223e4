"""Extraction in worker processes: same records as inline, time limit, crashes, back-pressure."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, CrawlResult, crawl_env, run_crawl
from tests.site.routes import ARTICLES
from tests.site.server import LoopbackSite, Route

HOOKS = "tests.extraction_hooks"


def crawl(site: LoopbackSite, workdir: Path, seed: str = "/", **settings: Any) -> CrawlResult:
    workdir.mkdir(parents=True, exist_ok=True)
    return run_crawl(
        workdir,
        "-a",
        f"start_urls={site.url(seed)}",
        settings={key: str(value) for key, value in settings.items()},
    )


def by_url(result: CrawlResult) -> dict[str, dict[str, Any]]:
    return {r["url"]: {k: v for k, v in r.items() if k != "fetched_at"} for r in result.records}


def test_pool_and_inline_extraction_give_the_same_records(
    news_site: LoopbackSite, tmp_path: Path
) -> None:
    inline = crawl(news_site, tmp_path / "inline", NEWSCRAWLER_EXTRACTION_WORKERS=0)
    pooled = crawl(news_site, tmp_path / "pooled", NEWSCRAWLER_EXTRACTION_WORKERS=2)
    assert inline.returncode == 0, inline.log[-3000:]
    assert pooled.returncode == 0, pooled.log[-3000:]
    assert sorted(by_url(pooled)) == sorted(news_site.url(p) for p in ARTICLES)
    assert by_url(pooled) == by_url(inline)
    assert inline.stats["newscrawler/extraction/workers"] == 0
    assert pooled.stats["newscrawler/extraction/workers"] == 2
    assert "Extraction pool: 2 worker processes" in pooled.log


def test_page_that_hangs_extraction_is_abandoned_and_the_crawl_goes_on(
    news_site: LoopbackSite, tmp_path: Path
) -> None:
    marker = "/news/2024/03/28/hang-marker.html"
    news_site.routes[marker] = Route("en-bridge.html")
    result = crawl(
        news_site,
        tmp_path,
        # The only seed: its extraction starts before any other article is fetched, so the
        # others are extracted only if the stuck worker is replaced.
        marker,
        NEWSCRAWLER_EXTRACTION_WORKERS=1,
        NEWSCRAWLER_EXTRACTION_TIMEOUT=1,
        NEWSCRAWLER_EXTRACTION_FUNCTION=f"{HOOKS}.faulty_extract",
    )
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["newscrawler/extraction/failed/timeout"] == 1
    assert sorted(by_url(result)) == sorted(news_site.url(p) for p in ARTICLES)
    assert f"No article from {news_site.url(marker)}: timeout" in result.log
    assert "worker replaced" in result.log


@pytest.mark.parametrize("how", ["exit", "kill"])
def test_crashed_worker_is_replaced_and_the_crawl_goes_on(
    news_site: LoopbackSite, tmp_path: Path, how: str
) -> None:
    marker = f"/news/2024/03/28/crash-marker-{how}.html"
    news_site.routes[marker] = Route("en-council.html")
    result = crawl(
        news_site,
        tmp_path,
        marker,  # the only seed: the other articles come after the crash
        NEWSCRAWLER_EXTRACTION_WORKERS=1,
        NEWSCRAWLER_EXTRACTION_FUNCTION=f"{HOOKS}.faulty_extract",
    )
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["newscrawler/extraction/failed/worker_crashed"] == 1
    assert sorted(by_url(result)) == sorted(news_site.url(p) for p in ARTICLES)
    assert f"No article from {news_site.url(marker)}: worker_crashed" in result.log
    # A worker killed before pebble saw it take the page breaks the whole pebble pool: it is
    # then restarted ("newscrawler/extraction/pool_restarts") and its other pages sent again.


def test_pages_in_flight_never_exceed_the_bound(news_site: LoopbackSite, tmp_path: Path) -> None:
    result = crawl(
        news_site,
        tmp_path,
        NEWSCRAWLER_EXTRACTION_WORKERS=1,
        NEWSCRAWLER_EXTRACTION_MAX_PENDING=2,
        NEWSCRAWLER_EXTRACTION_FUNCTION=f"{HOOKS}.slow_extract",
    )
    assert result.returncode == 0, result.log[-3000:]
    # Seven articles arrive faster than one slow worker extracts them: the bound is reached,
    # never passed, and every article is still stored.
    assert result.stats["newscrawler/extraction/max_pending"] == 2
    assert sorted(by_url(result)) == sorted(news_site.url(p) for p in ARTICLES)


PRELOAD_PROBE = """
import sys
try:
    import newscrawler.extraction.preload
except ImportError as exc:
    print(exc, file=sys.stderr)
from htmldate.extractors import get_external_parser
print(get_external_parser.cache_info().currsize, "newscrawler" in sys.modules)
"""


def preload_in_fresh_process(root: str) -> str:
    """Import the fork server's preload module as the server does, told that the crawler's
    copy of newscrawler is in ``root``; what it left loaded."""
    env = crawl_env()
    env["NEWSCRAWLER_PRELOAD_ROOT"] = root
    proc = subprocess.run(
        [sys.executable, "-c", PRELOAD_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_fork_server_preload_warms_up_the_crawlers_own_copy() -> None:
    # htmldate's free-text parser (every dateparser locale) is loaded once, for the workers
    assert preload_in_fresh_process(str(REPO)) == "1 True"


def test_fork_server_preload_forgets_another_copy_of_the_package(tmp_path: Path) -> None:
    # the server found another copy than the crawler's: nothing of it stays for the workers
    assert preload_in_fresh_process(str(tmp_path)) == "0 False"


def test_preload_module_does_nothing_outside_the_fork_server() -> None:
    proc = subprocess.run(
        [sys.executable, "-c", PRELOAD_PROBE], env=crawl_env(), capture_output=True, text=True
    )
    assert proc.stdout.strip() == "0 True", proc.stderr


EARLY_START_PROBE = """
import multiprocessing.forkserver as fs, sys
from scrapy.settings import Settings
from newscrawler import settings as project
from newscrawler.pipelines.extract import start_extraction_early
settings = Settings()
settings.setmodule(project, priority="project")
for override in sys.argv[1:]:
    key, value = override.split("=", 1)
    settings.set(key, value, priority="cmdline")
started = start_extraction_early(settings)
print(started, fs._forkserver._forkserver_pid is not None)
"""


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ([], "True True"),
        (["NEWSCRAWLER_EXTRACTION_WORKERS=0"], "False False"),
        (["ITEM_PIPELINES={}"], "False False"),
    ],
)
def test_fork_server_starts_with_the_command_only_when_workers_will_extract(
    overrides: list[str], expected: str
) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", EARLY_START_PROBE, *overrides],
        env=crawl_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.stdout.strip() == expected, proc.stderr
