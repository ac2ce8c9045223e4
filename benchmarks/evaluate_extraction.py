"""Score newscrawler's extraction against trafilatura's plain ``extract`` on corpora with truth.

Usage::

    python benchmarks/evaluate_extraction.py --corpus ../shared/corpus/zyte ../shared/corpus/fundus

A corpus folder holds ``pages/<id>.html`` (raw bytes), ``truth.jsonl`` (``id`` plus the fields the
dataset provides) and optionally ``derived.jsonl`` (facts computed from the bytes). Both systems
run on every page in the same command, over ``--jobs`` worker processes.

Metrics (each is averaged over the pages whose truth has the field):

- body precision / recall / F1: the article-extraction benchmark's method. Text is lower-cased and
  split into ``\\w+`` tokens; overlapping 4-token shingles are counted as a multiset. Per page,
  P = shared / predicted and R = shared / truth shingles; P and R are averaged over pages and F1 is
  the harmonic mean of the averages. An empty prediction has P = 1 and R = 0.
- title: normalised exact match (NFKC, case-folded, ``\\w+`` tokens joined by one space, so
  quotes, dashes and punctuation do not count).
- day: the calendar day of the predicted publication date, read in the date's own offset
  (the ``YYYY-MM-DD`` it starts with), equals the truth's.
- authors: the set of normalised names (as titles) equals the truth's set exactly; pages whose
  truth has no author field are skipped.
- language: primary subtag of the prediction equals the dataset's language truth. Only fundus has
  one: ``publisher_group_default_lang``, the publisher group's language (not derived from
  ``<html lang>``). trafilatura's ``extract`` reports no language, so its column shows ``-``.

Rows are grouped by dataset and by language: the truth language where there is one, otherwise the
primary subtag of ``<html lang>`` from ``derived.jsonl`` (``und`` when absent). Pages are also split
into two halves by ``crc32(id) % 2`` (``even``: used for tuning, ``odd``: held out).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
import unicodedata
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"\w+")
_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})")
SYSTEMS = ("ours", "trafilatura")
# (dataset name, page path, truth record, truth language, language group)
Task = tuple[str, str, dict[str, Any], str | None, str]


# --- scoring functions -----------------------------------------------------------------------


def shingles(text: str | None, size: int = 4) -> Counter[tuple[str, ...]]:
    """Overlapping ``size``-token shingles of lower-cased ``\\w+`` tokens, as a multiset."""
    tokens = _TOKEN.findall((text or "").lower())
    return Counter(tuple(tokens[i : i + size]) for i in range(max(0, len(tokens) - size + 1)))


def body_scores(predicted: str | None, truth: str) -> tuple[float, float]:
    """Per-page ``(precision, recall)`` of the predicted body against the truth."""
    pred, true = shingles(predicted), shingles(truth)
    if not pred:
        return 1.0, 0.0 if true else 1.0
    if not true:
        return 0.0, 1.0
    shared = sum((pred & true).values())
    return shared / sum(pred.values()), shared / sum(true.values())


def f1(precision: float, recall: float) -> float:
    """Harmonic mean; 0 when both are 0."""
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


def normalise_text(value: str | None) -> str:
    """NFKC, case-folded, ``\\w+`` tokens joined by single spaces."""
    return " ".join(_TOKEN.findall(unicodedata.normalize("NFKC", value or "").casefold()))


def title_match(predicted: str | None, truth: str) -> bool:
    return bool(normalise_text(truth)) and normalise_text(predicted) == normalise_text(truth)


def authors_match(predicted: Iterable[str] | None, truth: Iterable[str]) -> bool:
    pred = {normalise_text(name) for name in predicted or ()} - {""}
    true = {normalise_text(name) for name in truth} - {""}
    return pred == true


def day_of(value: str | None) -> str | None:
    """The ``YYYY-MM-DD`` an ISO 8601 date starts with: its calendar day in its own offset."""
    match = _DAY.match((value or "").strip())
    return match.group(1) if match else None


def day_match(predicted: str | None, truth: str) -> bool:
    true = day_of(truth)
    return true is not None and day_of(predicted) == true


def language_match(predicted: str | None, truth: str) -> bool:
    primary = (predicted or "").replace("_", "-").split("-")[0].lower()
    return bool(primary) and primary == truth.split("-")[0].lower()


def half_of(page_id: str) -> str:
    """Deterministic split of a corpus into halves: ``even`` for tuning, ``odd`` held out."""
    return "odd" if zlib.crc32(page_id.encode()) % 2 else "even"


# --- running the systems on one page ---------------------------------------------------------


@dataclass
class PageResult:
    """Scores of both systems on one page."""

    dataset: str
    page_id: str
    url: str
    language: str
    half: str
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)  # system -> metric -> value
    ms: dict[str, float] = field(default_factory=dict)  # system -> milliseconds


def _ours(html: bytes, url: str) -> dict[str, Any]:
    from newscrawler.extraction import extract_article

    result = extract_article(html, url)
    return dict(result.fields or {})


def _trafilatura(html: bytes, url: str) -> dict[str, Any]:
    import trafilatura

    # the benchmark's own trafilatura runner: extract() with comments left out
    text = trafilatura.extract(html, include_comments=False)
    return {"text": text}


def _trafilatura_metadata(html: bytes, url: str) -> dict[str, Any]:
    import trafilatura

    meta = trafilatura.extract_metadata(html, default_url=url)
    authors = [a.strip() for a in (meta.author or "").split(";") if a.strip()]
    return {"title": meta.title, "authors": authors, "published": meta.date, "language": None}


def score_page(
    fields: dict[str, Any], truth: dict[str, Any], truth_language: str | None
) -> dict[str, Any]:
    """All metrics of one system's output on one page; metrics without truth are left out."""
    scores: dict[str, Any] = {}
    precision, recall = body_scores(fields.get("text"), truth.get("text") or "")
    scores["precision"], scores["recall"] = precision, recall
    scores["f1"] = f1(precision, recall)
    if truth.get("title"):
        scores["title"] = title_match(fields.get("title"), truth["title"])
    if truth.get("date"):
        scores["day"] = day_match(fields.get("published"), truth["date"])
    if truth.get("authors") is not None:
        scores["authors"] = authors_match(fields.get("authors"), truth["authors"])
    if truth_language:
        scores["language"] = language_match(fields.get("language"), truth_language)
    return scores


