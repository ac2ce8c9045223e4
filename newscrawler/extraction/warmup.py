"""Warm-up of extraction in a new process: the first calls that load data and compile patterns.

The first call of trafilatura, htmldate and dateparser in a process (and dateparser's first call
in each language) loads data and compiles patterns; :func:`warm_up` pays that on tiny built-in
pages, so that the cost stays out of the first real pages and out of their time limit.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from newscrawler.extraction.result import ExtractionOptions
from newscrawler.items import PageHints

logger = logging.getLogger(__name__)

_WARMUP_TEXT = (
    "The city council met on Tuesday to discuss the budget for the coming year. "
    "Members debated spending on transport, schools and housing for several hours. "
    "The final vote is expected next week after a public consultation."
)
# Two tiny pages: one dated in its metadata, one only in its text (which sends htmldate and
# dateparser down their slower paths, whose first call builds tables once per process).
WARMUP_PAGES = (
    "<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>Warm-up</title>"
    "<meta property='article:published_time' content='2024-03-27T10:00:00+01:00'></head>"
    "<body><article><h1>Warm-up</h1><time datetime='2024-03-27'>27 March 2024</time>"
    f"<p>{_WARMUP_TEXT}</p><p>{_WARMUP_TEXT}</p></article></body></html>",
    "<!DOCTYPE html><html lang='{lang}'><head><meta charset='utf-8'><title>Warm-up</title>"
    f"</head><body><h1>Warm-up</h1><p>{_WARMUP_TEXT}</p><p>Published 27 March 2024</p>"
    f"<p>{_WARMUP_TEXT}</p></body></html>",
)


def warm_up(function: Callable[..., Any], options: ExtractionOptions) -> None:
    """Run ``function`` (an extraction function) once on each tiny page per language of
    ``options``, then load what htmldate's free-text search loads (:func:`warm_up_htmldate`)."""
    started = time.perf_counter()
    for lang in options.languages or ["en"]:
        for n, page in enumerate(WARMUP_PAGES):
            try:
                function(
                    page.format(lang=lang).encode(),
                    f"http://warm-up.invalid/{lang}/article-{n}.html",
                    declared_encoding="utf-8",
                    hints=PageHints(),
                    options=options,
                )
            except Exception:  # a failing warm-up must not keep the worker from starting
                logger.warning("Extraction warm-up failed for language %s", lang, exc_info=True)
    warm_up_htmldate()
    logger.debug("Extraction warmed up in %.2f s", time.perf_counter() - started)


def warm_up_htmldate() -> None:
    """Load what htmldate's free-text date search loads on its first call: every dateparser
    locale (2-5 s once a process). The warm-up pages do not reach that path, real pages do."""
    try:
        from htmldate.extractors import get_external_parser, month_words
    except ImportError:  # another htmldate layout: its first such page pays instead
        return
    month_words()
    get_external_parser().get_date_data("the third of March")
