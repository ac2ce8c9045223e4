"""Extraction functions for tests, set with ``NEWSCRAWLER_EXTRACTION_FUNCTION``.

They behave like :func:`newscrawler.extraction.extract_article` except on pages whose URL holds a
marker, where they hang, kill their process or slow down, as hostile pages can make a real
extractor do.
"""

from __future__ import annotations

import os
import signal
import time
from typing import Any

from newscrawler.extraction import Extraction, extract_article


def faulty_extract(html: bytes | str, url: str, **kwargs: Any) -> Extraction:
    """Hang on ``hang-marker`` URLs; exit or get killed on ``crash-marker`` ones."""
    if "hang-marker" in url:
        time.sleep(3600)
    if "crash-marker-exit" in url:
        os._exit(3)
    if "crash-marker-kill" in url:
        os.kill(os.getpid(), signal.SIGKILL)
    return extract_article(html, url, **kwargs)


def slow_extract(html: bytes | str, url: str, **kwargs: Any) -> Extraction:
    """Take a quarter of a second a page, so that pages pile up before extraction."""
    time.sleep(0.25)
    return extract_article(html, url, **kwargs)
