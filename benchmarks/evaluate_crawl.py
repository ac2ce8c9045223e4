"""What a real crawl makes of the corpus pages: records, pages stored by mistake, and why each
other page gave no record.

Builds a news site on a loopback server (127.0.0.1) from the corpus folders at run time: every
corpus page is served under a path made from its original URL's host and path, a home page
links to section pages, the sections link to the pages, an RSS feed (declared on the home page)
and a sitemap (named in robots.txt) announce part of the articles. Of the article pages (every
corpus but those whose pages are all of a ``page_type`` other than ``article``), one in three
is in the feed and a section, one in three in the sitemap only, one in three in a section only;
the other pages (listings, products, services) are linked from sections, as on a real site.
Then ``scrapy crawl news`` runs on it with the default settings (sitemaps and feeds on), except
``DEPTH_LIMIT=2`` (the links inside the corpus pages lead to paths of their original sites,
which this site does not have) and ``LOG_LEVEL=DEBUG`` (every drop is logged with its URL).

Printed per corpus: article pages that became records, those dropped as copies of a stored
record (two corpus pages of one article, e.g. its URL with and without a final slash), the
share of served article pages whose article is in the dataset, non-article pages stored as
articles, and for every served page without a record the reason (counted by reason):
the drop reason logged for its URL, any other log line naming it, or, for pages the spider
classified as no article (counted in the stats, not logged per page), "not an article"; the
stats' per-reason counts of those are printed for the run. A page with none of these would be
lost silently; the script counts those too. Run from the project folder::

    python -m benchmarks.evaluate_crawl --corpus CORPUS_DIR/zyte CORPUS_DIR/fundus \\
        CORPUS_DIR/wcxb-dev CORPUS_DIR/wcxb-dev-nonarticle [--per-corpus 30]
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import tempfile
import time
import zlib
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import format_datetime
from html import escape
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from newscrawler.urls import canonical_url
from tests.conftest import check_stderr, log_records, run_crawl
from tests.site.server import LoopbackSite, Route

SECTION_SIZE = 25
MAX_PATH = 180
SETTINGS = {
    "NEWSCRAWLER_SITEMAPS_ENABLED": "1",
    "NEWSCRAWLER_FEEDS_ENABLED": "1",
    "DEPTH_LIMIT": "2",
    "LOG_LEVEL": "DEBUG",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9/_.-]+")
_RECORD = re.compile(r"^\S+ \S+ \[(?P<logger>[^\]]+)\] (?P<level>[A-Z]+): (?P<msg>.*)", re.S)
_CRAWLED = re.compile(r"^Crawled \((?P<status>\d+)\) <GET (?P<url>\S+)>")
# A URL of the loopback site in a log line; not the colon or full stop that may follow it
# ("No article from http://…/story: product").
_URL = re.compile(r"https?://127\.0\.0\.1:\d+(?:[^\s\"'<>),]*[^\s\"'<>),:.])?")
_NO_ARTICLE = re.compile(r"no article from \S+: (?P<reason>\w+)")


@dataclass
class ServedPage:
    """One corpus page on the loopback site."""

    corpus: str
    page_id: str
    path: str
    is_article: bool
    route: str  # how the site announces it: "feed+section", "sitemap", "section"
    title: str | None
    date: str | None


def _read_jsonl(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def _path_for(url: str, page_id: str, taken: set[str]) -> str:
    """A path on the loopback site keeping the shape of the page's original URL."""
    parts = urlsplit(url or "")
    host = (parts.hostname or "site").replace(".", "-")
    path = _UNSAFE.sub("-", parts.path or "/") or "/"
    candidate = f"/{host}{path if path.startswith('/') else '/' + path}"[:MAX_PATH]
    if candidate in taken or candidate.rstrip("/") in {p.rstrip("/") for p in taken}:
        candidate = f"/{host}/{_UNSAFE.sub('-', page_id)}"[:MAX_PATH]
    taken.add(candidate)
    return candidate


