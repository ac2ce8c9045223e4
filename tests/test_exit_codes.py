"""Exit codes of ``scrapy crawl``, each from a real crawl of a loopback site.

0 healthy, 1 the crawl failed (no seed could be fetched; the output or the state cannot be
written, found before anything is fetched), 3 finished but unhealthy (docs/operations.md).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import crawl_env, log_records, run_crawl
from tests.site.routes import ARTICLES, news_site_routes
from tests.site.server import LoopbackSite, Route

FAST_RETRY = {"RETRY_TIMES": "1"}


def warnings(log: str) -> list[str]:
    return [r for r in log_records(log) if " WARNING: " in r]


def summary_line(log: str) -> str:
    lines = [r for r in log_records(log) if "[newscrawler.health.extension] INFO: Crawl " in r]
    assert len(lines) == 1, log[-3000:]
    return lines[0]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_healthy_crawl_exits_0_with_one_summary_line(tmp_path: Path) -> None:
    with LoopbackSite(news_site_routes()) as site:
        result = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}")
    assert result.returncode == 0, result.log[-3000:]
    assert result.stats["newscrawler/health/verdict"] == "healthy"
    assert not [k for k in result.stats if k.startswith("newscrawler/health/") and k.count("/") > 2]
    line = summary_line(result.log)
    assert "Crawl healthy (exit code 0):" in line
    assert f"{len(ARTICLES)} new articles" in line
    assert "known/duplicates" in line and "failures" in line and " s" in line
    # the summary is the crawl's last line
    assert log_records(result.log)[-1] == line


def test_seed_refusing_connections_exits_1(tmp_path: Path) -> None:
    seed = f"http://127.0.0.1:{free_port()}/"
    result = run_crawl(tmp_path, "-a", f"start_urls={seed}", settings=FAST_RETRY)
    assert result.returncode == 1, result.log[-3000:]
    assert result.stats["newscrawler/health/verdict"] == "failed"
    failed = [r for r in log_records(result.log) if "Crawl failed: no seed could be fetched" in r]
    assert len(failed) == 1 and "ConnectionRefusedError)" in failed[0]
    assert "Crawl failed (exit code 1)" in summary_line(result.log)


@pytest.mark.parametrize("status", [500, 404])
def test_seed_answering_an_error_exits_1(tmp_path: Path, status: int) -> None:
    routes = news_site_routes()
    routes["/"] = Route(body="<html><body>down</body></html>", status=status)
    with LoopbackSite(routes) as site:
        result = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", settings=FAST_RETRY)
        fetched = site.paths()
    assert result.returncode == 1, result.log[-3000:]
    assert result.stats["newscrawler/health/verdict"] == "failed"
    assert f"no seed could be fetched (http_{status})" in result.log
    assert fetched.count("/") == (2 if status == 500 else 1)  # retried once on 500
    assert result.records == []


def crawl_command(workdir: Path, seed: str, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={seed}", *args]
    return subprocess.run(
        cmd, cwd=workdir, env=crawl_env(workdir), capture_output=True, text=True, timeout=120
    )


def test_unwritable_output_exits_1_before_any_request(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    with LoopbackSite(news_site_routes()) as site:
        proc = crawl_command(tmp_path, site.url("/"), "-o", "blocker/articles.jsonl")
        fetched = site.paths()
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert fetched == []
    errors = [line for line in proc.stderr.splitlines() if line.startswith("Error: ")]
    assert errors == [
        "Error: cannot write the output blocker/articles.jsonl: blocker is not a folder"
    ]
    assert "Traceback" not in proc.stderr


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into any folder")
def test_output_in_a_read_only_folder_exits_1(tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    with LoopbackSite(news_site_routes()) as site:
        proc = crawl_command(tmp_path, site.url("/"), "-o", "ro/articles.jsonl")
        fetched = site.paths()
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert fetched == []
    assert "Error: cannot write the output ro/articles.jsonl" in proc.stderr


def test_unwritable_state_exits_1_before_any_request(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file, not a folder")
    with LoopbackSite(news_site_routes()) as site:
        proc = crawl_command(
            tmp_path,
            site.url("/"),
            "-o",
            "articles.jsonl",
            "-s",
            "NEWSCRAWLER_STATE_PATH=blocker/state.sqlite3",
        )
        fetched = site.paths()
    assert proc.returncode == 1, proc.stderr[-3000:]
    assert fetched == []
    assert "Error: cannot open the crawl state blocker/state.sqlite3" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_console_script_gives_the_same_exit_code(tmp_path: Path) -> None:
    (tmp_path / "blocker").write_text("a file")
    seed = f"http://127.0.0.1:{free_port()}/"
    cmd = [sys.executable, "-m", "newscrawler.cli", "crawl", "news", "-a", f"start_urls={seed}"]
    proc = subprocess.run(
        [*cmd, "-o", "blocker/x.jsonl"],
        cwd=tmp_path,
        env=crawl_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]
    proc = subprocess.run(
        [*cmd, "-s", "RETRY_TIMES=0", "-o", "x.jsonl"],
        cwd=tmp_path,
        env=crawl_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1, proc.stderr[-3000:]


def test_site_losing_most_requests_exits_3_with_one_warning(tmp_path: Path) -> None:
    routes = news_site_routes()
    for path in ARTICLES:
        routes[path] = Route(body="<html><body>error</body></html>", status=500)
    with LoopbackSite(routes) as site:
        result = run_crawl(
            tmp_path,
            "-a",
            f"start_urls={site.url('/')}",
            settings={"RETRY_TIMES": "0", "NEWSCRAWLER_HEALTH_MIN_REQUESTS": "5"},
        )
    assert result.returncode == 3, result.log[-3000:]
    assert result.stats["newscrawler/health/verdict"] == "unhealthy"
    assert result.stats["newscrawler/health/error_ratio/127.0.0.1"] == 1
    health = [w for w in warnings(result.log) if "Unhealthy" in w]
    assert len(health) == 1
    assert "Unhealthy site 127.0.0.1 (error_ratio):" in health[0]
    assert "Crawl unhealthy (exit code 3)" in summary_line(result.log)


def test_run_cut_short_by_closespider_exits_3(tmp_path: Path) -> None:
    with LoopbackSite(news_site_routes()) as site:
        result = run_crawl(
            tmp_path,
            "-a",
            f"start_urls={site.url('/')}",
            settings={"CLOSESPIDER_ITEMCOUNT": "1", "CONCURRENT_REQUESTS": "1"},
        )
    assert result.returncode == 3, result.log[-3000:]
    assert result.stats["finish_reason"] == "closespider_itemcount"
    assert result.stats["newscrawler/health/cut_short/all"] == 1
    assert len([w for w in warnings(result.log) if "(cut_short)" in w]) == 1


def test_site_whose_robots_txt_disallows_us_exits_3(tmp_path: Path) -> None:
    routes = news_site_routes()
    routes["/robots.txt"] = Route(body="User-agent: *\nDisallow: /\n", content_type="text/plain")
    with LoopbackSite(routes) as site:
        result = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}")
        fetched = site.paths()
    assert result.returncode == 3, result.log[-3000:]
    assert "/" not in fetched
    assert result.stats["newscrawler/health/robots_denied/127.0.0.1"] == 1
    health = [w for w in warnings(result.log) if "Unhealthy" in w]
    assert len(health) == 1 and "(robots_denied)" in health[0]


@pytest.mark.parametrize(
    ("name", "folder", "expected"),
    [
        ("blocker/x.jsonl", False, "blocker is not a folder"),
        ("blocker/deeper/x.jsonl", False, "blocker is not a folder"),
        ("data/", True, None),
        ("new/sub/x.jsonl", False, None),
        ("out/%(time)s.jsonl", False, None),
    ],
)
def test_unwritable_names_the_reason(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, folder: bool, expected: str | None
) -> None:
    from newscrawler.storage.jsonl import unwritable

    monkeypatch.chdir(tmp_path)
    Path("blocker").write_text("a file")
    assert unwritable(Path(name), folder=folder) == expected
