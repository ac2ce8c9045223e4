"""The project's AutoThrottle: 304 answers lower the delay, robots.txt Crawl-delay is a floor, and
each host's delay is kept in the crawl state for the next run.

The crawls run AutoThrottle on (the project default; the other tests turn it off for speed)
against a loopback site, and assert on the stats, the log and the state file.
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest
from scrapy.core.downloader import Slot
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from newscrawler.extensions.throttle import AutoThrottle, bounded_crawl_delay, start_delay
from newscrawler.state.store import SCHEMA_VERSION, HostDelay, SQLiteStateStore
from tests.conftest import run_crawl
from tests.site.server import LoopbackSite, Route
from tests.state_site import generated_site

STATE = ".newscrawler/state.sqlite3"
HOST = "127.0.0.1"
THROTTLE = {"AUTOTHROTTLE_ENABLED": "1", "AUTOTHROTTLE_START_DELAY": "1.0"}
# fewer requests: no feed or sitemap probes
SMALL = {"NEWSCRAWLER_FEEDS_ENABLED": "0", "NEWSCRAWLER_SITEMAPS_ENABLED": "0"}


def robots(text: str) -> Route:
    return Route(body=text, content_type="text/plain")


# --- pure parts ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("declared", "cap", "expected"),
    [
        (None, 60.0, (None, False)),
        (2.0, 60.0, (2.0, False)),
        (0.0, 60.0, (None, False)),
        (-3.0, 60.0, (None, False)),
        (float("nan"), 60.0, (None, False)),
        (100000.0, 60.0, (60.0, True)),
        (float("inf"), 60.0, (60.0, True)),
        (5.0, 0.0, (None, False)),  # a cap of 0 ignores Crawl-delay
    ],
)
def test_crawl_delay_is_bounded(
    declared: float | None, cap: float, expected: tuple[float | None, bool]
) -> None:
    assert bounded_crawl_delay(declared, cap) == expected


def test_saved_delay_starts_within_the_bounds_and_above_the_crawl_delay() -> None:
    assert start_delay(HostDelay(0.2), 0.0, 30.0) == 0.2
    assert start_delay(HostDelay(0.0001), 0.5, 30.0) == 0.5  # DOWNLOAD_DELAY is the least
    assert start_delay(HostDelay(90.0), 0.0, 30.0) == 30.0  # AUTOTHROTTLE_MAX_DELAY the most
    assert start_delay(HostDelay(0.2, 2.0), 0.0, 30.0) == 2.0
    assert start_delay(HostDelay(0.2, 45.0), 0.0, 30.0) == 45.0  # Crawl-delay above the max


def adjusted(status: int, delay: float = 1.0, latency: float = 0.01) -> float:
    """The delay of a slot after one answer with ``status`` in ``latency`` seconds."""
    throttle = AutoThrottle.from_crawler(get_crawler(settings_dict={"AUTOTHROTTLE_ENABLED": True}))
    throttle.mindelay, throttle.maxdelay = 0.0, 30.0
    slot = Slot(4, delay, 0.0)
    throttle._adjust_delay(slot, latency, Response("http://127.0.0.1/", status=status))
    return slot.delay


def test_304_lowers_the_delay_as_200_does() -> None:
    assert adjusted(304) == adjusted(200) < 1.0


@pytest.mark.parametrize("status", [301, 302, 404, 500, 503])
def test_errors_and_redirects_do_not_lower_the_delay(status: int) -> None:
    assert adjusted(status) == 1.0
    assert adjusted(status, latency=4.0) > 1.0  # a slow one still raises it


def test_host_delays_round_trip_and_are_pruned(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite3")
    assert store.host_delay("a.example") is None
    store.put_host_delays({"a.example": HostDelay(0.25), "b.example": HostDelay(2.0, 2.0)})
    store.put_host_delays({"a.example": HostDelay(0.5)})  # replaced by a later run
    assert store.host_delay("a.example") == HostDelay(0.5)
    assert store.host_delay("b.example") == HostDelay(2.0, 2.0)
    assert store.counts().hosts == 2
    store.reset()  # content goes, politeness stays
    assert store.counts().hosts == 2
    store.prune(older_than=float("inf"))
    assert store.host_delay("a.example") is None
    store.close()


def test_state_of_schema_2_is_upgraded_with_host_delays(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    SQLiteStateStore(path).close()
    with sqlite3.connect(path) as db:  # a state file written before host delays were kept
        db.execute("DROP TABLE hosts")
        db.execute("UPDATE meta SET value='2' WHERE key='schema'")
        db.execute("INSERT INTO known_urls VALUES (?, ?)", (123, 1.0))
    store = SQLiteStateStore(path)
    store.put_host_delays({"a.example": HostDelay(1.5)})
    assert store.host_delay("a.example") == HostDelay(1.5)
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == (
            SCHEMA_VERSION,
        )
        assert db.execute("SELECT COUNT(*) FROM known_urls").fetchone() == (1,)


# --- crawls ------------------------------------------------------------------------------------


def test_rerun_answered_304_lowers_the_delay(tmp_path: Path) -> None:
    # saved delays off: the rerun starts at AUTOTHROTTLE_START_DELAY, only the 304s can lower it
    settings = {**THROTTLE, "NEWSCRAWLER_THROTTLE_SAVE_DELAYS": "0"}
    with LoopbackSite(generated_site(sections=2, per_section=4), validators=True) as site:
        seed = f"start_urls={site.url('/')}"
        first = run_crawl(tmp_path, "-a", seed, overwrite=False, settings=settings)
        assert first.returncode == 0, first.log[-3000:]
        assert len(first.records) == 8
        second = run_crawl(tmp_path, "-a", seed, overwrite=False, settings=settings)
    assert second.returncode == 0, second.log[-3000:]
    statuses = {
        k.rsplit("/", 1)[1]: v
        for k, v in second.stats.items()
        if k.startswith("downloader/response_status_count/")
    }
    assert statuses.get("304", 0) >= 4, statuses  # robots.txt, home, sections, feed
    assert "200" not in statuses, statuses
    assert second.stats["newscrawler/throttle/hosts"] == 1
    # Scrapy's AutoThrottle would end where it started (1.0): it lowers only on a 200
    assert second.stats["newscrawler/throttle/delay_max"] < 0.5
    assert "newscrawler/throttle/saved" not in second.stats


def test_crawl_delay_is_a_floor_saved_for_the_next_run(tmp_path: Path) -> None:
    routes = generated_site(sections=1, per_section=2)
    routes["/robots.txt"] = robots("User-agent: *\nCrawl-delay: 2\nAllow: /\n")
    settings = {**THROTTLE, **SMALL}
    with LoopbackSite(routes, validators=True) as site:
        seed = f"start_urls={site.url('/')}"
        first = run_crawl(tmp_path, "-a", seed, overwrite=False, settings=settings)
        assert first.returncode == 0, first.log[-3000:]
        assert len(first.records) == 2
        assert first.stats["newscrawler/throttle/crawl_delay"] == 1
        assert first.stats["newscrawler/throttle/delay_max"] >= 2.0
        assert f"robots.txt of {HOST} asks for a Crawl-delay of 2.0 s" in first.log
        assert first.stats["newscrawler/throttle/saved"] == 1
        store = SQLiteStateStore(tmp_path / STATE)
        saved = store.host_delay(HOST)
        store.close()
        assert saved is not None and saved.crawl_delay == 2.0 and saved.delay >= 2.0

        # the site drops its Crawl-delay: the next run still starts from the saved delay
        site.routes["/robots.txt"] = robots("User-agent: *\nAllow: /\n")
        second = run_crawl(
            tmp_path, "-a", seed, overwrite=False, settings={**settings, "LOG_LEVEL": "DEBUG"}
        )
    assert second.returncode == 0, second.log[-3000:]
    assert second.stats["newscrawler/throttle/restored"] == 1
    start = re.search(rf"Download delay of {re.escape(HOST)} starts at ([\d.]+) s", second.log)
    assert start is not None and float(start.group(1)) >= 2.0
    assert "newscrawler/throttle/crawl_delay" not in second.stats
    store = SQLiteStateStore(tmp_path / STATE)
    again = store.host_delay(HOST)
    store.close()
    assert again is not None and again.crawl_delay is None  # as robots.txt now says


def test_hostile_crawl_delay_for_our_agent_is_capped(tmp_path: Path) -> None:
    routes = generated_site(sections=1, per_section=2)
    routes["/robots.txt"] = robots(
        "User-agent: newscrawler\nCrawl-delay: 100000\n\nUser-agent: *\nCrawl-delay: 0.1\n"
    )
    settings = {
        **THROTTLE,
        **SMALL,
        "NEWSCRAWLER_THROTTLE_MAX_CRAWL_DELAY": "0.5",
        "NEWSCRAWLER_STATE_ENABLED": "0",  # works without the state; nothing is saved
    }
    with LoopbackSite(routes) as site:
        result = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", settings=settings)
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.records) == 2
    assert result.stats["newscrawler/throttle/crawl_delay_capped"] == 1
    assert result.stats["newscrawler/throttle/delay_max"] == pytest.approx(0.5)
    assert f"robots.txt of {HOST} asks for a Crawl-delay of 100000.0 s: 0.5 s used" in result.log
    assert "newscrawler/throttle/saved" not in result.stats
    assert not (tmp_path / STATE).exists()
