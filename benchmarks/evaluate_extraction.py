"""Score newscrawler's extraction against trafilatura's plain ``extract`` on corpora with truth.

Usage::

    python benchmarks/evaluate_extraction.py --corpus CORPUS_DIR/zyte CORPUS_DIR/fundus \
        CORPUS_DIR/wcxb-dev CORPUS_DIR/wcxb-dev-nonarticle [--split A|B|all] [--limit N]

A corpus folder holds ``pages/<id>.html`` (raw bytes), ``truth.jsonl`` (``id`` plus the fields the
dataset provides) and optionally ``derived.jsonl`` (facts computed from the bytes). All systems
run on every page in the same command, over ``--jobs`` worker processes: ours, trafilatura's
``extract`` + ``extract_metadata``, and htmldate's ``find_date`` (days only).

Metrics (each is averaged over the pages whose truth has the field):

- records: share of pages that would become a record in a crawl. Ours: the page is routed as
  the ``news`` spider routes a link-found page (:func:`newscrawler.discovery.classify.
  classify_page` on the page's Scrapy tree), extraction gives fields, the article judgement
  (:func:`~newscrawler.discovery.classify.judge_extraction`) keeps it and the record passes the
  schema validation (the spider's canonical and variant routing and the dedup are left out: see
  ``evaluate_crawl.py``). trafilatura: ``extract`` returns a text (a crawler built on it alone
  has no classifier). On a corpus of pages that are
  not articles (every ``page_type`` other than ``article``) this is the share that would be
  stored as articles, and it should be 0.
- body precision / recall / F1: the article-extraction benchmark's method. Text is lower-cased and
  split into ``\\w+`` tokens; overlapping 4-token shingles are counted as a multiset. Per page,
  P = shared / predicted and R = shared / truth shingles; P and R are averaged over pages and F1 is
  the harmonic mean of the averages. An empty prediction has P = 1 and R = 0.
- title: normalised exact match (NFKC, invisible format characters such as a soft hyphen
  dropped, case-folded, ``\\w+`` tokens joined by one space, so quotes, dashes and punctuation
  do not count).
- day: the calendar day of the predicted publication date, read in the date's own offset
  (the ``YYYY-MM-DD`` it starts with), equals the truth's.
- authors: the set of normalised names (as titles) equals the truth's set exactly; pages whose
  truth has no author field are skipped. A truth ``author`` string (wcxb) is split on commas,
  ``&``, ``;`` and the word "and" into a list.
- language: primary subtag of the prediction equals the dataset's language truth. Only fundus has
  one: ``publisher_group_default_lang``, the publisher group's language (not derived from
  ``<html lang>``). trafilatura's ``extract`` reports no language, so its column shows ``-``.

Body scores are left out on pages whose truth has no text. Each corpus gets a block with the
three systems side by side; then rows are grouped by dataset, split and language: the truth
language where there is one, otherwise the primary subtag of ``<html lang>`` from
``derived.jsonl`` (``und`` when absent). Pages are split into two halves by a stable hash,
``crc32(id) % 2`` (split ``A``: even, for fitting a rule or a threshold; ``B``: odd, held out to
report); ``--split A`` or ``--split B`` runs one half only.
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
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

_TOKEN = re.compile(r"\w+")
_DAY = re.compile(r"^(\d{4}-\d{2}-\d{2})")
_AUTHOR_SPLIT = re.compile(r"\s*(?:,|;|&|\band\b)\s*", re.I)
SYSTEMS = ("ours", "trafilatura", "htmldate")
SPLITS = {"even": "A", "odd": "B"}
METRICS = ("records", "P", "R", "F1", "title", "day", "authors", "language")
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
    """NFKC, case-folded, ``\\w+`` tokens joined by single spaces; invisible format characters
    (a soft hyphen, a zero-width space) are dropped first, so that they split no word."""
    text = unicodedata.normalize("NFKC", value or "")
    visible = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return " ".join(_TOKEN.findall(visible.casefold()))


def title_match(predicted: str | None, truth: str) -> bool:
    return bool(normalise_text(truth)) and normalise_text(predicted) == normalise_text(truth)


def authors_match(predicted: Iterable[str] | None, truth: Iterable[str]) -> bool:
    pred = {normalise_text(name) for name in predicted or ()} - {""}
    true = {normalise_text(name) for name in truth} - {""}
    return pred == true


def split_authors(value: str) -> list[str]:
    """A truth's author string as a list: split on commas, ``;``, ``&`` and the word "and"."""
    return [name for name in _AUTHOR_SPLIT.split(value) if name.strip()]


