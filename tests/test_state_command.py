"""``scrapy state stats``: first-seen times shown as dates and ages, not epoch seconds."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

from newscrawler.commands.state import age, readable_counts
from newscrawler.dedup.index import Seen
from newscrawler.state.store import SQLiteStateStore
from tests.conftest import crawl_env


def test_ages_are_words_to_two_units() -> None:
    assert age(0) == "0 s"
    assert age(40) == "40 s"
    assert age(12 * 60 + 5) == "12 min 5 s"
    assert age(3 * 86400 + 4 * 3600 + 59) == "3 d 4 h"
    assert age(-5) == "0 s"  # a clock that went back


def test_readable_counts_turn_epoch_seconds_into_utc_dates() -> None:
    now = 1_711_526_400.0  # 2024-03-27T08:00:00Z
    shown = readable_counts({"articles": 2, "oldest": now - 2 * 86400, "newest": now}, now)
    assert shown["oldest"] == "2024-03-25T08:00:00+00:00"
    assert shown["oldest_age"] == "2 d"
    assert shown["newest_age"] == "0 s"
    assert readable_counts({"oldest": None, "newest": None}, now) == {
        "oldest": None,
        "newest": None,
    }


def test_state_stats_command_prints_dates(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "state.sqlite3")
    first_seen = time.time() - 3 * 3600
    store.add(
        Seen("id1", "https://a.example/1", "f1", first_seen=first_seen, url="https://a.example/1"),
        None,
        [],
    )
    store.close()
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "state", "stats", "--path", "state.sqlite3"],
        cwd=tmp_path,
        env=crawl_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    shown = json.loads(proc.stdout)
    assert shown["articles"] == 1
    assert datetime.fromisoformat(shown["oldest"]).timestamp() == int(first_seen)
    assert shown["oldest_age"].startswith(("2 h", "3 h"))
