"""Dates: parse raw date strings in the page's language and keep only plausible ones.

Structured values (JSON-LD, meta tags, ``<time datetime>``) are ISO 8601 or RFC 2822 and are
parsed directly. Numeric dates (``03/27/2024``) are parsed here, with the day/month order taken
from the value when it is unambiguous and from the page's locale otherwise. Dates with month
names go through dateparser, restricted to the page's languages (one cached parser a language
set). A date that cannot exist, has an implausible year or lies in the future is dropped and
reported as an event, never guessed.

Where a page's candidates disagree, :func:`shown_over_declared` and :func:`saved_not_published`
say when the date a page shows beats the one it declares; :func:`in_page_offset` and
:func:`read_as_the_page` read the chosen date in the page's own offset and numeric order.
:func:`htmldate_date` is the last resort of a page that neither declares nor shows a date that
the other readers find: htmldate's search of the whole document (its own meta and JSON rules,
attributes, copyright and "updated" lines, free text), as a day.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from lxml import etree
from lxml.html import HtmlElement

from newscrawler.vocabulary import TIME_JOINERS, YEAR_SUFFIXES

# dateparser and htmldate are imported where they are used: the crawl's main process imports
# this module (for its names) but parses no page's dates, its extraction workers do.
if TYPE_CHECKING:
    from dateparser.date import DateDataParser
    from dateparser.languages.loader import LocaleDataLoader

# Events (stat suffixes under ``newscrawler/extraction/``).
EVENT_INVALID = "dates/invalid"  # date-shaped but impossible (31 February) or unparsable
EVENT_IMPLAUSIBLE_YEAR = "dates/implausible_year"  # 5-digit year, or before the site's era
EVENT_FUTURE = "dates/future"  # later than now + tolerance
EVENT_MODIFIED_BEFORE_PUBLISHED = "dates/modified_before_published"
EVENT_HTMLDATE_FAILED = "dates/htmldate_failed"  # htmldate raised on the page's markup

METHOD_HTMLDATE = "htmldate"
# Methods of the dates a page declares in its markup for machines (not shown to readers).
DECLARED_METHODS = frozenset({"jsonld", "meta", "microdata"})
# Methods of the dates a page shows to its readers.
SHOWN_METHODS = frozenset({"time_element", "visible"})
# A declared publication this close to the declared modification was written with it: it is
# the time the record was last saved, not the time the article appeared.
SAVED_TOGETHER = timedelta(minutes=1)
# Two instants this close are the same time written twice (in different offsets, say).
SAME_INSTANT = timedelta(minutes=1)
# The world's UTC offsets run from -12:00 to +14:00: the days an instant falls on somewhere.
_WESTMOST = timedelta(hours=-12)
_EASTMOST = timedelta(hours=14)

logger = logging.getLogger(__name__)

_UTC = timezone.utc
_MONTH_KEYS = (
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
)
# Languages whose numeric dates are written year first.
_YMD_LANGUAGES = frozenset({"zh", "ja", "ko", "hu", "lt", "mn"})
# English-speaking regions that write the month first.
_MDY_REGIONS = frozenset({"us", "ph", "fm", "mh", "pw"})

_ISO = re.compile(
    r"^\s*(?P<year>\d{4,})-(?P<month>\d{1,2})-(?P<day>\d{1,2})"
    r"(?:[T ](?P<time>\d{1,2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?)"
    r"\s*(?P<tz>Z|[+-]\d{2}(?::?\d{2})?)?)?\s*$",
    re.I,
)
_TIME = r"\d{1,2}[:h.]\d{2}(?:[:.]\d{2})?(?:\s*[ap]\.?\s?m\.?)?"
_TZ = r"(?:\s*(?:Z|UTC|GMT|[+-]\d{2}:?\d{2}|(?-i:[A-Z]{2,4}))(?!\w))?"
_SEP_TO_TIME = rf"(?:\s*(?:,|\||-|–|—|·|•)?\s*(?:{'|'.join(TIME_JOINERS)})?\s*)"
_NUMERIC = re.compile(
    r"(?<![\d./-])(?P<a>\d{1,2})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<year>\d{2,5})(?![\d])"
    rf"(?:{_SEP_TO_TIME}(?P<time>{_TIME}){_TZ})?",
    re.I,
)
_YMD_NUMERIC = re.compile(
    r"(?<![\d.])(?P<year>\d{4,5})(?P<sep>[./-])(?P<b>\d{1,2})(?P=sep)(?P<a>\d{1,2})(?![\d])"
    rf"(?:(?:T|{_SEP_TO_TIME})(?P<time>{_TIME}){_TZ})?",
    re.I,
)
_WORD = r"[^\W\d_]{2,}\.?"
_YEAR_TAIL = rf"(?:\s*(?:{'|'.join(YEAR_SUFFIXES)}))?"
# "27 марта 2024 07:51", "22. März 2024", "1er avril 2024 à 07h30", "5 de marzo de 2024"
_DAY_MONTH_YEAR = re.compile(
    rf"(?<![\w.])(?P<day>\d{{1,2}})(?:\.|er|st|nd|rd|th)?\s*(?:de\s+)?(?P<month>{_WORD})"
    rf",?\s*(?:de\s+)?(?P<year>\d{{4,5}})(?!\d){_YEAR_TAIL}"
    rf"(?:{_SEP_TO_TIME}(?P<time>{_TIME}){_TZ})?",
    re.I,
)
# "March 5, 2024 at 4:15 p.m. EST"
_MONTH_DAY_YEAR = re.compile(
    rf"(?<![\w])(?P<month>{_WORD})\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<year>\d{{4,5}})(?!\d)"
    rf"(?:{_SEP_TO_TIME}(?P<time>{_TIME}){_TZ})?",
    re.I,
)
_ISO_INLINE = re.compile(
    r"(?<![\d])\d{4,5}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?(?!\d)"
)
_HAS_TIME = re.compile(r"\d{1,2}[:h]\d{2}|T\d{2}", re.I)


@dataclass(frozen=True)
class DateContext:
    """How to read the dates of one page."""

    languages: tuple[str, ...] = ("en",)
    order: str = "DMY"  # numeric order when the value is ambiguous: DMY, MDY or YMD
    timezone: str | None = None  # IANA name used for dates written without an offset
    now: datetime = datetime(2000, 1, 1, tzinfo=_UTC)
    min_year: int = 1990
    future_tolerance: float = 86400.0


@dataclass(frozen=True)
class FoundDate:
    """A parsed, plausible date."""

    raw: str
    value: str  # ISO 8601: date only, or date and time with the offset when known
    method: str
    moment: datetime  # timezone-aware, for comparisons


class DateRejected(ValueError):
    """A date-shaped string that gives no plausible date; ``event`` says why."""

    def __init__(self, event: str, raw: str) -> None:
        super().__init__(f"{event}: {raw!r}")
        self.event = event


def date_order(language: str | None, region: str | None = None) -> str:
    """Numeric date order for a page in ``language`` (ISO 639-1) and ``region`` (ISO 3166)."""
    lang = (language or "").lower()
    reg = (region or "").lower()
    if lang == "en":
        if not reg or reg in _MDY_REGIONS:
            return "MDY"
        return "DMY"
    if lang in _YMD_LANGUAGES:
        return "YMD"
    return "DMY"


def parser_languages(languages: list[str] | tuple[str, ...]) -> tuple[str, ...]:
    """The languages dateparser knows, page language first, English always last."""
    out: list[str] = []
    for lang in [*languages, "en"]:
        code = lang.lower()
        if code in _supported() and code not in out:
            out.append(code)
    return tuple(out)


@lru_cache(maxsize=1)
def _supported() -> frozenset[str]:
    """The language codes dateparser knows."""
    from dateparser.data import language_order

    return frozenset(language_order)


def _locales() -> LocaleDataLoader:
    from dateparser.languages.loader import default_loader

    return default_loader


@lru_cache(maxsize=64)
def _date_parser(languages: tuple[str, ...], order: str) -> DateDataParser:
    from dateparser.date import DateDataParser

    settings = {
        "DATE_ORDER": order,
        "PREFER_DAY_OF_MONTH": "first",
        "REQUIRE_PARTS": ["day", "month", "year"],
        "PARSERS": ["absolute-time"],
    }
    return DateDataParser(languages=list(languages), settings=settings)


@lru_cache(maxsize=64)
def month_names(languages: tuple[str, ...]) -> frozenset[str]:
    """Lower-case month names and abbreviations (all grammatical cases) of ``languages``."""
    names: set[str] = set()
    for lang in languages:
        info = _locales().get_locale(lang).info
        for key in _MONTH_KEYS:
            names.update(str(n).lower().rstrip(".") for n in info.get(key, []))
    return frozenset(n for n in names if n)


@lru_cache(maxsize=64)
def _zone(name: str) -> tzinfo | None:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def _year(text: str, now: datetime) -> int:
    year = int(text)
    if len(text) == 2:
        year += 2000 if year <= (now.year % 100) + 1 else 1900
    return year


def _time_parts(text: str | None) -> tuple[int, int, int]:
    if not text:
        return 0, 0, 0
    match = re.match(r"(\d{1,2})[:h.](\d{2})(?:[:.](\d{2}))?\s*([ap])?", text, re.I)
    if not match:
        return 0, 0, 0
    hour, minute, second = int(match[1]), int(match[2]), int(match[3] or 0)
    if match[4]:
        if hour > 12:
            raise DateRejected(EVENT_INVALID, text)
        hour = hour % 12 + (12 if match[4].lower() == "p" else 0)
    return hour, minute, second


def _numeric(raw: str, ctx: DateContext) -> datetime | None:
    """``27.03.2024``, ``03/27/2024 11:24:02``, ``2024/03/27``; None when not numeric."""
    match = _YMD_NUMERIC.fullmatch(raw.strip()) or _NUMERIC.fullmatch(raw.strip())
    if match is None:
        return None
    if len(match["year"]) > 4:
        raise DateRejected(EVENT_IMPLAUSIBLE_YEAR, raw)
    a, b = int(match["a"]), int(match["b"])
    if match.re is _YMD_NUMERIC:
        month, day = b, a
    elif a > 12 >= b:
        day, month = a, b
    elif b > 12 >= a or ctx.order == "MDY":
        day, month = b, a
    else:
        day, month = a, b
    try:
        return datetime(_year(match["year"], ctx.now), month, day, *_time_parts(match["time"]))
    except ValueError:
        raise DateRejected(EVENT_INVALID, raw) from None


def _iso(raw: str) -> datetime | None:
    match = _ISO.match(raw)
    if match is None:
        return None
    if len(match["year"]) > 4:
        raise DateRejected(EVENT_IMPLAUSIBLE_YEAR, raw)
    text = f"{match['year']}-{int(match['month']):02d}-{int(match['day']):02d}"
    if match["time"]:
        clock = match["time"].replace(",", ".")
        hours, rest = clock.split(":", 1)
        clock = f"{int(hours):02d}:{rest}"
        if "." in clock:
            head, frac = clock.split(".", 1)
            clock = f"{head}.{frac[:6].ljust(6, '0')}"
        text += f"T{clock}"
        tz = match["tz"]
        if tz:
            if tz.upper() == "Z":
                tz = "+00:00"
            elif ":" not in tz:
                tz = f"{tz[:3]}:{tz[3:] or '00'}"
            text += tz
    try:
        return datetime.fromisoformat(text)
    except ValueError:
        raise DateRejected(EVENT_INVALID, raw) from None


def _rfc2822(raw: str) -> datetime | None:
    if not re.search(r"\d{1,2}\s+[A-Za-z]{3}\s+\d{4}\s+\d{1,2}:\d{2}", raw):
        return None
    try:
        return parsedate_to_datetime(raw)
    except (TypeError, ValueError, IndexError):
        return None


# C/Java ``Date.toString``: "Fri Apr 28 19:20:36 CEST 2023".
_CTIME = re.compile(
    r"^(?:[A-Za-z]{3},?\s+)?(?P<month>[A-Za-z]{3,})\.?\s+(?P<day>\d{1,2}),?\s+"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s+(?:(?P<tz>[A-Z]{2,5}|[+-]\d{4})\s+)?(?P<year>\d{4})$"
)


def _textual(raw: str, ctx: DateContext) -> datetime | None:
    ctime = _CTIME.match(raw)
    if ctime:
        raw = f"{ctime['day']} {ctime['month']} {ctime['year']} {ctime['time']} {ctime['tz'] or ''}"
    matches = [m for m in (_DAY_MONTH_YEAR.search(raw), _MONTH_DAY_YEAR.search(raw)) if m]
    # "September 1st, 2023" also reads as day 1, month "st": a month name of the page decides.
    months = month_names(ctx.languages)
    match = next((m for m in matches if m["month"].lower().rstrip(".") in months), None)
    match = match or (matches[0] if matches else None)
    if match and len(match["year"]) > 4:
        raise DateRejected(EVENT_IMPLAUSIBLE_YEAR, raw)
    parser = _date_parser(ctx.languages, ctx.order)
    candidates = [raw]
    if match:
        candidates = [match.group(0), raw[match.start() : match.end("year")]]
    for text in candidates:
        parsed = parser.get_date_data(text).date_obj
        if parsed is not None:
            return parsed
    return None


def _plausible(moment: datetime, raw: str, ctx: DateContext) -> datetime:
    if moment.tzinfo is None:
        zone = _zone(ctx.timezone) if ctx.timezone else None
        moment = moment.replace(tzinfo=zone or _UTC)
    if moment.year < ctx.min_year:
        raise DateRejected(EVENT_IMPLAUSIBLE_YEAR, raw)
    if moment > ctx.now + timedelta(seconds=ctx.future_tolerance):
        raise DateRejected(EVENT_FUTURE, raw)
    return moment


def _format(parsed: datetime, raw: str, ctx: DateContext) -> str:
    has_time = bool(_HAS_TIME.search(raw)) or (parsed.hour, parsed.minute, parsed.second) != (
        0,
        0,
        0,
    )
    if parsed.tzinfo is None and ctx.timezone:
        zone = _zone(ctx.timezone)
        if zone is not None and has_time:
            parsed = parsed.replace(tzinfo=zone)
    if not has_time:
        return parsed.date().isoformat()
    return parsed.replace(microsecond=0).isoformat()


def parse_date(raw: str | None, ctx: DateContext, method: str) -> FoundDate | None:
    """Parse ``raw``; None when it holds no date at all.

    Raises :class:`DateRejected` when ``raw`` is date-shaped but impossible, implausibly old,
    or in the future.
    """
    if raw is None:
        return None
    text = " ".join(str(raw).split())
    if not text or not re.search(r"\d", text):
        return None
    parsed = _iso(text) or _numeric(text, ctx) or _rfc2822(text) or _textual(text, ctx)
    if parsed is None:
        if _DAY_MONTH_YEAR.search(text) or _MONTH_DAY_YEAR.search(text) or _ISO.match(text):
            raise DateRejected(EVENT_INVALID, text)
        return None
    moment = _plausible(parsed, text, ctx)
    return FoundDate(
        raw=str(raw).strip(), value=_format(parsed, text, ctx), method=method, moment=moment
    )


def parse_dates(
    raw: str | None, ctx: DateContext, method: str, events: list[str]
) -> FoundDate | None:
    """:func:`parse_date`, with a rejection appended to ``events`` instead of raised."""
    try:
        return parse_date(raw, ctx, method)
    except DateRejected as exc:
        events.append(exc.event)
        return None


def find_dates(text: str, languages: tuple[str, ...]) -> list[str]:
    """Date-shaped substrings of a visible text, in order (month names of ``languages`` only)."""
    months = month_names(languages)
    spans: list[tuple[int, int]] = []
    for pattern in (_ISO_INLINE, _YMD_NUMERIC, _NUMERIC, _DAY_MONTH_YEAR, _MONTH_DAY_YEAR):
        for match in pattern.finditer(text):
            if "month" in pattern.groupindex:
                word = match["month"].lower().rstrip(".")
                if word not in months:
                    continue
            start, end = match.span()
            if any(start < e and s < end for s, e in spans):
                continue
            spans.append((start, end))
    return [text[s:e].strip(" ,|·•-–—") for s, e in sorted(spans)]


@lru_cache(maxsize=1)
def _url_months() -> dict[str, int]:
    """English month names and abbreviations (``october``, ``oct``) by number, as URLs write
    them."""
    info = _locales().get_locale("en").info
    return {
        str(name).lower().rstrip("."): number
        for number, key in enumerate(_MONTH_KEYS, start=1)
        for name in info.get(key, [])
    }


def url_date(url: str) -> tuple[str, date] | None:
    """A publication day in the URL path (``/2024/03/27/``, ``/20240327/``, ``2024-03-27``,
    ``/2024/march/27/``)."""
    path = url.split("?", 1)[0].split("#", 1)[0]
    path = path.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    named = re.search(
        r"/(?P<y>(?:19|20)\d{2})/(?P<m>[a-z]{3,9})\.?/(?P<d>[0-3]?\d)(?:/|$|[-_])", path, re.I
    )
    month = _url_months().get(named["m"].lower()) if named else None
    if named and month:
        try:
            return named.group(0), date(int(named["y"]), month, int(named["d"]))
        except ValueError:
            pass
    for pattern in (
        r"/(?P<y>(?:19|20)\d{2})/(?P<m>[01]?\d)/(?P<d>[0-3]?\d)(?:/|$|[-_])",
        r"(?<!\d)(?P<y>(?:19|20)\d{2})[-_](?P<m>[01]\d)[-_](?P<d>[0-3]\d)(?!\d)",
        r"/(?P<y>(?:19|20)\d{2})(?P<m>[01]\d)(?P<d>[0-3]\d)(?:/|[-_]|$)",
    ):
        match = re.search(pattern, path)
        if match:
            try:
                return match.group(0), date(int(match["y"]), int(match["m"]), int(match["d"]))
            except ValueError:
                continue
    return None


def shown_over_declared(
    declared: FoundDate,
    shown: list[FoundDate],
    shown_elsewhere: list[FoundDate],
    guess: FoundDate | None,
) -> FoundDate | None:
    """The first date the page shows, when it outvotes the declared publication day; else None.

    Only a declaration without a time of day (``"datePublished": "2024-06-17"``, often filled in
    by hand or by a template) can be outvoted, and only when the page shows that day nowhere
    (``shown`` and ``shown_elsewhere``: dates of ``<time>`` elements and of the text, publication
    and update ones) while its first shown date is also htmldate's day (``guess``): two readers
    of the page against one declaration. A declared instant (a date and a time) always stands.
    """
    if declared.method not in DECLARED_METHODS or "T" in declared.value:
        return None
    if not shown or guess is None:
        return None
    day = declared.value[:10]
    if any(found.value[:10] == day for found in (*shown, *shown_elsewhere)):
        return None
    first = shown[0]
    return first if first.value[:10] == guess.value[:10] != day else None


def _has_offset(found: FoundDate) -> bool:
    """Whether ``found`` was written with its UTC offset (an instant, not a wall-clock time)."""
    return "T" in found.value and bool(re.search(r"(?:[+-]\d{2}:\d{2}|Z)$", found.value))


def local_days(found: FoundDate) -> set[str]:
    """The days (``YYYY-MM-DD``) that ``found`` is somewhere on Earth: all the days its instant
    falls on from UTC-12:00 to UTC+14:00; only its own day for a day or a time without offset
    (the page's wall clock)."""
    if not _has_offset(found):
        return {found.value[:10]}
    utc = found.moment.astimezone(_UTC)
    return {(utc + _WESTMOST).date().isoformat(), (utc + _EASTMOST).date().isoformat()} | {
        utc.date().isoformat()
    }


def saved_together(published: FoundDate, modified: FoundDate | None) -> bool:
    """Whether two declared instants are one save time (within :data:`SAVED_TOGETHER`)."""
    if modified is None or "T" not in published.value or "T" not in modified.value:
        return False
    return abs(published.moment - modified.moment) <= SAVED_TOGETHER


def written_with_time(raw: str) -> bool:
    """Whether ``raw`` holds a time of day (``07:51``, ``T10:00``, ``7h30``)."""
    return bool(_HAS_TIME.search(raw))


def saved_not_published(
    declared: FoundDate,
    declared_modified: FoundDate | None,
    shown: list[FoundDate],
    shown_elsewhere: list[FoundDate],
) -> FoundDate | None:
    """The first date the page shows, when the declared publication is only a save time; else
    None.

    A declared publication instant equal (within :data:`SAVED_TOGETHER`) to the declared
    modification instant is what a CMS writes into both fields when a record is saved: it
    says when the page was last touched, not when the article appeared. When the page then
    shows a publication date (``shown``) and no date it shows (``shown`` and
    ``shown_elsewhere``, update dates included) is the declared instant's day in any time zone,
    the first shown date is the article's. Declared days without a time are not compared: a
    page published and updated on one day declares the same day twice.
    """
    if declared.method not in DECLARED_METHODS or declared_modified is None or not shown:
        return None
    if not saved_together(declared, declared_modified):
        return None
    days = local_days(declared)
    if any(found.value[:10] in days for found in (*shown, *shown_elsewhere)):
        return None
    return shown[0]


def in_page_offset(found: FoundDate, others: list[FoundDate], url_day: date | None) -> FoundDate:
    """``found`` in the page's own UTC offset when it is written in UTC and the page says which
    offset is its own; else ``found`` unchanged.

    The page's offset is the one of another date of the page that is the same instant (the
    JSON-LD in UTC, the ``<time>`` element in local time), or else one of the offsets of the
    page's other dates that puts the instant on the day of the URL (CMSs write the local day
    into the path). The instant stays the same; its calendar day becomes the page's: a post of
    18 December 19:05 in California is not one of 19 December.
    """
    if not _has_offset(found) or found.moment.utcoffset() != timedelta(0):
        return found
    local = [f for f in others if _has_offset(f) and f.moment.utcoffset()]
    offset = next(
        (f.moment.utcoffset() for f in local if abs(f.moment - found.moment) <= SAME_INSTANT), None
    )
    if offset is None and url_day is not None and found.moment.date() != url_day:
        offsets = [f.moment.utcoffset() for f in local]
        offset = next((o for o in offsets if o and (found.moment + o).date() == url_day), None)
    if offset is None:
        return found
    moment = found.moment.astimezone(timezone(offset))
    value = moment.replace(microsecond=0).isoformat()
    return dataclasses.replace(found, value=value, moment=moment)


def ambiguous_numeric(raw: str) -> bool:
    """Whether ``raw`` is a numeric date that reads both day first and month first
    (``03/10/2023``: 3 October or 10 March)."""
    match = _NUMERIC.fullmatch(" ".join(raw.split()))
    if match is None:
        return False
    return match["a"] != match["b"] and int(match["a"]) <= 12 >= int(match["b"])


def read_as_the_page(found: FoundDate, confirmed: set[str], ctx: DateContext) -> FoundDate:
    """``found`` read in the other numeric order when the page writes that day unambiguously
    and not the day read; else ``found`` unchanged.

    ``03/10/2023`` on a page whose URL holds ``/2023/october/03/`` (or whose ``<time>`` says
    ``2023-10-03``) is the page's order, whatever its locale suggests. ``confirmed`` holds the
    days (``YYYY-MM-DD``) the page writes unambiguously: ISO values, month names, the URL.
    """
    if not ambiguous_numeric(found.raw) or found.value[:10] in confirmed:
        return found
    other = dataclasses.replace(ctx, order="DMY" if ctx.order == "MDY" else "MDY")
    try:
        flipped = parse_date(found.raw, other, found.method)
    except DateRejected:
        return found
    if flipped is None or flipped.value[:10] not in confirmed:
        return found
    return flipped


def htmldate_date(
    tree: HtmlElement, url: str, ctx: DateContext, events: list[str]
) -> FoundDate | None:
    """htmldate's original publication day of the page, or None.

    Its quick search first (markup, attributes, the text's timestamps), its extensive search of
    the free text only when that finds nothing: the extensive one reads every text segment and
    can take seconds on a large page whose date the quick one finds in milliseconds. htmldate
    works on a copy of ``tree`` (it never changes the caller's tree). Its answer is a day
    (``2024-03-27``) and goes through the same plausibility checks as every other date.
    """
    # Day-granular bounds, so that htmldate's validation caches serve page after page.
    latest = ctx.now + timedelta(seconds=ctx.future_tolerance)
    earliest = datetime(ctx.min_year, 1, 1)
    latest = datetime(latest.year, latest.month, latest.day, 23, 59, 59)
    from htmldate import find_date

    raw = None
    try:
        for extensive in (False, True):
            raw = find_date(
                tree,
                extensive_search=extensive,
                original_date=True,
                url=url or None,
                min_date=earliest,
                max_date=latest,
            )
            if raw:
                break
    except Exception:  # htmldate on hostile markup: no date rather than a failed page
        logger.debug("htmldate failed on %s", url, exc_info=True)
        events.append(EVENT_HTMLDATE_FAILED)
        return None
    found = parse_dates(raw, ctx, METHOD_HTMLDATE, events)
    if found is not None and found.moment.day == 1 and not _written(tree, found.value, ctx):
        return None  # a year or a month alone, which htmldate pads with the 1st: not a day
    return found


def _written(tree: HtmlElement, day: str, ctx: DateContext) -> bool:
    """Whether the document writes the day ``day`` (``YYYY-MM-DD``) in full somewhere."""
    year, month, dom = (int(part) for part in day.split("-"))
    markup = etree.tostring(tree, encoding="unicode")
    numeric = (
        rf"{year}[-/.]0?{month}[-/.]0?{dom}(?!\d)",
        rf"(?<!\d)0?{dom}[-/.]0?{month}[-/.]{year}",
        rf"(?<!\d)0?{month}[-/.]0?{dom}[-/.]{year}",
    )
    if any(re.search(pattern, markup) for pattern in numeric):
        return True
    text = " ".join(tree.text_content().split())
    for raw in find_dates(text, ctx.languages):
        if str(year) in raw and not _NUMERIC.fullmatch(raw) and not _ISO.match(raw):
            found = parse_dates(raw, ctx, METHOD_HTMLDATE, [])
            if found is not None and found.value[:10] == day:
                return True
    return False
