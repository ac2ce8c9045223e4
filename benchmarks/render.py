"""Rendering benchmark: rendered pages per second and browser memory, beside the plain crawl.

    python benchmarks/render.py --plain 400 --rendered 60 --rounds 3

Serves, on loopback, ``--plain`` server-rendered articles and ``--rendered`` app-shell articles
(the text written by a script: ``app_site`` in tests/site/render_routes.py), then runs
``scrapy crawl news`` on them, in the same run:

1. the plain site with the render components absent (removed from the component lists);
2. the plain site with them installed and off (the default settings): the ratio of 2 to 1 is what
   rendering costs a crawl that does not use it (``--rounds`` alternating runs of each, medians);
3. the app site with ``render = "browser"`` (every page rendered in Chromium): rendered pages per
   second, and the peak PSS of the Chromium processes (the browser, its renderers, GPU and
   utility processes), sampled every 0.2 s from /proc, per browser context (the crawl opens one)
   and per page open at once (``NEWSCRAWLER_RENDER_CONCURRENCY``); the Playwright driver (Node)
   is reported apart.

Pages per second are articles stored over the crawl's ``elapsed_time_seconds`` (start-up and the
shutdown of the browser included).
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newscrawler.render.chromium import find_browser  # noqa: E402
from tests.conftest import FAST, crawl_env  # noqa: E402
from tests.site.render_routes import app_site, plain_article  # noqa: E402
from tests.site.server import LoopbackSite, Route  # noqa: E402
from tests.site.text import story_paragraphs  # noqa: E402

# A settings module without the render components: the "absent" baseline.
ABSENT_SETTINGS = """\
from newscrawler.settings import *  # noqa: F403

DOWNLOADER_MIDDLEWARES = dict(DOWNLOADER_MIDDLEWARES)  # noqa: F405
del DOWNLOADER_MIDDLEWARES["newscrawler.render.middleware.RenderMiddleware"]
SPIDER_MIDDLEWARES = dict(SPIDER_MIDDLEWARES)  # noqa: F405
del SPIDER_MIDDLEWARES["newscrawler.render.middleware.AutoRender"]
"""


def plain_site(pages: int) -> dict[str, Route]:
    paths = [f"/news/2024/03/{1 + n % 28:02d}/story-{n}.html" for n in range(pages)]
    links = "".join(f"<li><a href='{p}'>story</a></li>" for p in paths)
    routes = {
        "/": Route(body=f"<html><body><ul>{links}</ul></body></html>"),
        "/robots.txt": Route(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
    }
    for n, path in enumerate(paths):
        title = f"Plain story number {n}"
        routes[path] = Route(body=plain_article(title, story_paragraphs(title, "en", 4)))
    return routes


@dataclass
class Memory:
    """Peak PSS (kB) of a crawl's process tree, by kind of process."""

    peak: dict[str, int] = field(default_factory=dict)

    def sample(self, root: int) -> None:
        totals: dict[str, int] = {}
        for pid in descendants(root):
            kind = process_kind(pid)
            totals[kind] = totals.get(kind, 0) + pss_kb(pid)
        for kind, value in totals.items():
            self.peak[kind] = max(self.peak.get(kind, 0), value)


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def process_kind(pid: int) -> str:
    try:
        exe = (Path("/proc") / str(pid) / "cmdline").read_bytes().split(b"\0")[0]
    except OSError:
        return "gone"
    if b"chrom" in exe:
        return "chromium"
    if b"node" in exe:
        return "driver"
    return "crawler"


def pss_kb(pid: int) -> int:
    try:
        text = (Path("/proc") / str(pid) / "smaps_rollup").read_text()
    except OSError:
        return 0
    for line in text.splitlines():
        if line.startswith("Pss:"):
            return int(line.split()[1])
    return 0


@dataclass
class Run:
    articles: int
    seconds: float
    stats: dict[str, object]
    memory: Memory

    @property
    def rate(self) -> float:
        return self.articles / self.seconds


