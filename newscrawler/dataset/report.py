"""Summaries of a dataset: counts per site, day and language, text lengths, missing fields and
duplicates, as terminal tables, an HTML page with embedded PNG charts, and chart files."""

from __future__ import annotations

import base64
import html
import io
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from newscrawler import __version__
from newscrawler.dataset.dedup import REPEAT, SAME_TEXT
from newscrawler.dataset.schema import record_fields

UNKNOWN = "(none)"
LENGTH_BINS = (0, 50, 100, 200, 300, 500, 750, 1000, 1500, 2000, 3000, 5000)
# Dedup annotations: null is their normal value (not a copy, not a version), not a gap.
ANNOTATIONS = frozenset({"duplicate_of", "version_of"})


def content_fields() -> list[str]:
    """The record's fields whose absence is worth counting (all but the dedup annotations)."""
    return [name for name in record_fields() if name not in ANNOTATIONS]


def is_missing(value: Any) -> bool:
    return value is None or value == "" or value == [] or value == {}


@dataclass
class DatasetStats:
    """Counts accumulated record by record (memory: a few counters and 4 bytes a record)."""

    records: int = 0  # unique records described below
    bad: int = 0
    repeats: int = 0  # same id seen again
    same_text: int = 0  # same text at another canonical URL
    near_duplicates: int = 0  # records with duplicate_of
    versions: int = 0  # records with version_of (or a new text at a known URL)
    per_site: Counter[str] = field(default_factory=Counter)
    per_day: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    missing: Counter[str] = field(default_factory=Counter)
    word_counts: array[int] = field(default_factory=lambda: array("I"))

    def add_verdict(self, verdict: str) -> bool:
        """Count a dedup verdict; True if the record is unique (to be added)."""
        if verdict == REPEAT:
            self.repeats += 1
            return False
        if verdict == SAME_TEXT:
            self.same_text += 1
            return False
        return True  # a new version gets version_of from the deduplicator: add() counts it

    def add(self, record: dict[str, Any]) -> None:
        self.records += 1
        self.per_site[record.get("site") or UNKNOWN] += 1
        self.per_day[(record.get("published") or "")[:10] or UNKNOWN] += 1
        self.languages[record.get("language") or UNKNOWN] += 1
        for name in content_fields():
            if is_missing(record.get(name)):
                self.missing[name] += 1
        self.word_counts.append(max(0, int(record.get("word_count") or 0)))
        if record.get("duplicate_of"):
            self.near_duplicates += 1
        if record.get("version_of"):
            self.versions += 1

    # --- derived figures -----------------------------------------------------------------------
    def missing_share(self) -> dict[str, float]:
        """Share of records missing each content field (the dedup annotations are left out)."""
        n = self.records or 1
        return {name: self.missing[name] / n for name in content_fields()}

    def length_summary(self) -> dict[str, float]:
        values = sorted(self.word_counts)
        if not values:
            return {}

        def pct(p: float) -> float:
            return float(values[min(len(values) - 1, int(p * len(values)))])

        return {
            "min": float(values[0]),
            "p10": pct(0.10),
            "median": pct(0.50),
            "p90": pct(0.90),
            "max": float(values[-1]),
            "mean": sum(values) / len(values),
        }

    def length_histogram(self) -> list[tuple[str, int]]:
        counts = [0] * len(LENGTH_BINS)
        for value in self.word_counts:
            counts[bisect_right(LENGTH_BINS, value) - 1] += 1
        labels = [
            f"{LENGTH_BINS[i]}–{LENGTH_BINS[i + 1] - 1}"
            if i + 1 < len(LENGTH_BINS)
            else f"{LENGTH_BINS[i]}+"
            for i in range(len(LENGTH_BINS))
        ]
        return list(zip(labels, counts, strict=True))

    def duplicates(self) -> list[tuple[str, int]]:
        return [
            ("repeated records (same id), not counted above", self.repeats),
            ("same text at another URL, not counted above", self.same_text),
            ("near-duplicates (duplicate_of set)", self.near_duplicates),
            ("updated versions (version_of)", self.versions),
        ]

    def days(self) -> list[tuple[str, int]]:
        """Counts per publication day, in date order (undated last)."""
        dated = sorted((d, n) for d, n in self.per_day.items() if d != UNKNOWN)
        if self.per_day.get(UNKNOWN):
            dated.append((UNKNOWN, self.per_day[UNKNOWN]))
        return dated


