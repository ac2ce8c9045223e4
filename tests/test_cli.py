"""The ``newscrawler`` console script: ``scrapy`` with the project's settings, under its name."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.conftest import crawl_env


def test_newscrawler_without_arguments_names_itself_in_its_usage(tmp_path: Path) -> None:
    env = crawl_env(tmp_path)
    env.pop("SCRAPY_SETTINGS_MODULE")  # the console script sets it
    proc = subprocess.run(
        [sys.executable, "-c", "from newscrawler.cli import main; main()"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert "newscrawler <command> [options] [args]" in proc.stdout
    assert 'Use "newscrawler <command> -h"' in proc.stdout
    assert "scrapy <command>" not in proc.stdout
    assert "export " in proc.stdout and "state " in proc.stdout  # the project's commands listed