def warm_up() -> None:
    """Import and run both systems once, so that no page's timing includes start-up costs."""
    page = b"<html><body><article><p>" + b"Warm-up sentence for the extractors. " * 20
    page += b"</p></article></body></html>"
    _ours(page, "https://warm-up.example/")
    _trafilatura(page, "https://warm-up.example/")


def evaluate_page(task: Task) -> PageResult:
    """Worker: run both systems on one page and score them."""
    dataset, path, truth, truth_language, group_language = task
    html = Path(path).read_bytes()
    url = truth.get("url") or ""
    result = PageResult(dataset, truth["id"], url, group_language, half_of(truth["id"]))

    start = time.perf_counter()
    ours = _ours(html, url)
    result.ms["ours"] = (time.perf_counter() - start) * 1000

    start = time.perf_counter()
    theirs = _trafilatura(html, url)
    result.ms["trafilatura"] = (time.perf_counter() - start) * 1000
    theirs.update(_trafilatura_metadata(html, url))
    theirs["language"] = None  # extract() reports no language
    result.scores["ours"] = score_page(ours, truth, truth_language)
    traf_scores = score_page(theirs, truth, truth_language)
    traf_scores.pop("language", None)
    result.scores["trafilatura"] = traf_scores
    return result


# --- corpus loading and reporting ------------------------------------------------------------


class CorpusMissing(Exception):
    """A corpus folder or its truth file is missing."""


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_tasks(corpus: Path, limit: int | None) -> list[Task]:
    """One task per page of ``corpus`` that has both truth and an HTML file."""
    truth_file = corpus / "truth.jsonl"
    if not truth_file.is_file() or not (corpus / "pages").is_dir():
        raise CorpusMissing(f"{corpus}: expected truth.jsonl and pages/ (see the corpus README)")
    derived: dict[str, dict[str, Any]] = {}
    if (corpus / "derived.jsonl").is_file():
        derived = {row["id"]: row for row in _read_jsonl(corpus / "derived.jsonl")}
    tasks = []
    for truth in _read_jsonl(truth_file):
        page = corpus / "pages" / f"{truth['id']}.html"
        if not page.is_file():
            continue
        truth_language = truth.get("language") or truth.get("publisher_group_default_lang")
        html_lang = (derived.get(truth["id"], {}).get("html_lang") or "").split("-")[0].lower()
        group = (truth_language or html_lang or "und").split("-")[0].lower()
        tasks.append((corpus.name, str(page), truth, truth_language, group))
        if limit and len(tasks) >= limit:
            break
    return tasks