def crawl(workdir: Path, args: list[str], settings: dict[str, str], module: str = "") -> Run:
    """``scrapy crawl news`` in ``workdir``, its process tree's memory sampled meanwhile."""
    stats_file = workdir / "stats.json"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", *args, "-O", "out.jsonl"]
    for key, value in {**FAST, "NEWSCRAWLER_STATS_FILE": str(stats_file), **settings}.items():
        cmd += ["-s", f"{key}={value}"]
    env = crawl_env(workdir)
    if module:
        env["SCRAPY_SETTINGS_MODULE"] = module
        env["PYTHONPATH"] = f"{workdir}:{env['PYTHONPATH']}"
    memory = Memory()
    proc = subprocess.Popen(
        cmd, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    done = threading.Event()

    def sampler() -> None:
        while not done.is_set():
            memory.sample(proc.pid)
            time.sleep(0.2)

    thread = threading.Thread(target=sampler, daemon=True)
    thread.start()
    _, stderr = proc.communicate(timeout=1800)
    done.set()
    thread.join()
    if proc.returncode != 0:
        raise SystemExit(f"crawl failed ({proc.returncode}):\n{stderr[-3000:]}")
    stats = json.loads(stats_file.read_text("utf-8"))
    articles = int(stats.get("newscrawler/extraction/articles", 0))
    return Run(articles, float(stats["elapsed_time_seconds"]), stats, memory)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--plain", type=int, default=400, help="server-rendered articles")
    parser.add_argument("--rendered", type=int, default=60, help="app-shell articles")
    parser.add_argument("--rounds", type=int, default=3, help="alternating plain runs of each")
    parser.add_argument("--concurrency", type=int, default=2, help="pages open in the browser")
    parser.add_argument(
        "--idle-wait", type=float, default=1.0, help="NEWSCRAWLER_RENDER_IDLE_WAIT (seconds)"
    )
    options = parser.parse_args()
    if find_browser() is None:
        raise SystemExit("no Chromium on PATH: apt-get install chromium")
    base = Path(tempfile.mkdtemp(prefix="render-bench-"))
    try:
        measure(options, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def measure(options: argparse.Namespace, base: Path) -> None:
    (base / "absent_settings.py").write_text(ABSENT_SETTINGS, encoding="utf-8")
    settings = {"NEWSCRAWLER_STATE_RESET": "1", "NEWSCRAWLER_TRAPS_MAX_PAGES_PER_SITE": "100000"}

    absent: list[Run] = []
    off: list[Run] = []
    with LoopbackSite(plain_site(options.plain)) as site:
        args = ["-a", f"start_urls={site.url('/')}"]
        for _ in range(options.rounds):
            absent.append(crawl(base, args, settings, module="absent_settings"))
            off.append(crawl(base, args, settings))
    for run in (*absent, *off):
        assert run.articles == options.plain, run.articles

    with LoopbackSite(app_site(options.rendered)) as site:
        sites = f'[sites.app]\nstart_urls = ["{site.url("/")}"]\nrender = "browser"\n'
        (base / "sites.toml").write_text(sites, encoding="utf-8")
        rendered = crawl(
            base,
            ["-a", "sites=sites.toml"],
            {
                **settings,
                "NEWSCRAWLER_RENDER_CONCURRENCY": str(options.concurrency),
                "NEWSCRAWLER_RENDER_IDLE_WAIT": str(options.idle_wait),
            },
        )
    stats = rendered.stats
    pages = int(stats.get("newscrawler/render/pages", 0))
    contexts = int(stats.get("playwright/context_count", 1)) or 1

    absent_rate = statistics.median(r.rate for r in absent)
    off_rate = statistics.median(r.rate for r in off)
    chromium_mb = rendered.memory.peak.get("chromium", 0) / 1024
    rounds = f"(median of {options.rounds})"
    print(f"plain crawl, render absent:         {absent_rate:7.1f} pages/s {rounds}")
    print(f"plain crawl, render installed, off: {off_rate:7.1f} pages/s {rounds}")
    print(f"  ratio off / absent:               {off_rate / absent_rate:7.3f}")
    print(
        f"rendered crawl:                     {rendered.rate:7.1f} pages/s "
        f"({rendered.articles} articles, {pages} pages rendered, "
        f"concurrency {options.concurrency}, idle wait {options.idle_wait:g} s)"
    )
    print(f"  ratio rendered / plain (off):     {rendered.rate / off_rate:7.3f}")
    print(
        f"  Chromium peak PSS:                {chromium_mb:7.1f} MB "
        f"({chromium_mb / contexts:.1f} MB per context, {contexts} context(s))"
    )
    peak = rendered.memory.peak
    print(f"  Playwright driver peak PSS:       {peak.get('driver', 0) / 1024:7.1f} MB")
    plain_crawler = statistics.median(r.memory.peak.get("crawler", 0) for r in off) / 1024
    print(
        f"  crawler peak PSS:                 {peak.get('crawler', 0) / 1024:7.1f} MB "
        f"(plain crawl: {plain_crawler:.1f} MB)"
    )


if __name__ == "__main__":
    main()
