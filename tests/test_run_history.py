"""The run history in the crawl state, the site that stops giving articles, ``report --runs``."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

from newscrawler.health.rules import SITE_STOPPED, HealthConfig, SiteCounts, site_findings
from newscrawler.state.store import SCHEMA_VERSION, RunRecord, SiteRun, SQLiteStateStore
from tests.conftest import crawl_env, log_records, run_crawl
from tests.site.routes import ARTICLES, news_site_routes
from tests.site.server import LoopbackSite, Route

# An article page after a redesign: still announced as an article, its text now drawn by script.
CHANGED_LAYOUT = Route(
    body=(
        '<html><head><meta property="og:type" content="article"><title>Story</title></head>'
        '<body><div id="app"></div><script>render({"id": 1})</script></body></html>'
    )
)
# Known articles are fetched again, so that every run extracts them (as duplicates).
REFETCH = {"NEWSCRAWLER_REVISIT_ARTICLES": "True"}


def warnings(log: str) -> list[str]:
    return [r for r in log_records(log) if " WARNING: " in r]


def test_site_that_stops_giving_articles_in_the_third_run_is_unhealthy(tmp_path: Path) -> None:
    routes = news_site_routes()
    with LoopbackSite(routes) as site:
        seed = ("-a", f"start_urls={site.url('/')}")
        first = run_crawl(tmp_path, *seed, settings=REFETCH, overwrite=False)
        second = run_crawl(tmp_path, *seed, settings=REFETCH, overwrite=False)
        for path in ARTICLES:
            site.routes[path] = CHANGED_LAYOUT
        third = run_crawl(tmp_path, *seed, settings=REFETCH, overwrite=False)

    assert first.returncode == 0, first.log[-3000:]
    assert second.returncode == 0, second.log[-3000:]
    assert len(first.records) == len(ARTICLES)
    assert second.stats["newscrawler/health/verdict"] == "healthy"
    assert third.returncode == 3, third.log[-3000:]
    assert third.stats["newscrawler/health/verdict"] == "unhealthy"
    assert third.stats[f"newscrawler/health/{SITE_STOPPED}/127.0.0.1"] == 1
    naming = [w for w in warnings(third.log) if "127.0.0.1" in w]
    assert len(naming) == 1, naming
    assert "Unhealthy site 127.0.0.1 (site_stopped): no articles this run" in naming[0]

    store = SQLiteStateStore(tmp_path / ".newscrawler" / "state.sqlite3")
    runs = store.runs()
    store.close()
    assert [r.verdict for r in runs] == ["healthy", "healthy", "unhealthy"]
    assert all(r.finish_reason == "finished" and r.duration > 0 for r in runs)
    first_site, second_site, third_site = (r.site("127.0.0.1") for r in runs)
    assert first_site is not None and second_site is not None and third_site is not None
    assert (first_site.articles, first_site.duplicates) == (len(ARTICLES), 0)
    assert (second_site.articles, second_site.duplicates) == (0, len(ARTICLES))
    assert (third_site.articles, third_site.duplicates) == (0, 0)
    assert third_site.requests >= len(ARTICLES)
    # the articles gave no text; /about.html, extracted as every page that is not clearly a hub,
    # is a short page, not an error
    assert third_site.failures["extraction/no_text"] == len(ARTICLES)

    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "report", "--runs", "--chart", "runs.png"],
        cwd=tmp_path,
        env=crawl_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].endswith(": 3 runs")
    verdicts = [line.split()[5] for line in lines if line.split()[:1] and line.split()[0].isdigit()]
    assert verdicts == ["healthy", "healthy", "unhealthy"]
    site_row = next(line for line in lines if line.startswith("127.0.0.1"))
    assert site_row.split()[-3:] == [str(len(ARTICLES)), str(len(ARTICLES)), "0!"]
    assert (tmp_path / "runs.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_report_runs_without_a_state_is_a_usage_error(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "report", "--runs", "--state", "missing.sqlite3"],
        cwd=tmp_path,
        env=crawl_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert "no crawl state at missing.sqlite3" in proc.stderr


def test_run_history_round_trips_with_failures_by_reason(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "state.sqlite3")
    run = RunRecord(
        started=1_700_000_000.0,
        duration=12.5,
        finish_reason="finished",
        verdict="unhealthy",
        sites=(
            SiteRun("a.example", 10, 3, 1, 2, {"http_500": 2, "extraction/timeout": 1}),
            SiteRun("b.example", 4, 0, 0, 0, {}),
        ),
    )
    store.add_run(run)
    store.add_run(RunRecord(1_700_003_600.0, 3.0, "shutdown", "healthy"))
    assert store.runs() == [run, RunRecord(1_700_003_600.0, 3.0, "shutdown", "healthy")]
    assert store.runs(1)[0].finish_reason == "shutdown"
    assert run.sites[0].failed == 3
    store.close()


def test_state_of_schema_1_is_upgraded_and_keeps_its_articles(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    SQLiteStateStore(path).close()
    with sqlite3.connect(path) as db:  # a state file written before the run history existed
        db.execute("DROP TABLE runs")
        db.execute("DROP TABLE site_runs")
        db.execute("UPDATE meta SET value='1' WHERE key='schema'")
        db.execute("INSERT INTO known_urls VALUES (?, ?)", (123, 1.0))  # something to keep
    store = SQLiteStateStore(path)
    assert store.runs() == []
    store.add_run(RunRecord(1.0, 1.0, "finished", "healthy"))
    assert len(store.runs()) == 1
    store.close()
    with sqlite3.connect(path) as db:
        assert db.execute("SELECT value FROM meta WHERE key='schema'").fetchone() == (
            SCHEMA_VERSION,
        )
        assert db.execute("SELECT COUNT(*) FROM known_urls").fetchone() == (1,)


def history(*articles: int) -> list[RunRecord]:
    return [
        RunRecord(float(n), 1.0, "finished", "healthy", (SiteRun("a.example", 5, a),))
        for n, a in enumerate(articles)
    ]


def test_site_stopped_needs_articles_in_each_of_the_last_runs() -> None:
    config = HealthConfig(site_runs=2)
    broken = SiteCounts(requests=8, pages=5)
    assert [f.rule for f in site_findings("a.example", broken, history(3, 4), config)] == [
        SITE_STOPPED
    ]
    assert list(site_findings("a.example", broken, history(3, 0), config)) == []
    assert list(site_findings("a.example", broken, history(4), config)) == []  # too few runs
    # a quiet site: hubs unchanged, nothing extracted, nothing failed
    quiet = SiteCounts(requests=3)
    assert list(site_findings("a.example", quiet, history(3, 4), config)) == []
    assert list(site_findings("a.example", broken, history(3, 4), HealthConfig(site_runs=0))) == []
