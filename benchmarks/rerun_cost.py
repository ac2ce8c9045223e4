"""What a rerun costs once the crawl database knows a site: requests and seconds, vs the first.

Builds a generated news site on a loopback server (``--sections`` sections of ``--per-section``
articles, each section a listing of ten links a page with next-page links, an RSS feed of the
newest twenty, a sitemap of all), crawls it once, puts ``--new`` stories on top of the listings,
the feed and the sitemap, and crawls it again with the same state. Measured twice in one run:
without validators (every page answers 200) and with ETag/Last-Modified (unchanged pages answer
304). Prints, for each, the rerun's requests and seconds over the first run's (seconds also
less the start-up of a crawl, measured on a one-page site), the rerun's requests less the new
stories over the first run's, and the rerun's requests by kind (from the server's log). Run
from the project folder::

    python -m benchmarks.rerun_cost [--sections 8 --per-section 30 --new 10]
"""

from __future__ import annotations

import argparse
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from tests.conftest import run_crawl
from tests.site.server import LoopbackSite, Route
from tests.state_site import article_page, article_path, article_text, hub_page, rss, sitemap

PER_PAGE = 10
FEED_ENTRIES = 20
SETTINGS = {"NEWSCRAWLER_SITEMAPS_ENABLED": "1"}
_LISTING_PAGE = re.compile(r"^/s\d+/page/\d+/$")


def section_pages(routes: dict[str, Route], section: int, paths: list[str]) -> None:
    """``/s<N>/`` and its next pages ``/s<N>/page/<k>/``, newest first."""
    for old in [p for p in routes if p.startswith(f"/s{section}/page/")]:
        del routes[old]
    chunks = [paths[i : i + PER_PAGE] for i in range(0, len(paths), PER_PAGE)]
    for number, chunk in enumerate(chunks, 1):
        path = f"/s{section}/" if number == 1 else f"/s{section}/page/{number}/"
        nxt = [f"/s{section}/page/{number + 1}/"] if number < len(chunks) else []
        routes[path] = Route(body=hub_page(f"Section {section}, page {number}", chunk + nxt))


def publish(routes: dict[str, Route], origin: str, sections: list[list[str]]) -> None:
    """The listings, feed and sitemap for these articles (each section newest first)."""
    for number, paths in enumerate(sections):
        section_pages(routes, number, paths)
    newest = [p for group in zip(*sections, strict=False) for p in group]
    routes["/rss.xml"] = Route(body=rss(newest[:FEED_ENTRIES]), content_type="application/rss+xml")
    every = [p for paths in sections for p in paths]
    routes["/sitemap.xml"] = Route(body=sitemap(every, origin), content_type="application/xml")


def story(seed: int, title: str, date: str) -> Route:
    return Route(body=article_page(title, article_text(seed), date))


