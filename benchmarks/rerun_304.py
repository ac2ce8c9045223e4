"""How long a rerun takes when every page answers ``304 Not Modified``, against the first run.

Serves a generated news site (``--sections`` hubs of ``--per-section`` articles, a home page,
robots.txt and an RSS feed, with ETags) on a loopback server, crawls it once with the default
settings (AutoThrottle on), then reruns it from copies of that first run's folder (state and
output), so that every hub answers 304 and every article is skipped as known:

1. the defaults: the project's AutoThrottle, each host starting from the delay the first run
   saved;
2. the project's AutoThrottle with ``NEWSCRAWLER_THROTTLE_SAVE_DELAYS=0``: starting at
   ``AUTOTHROTTLE_START_DELAY``, lowered by the 304 answers alone;
3. Scrapy's own AutoThrottle (the baseline): starting at ``AUTOTHROTTLE_START_DELAY``, and never
   lowered, since it lowers the delay on a 200 only.

It prints the crawl time of each run (Scrapy's ``elapsed_time_seconds``) and its ratio to the
first run's. Run from the project folder::

    python -m benchmarks.rerun_304 [--sections 2 --per-section 8]
"""

from __future__ import annotations

import argparse
import json
import shutil
import tempfile
from pathlib import Path
from typing import Any

from newscrawler import settings as project
from tests.conftest import CrawlResult, run_crawl
from tests.site.server import LoopbackSite
from tests.state_site import generated_site

THROTTLE_ON = {"AUTOTHROTTLE_ENABLED": "1"}  # run_crawl turns it off for the tests' speed


def scrapy_throttle() -> dict[str, str]:
    """Settings that put Scrapy's AutoThrottle back in place of the project's."""
    extensions: dict[str, Any] = dict(project.EXTENSIONS)
    extensions["newscrawler.extensions.throttle.AutoThrottle"] = None
    extensions["scrapy.extensions.throttle.AutoThrottle"] = 0
    return {"EXTENSIONS": json.dumps(extensions)}


def crawl(folder: Path, seed: str, settings: dict[str, str]) -> CrawlResult:
    result = run_crawl(folder, "-a", f"start_urls={seed}", overwrite=False, settings=settings)
    if result.returncode != 0:
        raise SystemExit(f"crawl in {folder} exited with {result.returncode}:\n{result.log}")
    return result


def statuses(result: CrawlResult) -> str:
    prefix = "downloader/response_status_count/"
    counts = {k[len(prefix) :]: v for k, v in result.stats.items() if k.startswith(prefix)}
    return ", ".join(f"{n}×{status}" for status, n in sorted(counts.items()))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sections", type=int, default=2)
    parser.add_argument("--per-section", type=int, default=8)
    args = parser.parse_args()

    routes = generated_site(sections=args.sections, per_section=args.per_section)
    runs: list[tuple[str, CrawlResult]] = []
    with tempfile.TemporaryDirectory() as tmp, LoopbackSite(routes, validators=True) as site:
        first_dir = Path(tmp) / "first"
        first = crawl(first_dir, site.url("/"), THROTTLE_ON)
        runs.append(("first run (defaults)", first))
        reruns = {
            "rerun, defaults (saved delays)": THROTTLE_ON,
            "rerun, saved delays off (304s lower the delay)": {
                **THROTTLE_ON,
                "NEWSCRAWLER_THROTTLE_SAVE_DELAYS": "0",
            },
            "rerun, Scrapy's AutoThrottle (baseline)": {**THROTTLE_ON, **scrapy_throttle()},
        }
        for n, (name, settings) in enumerate(reruns.items()):
            folder = Path(tmp) / f"rerun{n}"
            shutil.copytree(first_dir, folder)
            runs.append((name, crawl(folder, site.url("/"), settings)))

    base = first.stats["elapsed_time_seconds"]
    print(f"site: {len(routes)} pages; first run stored {len(first.records)} articles")
    print(f"{'run':48} {'seconds':>8} {'× first':>8} {'delay at end':>12}  answers")
    for name, result in runs:
        seconds = result.stats["elapsed_time_seconds"]
        delay = result.stats.get("newscrawler/throttle/delay_max")
        shown = "–" if delay is None else f"{delay:.3f} s"
        print(f"{name:48} {seconds:8.2f} {seconds / base:8.2f} {shown:>12}  {statuses(result)}")


if __name__ == "__main__":
    main()
