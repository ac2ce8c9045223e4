"""Where the crawl state lives: the project folder wherever the crawl starts, else
``$XDG_STATE_HOME`` (one rule for the crawl and ``scrapy state``)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from newscrawler.state.location import resolve_state_path
from tests.conftest import FAST, PROJECT_CFG, REPO, crawl_env
from tests.site.server import LoopbackSite
from tests.state_site import generated_site

SETTINGS = "from newscrawler.settings import *  # noqa: F403\n"


@pytest.fixture
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A user's project folder: scrapy.cfg and a settings module of its own."""
    folder = tmp_path_factory.mktemp("project")
    (folder / "scrapy.cfg").write_text(PROJECT_CFG.replace("newscrawler.settings", "newsproject"))
    (folder / "newsproject.py").write_text(SETTINGS)
    return folder


@pytest.fixture
def elsewhere(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder outside any project (cron's $HOME)."""
    return tmp_path_factory.mktemp("home")


def env_for(settings_module: str, *paths: Path, xdg: Path) -> dict[str, str]:
    env = crawl_env()
    env["SCRAPY_SETTINGS_MODULE"] = settings_module
    env["PYTHONPATH"] = os.pathsep.join([*map(str, paths), str(REPO)])
    env["XDG_STATE_HOME"] = str(xdg)
    return env


def crawl(
    cwd: Path, env: dict[str, str], url: str, *entry: str
) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, *(entry or ("-m", "scrapy")), "crawl", "news", "-a", f"start_urls={url}"]
    for key, value in FAST.items():
        cmd += ["-s", f"{key}={value}"]
    return subprocess.run(
        [*cmd, "-o", "articles.jsonl"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def state_lines(log: str) -> list[str]:
    return [
        line.split("INFO: ", 1)[1] for line in log.splitlines() if "INFO: Crawl state: " in line
    ]


@pytest.mark.parametrize("entry", [(), ("-m", "newscrawler.cli")], ids=["scrapy", "newscrawler"])
def test_a_crawl_started_elsewhere_uses_the_projects_state(
    project: Path, elsewhere: Path, entry: tuple[str, ...]
) -> None:
    xdg = elsewhere / "xdg"
    env = env_for("newsproject", project, xdg=xdg)
    with LoopbackSite(generated_site(sections=1, per_section=3)) as site:
        first = crawl(project, env, site.url("/"), *entry)  # from the project folder
        assert first.returncode == 0, first.stderr[-3000:]
        second = crawl(elsewhere, env, site.url("/"), *entry)  # cron: in $HOME, no cd
    assert second.returncode == 0, second.stderr[-3000:]
    state = project / ".newscrawler" / "state.sqlite3"
    assert state_lines(first.stderr) == [f"Crawl state: {state} (0 articles)"]
    assert state_lines(second.stderr) == [f"Crawl state: {state} (3 articles)"]  # logged once
    assert (elsewhere / "articles.jsonl").read_text() == ""  # every article known already
    assert not (elsewhere / ".newscrawler").exists() and not xdg.exists()
    # scrapy state reads the same file, from anywhere
    shown = subprocess.run(
        [sys.executable, "-m", "scrapy", "state", "stats"],
        cwd=elsewhere,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert shown.returncode == 0, shown.stderr
    assert f'"path": "{state}"' in shown.stdout and '"articles": 3' in shown.stdout


def test_outside_a_project_the_state_is_in_xdg_state_home(elsewhere: Path) -> None:
    modules = elsewhere / "modules"  # an installed settings module: no scrapy.cfg above it
    modules.mkdir()
    (modules / "plainsettings.py").write_text(SETTINGS)
    xdg = elsewhere / "xdg"
    env = env_for("plainsettings", modules, xdg=xdg)
    with LoopbackSite(generated_site(sections=1, per_section=2)) as site:
        result = crawl(elsewhere, env, site.url("/"))
    assert result.returncode == 0, result.stderr[-3000:]
    state = xdg / "newscrawler" / "state.sqlite3"
    assert state_lines(result.stderr) == [f"Crawl state: {state} (0 articles)"]
    assert state.exists() and not (elsewhere / ".newscrawler").exists()


def test_resolution_rule(project: Path, elsewhere: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SCRAPY_SETTINGS_MODULE", raising=False)
    monkeypatch.setenv("XDG_STATE_HOME", str(elsewhere / "xdg"))
    monkeypatch.chdir(project / ".")
    (project / "sub").mkdir()
    monkeypatch.chdir(project / "sub")  # below the project folder: still the project's
    assert resolve_state_path("") == project / ".newscrawler" / "state.sqlite3"
    assert resolve_state_path("db/state.sqlite3") == project / "db" / "state.sqlite3"
    assert resolve_state_path("/abs/state.sqlite3") == Path("/abs/state.sqlite3")
    monkeypatch.chdir(elsewhere)
    assert resolve_state_path("") == elsewhere / "xdg" / "newscrawler" / "state.sqlite3"
    assert resolve_state_path("db/state.sqlite3") == elsewhere / "db" / "state.sqlite3"
    assert resolve_state_path("~/s.sqlite3") == Path.home() / "s.sqlite3"
    monkeypatch.delenv("XDG_STATE_HOME")
    assert resolve_state_path("") == Path.home() / ".local/state/newscrawler/state.sqlite3"
