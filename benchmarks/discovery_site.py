"""How many requests a crawl spends on traps, URL variants and duplicates.

Builds the generated discovery site (feeds, a gzip news sitemap, robots.txt, calendar archive,
endless pagination, repeated segments, session ids, tracking parameters, AMP variants) with a
few hundred articles on a loopback server, crawls it with the default settings and with the
trap defences turned off (the baseline, same run), and judges every request from the server's
log. Run from the project folder::

    python -m benchmarks.discovery_site [--per-kind 70]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections import Counter
from pathlib import Path

from tests.conftest import run_crawl
from tests.site.discovery_routes import discovery_site, request_kind
from tests.site.routes import ARTICLES as BASIC_ARTICLES
from tests.site.server import LoopbackSite
from tests.test_discovery_crawl import DISCOVERY

TRAPS_OFF = {
    "NEWSCRAWLER_TRAPS_MAX_URL_LENGTH": "0",
    "NEWSCRAWLER_TRAPS_MAX_REPEATED_SEGMENTS": "0",
    "NEWSCRAWLER_TRAPS_MAX_PAGINATION": "0",
    "NEWSCRAWLER_TRAPS_MAX_QUERY_VARIANTS": "0",
    "NEWSCRAWLER_TRAPS_MAX_ARCHIVE_PAGES": "0",
    "NEWSCRAWLER_TRAPS_SKIP_EXHAUSTED_LISTINGS": "0",
}


def measure(label: str, per_kind: int, unknown_session: bool, settings: dict[str, str]) -> dict:
    with LoopbackSite() as server, tempfile.TemporaryDirectory() as tmp:
        # 20 articles a listing page, as on real sites; 5 (the tests' size) would make the
        # listing longer than NEWSCRAWLER_TRAPS_MAX_PAGINATION, which cuts it on purpose.
        site = discovery_site(
            server.origin, per_kind, page_size=20, unknown_session_links=unknown_session
        )
        server.routes = site.routes
        started = time.perf_counter()
        result = run_crawl(
            Path(tmp),
            "-a",
            f"start_urls={server.url('/')}",
            settings={**DISCOVERY, **settings},
            timeout=900,
        )
        seconds = time.perf_counter() - started
        paths = server.paths()
    counts = Counter(paths)
    kinds = Counter(request_kind(site, p) for p in counts)
    duplicates = sum(n - 1 for n in counts.values())
    wasted = kinds["trap"] + kinds["variant"] + duplicates
    expected = {a.path for a in site.articles} | set(BASIC_ARTICLES)
    found = {r["url"].removeprefix(server.origin) for r in result.records}
    return {
        "label": label,
        "requests": len(paths),
        "articles": f"{len(found & expected)}/{len(expected)}",
        "trap": kinds["trap"],
        "variant": kinds["variant"],
        "duplicate": duplicates,
        "private": kinds["private"],
        "wasted": wasted,
        "share": wasted / len(paths),
        "seconds": seconds,
        "rc": result.returncode,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--per-kind", type=int, default=70, help="articles per discovery route")
    args = parser.parse_args()
    rows = [
        measure("defended", args.per_kind, False, {}),
        measure("baseline: trap limits off", args.per_kind, False, TRAPS_OFF),
        measure("defended, + unknown session param", args.per_kind, True, {}),
        measure("baseline, + unknown session param", args.per_kind, True, TRAPS_OFF),
    ]
    header = (
        f"{'crawl':36} {'requests':>8} {'articles':>9} {'trap':>5} {'variant':>7} "
        f"{'dup':>4} {'robots!':>7} {'wasted':>7} {'share':>6} {'secs':>5}"
    )
    print(header)
    for r in rows:
        print(
            f"{r['label']:36} {r['requests']:>8} {r['articles']:>9} {r['trap']:>5} "
            f"{r['variant']:>7} {r['duplicate']:>4} {r['private']:>7} {r['wasted']:>7} "
            f"{r['share']:>6.1%} {r['seconds']:>5.1f}"
        )
    for defended, baseline in ((rows[0], rows[1]), (rows[2], rows[3])):
        ratio = defended["wasted"] / baseline["wasted"] if baseline["wasted"] else float("nan")
        print(
            f"{defended['label']}: wasted requests {ratio:.2f}x the baseline's, "
            f"total requests {defended['requests'] / baseline['requests']:.2f}x"
        )


if __name__ == "__main__":
    main()
