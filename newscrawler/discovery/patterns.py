"""URL shapes that crawler traps are made of: pagination, calendar archives, repeated segments."""

from __future__ import annotations

import re
from urllib.parse import parse_qsl, urlsplit

_PAGE_PARAMS = frozenset({"page", "p", "pg", "paged", "pagenum", "page_num", "pagina", "seite"})
_PAGE_PATH = re.compile(r"/(?:page|seite|pagina|stranitsa)/(\d+)/?$", re.I)
_DATE_PARAMS = frozenset({"date", "day", "month", "year", "d", "m", "y", "ym", "archive"})
_YEAR = re.compile(r"(?:19|20)\d{2}")
_MONTH_OR_DAY = re.compile(r"0?[1-9]|[12]\d|3[01]")
_ISO_DAY = re.compile(r"(?:19|20)\d{2}-[01]?\d(?:-[0-3]?\d)?")
_ID_PARAM = re.compile(r"id$", re.I)
_ARCHIVE_WORDS = frozenset({"archive", "archives", "calendar", "arkhiv", "archiv"})


def pagination_number(url: str) -> int | None:
    """The page number of a listing page (``?page=7``, ``/page/7/``), or ``None``."""
    parts = urlsplit(url)
    for name, value in parse_qsl(parts.query):
        if name.lower() in _PAGE_PARAMS and value.isdigit():
            return int(value)
    match = _PAGE_PATH.search(parts.path)
    return int(match.group(1)) if match else None


def is_archive_url(url: str) -> bool:
    """A calendar/archive listing: the path ends in date parts or the query selects a date.

    ``/archive/2024/03/``, ``/2024/03/27/``, ``/archive/2024-03-27``, ``/news?date=2024-03-27``
    are archives; ``/news/2024/03/27/some-story.html`` (an article under a dated path) is not.
    """
    parts = urlsplit(url)
    for name, value in parse_qsl(parts.query):
        if name.lower() in _DATE_PARAMS and (_YEAR.search(value) or value.isdigit()):
            return True
    segments = [s for s in parts.path.split("/") if s]
    if not segments:
        return False
    tail = segments[-1].lower()
    if _ISO_DAY.fullmatch(tail) or _YEAR.fullmatch(tail):
        return True
    if _MONTH_OR_DAY.fullmatch(tail) and len(segments) >= 2:
        before = segments[-2]
        if _YEAR.fullmatch(before):
            return True
        return len(segments) >= 3 and _YEAR.fullmatch(segments[-3]) is not None
    return tail in _ARCHIVE_WORDS and any(_YEAR.fullmatch(s) for s in segments)


def max_segment_repeats(url: str) -> int:
    """How often the most repeated path segment occurs (``/a/b/a/b/a`` -> 3).

    Date-like numeric segments (``/2024/03/03/``) are ignored: they repeat legitimately.
    """
    counts: dict[str, int] = {}
    for segment in urlsplit(url).path.split("/"):
        if segment and not segment.isdigit():
            counts[segment] = counts.get(segment, 0) + 1
    return max(counts.values(), default=0)


def has_numeric_id(url: str) -> bool:
    """The query has an id parameter with a numeric value (``?id=123``, ``?news_id=9``)."""
    return any(
        _ID_PARAM.search(name) and value.isdigit() for name, value in parse_qsl(urlsplit(url).query)
    )


def path_key(url: str) -> str:
    """The URL without its query: the thing query variants are variants of."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}{parts.path}"
