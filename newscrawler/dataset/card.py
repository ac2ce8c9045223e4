"""The dataset card: a ``README.md`` beside an export with counts, schema and field meanings.

It starts with the YAML block that the Hugging Face Hub reads (languages, size, data files), so
the folder can be uploaded as is.
"""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from newscrawler import __version__
from newscrawler.dataset.report import UNKNOWN, DatasetStats
from newscrawler.dataset.schema import describe, record_schema

_SIZES = [
    (1_000, "n<1K"),
    (10_000, "1K<n<10K"),
    (100_000, "10K<n<100K"),
    (1_000_000, "100K<n<1M"),
    (10_000_000, "1M<n<10M"),
    (100_000_000, "10M<n<100M"),
]


def size_category(n: int) -> str:
    for limit, label in _SIZES:
        if n < limit:
            return label
    return "n>100M"


def data_files_pattern(folder: Path) -> str | None:
    """Glob of the dataset files in ``folder`` (Parquet first), for the card's config."""
    for suffix in (".parquet", ".jsonl", ".jsonl.gz", ".jsonl.zst", ".csv"):
        if any(folder.glob(f"*{suffix}")):
            return f"*{suffix}"
        if any(folder.glob(f"**/*{suffix}")):
            return f"**/*{suffix}"
    return None


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def dataset_card(stats: DatasetStats, folder: Path, title: str, chart: str | None = None) -> str:
    """Markdown text of the card for the dataset in ``folder``."""
    languages = sorted(k for k in stats.languages if k != UNKNOWN)
    days = [d for d, _ in stats.days() if d != UNKNOWN]
    pattern = data_files_pattern(folder)
    # YAML scalars written as JSON strings: always valid YAML ("*" would start an alias).
    front = ["---", f"pretty_name: {json.dumps(title)}"]
    if languages:
        front += ["language:"] + [f"- {json.dumps(lang)}" for lang in languages]
    front += ["size_categories:", f"- {json.dumps(size_category(stats.records))}"]
    if pattern:
        front += [
            "configs:",
            "- config_name: default",
            "  data_files:",
            f"  - {json.dumps(pattern)}",
        ]
    front += ["---", ""]
    missing = stats.missing_share()
    lines = [
        f"# {title}",
        "",
        f"News articles collected with newscrawler {__version__}; card written "
        f"{datetime.now(timezone.utc).date().isoformat()}.",
        "",
        "## Contents",
        "",
        "| | |",
        "| --- | --- |",
        f"| records | {stats.records} |",
        f"| sites | {len(stats.per_site)} |",
        f"| languages | {', '.join(languages) or '-'} |",
        f"| published | {days[0] + ' to ' + days[-1] if days else '-'} |",
        f"| without a publication date | {stats.per_day.get(UNKNOWN, 0)} |",
        f"| near-duplicates (`duplicate_of` set) | {stats.near_duplicates} |",
        f"| updated versions (`version_of` set) | {stats.versions} |",
        "",
        "### Articles per site",
        "",
        "| site | articles |",
        "| --- | ---: |",
        *[f"| {_md(site)} | {n} |" for site, n in stats.per_site.most_common(50)],
        "",
    ]
    if chart:
        lines += [f"![Articles per publication day]({chart})", ""]
    lines += [
        "## Schema",
        "",
        "One record per article. Dates are ISO 8601 strings with the page's UTC offset.",
        "",
        "| field | type | missing | description |",
        "| --- | --- | ---: | --- |",
    ]
    for schema_field in record_schema():
        name = schema_field.name
        share = missing.get(name)  # None for the dedup annotations: null is their normal value
        shown = "–" if share is None else f"{share:.1%}"
        lines.append(
            f"| `{name}` | `{_md(str(schema_field.type))}` | {shown} | {_md(describe(name))} |"
        )
    lines += [
        "",
        "## How it was made",
        "",
        "Crawled with `scrapy crawl news`, merged and deduplicated with `scrapy export` "
        "(records repeated across runs and copies of the same text at another URL dropped), "
        "summarised with `scrapy report`.",
        "",
    ]
    return "\n".join(front + lines)
