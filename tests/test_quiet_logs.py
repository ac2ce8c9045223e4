"""What a crawl says on stderr: nothing about features that are simply off, one line for a
robots.txt that cannot be fetched."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import log_records, run_crawl


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound (so that no other process takes it
    during the test) but not listening."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        yield int(sock.getsockname()[1])


def test_refused_robots_txt_is_one_counted_line_and_features_off_are_silent(
    tmp_path: Path, refused_port: int
) -> None:
    seed = f"http://127.0.0.1:{refused_port}/"
    # run_crawl fails on any traceback in stderr; WARC, date window and stats file are off
    result = run_crawl(tmp_path, "-a", f"start_urls={seed}", settings={"RETRY_TIMES": "0"})
    # no seed could be fetched: the crawl failed (docs/operations.md#exit-codes)
    assert result.returncode == 1, result.log[-3000:]
    robots = [line for line in result.log.splitlines() if f"{seed}robots.txt" in line]
    warnings = [line for line in robots if "WARNING" in line]
    assert len(warnings) == 1, robots
    assert "robots.txt at" in warnings[0] and "could not be fetched" in warnings[0]
    assert result.stats["newscrawler/robots/fetch_failed"] == 1
    assert "Disabled " not in result.log
    assert "Error downloading" not in result.log


@pytest.mark.parametrize("retries", ["0", "1"])
def test_refused_robots_txt_is_one_warning_not_also_an_error(
    tmp_path: Path, refused_port: int, retries: str
) -> None:
    seed = f"http://127.0.0.1:{refused_port}/"
    result = run_crawl(tmp_path, "-a", f"start_urls={seed}", settings={"RETRY_TIMES": retries})
    assert result.returncode == 1, result.log[-3000:]  # the only seed could not be fetched
    records = [r for r in log_records(result.log) if f"{seed}robots.txt" in r]
    # the one line a user sees about the robots.txt: no "Gave up retrying" ERROR beside it
    shown = [r for r in records if " DEBUG: " not in r.split("\n", 1)[0]]
    assert len(shown) == 1, shown
    assert "] WARNING: robots.txt at" in shown[0] and "could not be fetched" in shown[0]
    assert "Gave up retrying" not in shown[0]
    # the seed itself is still reported (once) as a lost download
    assert [r for r in log_records(result.log) if f"ERROR: Gave up retrying <GET {seed}>" in r]
