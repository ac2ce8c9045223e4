"""The deployment recipes, each run for real against the loopback news site.

- Scrapyd: a real ``scrapyd`` on a free loopback port, the project deployed with
  ``scrapyd-deploy`` (the egg checked for every data file), ``news`` scheduled through
  ``schedule.json`` and followed through ``listjobs.json`` to its records and log.
- cron and systemd: the command lines of docs/recipes/ extracted and run as written, with only
  their documented placeholders replaced.
"""

from __future__ import annotations

import configparser
import json
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REPO, check_stderr, read_jsonl
from tests.site.routes import ARTICLES, news_site_routes
from tests.site.server import LoopbackSite

BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def package_data_files() -> list[str]:
    """Every file of the package that is not Python source (the data it needs at run time)."""
    return sorted(
        path.relative_to(REPO).as_posix()
        for path in (REPO / "newscrawler").rglob("*")
        if path.is_file() and "__pycache__" not in path.parts and path.suffix not in (".py", ".pyc")
    )


def project_copy(folder: Path) -> Path:
    """The files a checkout builds its egg from, copied to ``folder`` (the worktree stays clean:
    ``scrapyd-deploy`` leaves build/ and *.egg-info behind)."""
    project = folder / "project"
    project.mkdir()
    for name in ("scrapy.cfg", "pyproject.toml", "setup.py", "README.md"):
        shutil.copy(REPO / name, project / name)
    shutil.copytree(
        REPO / "newscrawler", project / "newscrawler", ignore=shutil.ignore_patterns("__pycache__")
    )
    return project


def get_json(url: str, **query: str) -> dict[str, Any]:
    with urllib.request.urlopen(f"{url}?{urllib.parse.urlencode(query)}", timeout=10) as answer:
        return dict(json.load(answer))


def post_json(url: str, fields: list[tuple[str, str]]) -> dict[str, Any]:
    data = urllib.parse.urlencode(fields).encode()
    with urllib.request.urlopen(url, data=data, timeout=30) as answer:
        return dict(json.load(answer))