def summarise(results: Sequence[PageResult], system: str) -> dict[str, Any]:
    """Averages of one system's metrics over ``results``."""
    rows = [r.scores[system] for r in results]
    out: dict[str, Any] = {"pages": len(rows)}
    precision = statistics.fmean(s["precision"] for s in rows) if rows else 0.0
    recall = statistics.fmean(s["recall"] for s in rows) if rows else 0.0
    out["P"], out["R"], out["F1"] = precision, recall, f1(precision, recall)
    for metric in ("title", "day", "authors", "language"):
        values = [s[metric] for s in rows if metric in s]
        out[metric] = (sum(values) / len(values), len(values)) if values else None
    return out


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, tuple):
        return f"{value[0]:.3f}"
    return f"{value:.3f}"


def report(results: Sequence[PageResult], worst: int, out: Any = None) -> None:
    """Print the side-by-side table, timings and the worst pages."""
    out = out or sys.stdout
    groups: dict[str, list[PageResult]] = {}
    for r in results:
        groups.setdefault(f"{r.dataset} all", []).append(r)
        groups.setdefault(f"{r.dataset} half={r.half}", []).append(r)
        groups.setdefault(f"{r.dataset} lang={r.language}", []).append(r)
        groups.setdefault("ALL", []).append(r)
    header = f"{'group':<24}{'pages':>6}  " + "  ".join(
        f"{m:>15}" for m in ("P", "R", "F1", "title", "day", "authors", "language")
    )
    print("metric cells: ours / trafilatura", file=out)
    print(header, file=out)
    for name in sorted(groups, key=lambda g: (g == "ALL", g.split()[0], " lang=" in g, g)):
        ours, theirs = summarise(groups[name], "ours"), summarise(groups[name], "trafilatura")
        cells = [
            f"{_cell(ours[m])} / {_cell(theirs[m])}".rjust(15)
            for m in ("P", "R", "F1", "title", "day", "authors", "language")
        ]
        print(f"{name:<24}{ours['pages']:>6}  " + "  ".join(cells), file=out)
    print(file=out)
    for system in SYSTEMS:
        times = [r.ms[system] for r in results]
        print(
            f"{system:<12} median {statistics.median(times):7.1f} ms/page, "
            f"mean {statistics.fmean(times):7.1f} ms/page",
            file=out,
        )
    ratio = statistics.median(r.ms["ours"] for r in results) / max(
        statistics.median(r.ms["trafilatura"] for r in results), 1e-9
    )
    print(f"ours / trafilatura median time: {ratio:.2f}x", file=out)
    if worst:
        print(f"\nworst {worst} pages by our body F1 (ours vs trafilatura):", file=out)
        ranked = sorted(results, key=lambda r: r.scores["ours"]["f1"])[:worst]
        for r in ranked:
            print(
                f"  {r.scores['ours']['f1']:.3f} vs {r.scores['trafilatura']['f1']:.3f}  "
                f"{r.dataset}/{r.page_id}  {r.url}",
                file=out,
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", nargs="+", required=True, type=Path, help="corpus folders")
    parser.add_argument("--limit", type=int, default=None, help="pages per corpus (quick run)")
    parser.add_argument("--worst", type=int, default=10, help="list this many worst pages")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--json", type=Path, default=None, help="also write per-page scores here")
    args = parser.parse_args(argv)

    tasks = []
    try:
        for corpus in args.corpus:
            tasks.extend(load_tasks(corpus, args.limit))
    except CorpusMissing as exc:
        print(f"error: corpus not found: {exc}", file=sys.stderr)
        return 2
    if not tasks:
        print("error: no pages with truth in the given corpus folders", file=sys.stderr)
        return 2

    started = time.perf_counter()
    if args.jobs > 1:
        with ProcessPoolExecutor(args.jobs, initializer=warm_up) as pool:
            results = list(pool.map(evaluate_page, tasks, chunksize=4))
    else:
        warm_up()
        results = [evaluate_page(task) for task in tasks]
    report(results, args.worst)
    print(f"\n{len(results)} pages in {time.perf_counter() - started:.0f} s")
    if args.json:
        with args.json.open("w", encoding="utf-8") as handle:
            for r in results:
                handle.write(json.dumps(r.__dict__, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