# --- terminal ----------------------------------------------------------------------------------
def table(title: str, header: tuple[str, str], rows: Iterable[tuple[str, Any]]) -> str:
    rows = [(str(a), str(b)) for a, b in rows]
    width = max([len(header[0])] + [len(a) for a, _ in rows])
    value_width = max([len(header[1])] + [len(b) for _, b in rows])
    lines = [title, f"  {header[0]:<{width}}  {header[1]:>{value_width}}"]
    lines.append(f"  {'-' * width}  {'-' * value_width}")
    lines += [f"  {a:<{width}}  {b:>{value_width}}" for a, b in rows]
    return "\n".join(lines)


def _top(counter: Counter[str], top: int) -> list[tuple[str, int]]:
    items = counter.most_common()
    if len(items) > top:
        rest = sum(n for _, n in items[top:])
        items = [*items[:top], (f"({len(items) - top} more)", rest)]
    return items


def terminal_report(stats: DatasetStats, top: int = 20) -> str:
    """The report as plain-text tables."""
    lengths = stats.length_summary()
    parts = [
        table(
            "Dataset",
            ("", "count"),
            [
                ("records", stats.records),
                ("sites", len(stats.per_site)),
                ("languages", len(stats.languages)),
                ("bad lines skipped", stats.bad),
            ],
        ),
        table("Articles per site", ("site", "articles"), _top(stats.per_site, top)),
        table("Articles per day (published)", ("day", "articles"), stats.days()),
        table("Languages", ("language", "articles"), _top(stats.languages, top)),
        table(
            "Text length (words)",
            ("statistic", "words"),
            [(k, f"{v:.0f}") for k, v in lengths.items()],
        ),
        table(
            "Missing fields",
            ("field", "missing"),
            [(k, f"{v:.1%}") for k, v in stats.missing_share().items()],
        ),
        table("Duplicates", ("kind", "records"), stats.duplicates()),
    ]
    return "\n\n".join(parts)


# --- charts ------------------------------------------------------------------------------------
def _png(fig: Any) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, bbox_inches="tight", metadata={"Software": None})
    return buf.getvalue()