@pytest.fixture
def scrapyd_server(tmp_path: Path) -> Iterator[str]:
    """A real Scrapyd on a free loopback port, everything it writes under ``tmp_path``."""
    pytest.importorskip("scrapyd", reason="Scrapyd is not installed (the dev extra has it)")
    pytest.importorskip("scrapyd_client", reason="scrapyd-client is not installed")
    folder = tmp_path / "scrapyd"
    folder.mkdir()
    port = free_port()
    (folder / "scrapyd.conf").write_text(
        "[scrapyd]\n"
        "bind_address = 127.0.0.1\n"
        f"http_port = {port}\n"
        f"eggs_dir = {folder / 'eggs'}\n"
        f"logs_dir = {folder / 'logs'}\n"
        f"items_dir = {folder / 'items'}\n"
        f"dbs_dir = {folder / 'dbs'}\n"
        "poll_interval = 0.2\n",
        encoding="utf-8",
    )
    # HOME in the folder too: Scrapyd also reads ~/.scrapyd.conf. No PYTHONPATH: the job runs
    # the code of the deployed egg.
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    env["HOME"] = str(folder)
    log = (folder / "scrapyd.log").open("wb")
    server = subprocess.Popen(
        [sys.executable, "-m", "scrapyd", "--pidfile="],
        cwd=folder,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                if get_json(url + "daemonstatus.json")["status"] == "ok":
                    break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                raise AssertionError((folder / "scrapyd.log").read_text("utf-8", "replace"))
            time.sleep(0.1)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


def test_scrapyd_deploy_builds_an_egg_that_runs_the_news_spider(
    tmp_path: Path, scrapyd_server: str
) -> None:
    url = scrapyd_server
    project = project_copy(tmp_path)
    # The checkout's scrapy.cfg with its [deploy] target pointed at this Scrapyd.
    config = configparser.ConfigParser()
    config.read(project / "scrapy.cfg", encoding="utf-8")
    assert config["deploy"]["project"] == "newscrawler"
    assert config["deploy"]["url"] == "http://localhost:6800/"  # Scrapyd's default address
    config["deploy"]["url"] = url
    with (project / "scrapy.cfg").open("w", encoding="utf-8") as fh:
        config.write(fh)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "SCRAPY_SETTINGS_MODULE")}
    scrapyd_deploy = str(BIN / "scrapyd-deploy")

    # The egg carries every data file of the package and names the settings module.
    egg = tmp_path / "newscrawler.egg"
    subprocess.run(
        [scrapyd_deploy, "--build-egg", str(egg)],
        cwd=project,
        env=env,
        check=True,
        capture_output=True,
    )
    with zipfile.ZipFile(egg) as archive:
        names = set(archive.namelist())
        entry_points = archive.read("EGG-INFO/entry_points.txt").decode()
    data_files = package_data_files()
    assert "newscrawler/schemas/article.schema.json" in data_files
    assert [name for name in data_files if name not in names] == []
    assert "[scrapy]\nsettings = newscrawler.settings" in entry_points
    assert not any(name.startswith(("tests/", "benchmarks/")) for name in names)
    # Activated as Scrapyd's runner does it, the egg's own code loads the schema from the egg.
    probe = (
        "import sys; from scrapyd.runner import activate_egg; activate_egg(sys.argv[1]); "
        "import newscrawler.schemas as s; print(s.__file__); print(len(s.article_schema()))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", probe, str(egg)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    assert loaded[0].startswith(str(egg)), loaded
    assert int(loaded[1]) > 0

    deployed = subprocess.run(
        [scrapyd_deploy, "--version", "r1"], cwd=project, env=env, capture_output=True, text=True
    )
    assert deployed.returncode == 0, deployed.stderr
    assert json.loads(deployed.stdout)["status"] == "ok"
    assert get_json(url + "listspiders.json", project="newscrawler")["spiders"] == ["news"]

    with LoopbackSite(news_site_routes()) as site:
        state = tmp_path / "state.sqlite3"
        stats = tmp_path / "stats.json"
        scheduled = post_json(
            url + "schedule.json",
            [
                ("project", "newscrawler"),
                ("spider", "news"),
                ("start_urls", site.url("/")),
                ("setting", f"NEWSCRAWLER_STATE_PATH={state}"),
                ("setting", f"NEWSCRAWLER_STATS_FILE={stats}"),
                ("setting", "AUTOTHROTTLE_ENABLED=0"),
                ("setting", "DOWNLOAD_DELAY=0"),
            ],
        )
        assert scheduled["status"] == "ok", scheduled
        job = scheduled["jobid"]
        finished = wait_for_job(url, job, timeout=120)

    log = (tmp_path / "scrapyd" / "logs" / "newscrawler" / "news" / f"{job}.log").read_text("utf-8")
    assert "'finish_reason': 'finished'" in log
    check_stderr(log)
    records = read_jsonl(tmp_path / "scrapyd" / "items" / "newscrawler" / "news" / f"{job}.jl")
    assert sorted(r["url"] for r in records) == sorted(site.url(p) for p in ARTICLES)
    assert json.loads(stats.read_text("utf-8"))["finish_reason"] == "finished"
    assert state.exists()
    assert finished["log_url"].endswith(f"{job}.log")


def wait_for_job(url: str, job: str, timeout: float) -> dict[str, Any]:
    """Poll ``listjobs.json`` until ``job`` is finished; its entry."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = get_json(url + "listjobs.json", project="newscrawler")
        for entry in jobs["finished"]:
            if entry["id"] == job:
                return dict(entry)
        time.sleep(0.5)
    raise AssertionError(f"job {job} not finished after {timeout} s: {jobs}")


# --- cron and systemd ---------------------------------------------------------------------------

RECIPES = REPO / "docs" / "recipes"
# The placeholders the recipes document, most specific first.
VENV_BIN = "/srv/newscrawler/venv/bin/"
PROJECT = "/srv/newscrawler"


def substituted(text: str, project: Path) -> str:
    """A recipe with its documented placeholders replaced: the virtualenv by this Python's, the
    project folder by ``project``."""
    return text.replace(VENV_BIN, f"{BIN}/").replace(PROJECT, str(project))


def cron_command(text: str) -> str:
    """The command of the one schedule line of a crontab (comments and VAR=value lines skipped)."""
    lines = [
        line
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#") and "=" not in line.split()[0]
    ]
    assert len(lines) == 1, lines
    fields = lines[0].split(None, 5)
    assert len(fields) == 6, lines[0]
    assert "%" not in fields[5]  # cron turns % into a newline
    return fields[5]


def unit_values(text: str, section: str) -> dict[str, list[str]]:
    """``KEY=value`` lines of one section of a systemd unit, by key (a key may repeat)."""
    values: dict[str, list[str]] = {}
    current = None
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith(("#", ";")):
            continue
        if line.startswith("["):
            current = line.strip("[]")
        elif current == section:
            key, _, value = line.partition("=")
            values.setdefault(key, []).append(value)
    return values


def recipe_project(tmp_path: Path, site: LoopbackSite) -> Path:
    """A project folder as the recipes expect it: a seeds file listing the loopback site."""
    project = tmp_path / "srv-newscrawler"
    project.mkdir()
    (project / "seeds.txt").write_text(f"# the test site\n{site.url('/')}\n", encoding="utf-8")
    return project


def assert_crawled(project: Path, site: LoopbackSite) -> None:
    records = [r for path in sorted((project / "data").glob("*.jsonl")) for r in read_jsonl(path)]
    assert sorted(r["url"] for r in records) == sorted(site.url(p) for p in ARTICLES)
    assert json.loads((project / "last-run.json").read_text("utf-8"))["finish_reason"] == "finished"
    assert (project / "state" / "state.sqlite3").exists()


def test_cron_recipe_runs_as_written_in_crons_environment(tmp_path: Path) -> None:
    text = (RECIPES / "newscrawler.cron").read_text("utf-8")
    assert "flock" not in cron_command(text)
    with LoopbackSite(news_site_routes()) as site:
        project = recipe_project(tmp_path, site)
        home = tmp_path / "home"
        home.mkdir()
        command = substituted(cron_command(text), project)
        # cron's environment: HOME, cron's default PATH, the current folder $HOME. PYTHONPATH
        # only makes this branch's code the code that runs, as in every crawl test.
        cron_env = ["env", "-i", f"HOME={home}", "PATH=/usr/bin:/bin", f"PYTHONPATH={REPO}"]
        proc = subprocess.run(
            [*cron_env, "/bin/sh", "-c", command],
            cwd=home,
            capture_output=True,
            text=True,
            timeout=180,
        )
    log = (project / "crawl.log").read_text("utf-8")
    # Nothing for cron to mail: the crawl exited 0.
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, "", ""), log[-3000:]
    check_stderr(log)
    assert_crawled(project, site)
    assert list(home.iterdir()) == []  # nothing written in $HOME


def test_systemd_service_runs_as_written(tmp_path: Path) -> None:
    text = (RECIPES / "newscrawler.service").read_text("utf-8")
    service = unit_values(text, "Service")
    assert service["Type"] == ["oneshot"]
    assert not any("flock" in line for line in service["ExecStart"])
    with LoopbackSite(news_site_routes()) as site:
        project = recipe_project(tmp_path, site)
        values = unit_values(substituted(text, project), "Service")
        (workdir,) = values["WorkingDirectory"]
        (exec_start,) = values["ExecStart"]
        env = {"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO)}
        for assignment in values.get("Environment", []):
            for pair in shlex.split(assignment):
                key, _, value = pair.partition("=")
                env[key] = value
        # systemd splits ExecStart= as a shell would (no shell features are used in it).
        proc = subprocess.run(
            shlex.split(exec_start),
            cwd=workdir,
            env=env,
            capture_output=True,
            text=True,
            timeout=180,
        )
    assert proc.returncode == 0, proc.stderr[-3000:]
    check_stderr(proc.stderr)
    assert_crawled(project, site)


def test_systemd_units_pass_systemd_analyze_verify(tmp_path: Path) -> None:
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze is not installed")
    project = tmp_path / "srv-newscrawler"
    project.mkdir()
    units = tmp_path / "units"
    units.mkdir()
    for name in ("newscrawler.service", "newscrawler.timer"):
        text = substituted((RECIPES / name).read_text("utf-8"), project)
        (units / name).write_text(text, encoding="utf-8")
    proc = subprocess.run(
        [
            analyze,
            "verify",
            "--man=no",
            str(units / "newscrawler.timer"),
            str(units / "newscrawler.service"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "newscrawler" not in proc.stderr, proc.stderr