def load_pages(corpora: list[Path], per_corpus: int | None) -> list[ServedPage]:
    """The pages to serve: at most ``per_corpus`` of each corpus, in a stable mixed order."""
    pages: list[ServedPage] = []
    taken: set[str] = {"/", "/feed.xml", "/sitemap.xml", "/robots.txt"}
    for corpus in corpora:
        truths = [
            t
            for t in _read_jsonl(corpus / "truth.jsonl")
            if (corpus / "pages" / f"{t['id']}.html").is_file()
        ]
        non_article = bool(truths) and all(
            t.get("page_type") and t["page_type"] != "article" for t in truths
        )
        truths.sort(key=lambda t: zlib.crc32(t["id"].encode()))
        for n, truth in enumerate(truths[:per_corpus] if per_corpus else truths):
            route = "section" if non_article else ("feed+section", "sitemap", "section")[n % 3]
            pages.append(
                ServedPage(
                    corpus.name,
                    truth["id"],
                    _path_for(truth.get("url") or "", truth["id"], taken),
                    not non_article,
                    route,
                    truth.get("title"),
                    truth.get("date"),
                )
            )
    return pages


def _rfc2822(value: str | None) -> str | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=timezone.utc)
    return format_datetime(parsed)


def _exact(route: Route) -> Route:
    """``route`` answered only for its path without a query string (404 otherwise), so that no
    page is served under two URLs."""

    def handle(req: BaseHTTPRequestHandler) -> None:
        status, payload = (
            (404, b"not found") if urlsplit(req.path).query else (200, route.payload())
        )
        req.send_response(status)
        req.send_header("Content-Type", route.content_type if status == 200 else "text/plain")
        req.send_header("Content-Length", str(len(payload)))
        req.end_headers()
        if req.command != "HEAD":
            req.wfile.write(payload)

    return Route(handler=handle)


def site_routes(origin: str, pages: list[ServedPage], corpora: dict[str, Path]) -> dict[str, Route]:
    """Every route of the loopback site: the pages, home, sections, feed, sitemap, robots.txt."""
    routes: dict[str, Route] = {}
    for page in pages:
        body = (corpora[page.corpus] / "pages" / f"{page.page_id}.html").read_bytes()
        routes[page.path] = Route(body=body, content_type="text/html")
    linked = [p for p in pages if p.route != "sitemap"]
    linked.sort(key=lambda p: zlib.crc32(p.path.encode()))  # sections mix the corpora
    sections = [linked[i : i + SECTION_SIZE] for i in range(0, len(linked), SECTION_SIZE)]
    for n, members in enumerate(sections, 1):
        items = "".join(
            f"<li><a href='{p.path}'>{escape(p.title or p.path.rsplit('/', 1)[-1] or p.path)}"
            "</a></li>"
            for p in members
        )
        routes[f"/section/{n}/"] = Route(
            body=f"<html lang='en'><head><title>Section {n} | Loopback News</title></head>"
            f"<body><nav><a href='/'>Loopback News</a></nav><h1>Section {n}</h1>"
            f"<ul>{items}</ul></body></html>"
        )
    section_links = "".join(
        f"<li><a href='/section/{n}/'>Section {n}</a></li>" for n in range(1, len(sections) + 1)
    )
    routes["/"] = Route(
        body="<html lang='en'><head><title>Loopback News</title>"
        "<link rel='alternate' type='application/rss+xml' href='/feed.xml'></head>"
        f"<body><h1>Loopback News</h1><ul>{section_links}</ul></body></html>"
    )
    items = []
    for p in pages:
        if p.route != "feed+section":
            continue
        date = _rfc2822(p.date)
        items.append(
            f"<item><title>{escape(p.title or p.page_id)}</title><link>{origin}{p.path}</link>"
            f"<guid>{origin}{p.path}</guid>"
            + (f"<pubDate>{date}</pubDate>" if date else "")
            + "</item>"
        )
    routes["/feed.xml"] = Route(
        body="<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel>"
        f"<title>Loopback News</title><link>{origin}/</link><description>All articles</description>"
        + "".join(items)
        + "</channel></rss>",
        content_type="application/rss+xml; charset=utf-8",
    )
    urls = []
    for p in pages:
        if p.route != "sitemap":
            continue
        day = (p.date or "")[:10]
        lastmod = f"<lastmod>{day}</lastmod>" if re.match(r"\d{4}-\d{2}-\d{2}$", day) else ""
        urls.append(f"<url><loc>{origin}{p.path}</loc>{lastmod}</url>")
    routes["/sitemap.xml"] = Route(
        body="<?xml version='1.0' encoding='UTF-8'?>"
        "<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>"
        + "".join(urls)
        + "</urlset>",
        content_type="application/xml; charset=utf-8",
    )
    routes["/robots.txt"] = Route(
        body=f"User-agent: *\nAllow: /\nSitemap: {origin}/sitemap.xml\n",
        content_type="text/plain; charset=utf-8",
    )
    return {path: _exact(route) for path, route in routes.items()}