def truth_authors(truth: dict[str, Any]) -> list[str] | None:
    """The truth's author list (``authors``, else the ``author`` string split); None if absent."""
    if truth.get("authors") is not None:
        return list(truth["authors"])
    if isinstance(truth.get("author"), str) and truth["author"].strip():
        return split_authors(truth["author"])
    return None


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
    """Deterministic split of a corpus into halves by ``crc32(id) % 2``: ``even`` or ``odd``."""
    return "odd" if zlib.crc32(page_id.encode()) % 2 else "even"


def split_of(page_id: str) -> str:
    """The page's split: ``A`` (the even half, to fit on) or ``B`` (the odd half, to report)."""
    return SPLITS[half_of(page_id)]


def is_non_article_corpus(truths: Sequence[dict[str, Any]]) -> bool:
    """Every page has a ``page_type`` and none is ``article``: nothing here should be stored."""
    return bool(truths) and all(t.get("page_type") and t["page_type"] != "article" for t in truths)


# --- running the systems on one page ---------------------------------------------------------


@dataclass
class PageResult:
    """Scores of all systems on one page."""

    dataset: str
    page_id: str
    url: str
    language: str
    half: str
    scores: dict[str, dict[str, Any]] = field(default_factory=dict)  # system -> metric -> value
    ms: dict[str, float] = field(default_factory=dict)  # system -> milliseconds
    outcome: str = ""  # ours: "record", or why the page gives none ("hub/little_text", ...)

    @property
    def split(self) -> str:
        return SPLITS[self.half]


def crawl_outcome(html: bytes, url: str, fields: dict[str, Any] | None, reason: str | None) -> str:
    """What a crawl makes of the page: ``record``, ``hub/<reason>`` (classified as no article),
    ``failed/<reason>`` (extraction gave no fields) or ``invalid`` (refused by the schema)."""
    from itemadapter import ItemAdapter
    from scrapy.http import HtmlResponse

    from newscrawler.discovery.classify import classify_page, judge_extraction
    from newscrawler.extraction import Extraction
    from newscrawler.items import Page
    from newscrawler.markup import read_markup
    from newscrawler.pipelines.extract import article_from_extraction
    from newscrawler.pipelines.validate import schema_errors

    response = HtmlResponse(url or "https://page.invalid/", body=html)
    root = response.selector.root
    # routed as a link-found page (a page announced by a feed or sitemap is always extracted)
    kind = classify_page(root, read_markup(root, response.url))
    if not kind.is_article:
        return f"hub/{kind.reason}"
    if fields is None:
        return f"failed/{reason or 'unknown'}"
    rejection = judge_extraction(kind.signals, fields)
    if rejection is not None:
        return f"rejected/{rejection.reason}"
    fetched = datetime.now(timezone.utc).isoformat(timespec="seconds")  # as the spider sets it
    page = Page(url=response.url, body=html, fetched_at=fetched)
    article = article_from_extraction(page, Extraction(fields))
    return "invalid" if schema_errors(ItemAdapter(article).asdict()) else "record"


def _ours(html: bytes, url: str) -> tuple[dict[str, Any] | None, str | None]:
    from newscrawler.extraction import extract_article

    result = extract_article(html, url)
    return (dict(result.fields) if result.fields is not None else None), result.reason


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


def _htmldate(html: bytes, url: str) -> dict[str, Any]:
    import htmldate

    return {"published": htmldate.find_date(html, url=url or None, original_date=True)}


def score_page(
    fields: dict[str, Any], truth: dict[str, Any], truth_language: str | None
) -> dict[str, Any]:
    """All metrics of one system's output on one page; metrics without truth are left out."""
    scores: dict[str, Any] = {}
    if truth.get("text"):
        precision, recall = body_scores(fields.get("text"), truth["text"])
        scores["precision"], scores["recall"] = precision, recall
        scores["f1"] = f1(precision, recall)
    if truth.get("title"):
        scores["title"] = title_match(fields.get("title"), truth["title"])
    if truth.get("date"):
        scores["day"] = day_match(fields.get("published"), truth["date"])
    authors = truth_authors(truth)
    if authors is not None:
        scores["authors"] = authors_match(fields.get("authors"), authors)
    if truth_language:
        scores["language"] = language_match(fields.get("language"), truth_language)
    return scores