def build(sections: int, per_section: int) -> tuple[dict[str, Route], list[list[str]]]:
    routes: dict[str, Route] = {
        "/robots.txt": Route(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/": Route(body=hub_page("Home", [f"/s{s}/" for s in range(sections)], "/rss.xml")),
    }
    listed: list[list[str]] = []
    for s in range(sections):
        paths = [article_path(s, n) for n in range(per_section)]
        for n, path in enumerate(paths):
            routes[path] = story(1000 * s + n, f"Story {s}-{n}", f"2024-03-{10 + n % 18:02d}")
        listed.append(paths)
    return routes, listed


def request_kind(path: str, new: set[str]) -> str:
    path = urlsplit(path).path
    if path in new:
        return "new article"
    if "/story-number-" in path:
        return "known article"
    if path == "/robots.txt":
        return "robots.txt"
    if path == "/":
        return "seed"
    if path in ("/rss.xml", "/sitemap.xml"):
        return "feed/sitemap"
    if _LISTING_PAGE.match(path):
        return "listing page 2+"
    if re.match(r"^/s\d+/$", path):
        return "listing page 1"
    return "other"


@dataclass
class Rerun:
    label: str
    first_requests: int
    first_seconds: float
    first_records: int
    rerun_requests: int
    rerun_seconds: float
    rerun_records: int
    new: int
    kinds: Counter[str]
    not_modified: int


def measure(label: str, sections: int, per_section: int, new_count: int, validators: bool) -> Rerun:
    routes, listed = build(sections, per_section)
    server = LoopbackSite(routes, validators=validators)
    with tempfile.TemporaryDirectory() as folder, server as site:
        workdir = Path(folder)
        publish(site.routes, site.origin, listed)
        start = time.perf_counter()
        first = run_crawl(workdir, "-a", f"start_urls={site.url('/')}", settings=SETTINGS)
        first_seconds = time.perf_counter() - start
        first_requests = len(site.paths())
        new = [f"/s{i % sections}/2024/03/28/new-story-{i}.html" for i in range(new_count)]
        for i, path in enumerate(new):
            site.routes[path] = story(90000 + i, f"New story {i}", "2024-03-28")
            listed[i % sections].insert(0, path)
        publish(site.routes, site.origin, listed)
        site.clear_log()
        start = time.perf_counter()
        second = run_crawl(
            workdir, "-a", f"start_urls={site.url('/')}", settings=SETTINGS, output="2.jsonl"
        )
        rerun_seconds = time.perf_counter() - start
        paths = site.paths()
    for result in (first, second):
        if result.returncode != 0:
            raise SystemExit(f"{label}: crawl exited {result.returncode}\n{result.log[-3000:]}")
    return Rerun(
        label,
        first_requests,
        first_seconds,
        len(first.records),
        len(paths),
        rerun_seconds,
        len(second.records),
        len(new),
        Counter(request_kind(p, set(new)) for p in paths),
        int(second.stats.get("downloader/response_status_count/304", 0)),
    )


def startup_seconds() -> float:
    """A crawl of a one-page site in a fresh folder: the process start-up in every figure."""
    routes = {"/": Route(body=hub_page("Home", []))}
    with tempfile.TemporaryDirectory() as folder, LoopbackSite(routes) as site:
        start = time.perf_counter()
        run_crawl(Path(folder), "-a", f"start_urls={site.url('/')}", settings=SETTINGS)
        return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sections", type=int, default=8)
    parser.add_argument("--per-section", type=int, default=30)
    parser.add_argument("--new", type=int, default=10, help="stories added before the rerun")
    args = parser.parse_args()
    runs = [
        measure("no validators", args.sections, args.per_section, args.new, False),
        measure("ETag/Last-Modified", args.sections, args.per_section, args.new, True),
    ]
    startup = startup_seconds()
    print(
        f"{'site':20} {'1st req':>7} {'1st s':>6} {'rerun req':>9} {'rerun s':>7} "
        f"{'req ratio':>9} {'s ratio':>7} {'(req-new)/1st':>13} {'304':>4} {'new found':>9}"
    )
    for r in runs:
        print(
            f"{r.label:20} {r.first_requests:>7} {r.first_seconds:>6.1f} {r.rerun_requests:>9} "
            f"{r.rerun_seconds:>7.1f} {r.rerun_requests / r.first_requests:>9.1%} "
            f"{r.rerun_seconds / r.first_seconds:>7.1%} "
            f"{(r.rerun_requests - r.new) / r.first_requests:>13.1%} {r.not_modified:>4} "
            f"{r.rerun_records:>4}/{r.new:<4}"
        )
    print(f"start-up (a crawl of a one-page site): {startup:.1f} s; without it:")
    for r in runs:
        first, rerun = r.first_seconds - startup, r.rerun_seconds - startup
        print(f"  {r.label}: rerun {rerun:.1f} s / first {first:.1f} s = {rerun / first:.1%}")
    for r in runs:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(r.kinds.items()))
        print(f"{r.label}: first run {r.first_records} records; rerun requests: {kinds}")


if __name__ == "__main__":
    main()