# The drop reason of a page whose article is already a record (its URL, canonical URL or text):
# the crawl stored the article once, as it should.
COPY_REASON = "dropped: duplicate"


def log_reasons(log: str, origin: str) -> tuple[dict[str, str], dict[str, str]]:
    """``(crawled, reasons)``: the status each URL was crawled with, and for URLs the log names
    otherwise the reason it gives (a drop first)."""
    crawled: dict[str, str] = {}
    reasons: dict[str, str] = {}
    for record in log_records(log):
        match = _RECORD.match(record)
        if match is None:
            continue
        msg = match["msg"].split("\n", 1)[0]
        seen = _CRAWLED.match(msg)
        if seen is not None:
            crawled[canonical_url(seen["url"])] = seen["status"]
            continue
        urls = _URL.findall(msg)
        if not urls:
            continue
        url = canonical_url(urls[0])
        if msg.startswith("Dropped: "):
            no_article = _NO_ARTICLE.search(msg)
            if no_article is not None:
                reason = f"no article: {no_article['reason']}"
            else:
                reason = _URL.sub("<url>", msg.removeprefix("Dropped: ")).split(" (")[0]
                reason = "dropped: " + reason.removeprefix("<url>: ").removeprefix("<url> ")
            reasons[url] = reason
        elif url not in reasons and not msg.startswith(("No article from", "Scraped from")):
            reasons[url] = (
                f"{match['logger'].rsplit('.', 1)[-1]}: "
                + _URL.sub("<url>", msg).replace(origin, "")[:80]
            )
    return crawled, reasons


def warning_lines(log: str, origin: str, limit: int = 20) -> list[str]:
    """The crawl's WARNING and ERROR messages, first line each, URLs shortened, each once."""
    lines: list[str] = []
    for record in log_records(log):
        match = _RECORD.match(record)
        if match is None or match["level"] not in ("WARNING", "ERROR", "CRITICAL"):
            continue
        line = f"{match['level']}: {match['msg'].splitlines()[0].replace(origin, '')}"
        if line not in lines:
            lines.append(line)
    return lines[:limit]


