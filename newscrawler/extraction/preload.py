"""Imported by the extraction pool's fork server: extraction loaded and warmed up once.

Imported with :data:`ROOT_VARIABLE` set (as :func:`~newscrawler.pipelines.extraction_pool.
start_fork_server` starts the server), this module runs
:func:`~newscrawler.extraction.warmup.warm_up` with the default options, which loads
trafilatura's, htmldate's and dateparser's tables and the language model in the fork server;
every worker forked from it then starts warm and shares that memory copy-on-write, instead of
loading its own copy for seconds. Imported without it, it does nothing.

The fork server must import the same copy of newscrawler as the crawler: the pool starts it with
that copy first on its path and names the copy's folder in :data:`ROOT_VARIABLE`. If the server
found another copy all the same (an old Python that puts the working directory first), the import
fails (the server goes on without it) and that copy is forgotten, so that the workers import the
crawler's own copy themselves.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

# The environment variable naming the folder that holds the crawler's copy of the package.
ROOT_VARIABLE = "NEWSCRAWLER_PRELOAD_ROOT"


def package_root() -> Path:
    """The folder holding this copy of the ``newscrawler`` package."""
    return Path(__file__).resolve().parent.parent.parent


def _preload(expected: str) -> None:
    if Path(expected).resolve() != package_root():
        for name in [n for n in sys.modules if n == "newscrawler" or n.startswith("newscrawler.")]:
            del sys.modules[name]
        raise ImportError(f"newscrawler found in {package_root()}, the crawler's is in {expected}")
    from newscrawler.extraction import ExtractionOptions, extract_article
    from newscrawler.extraction.warmup import warm_up

    warm_up(extract_article, ExtractionOptions())


if (_root := os.environ.get(ROOT_VARIABLE)) is not None:
    _preload(_root)