def warm_up() -> None:
    """Import and run every system once, so that no page's timing includes start-up costs."""
    page = b"<html><body><article><p>" + b"Warm-up sentence for the extractors. " * 20
    page += b"</p></article></body></html>"
    fields, reason = _ours(page, "https://warm-up.example/")
    crawl_outcome(page, "https://warm-up.example/", fields, reason)
    _trafilatura(page, "https://warm-up.example/")
    _htmldate(page, "https://warm-up.example/")


def evaluate_page(task: Task) -> PageResult:
    """Worker: run all systems on one page and score them."""
    dataset, path, truth, truth_language, group_language = task
    html = Path(path).read_bytes()
    url = truth.get("url") or ""
    result = PageResult(dataset, truth["id"], url, group_language, half_of(truth["id"]))

    start = time.perf_counter()
    ours, reason = _ours(html, url)
    result.ms["ours"] = (time.perf_counter() - start) * 1000
    result.outcome = crawl_outcome(html, url, ours, reason)

    start = time.perf_counter()
    theirs = _trafilatura(html, url)
    result.ms["trafilatura"] = (time.perf_counter() - start) * 1000
    traf_record = theirs["text"] is not None
    theirs.update(_trafilatura_metadata(html, url))
    result.scores["ours"] = score_page(ours or {}, truth, truth_language)
    result.scores["ours"]["records"] = result.outcome == "record"
    traf_scores = score_page(theirs, truth, truth_language)
    traf_scores.pop("language", None)  # extract() reports no language
    traf_scores["records"] = traf_record
    result.scores["trafilatura"] = traf_scores

    start = time.perf_counter()
    dated = _htmldate(html, url)
    result.ms["htmldate"] = (time.perf_counter() - start) * 1000
    result.scores["htmldate"] = (
        {"day": day_match(dated["published"], truth["date"])} if truth.get("date") else {}
    )
    return result


# --- corpus loading and reporting ------------------------------------------------------------


class CorpusMissing(Exception):
    """A corpus folder or its truth file is missing."""


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def load_tasks(corpus: Path, limit: int | None, split: str = "all") -> list[Task]:
    """One task per page of ``corpus`` (of ``split``: ``A``, ``B`` or ``all``) that has both
    truth and an HTML file; at most ``limit``."""
    truth_file = corpus / "truth.jsonl"
    if not truth_file.is_file() or not (corpus / "pages").is_dir():
        raise CorpusMissing(f"{corpus}: expected truth.jsonl and pages/ (see the corpus README)")
    derived: dict[str, dict[str, Any]] = {}
    if (corpus / "derived.jsonl").is_file():
        derived = {row["id"]: row for row in _read_jsonl(corpus / "derived.jsonl")}
    tasks = []
    for truth in _read_jsonl(truth_file):
        page = corpus / "pages" / f"{truth['id']}.html"
        if not page.is_file() or split not in ("all", split_of(truth["id"])):
            continue
        truth_language = truth.get("language") or truth.get("publisher_group_default_lang")
        html_lang = (derived.get(truth["id"], {}).get("html_lang") or "").split("-")[0].lower()
        group = (truth_language or html_lang or "und").split("-")[0].lower()
        tasks.append((corpus.name, str(page), truth, truth_language, group))
        if limit and len(tasks) >= limit:
            break
    return tasks


def summarise(results: Sequence[PageResult], system: str) -> dict[str, Any]:
    """Averages of one system's metrics over ``results``: ``(share, pages)`` or None a metric."""
    rows = [r.scores[system] for r in results]
    out: dict[str, Any] = {"pages": len(rows)}
    bodies = [s for s in rows if "precision" in s]
    if bodies:
        precision = statistics.fmean(s["precision"] for s in bodies)
        recall = statistics.fmean(s["recall"] for s in bodies)
        n = len(bodies)
        out["P"], out["R"], out["F1"] = (precision, n), (recall, n), (f1(precision, recall), n)
    else:
        out["P"] = out["R"] = out["F1"] = None
    for metric in ("records", "title", "day", "authors", "language"):
        values = [s[metric] for s in rows if metric in s]
        out[metric] = (sum(values) / len(values), len(values)) if values else None
    return out


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, tuple):
        return f"{value[0]:.3f}"
    return f"{value:.3f}"


def _label(metric: str, non_article: bool) -> str:
    if metric == "records":
        return "stored as articles" if non_article else "records"
    return {"P": "body P", "R": "body R", "F1": "body F1"}.get(metric, metric)


