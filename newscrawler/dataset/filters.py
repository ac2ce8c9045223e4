"""Record filters of ``scrapy export``: publication dates, sites, languages, length, duplicates."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def parse_day(value: str) -> str:
    """``YYYY-MM-DD`` checked (the filters compare dates as strings)."""
    if not _DATE.match(value):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}")
    return value


@dataclass
class RecordFilter:
    """Keep the records that match every given criterion; count why the others were left out.

    ``since``/``until`` (inclusive) compare the calendar date of ``published`` as the page gave
    it (in its own UTC offset); records without a publication date are left out when either is
    set. ``sites`` match ``site`` exactly or as a parent domain (``example.org`` keeps
    ``news.example.org``).
    """

    since: str | None = None
    until: str | None = None
    sites: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    min_words: int = 0
    no_duplicates: bool = False
    dropped: Counter[str] = field(default_factory=Counter)

    def reason(self, record: dict[str, Any]) -> str | None:
        """Why ``record`` is left out, or None to keep it."""
        if self.since or self.until:
            day = (record.get("published") or "")[:10]
            if not day:
                return "no_date"
            if self.since and day < self.since:
                return "before_since"
            if self.until and day > self.until:
                return "after_until"
        if self.sites:
            site = record.get("site") or ""
            if not any(site == s or site.endswith("." + s) for s in self.sites):
                return "site"
        if self.languages and record.get("language") not in self.languages:
            return "language"
        if self.min_words and (record.get("word_count") or 0) < self.min_words:
            return "min_words"
        if self.no_duplicates and record.get("duplicate_of"):
            return "duplicate_of"
        return None

    def keep(self, record: dict[str, Any]) -> bool:
        reason = self.reason(record)
        if reason is None:
            return True
        self.dropped[reason] += 1
        return False
