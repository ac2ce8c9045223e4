"""What a crawl says on stderr: nothing about features that are simply off, one line for a
robots.txt that cannot be fetched."""

from __future__ import annotations

import socket
from pathlib import Path

from tests.conftest import run_crawl


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_refused_robots_txt_is_one_counted_line_and_features_off_are_silent(
    tmp_path: Path,
) -> None:
    seed = f"http://127.0.0.1:{closed_port()}/"
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