def report_corpus(name: str, results: Sequence[PageResult], non_article: bool, out: Any) -> None:
    """One corpus: every metric, the three systems side by side, and why pages give no record."""
    tail = "  (pages that are not articles: should be 0)" if non_article else ""
    print(f"== {name}: {len(results)} pages{tail}", file=out)
    sums = {system: summarise(results, system) for system in SYSTEMS}
    print(f"   {'metric':<20}{'ours':>8}{'trafilatura':>13}{'htmldate':>10}{'pages':>7}", file=out)
    for metric in METRICS:
        if sums["ours"][metric] is None:
            continue
        cells = "".join(
            _cell(sums[s][metric]).rjust(w) for s, w in zip(SYSTEMS, (8, 13, 10), strict=True)
        )
        print(f"   {_label(metric, non_article):<20}{cells}{sums['ours'][metric][1]:>7}", file=out)
    lost = Counter(r.outcome for r in results if r.outcome != "record")
    if lost:
        reasons = ", ".join(f"{reason} {n}" for reason, n in lost.most_common())
        print(f"   ours, no record: {reasons}", file=out)
    print(file=out)


def report(
    results: Sequence[PageResult],
    worst: int,
    out: Any = None,
    non_article: frozenset[str] = frozenset(),
) -> None:
    """Print a block per corpus, the side-by-side group table, timings and the worst pages."""
    out = out or sys.stdout
    by_dataset: dict[str, list[PageResult]] = {}
    for r in results:
        by_dataset.setdefault(r.dataset, []).append(r)
    for name, rows in by_dataset.items():
        report_corpus(name, rows, name in non_article, out)
    groups: dict[str, list[PageResult]] = {}
    for r in results:
        groups.setdefault(f"{r.dataset} all", []).append(r)
        groups.setdefault(f"{r.dataset} split={r.split}", []).append(r)
        groups.setdefault(f"{r.dataset} lang={r.language}", []).append(r)
        groups.setdefault("ALL", []).append(r)
    header = f"{'group':<32}{'pages':>6}  " + "  ".join(f"{m:>15}" for m in METRICS)
    print("metric cells: ours / trafilatura (records: share stored)", file=out)
    print(header, file=out)
    for name in sorted(groups, key=lambda g: (g == "ALL", g.split()[0], " lang=" in g, g)):
        ours, theirs = summarise(groups[name], "ours"), summarise(groups[name], "trafilatura")
        cells = [f"{_cell(ours[m])} / {_cell(theirs[m])}".rjust(15) for m in METRICS]
        print(f"{name:<32}{ours['pages']:>6}  " + "  ".join(cells), file=out)
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
    scored = [r for r in results if "f1" in r.scores["ours"]]
    if worst and scored:
        print(f"\nworst {worst} pages by our body F1 (ours vs trafilatura):", file=out)
        ranked = sorted(scored, key=lambda r: r.scores["ours"]["f1"])[:worst]
        for r in ranked:
            print(
                f"  {r.scores['ours']['f1']:.3f} vs {r.scores['trafilatura']['f1']:.3f}  "
                f"{r.dataset}/{r.page_id}  {r.url}  [{r.outcome}]",
                file=out,
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", nargs="+", required=True, type=Path, help="corpus folders")
    parser.add_argument("--limit", type=int, default=None, help="pages per corpus (quick run)")
    parser.add_argument(
        "--split",
        choices=("A", "B", "all"),
        default="all",
        help="half of every corpus by crc32(id) %% 2: A (even, to fit on), B (odd, to report)",
    )
    parser.add_argument("--worst", type=int, default=10, help="list this many worst pages")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--json", type=Path, default=None, help="also write per-page scores here")
    args = parser.parse_args(argv)

    tasks: list[Task] = []
    non_article: set[str] = set()
    try:
        for corpus in args.corpus:
            found = load_tasks(corpus, args.limit, args.split)
            if is_non_article_corpus([t[2] for t in found]):
                non_article.add(corpus.name)
            tasks.extend(found)
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
    print(f"split: {args.split}\n")
    report(results, args.worst, non_article=frozenset(non_article))
    print(f"\n{len(results)} pages in {time.perf_counter() - started:.0f} s")
    if args.json:
        with args.json.open("w", encoding="utf-8") as handle:
            for r in results:
                handle.write(json.dumps(r.__dict__, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    sys.exit(main())
