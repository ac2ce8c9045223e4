"""Metadata quality on a corpus with truth: title, publication day, authors.

    python benchmarks/evaluate_metadata.py --corpus ../shared/corpus/fundus [--worst 15]

Runs :func:`newscrawler.extraction.extract_article` on every page of the corpus (layout in
``../shared/corpus/README.md``) and, in the same run, trafilatura's own metadata
(``bare_extraction(with_metadata=True)``) as the baseline, and prints per-language and overall
accuracy side by side with the ratio ours / trafilatura, then the pages we got wrong.

Scoring: a title matches when equal after case-folding and whitespace/quote normalisation; the
publication day matches when the calendar day of our date equals the truth's (ours converted to
the truth's UTC offset when both carry one); authors match when the sets of normalised names
are equal. Pages without the truth field are not counted for it.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
import unicodedata
from collections import defaultdict
from datetime import date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import trafilatura
from trafilatura.settings import Document

from newscrawler.extraction import extract_article
from newscrawler.extraction.decode import decode_html

METRICS = ("title", "day", "authors")
# A fixed "now" after the corpus pages were collected, so that no true date counts as future.
NOW = datetime.fromisoformat("2027-01-01T00:00:00+00:00")


def norm_text(text: str | None) -> str:
    text = unicodedata.normalize("NFKC", text or "")
    text = re.sub("[\u00ad\u200b\u200c\u200d\ufeff]", "", text)  # soft hyphens, zero widths
    text = re.sub(r"[\"'“”„«»‘’‚‹›]", "", text)
    return " ".join(text.casefold().split())


def norm_names(names: list[str] | None) -> set[str]:
    return {norm_text(n) for n in names or [] if norm_text(n)}


def day_of(value: str | None, truth: str) -> date | None:
    if not value:
        return None
    try:
        ours = datetime.fromisoformat(value)
        want = datetime.fromisoformat(truth)
    except ValueError:
        return None
    if ours.tzinfo is not None and want.tzinfo is not None:
        ours = ours.astimezone(want.tzinfo)
    return ours.date()


def score(record: dict[str, Any], truth: dict[str, Any]) -> dict[str, bool]:
    out: dict[str, bool] = {}
    if truth.get("title"):
        out["title"] = norm_text(record.get("title")) == norm_text(truth["title"])
    if truth.get("date"):
        want = datetime.fromisoformat(truth["date"]).date()
        out["day"] = day_of(record.get("published"), truth["date"]) == want
    if truth.get("authors"):
        out["authors"] = norm_names(record.get("authors")) == norm_names(truth["authors"])
    return out


def ours(raw: bytes, url: str) -> dict[str, Any]:
    result = extract_article(raw, url, now=NOW)
    return result.fields or {}


def baseline(raw: bytes, url: str) -> dict[str, Any]:
    text, _ = decode_html(raw)
    doc = trafilatura.bare_extraction(text, url=url, with_metadata=True)
    if not isinstance(doc, Document):
        return {}
    authors = [a.strip() for a in (doc.author or "").split(";") if a.strip()]
    return {"title": doc.title, "published": doc.date, "authors": authors}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--worst", type=int, default=15, help="pages listed per metric")
    parser.add_argument("--limit", type=int, default=0, help="only the first N pages")
    args = parser.parse_args(argv)

    truths = [json.loads(line) for line in (args.corpus / "truth.jsonl").open(encoding="utf-8")]
    if args.limit:
        truths = truths[: args.limit]
    counts: dict[str, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0, 0]))
    misses: dict[str, list[str]] = defaultdict(list)
    timing = {"ours": 0.0, "trafilatura": 0.0}
    for truth in truths:
        raw = (args.corpus / "pages" / f"{truth['id']}.html").read_bytes()
        url = truth.get("url") or f"https://example.invalid/{truth['id']}"
        start = time.perf_counter()
        record = ours(raw, url)
        timing["ours"] += time.perf_counter() - start
        start = time.perf_counter()
        base = baseline(raw, url)
        timing["trafilatura"] += time.perf_counter() - start
        mine, theirs = score(record, truth), score(base, truth)
        lang = truth["id"].split("-", 1)[0]  # the corpus ids start with the country
        for metric, ok in mine.items():
            for group in (lang, "ALL"):
                cell = counts[group][metric]
                cell[0] += 1
                cell[1] += int(ok)
                cell[2] += int(theirs.get(metric, False))
            if not ok:
                got = {"title": "title", "day": "published", "authors": "authors"}[metric]
                want = {"title": "title", "day": "date", "authors": "authors"}[metric]
                misses[metric].append(
                    f"  {truth['id']}: got {record.get(got)!r} "
                    f"({record.get('published_method') if metric == 'day' else ''}) "
                    f"want {truth.get(want)!r}"
                )

    def fmt(cell: list[int]) -> str:
        n, ok, base_ok = cell
        if not n:
            return f"{'-':>22}"
        ratio = (ok / base_ok) if base_ok else float("inf")
        return f"{ok / n:6.3f} vs {base_ok / n:5.3f} ({ratio:4.2f}x)"

    print(f"corpus {args.corpus} — {len(truths)} pages; ours vs trafilatura metadata (ratio)")
    print(f"{'country':<8}" + "".join(f"{m:>26}" for m in METRICS))
    for group in sorted(counts, key=lambda g: (g == "ALL", g)):
        row = counts[group]
        print(f"{group:<8}" + "".join(f"{fmt(row[m]):>26}" for m in METRICS))
    print(
        f"time: ours {timing['ours']:.1f}s, trafilatura {timing['trafilatura']:.1f}s "
        f"({timing['ours'] / max(timing['trafilatura'], 1e-9):.2f}x)"
    )
    for metric in METRICS:
        if misses[metric]:
            print(f"\nwrong {metric} ({len(misses[metric])}):")
            print("\n".join(misses[metric][: args.worst]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
