"""Where the crawl state lives: one rule for the crawl and the ``scrapy state`` commands.

A relative ``NEWSCRAWLER_STATE_PATH`` is resolved against the project folder (the folder of
the ``scrapy.cfg`` closest above the current folder, else the one closest above the settings
module named by ``SCRAPY_SETTINGS_MODULE``), so that a cron line started in ``$HOME`` finds the
project's state. Empty (the default) means ``<project>/.newscrawler/state.sqlite3`` in a
project and ``$XDG_STATE_HOME/newscrawler/state.sqlite3`` (``~/.local/state/…``) outside one.
A relative path outside a project is relative to the current folder, as any command-line path.
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

from scrapy.settings import BaseSettings
from scrapy.utils.conf import closest_scrapy_cfg

PROJECT_STATE = Path(".newscrawler") / "state.sqlite3"


def project_dir() -> Path | None:
    """The folder of this run's ``scrapy.cfg``, or ``None`` outside a project."""
    cfg = closest_scrapy_cfg()
    if not cfg:
        module = os.environ.get("SCRAPY_SETTINGS_MODULE")
        origin = None
        if module:
            try:
                spec = importlib.util.find_spec(module)
            except (ImportError, ValueError):
                spec = None
            origin = spec.origin if spec is not None else None
        if origin:
            cfg = closest_scrapy_cfg(Path(origin).parent)
    return Path(cfg).resolve().parent if cfg else None


def user_state_dir() -> Path:
    """``$XDG_STATE_HOME/newscrawler`` (``~/.local/state/newscrawler`` when unset)."""
    base = os.environ.get("XDG_STATE_HOME") or ""
    root = Path(base) if Path(base).is_absolute() else Path.home() / ".local" / "state"
    return root / "newscrawler"


def resolve_state_path(configured: str | os.PathLike[str] | None) -> Path:
    """The absolute state file for a ``NEWSCRAWLER_STATE_PATH`` value (see the module doc)."""
    project = project_dir()
    text = str(configured or "")
    if not text:
        return project / PROJECT_STATE if project else user_state_dir() / "state.sqlite3"
    path = Path(text).expanduser()
    if path.is_absolute():
        return path
    return (project / path) if project else path.resolve()


def state_path(settings: BaseSettings) -> Path:
    """This run's state file (``NEWSCRAWLER_STATE_PATH`` resolved)."""
    return resolve_state_path(settings.get("NEWSCRAWLER_STATE_PATH"))


def shown(path: Path) -> str:
    """A path as a message shows it: relative to the current folder when under it."""
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)
