"""Configuration and usage errors: one line on stderr naming the problem, exit status 2.

Each error is run as a user runs it (``scrapy crawl news ...`` and the ``newscrawler`` console
script) in a subprocess: no traceback, nothing crawled.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from newscrawler.discovery.sites import SitesConfigError
from newscrawler.errors import ConfigError
from tests.conftest import REPO, check_stderr, crawl_env

SEED = "http://127.0.0.1:9/"


def run(workdir: Path, *args: str, script: bool = False) -> subprocess.CompletedProcess[str]:
    entry = ["-m", "newscrawler.cli"] if script else ["-m", "scrapy"]
    proc = subprocess.run(
        [sys.executable, *entry, "crawl", "news", *args],
        cwd=workdir,
        env=crawl_env(workdir),
        capture_output=True,
        text=True,
        timeout=120,
    )
    check_stderr(proc.stderr)
    return proc


def assert_usage_error(proc: subprocess.CompletedProcess[str], message: str) -> None:
    assert proc.returncode == 2, proc.stderr[-2000:]
    lines = proc.stderr.strip().splitlines()
    assert lines == [lines[-1]], proc.stderr[-3000:]  # one line, nothing logged before it
    assert lines[-1].startswith("Error: ")
    assert message in lines[-1]


def test_a_bad_seed(tmp_path: Path) -> None:
    proc = run(tmp_path, "-a", "start_urls=ftp://example.org/")
    assert_usage_error(proc, "seed URL must be an absolute http(s) URL: 'ftp://example.org/'")


def test_a_missing_urls_file(tmp_path: Path) -> None:
    proc = run(tmp_path, "-a", f"urls_file={tmp_path / 'seeds.txt'}")
    assert_usage_error(proc, f"urls_file: cannot read {tmp_path / 'seeds.txt'}")


def test_a_malformed_sites_file(tmp_path: Path) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text("[sites.a]\nstart_urls = [", encoding="utf-8")
    proc = run(tmp_path, "-a", f"sites={sites}")
    assert_usage_error(proc, "sites.toml: not valid TOML")


def test_a_bad_since(tmp_path: Path) -> None:
    proc = run(tmp_path, "-a", f"start_urls={SEED}", "-a", "since=yesterday")
    assert_usage_error(proc, "since must be a date such as 2024-03-01 or an ISO datetime")


def test_a_bad_since_setting(tmp_path: Path) -> None:
    proc = run(tmp_path, "-a", f"start_urls={SEED}", "-s", "NEWSCRAWLER_SINCE=yesterday")
    assert_usage_error(proc, "since must be a date such as 2024-03-01")


def test_no_seeds(tmp_path: Path) -> None:
    assert_usage_error(run(tmp_path), "no seeds: pass -a start_urls=URL")


def test_a_mistyped_argument_names_the_valid_ones(tmp_path: Path) -> None:
    proc = run(tmp_path, "-a", f"start_urls={SEED}", "-a", "sice=2024-01-01")
    assert_usage_error(
        proc,
        "unknown spider argument 'sice' (did you mean 'since'?); "
        "the news spider takes: start_urls, urls_file, sites, since",
    )


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("-a", "sice=2024-01-01"), "unknown spider argument 'sice'"),
        (("-a", "start_urls=ftp://example.org/"), "seed URL must be an absolute http(s) URL"),
    ],
)
def test_the_console_script_says_the_same(
    tmp_path: Path, args: tuple[str, ...], message: str
) -> None:
    assert_usage_error(run(tmp_path, *args, script=True), message)


def test_an_unknown_spider_names_the_known_ones(tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "scrapy", "crawl", "newz", "-a", f"start_urls={SEED}"],
        cwd=tmp_path,
        env=crawl_env(tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert_usage_error(proc, "no spider named 'newz'; this project has: news")


def test_the_project_crawl_command_replaces_scrapys() -> None:
    from scrapy.cmdline import _get_commands_dict
    from scrapy.settings import Settings

    from newscrawler.commands.crawl import Command

    settings = Settings()
    settings.setmodule("newscrawler.settings")
    assert isinstance(_get_commands_dict(settings, inproject=True)["crawl"], Command)
    assert REPO.joinpath("newscrawler", "commands", "crawl.py").exists()


def test_configuration_errors_share_one_class() -> None:
    assert issubclass(SitesConfigError, ConfigError)
    assert issubclass(ConfigError, ValueError)
