"""Dates announced by feeds and sitemaps, and the date window (``since``)."""

from __future__ import annotations

from datetime import datetime, timezone


def parse_iso_date(value: str | None) -> datetime | None:
    """An ISO 8601 / W3C datetime (``2024-03-27``, ``2024-03-27T10:00:00+03:00``) as an aware
    datetime (UTC when it has no offset), or ``None`` if it is not one."""
    if not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        date = datetime.fromisoformat(text)
    except ValueError:
        return None
    return date if date.tzinfo else date.replace(tzinfo=timezone.utc)


def parse_since(value: str) -> datetime:
    """The start of the date window from ``-a since=`` / ``NEWSCRAWLER_SINCE``.

    Accepts a date (``2024-03-01``, midnight UTC) or an ISO datetime with or without offset.
    """
    date = parse_iso_date(value)
    if date is None:
        raise ValueError(f"since must be a date such as 2024-03-01 or an ISO datetime: {value!r}")
    return date


def is_before(date: datetime | None, since: datetime | None) -> bool:
    """True when both are known and ``date`` lies before the window start."""
    return date is not None and since is not None and date < since