def report(
    pages: list[ServedPage],
    origin: str,
    records: list[dict[str, Any]],
    log: str,
    stats: dict[str, Any],
    requested: set[str],
    out: Any = None,
    site_pages: int = 0,
) -> int:
    """Print the per-corpus table; return the number of pages lost without a reason."""
    out = out or sys.stdout
    stored = {canonical_url(r["url"]) for r in records}
    crawled, reasons = log_reasons(log, origin)
    silent = 0
    by_corpus: dict[str, list[ServedPage]] = {}
    for p in pages:
        by_corpus.setdefault(p.corpus, []).append(p)
    print(
        f"{'corpus':<22}{'pages':>6}{'served':>8}{'records':>9}{'copies':>8}  share   note",
        file=out,
    )
    lost_all: dict[str, Counter[str]] = {}
    for corpus, members in by_corpus.items():
        lost: Counter[str] = Counter()
        served = records_n = copies = 0
        for p in members:
            url = canonical_url(origin + p.path)
            if p.path not in requested:
                lost[f"not fetched ({p.route})"] += 1
                continue
            served += 1
            if url in stored:
                records_n += 1
            elif reasons.get(url, "").startswith(COPY_REASON):
                copies += 1  # the same article as a stored record: in the dataset once
                lost[reasons[url]] += 1
            elif url in reasons:
                lost[reasons[url]] += 1
            elif crawled.get(url, "200") != "200":
                lost[f"HTTP {crawled[url]}"] += 1
            else:
                lost["not an article (spider stats newscrawler/pages/hub/*)"] += 1
        is_article = members[0].is_article
        note = (
            "articles in the dataset (a record, or a copy of one)"
            if is_article
            else "stored as articles (should be 0)"
        )
        share = (records_n + copies if is_article else records_n) / served if served else 0.0
        print(
            f"{corpus:<22}{len(members):>6}{served:>8}{records_n:>9}{copies:>8}  {share:.3f}"
            f"  {note}",
            file=out,
        )
        lost_all[corpus] = lost
    print(file=out)
    for corpus, lost in lost_all.items():
        if not lost:
            continue
        print(f"{corpus}: pages without a record, by reason", file=out)
        for reason, n in lost.most_common():
            print(f"  {n:>5}  {reason}", file=out)
    hub = {
        k.rsplit("/", 1)[-1]: v for k, v in stats.items() if k.startswith("newscrawler/pages/hub/")
    }
    inferred = sum(
        n for lost in lost_all.values() for r, n in lost.items() if r.startswith("not an article")
    )
    print(
        f"\nclassified as not an article (stats, the run): {sum(hub.values())} = "
        f"{site_pages} home/section pages of this site + {sum(hub.values()) - site_pages} "
        f"corpus pages; by reason: {dict(sorted(hub.items()))}",
        file=out,
    )
    silent = max(0, inferred - (sum(hub.values()) - site_pages))
    print(
        f"pages without a record and without a reason in the log or the stats: {silent}",
        file=out,
    )
    other = {
        k: v
        for k, v in stats.items()
        if k.startswith(
            (
                "newscrawler/extraction/failed/",
                "item_dropped_reasons_count/",
                "newscrawler/canonical/",
                "newscrawler/pages/skipped/",
            )
        )
    }
    print(f"drop and skip stats: {dict(sorted(other.items()))}", file=out)
    return silent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", nargs="+", required=True, type=Path, help="corpus folders")
    parser.add_argument("--per-corpus", type=int, default=None, help="pages of each corpus")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds the crawl may take")
    args = parser.parse_args(argv)
    for corpus in args.corpus:
        if not (corpus / "truth.jsonl").is_file() or not (corpus / "pages").is_dir():
            print(f"error: corpus not found: {corpus} (truth.jsonl and pages/)", file=sys.stderr)
            return 2
    pages = load_pages(args.corpus, args.per_corpus)
    corpora = {c.name: c for c in args.corpus}
    with LoopbackSite() as server, tempfile.TemporaryDirectory() as tmp:
        server.routes = site_routes(server.origin, pages, corpora)
        started = time.perf_counter()
        result = run_crawl(
            Path(tmp),
            "-a",
            f"start_urls={server.url('/')}",
            settings=SETTINGS,
            timeout=args.timeout,
            expected_traceback="checked below, so that the report is printed first",
        )
        seconds = time.perf_counter() - started
        paths = server.paths()
        routes = set(server.routes)
    requested = {p for p in paths if p in routes}
    unknown = len([p for p in paths if p not in routes])
    site_pages = sum(1 for p in requested if p == "/" or p.startswith("/section/"))
    print(
        f"{len(pages)} corpus pages on {server.origin}; crawl exit code {result.returncode}, "
        f"{len(result.records)} records, {seconds:.0f} s; {len(paths)} requests, {unknown} of "
        "them (HTTP 404) for paths this site does not have: links inside the corpus pages to "
        "their own sites' paths\n"
    )
    silent = report(
        pages, server.origin, result.records, result.log, result.stats, requested, None, site_pages
    )
    warnings = warning_lines(result.log, server.origin)
    if warnings:
        print("\nthe crawl's WARNING and ERROR lines (each once):")
        for line in warnings:
            print(f"  {line}")
    try:
        check_stderr(result.log)
    except AssertionError as exc:
        print(f"\nthe crawl's log shows an error:\n{exc}", file=sys.stderr)
        return 1
    return 1 if silent else 0


if __name__ == "__main__":
    sys.exit(main())
