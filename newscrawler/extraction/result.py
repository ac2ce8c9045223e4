"""What extraction gives back: the fields of a record, or why there is none, and its events."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Extraction:
    """What extraction made of one page."""

    fields: dict[str, Any] | None
    reason: str | None = None  # why there is no record: "undecodable", "too_short", "error", ...
    detail: str | None = None  # human-readable detail for the log line
    events: list[str] = field(default_factory=list)  # stat suffixes, e.g. "dates/future"


@dataclass
class ExtractionOptions:
    """Per-crawl (and per-site) knobs passed to :func:`extract_article`."""

    min_words: int = 20
    languages: list[str] = field(default_factory=list)  # hints for language/date parsing
    timezone: str | None = None
    date_future_tolerance: float = 86400.0
    date_min_year: int = 1990
    selectors: dict[str, str] = field(default_factory=dict)  # per-site CSS/XPath overrides