def bar_chart(
    title: str, items: Sequence[tuple[str, float]], *, horizontal: bool = False, xlabel: str = ""
) -> bytes:
    """A PNG bar chart (drawn with matplotlib's Agg canvas; no display needed)."""
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    labels = [label for label, _ in items]
    values = [value for _, value in items]
    if horizontal:
        fig = Figure(figsize=(8, max(2.0, 0.3 * len(items) + 1)))
        ax = fig.subplots()
        ax.barh(range(len(values)), values, color="#4c72b0")
        ax.set_yticks(range(len(values)), labels)
        ax.invert_yaxis()
        ax.set_xlabel(xlabel)
    else:
        fig = Figure(figsize=(max(6.0, 0.25 * len(items) + 2), 4))
        ax = fig.subplots()
        ax.bar(range(len(values)), values, color="#4c72b0")
        step = max(1, len(labels) // 30)
        ax.set_xticks(range(0, len(labels), step), labels[::step], rotation=60, ha="right")
        ax.set_ylabel(xlabel)
    if all(float(v).is_integer() for v in values):
        (ax.xaxis if horizontal else ax.yaxis).set_major_locator(MaxNLocator(integer=True))
    ax.set_title(title)
    return _png(fig)


@dataclass
class Chart:
    name: str  # file name stem
    title: str
    png: bytes
    rows: list[tuple[str, Any]]  # the data shown, as a table under the chart
    header: tuple[str, str]


def charts(stats: DatasetStats, top: int = 30) -> list[Chart]:
    sites = stats.per_site.most_common(top)
    languages = stats.languages.most_common(top)
    missing = [(k, round(100 * v, 1)) for k, v in stats.missing_share().items()]
    days = stats.days()
    hist = stats.length_histogram()
    return [
        Chart(
            "articles_per_day",
            "Articles per publication day",
            bar_chart("Articles per publication day", list(days), xlabel="articles"),
            list(days),
            ("day", "articles"),
        ),
        Chart(
            "articles_per_site",
            "Articles per site",
            bar_chart("Articles per site", list(sites), horizontal=True, xlabel="articles"),
            list(sites),
            ("site", "articles"),
        ),
        Chart(
            "languages",
            "Languages",
            bar_chart("Languages", list(languages), xlabel="articles"),
            list(languages),
            ("language", "articles"),
        ),
        Chart(
            "text_length",
            "Text length (words)",
            bar_chart("Text length (words)", list(hist), xlabel="articles"),
            list(hist),
            ("words", "articles"),
        ),
        Chart(
            "missing_fields",
            "Records missing each field (%)",
            bar_chart("Records missing each field (%)", missing, horizontal=True, xlabel="%"),
            missing,
            ("field", "missing %"),
        ),
    ]


def _html_table(header: tuple[str, str], rows: Iterable[tuple[str, Any]], cls: str) -> str:
    body = "".join(
        f"<tr><td>{html.escape(str(a))}</td><td class='n'>{html.escape(str(b))}</td></tr>"
        for a, b in rows
    )
    return (
        f"<table class='{cls}'><thead><tr><th>{html.escape(header[0])}</th>"
        f"<th>{html.escape(header[1])}</th></tr></thead><tbody>{body}</tbody></table>"
    )


def html_report(stats: DatasetStats, title: str, sources: list[str]) -> str:
    """A self-contained HTML page: tables and base64-embedded PNG charts."""
    lengths = stats.length_summary()
    sections = [
        "<h2>Dataset</h2>",
        _html_table(
            ("", "count"),
            [
                ("records", stats.records),
                ("sites", len(stats.per_site)),
                ("languages", len(stats.languages)),
                ("bad lines skipped", stats.bad),
            ],
            "summary",
        ),
        "<h2>Duplicates</h2>",
        _html_table(("kind", "records"), stats.duplicates(), "duplicates"),
    ]
    for chart in charts(stats):
        data = base64.b64encode(chart.png).decode("ascii")
        sections += [
            f"<h2 id='{chart.name}'>{html.escape(chart.title)}</h2>",
            f"<img alt='{html.escape(chart.title)}' src='data:image/png;base64,{data}'>",
            _html_table(chart.header, chart.rows, chart.name),
        ]
        if chart.name == "text_length":  # the statistics under the histogram, one section
            sections.append(
                _html_table(
                    ("statistic", "words"), [(k, f"{v:.0f}") for k, v in lengths.items()], "len"
                )
            )
    generated = datetime.now(timezone.utc).isoformat(timespec="seconds")
    inputs = ", ".join(html.escape(s) for s in sources)
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>
<style>
body {{ font-family: sans-serif; max-width: 60em; margin: 2em auto; color: #222; }}
table {{ border-collapse: collapse; margin: 0.5em 0 1.5em; }}
td, th {{ border-bottom: 1px solid #ddd; padding: 0.2em 0.8em; text-align: left; }}
td.n {{ text-align: right; font-variant-numeric: tabular-nums; }}
img {{ max-width: 100%; }}
</style></head><body>
<h1>{html.escape(title)}</h1>
<p>Inputs: {inputs}. Generated {generated} by newscrawler {__version__}.</p>
{"".join(sections)}
</body></html>
"""
