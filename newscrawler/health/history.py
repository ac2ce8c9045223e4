"""The run history as tables and a chart, for ``scrapy report --runs``.

The history is the crawl state's (:meth:`~newscrawler.state.store.StateStore.runs`): one
:class:`~newscrawler.state.store.RunRecord` per crawl with its per-site counts. A site's
articles per run are its records (new articles and duplicates); a run where a site that had
articles gives none is marked ``!``, so a broken site stands out at a glance.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import datetime, timezone

from newscrawler.state.store import RunRecord


def when(epoch: float) -> str:
    return datetime.fromtimestamp(epoch, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    columns = list(zip(header, *rows, strict=True))
    widths = [max(len(c) for c in col) for col in columns]
    # the first two columns and text columns left-aligned, numbers right-aligned
    left = [
        i < 2 or any(not c[:1].isdigit() and c != "-" for c in col[1:])
        for i, col in enumerate(columns)
    ]
    lines = [header, ["-" * w for w in widths], *rows]
    return "\n".join(
        "  ".join(
            c.ljust(w) if is_left else c.rjust(w)
            for c, w, is_left in zip(line, widths, left, strict=True)
        ).rstrip()
        for line in lines
    )


def runs_table(runs: Sequence[RunRecord]) -> str:
    """One row per run: when, how long, its verdict and finish reason, the totals."""
    header = [
        "run",
        "started (UTC)",
        "duration",
        "verdict",
        "finish",
        "requests",
        "new",
        "duplicates",
        "known",
        "failures",
    ]
    rows = []
    for n, run in enumerate(runs, 1):
        rows.append(
            [
                str(n),
                when(run.started),
                f"{run.duration:.1f} s",
                run.verdict,
                run.finish_reason,
                str(sum(s.requests for s in run.sites)),
                str(sum(s.articles for s in run.sites)),
                str(sum(s.duplicates for s in run.sites)),
                str(sum(s.known for s in run.sites)),
                str(sum(s.failed for s in run.sites)),
            ]
        )
    return _table(header, rows)


def site_articles(runs: Sequence[RunRecord]) -> dict[str, list[int | None]]:
    """Each site's records (new + duplicates) per run; ``None`` where it was not crawled."""
    sites = sorted({s.site for run in runs for s in run.sites})
    series: dict[str, list[int | None]] = {}
    for name in sites:
        values: list[int | None] = []
        for run in runs:
            site = run.site(name)
            values.append(None if site is None else site.articles + site.duplicates)
        series[name] = values
    return series


def sites_table(runs: Sequence[RunRecord]) -> str:
    """One row per site, one column per run: its articles, ``0!`` where it stopped giving any,
    and its failures by reason in the last run."""
    header = ["site", "last failures", *(f"#{n}" for n in range(1, len(runs) + 1))]
    rows = []
    for name, values in site_articles(runs).items():
        cells = []
        had = False
        for value in values:
            if value is None:
                cells.append("-")
                continue
            cells.append(f"{value}!" if value == 0 and had else str(value))
            had = had or value > 0
        last = runs[-1].site(name) if runs else None
        failures = ", ".join(f"{r} {n}" for r, n in sorted(last.failures.items())) if last else ""
        rows.append([name, failures or "-", *cells])
    return _table(header, rows)


def runs_chart(runs: Sequence[RunRecord]) -> bytes:
    """A PNG: each site's articles per run over time, unhealthy and failed runs shaded."""
    from matplotlib.dates import date2num
    from matplotlib.figure import Figure

    fig = Figure(figsize=(9, 4.5))
    ax = fig.subplots()
    starts = [datetime.fromtimestamp(r.started, timezone.utc) for r in runs]
    times = [float(date2num(t)) for t in starts]  # type: ignore[no-untyped-call]
    ax.xaxis_date()
    for name, values in site_articles(runs).items():
        points = [(t, v) for t, v in zip(times, values, strict=True) if v is not None]
        ax.plot([t for t, _ in points], [v for _, v in points], marker="o", label=name)
    for t, run in zip(times, runs, strict=True):
        if run.verdict != "healthy":
            color = "#d62728" if run.verdict == "failed" else "#ff7f0e"
            ax.axvline(t, color=color, alpha=0.3, linewidth=6)
    ax.set_title("Articles per site and run (shaded: unhealthy or failed run)")
    ax.set_ylabel("articles (new + duplicates)")
    ax.set_ylim(bottom=0)
    if runs:
        ax.legend(loc="upper left", fontsize="small")
    fig.autofmt_xdate()
    fig.tight_layout()
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=90)
    return out.getvalue()
