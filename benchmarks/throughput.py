"""Throughput benchmark: articles per second and peak memory, against the limit and news-please.

    python benchmarks/throughput.py --pages 1000 --large 10000

Serves N real pages from the shared corpus (``shared/corpus/{zyte,fundus}``, read at run time and
repeated under new URLs to reach N) on a loopback site (``robots.txt``, a home page, hubs of 100
links), then measures in the same run:

1. the limit: extraction alone over the same pages in a pool of ``nproc`` processes, pages
   preloaded in memory;
2. ``scrapy crawl news`` end to end (robots on, AutoThrottle and delays off);
3. the same crawl with extraction disabled (no item pipelines: download and routing only);
4. news-please 1.6 on the same site, if ``--news-please PYTHON`` names the interpreter of a
   virtualenv where it is installed (``python -m venv /tmp/np &&
   /tmp/np/bin/pip install news-please==1.6.16``), over the first ``--news-please-pages`` articles
   (it is slow; the page order mixes both datasets, so any prefix is a fair sample);

and the end-to-end crawl again over ``--large`` pages for peak memory. Each page gets a
``<base href>`` naming its original URL, so that its relative links point to the publisher (off
the site, not followed), as they would on the real site.

Peak memory is reported two ways: ``max RSS`` of the largest single process, as
``/usr/bin/time -v`` gives it (the crawler's main process), and ``tree`` — the peak of the sum over
the crawler and all its descendants (fork server, extraction workers), sampled from /proc every
0.25 s, as RSS and as PSS (which counts pages shared between the forked workers once).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import multiprocessing
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newscrawler.extraction import ExtractionOptions, extract_article  # noqa: E402
from newscrawler.pipelines.extraction_pool import PRELOAD_MODULES, init_worker, start_method  # noqa: E402

HUB_SIZE = 100
NEWS_PLEASE_HOST = "127.77.77.77"
TIME = "/usr/bin/time"


# --- The corpus and the loopback site -------------------------------------------------------


@dataclass
class CorpusPage:
    id: str
    url: str  # where the publisher served it
    body: bytes  # with a <base href> naming that URL
    charset: str | None


def find_corpus() -> Path:
    for parent in REPO.parents:
        if (parent / "shared" / "corpus").is_dir():
            return parent / "shared" / "corpus"
    raise SystemExit("shared/corpus not found above the repository: pass --corpus")


def with_base(body: bytes, url: str) -> bytes:
    tag = f'<base href="{url}">'.encode()
    match = re.search(rb"<head(\s[^>]*)?>", body[:20000], re.IGNORECASE)
    if match is None:
        return tag + body
    return body[: match.end()] + tag + body[match.end() :]


def load_corpus(corpus: Path) -> list[CorpusPage]:
    pages = []
    for dataset in ("zyte", "fundus"):
        folder = corpus / dataset
        truth = {
            row["id"]: row
            for row in map(json.loads, (folder / "truth.jsonl").read_text("utf-8").splitlines())
        }
        derived = {
            row["id"]: row
            for row in map(json.loads, (folder / "derived.jsonl").read_text("utf-8").splitlines())
        }
        for page_id in sorted(truth):
            url = truth[page_id]["url"]
            body = (folder / "pages" / f"{page_id}.html").read_bytes()
            charset = derived.get(page_id, {}).get("declared_charset")
            pages.append(CorpusPage(page_id, url, with_base(body, url), charset))
    # A stable mixed order, so that any first n pages mix both datasets and all sizes.
    return sorted(pages, key=lambda p: hashlib.sha1(p.id.encode()).hexdigest())


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # crawlers drop idle keep-alive connections; not worth a traceback


class BenchSite:
    """``pages`` real pages repeated to ``n`` articles under /news/, with hubs and robots.txt."""

    def __init__(self, corpus: list[CorpusPage], n: int, host: str = "127.0.0.1", port: int = 0):
        self.corpus = corpus
        self.n = n
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                status, ctype, body = site.respond(self.path)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = QuietServer((host, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        host = self.server.server_address[0]
        return f"http://{host}/" if self.port == 80 else f"http://{host}:{self.port}/"

    def article_path(self, i: int) -> str:
        return f"/news/{i}/{self.corpus[i % len(self.corpus)].id}.html"

    def article(self, i: int) -> tuple[str, CorpusPage]:
        return self.url.rstrip("/") + self.article_path(i), self.corpus[i % len(self.corpus)]

    def respond(self, path: str) -> tuple[int, str, bytes]:
        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            return 200, "text/plain", b"User-agent: *\nDisallow: /private/\n"
        if path == "/":
            hubs = math.ceil(self.n / HUB_SIZE)
            links = "".join(
                f'<li><a href="/hub/{k}.html">Section {k}</a></li>' for k in range(hubs)
            )
            return 200, html, page("News", f"<h1>News</h1><ul>{links}</ul>")
        if m := re.fullmatch(r"/hub/(\d+)\.html", path):
            first = int(m[1]) * HUB_SIZE
            links = "".join(
                f'<li><a href="{self.article_path(i)}">Story {i}</a></li>'
                for i in range(first, min(self.n, first + HUB_SIZE))
            )
            return 200, html, page(f"Section {m[1]}", f"<h1>Section {m[1]}</h1><ul>{links}</ul>")
        if (m := re.fullmatch(r"/news/(\d+)/([\w-]+)\.html", path)) and int(m[1]) < self.n:
            doc = self.corpus[int(m[1]) % len(self.corpus)]
            ctype = f"text/html; charset={doc.charset}" if doc.charset else "text/html"
            return 200, ctype, doc.body
        return 404, html, page("Not found", "<h1>Not found</h1>")

    def __enter__(self) -> BenchSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def open_site(corpus: list[CorpusPage], n: int) -> BenchSite:
    """The site on port 80 of a loopback address if possible (news-please cannot crawl a URL
    with a port: it puts ``host:port`` in ``allowed_domains``, which matches no host), else on a
    free port of 127.0.0.1."""
    try:
        return BenchSite(corpus, n, NEWS_PLEASE_HOST, 80)
    except OSError:
        return BenchSite(corpus, n)


def page(title: str, body: str) -> bytes:
    html = f"<!DOCTYPE html><html><head><title>{title}</title></head><body>{body}</body></html>"
    return html.encode()


# --- Measurements -----------------------------------------------------------------------------


@dataclass
class Figures:
    name: str
    articles: int = 0
    seconds: float = 0.0  # crawl time (Scrapy's elapsed_time_seconds) or extraction wall time
    wall: float = 0.0  # whole process, start-up included
    max_rss_mb: float | None = None  # largest single process (/usr/bin/time -v)
    tree_rss_mb: float | None = None  # peak sum over the process tree
    tree_pss_mb: float | None = None
    cpu_main: float = 0.0  # CPU seconds of the crawler's main process (or of the caller)
    cpu_total: float = 0.0  # CPU seconds of the whole process tree (or of the pool's tasks)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    def ms_per_article(self, cpu: float) -> float:
        return 1000 * cpu / self.articles if self.articles else 0.0

    def idle_rate(self, cores: int) -> float:
        """Articles/s projected on ``cores`` idle cores from the CPU time per article: the
        whole tree's work spread over the cores, but never faster than the main process (one
        thread) can go."""
        if not self.articles or not self.cpu_total:
            return 0.0
        bounds = [cores * self.articles / self.cpu_total]
        if self.cpu_main:
            bounds.append(self.articles / self.cpu_main)
        return min(bounds)


def measure_limit(site: BenchSite, workers: int) -> Figures:
    """Extraction alone over the site's N pages in a pool of ``workers`` processes."""
    options = ExtractionOptions()
    context = multiprocessing.get_context(start_method())
    if start_method() == "forkserver":
        context.set_forkserver_preload(PRELOAD_MODULES)
    urls, bodies, charsets = [], [], []
    for i in range(site.n):
        url, doc = site.article(i)
        urls.append(url)
        bodies.append(doc.body)
        charsets.append(doc.charset)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=init_worker, initargs=(extract_article, options)
    ) as pool:
        list(pool.map(time.sleep, [0.5] * workers))  # all workers started and warmed up
        started = time.perf_counter()
        results = list(pool.map(_extract, bodies, urls, charsets, chunksize=2))
        seconds = time.perf_counter() - started
    articles = sum(1 for ok, _ in results if ok)
    cpu = sum(cpu for _, cpu in results)
    return Figures("limit: extraction only, preloaded", articles, seconds, seconds, cpu_total=cpu)


def _extract(body: bytes, url: str, charset: str | None) -> tuple[bool, float]:
    started = time.process_time()
    result = extract_article(body, url, declared_encoding=charset, options=ExtractionOptions())
    return result.fields is not None, time.process_time() - started


class TreeSampler(threading.Thread):
    """Peak RSS and PSS summed over a process and its descendants, from /proc."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_rss = 0
        self.peak_pss = 0
        self.cpu: dict[int, float] = {}  # last CPU seconds seen of each process in the tree
        self.main: int | None = None  # the measured command (below /usr/bin/time)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            rss = pss = 0
            pids = descendants(self.pid)
            if self.main is None and pids:
                self.main = pids[0] if _comm(self.pid) == "time" else self.pid
            for pid in [self.pid, *pids]:
                rss += _proc_kb(pid, "status", "VmRSS:")
                pss += _proc_kb(pid, "smaps_rollup", "Pss:")
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), _cpu_seconds(pid))
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            self.done.wait(self.interval)

    @property
    def cpu_main(self) -> float:
        return self.cpu.get(self.main, 0.0) if self.main is not None else 0.0

    @property
    def cpu_total(self) -> float:
        return sum(self.cpu.values())


def descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                stat = Path(f"/proc/{entry.name}/stat").read_text()
            except OSError:
                continue
            ppid = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(ppid, []).append(int(entry.name))
    found, todo = [], list(children.get(root, []))
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def _comm(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return ""


def _cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process so far (0 once it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _proc_kb(pid: int, name: str, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/{name}").read_text().splitlines():
            if line.startswith(key):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


def run_measured(
    cmd: list[str], cwd: Path, env: dict[str, str], log: Path
) -> tuple[float, dict[str, Any]]:
    """Run ``cmd`` under /usr/bin/time -v with the tree sampler; wall time and memory."""
    timing = cwd / "time.txt"
    full = [TIME, "-v", "-o", str(timing), *cmd] if Path(TIME).exists() else cmd
    started = time.perf_counter()
    with log.open("w") as out:
        proc = subprocess.Popen(full, cwd=cwd, env=env, stdout=out, stderr=subprocess.STDOUT)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        proc.wait()
        sampler.done.set()
        sampler.join()
    wall = time.perf_counter() - started
    if proc.returncode:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{cmd[:4]} failed ({proc.returncode}):\n{tail}")
    memory: dict[str, Any] = {"max_rss_mb": None}
    if timing.exists():
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing.read_text())
        memory["max_rss_mb"] = int(m[1]) / 1024 if m else None
    memory["tree_rss_mb"] = sampler.peak_rss / 1024
    memory["tree_pss_mb"] = sampler.peak_pss / 1024
    memory["cpu_main"] = sampler.cpu_main
    memory["cpu_total"] = sampler.cpu_total
    return wall, memory


def crawl(
    site: BenchSite, workdir: Path, name: str, settings: dict[str, str], output: bool
) -> Figures:
    """``scrapy crawl news`` over the site; articles from the stats file."""
    workdir.mkdir(parents=True, exist_ok=True)
    stats_file = workdir / "stats.json"
    cmd = [sys.executable, "-m", "scrapy", "crawl", "news", "-a", f"start_urls={site.url}"]
    for key, value in {
        "AUTOTHROTTLE_ENABLED": "0",
        "DOWNLOAD_DELAY": "0",
        "CONCURRENT_REQUESTS": "32",
        "CONCURRENT_REQUESTS_PER_DOMAIN": "32",
        "LOG_LEVEL": "INFO",
        "NEWSCRAWLER_STATS_FILE": str(stats_file),
        **settings,
    }.items():
        cmd += ["-s", f"{key}={value}"]
    if output:
        cmd += ["-O", "articles.jsonl"]
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="newscrawler.settings")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    wall, memory = run_measured(cmd, workdir, env, workdir / "crawl.log")
    stats = json.loads(stats_file.read_text("utf-8"))
    pages = sum(v for k, v in stats.items() if k.startswith("newscrawler/pages/article/"))
    articles = stats.get("newscrawler/extraction/articles", 0) if output else pages
    figures = Figures(name, articles, stats["elapsed_time_seconds"], wall, **memory)
    figures.extra = {"pages": pages, "records": stats.get("item_scraped_count", 0)}
    return figures


def crawl_ours(
    site: BenchSite, workdir: Path, extraction: bool = True, timeout: int = 0
) -> Figures:
    if not extraction:
        return crawl(site, workdir, "crawl, extraction off", {"ITEM_PIPELINES": "{}"}, False)
    settings = {"CLOSESPIDER_TIMEOUT": str(timeout)} if timeout else {}
    return crawl(site, workdir, f"crawl end to end ({site.n} pages)", settings, True)


def news_please(site: BenchSite, python: Path, workdir: Path) -> Figures:
    """news-please's RecursiveCrawler over the site (its single-site crawler, as it runs it)."""
    workdir.mkdir(parents=True, exist_ok=True)
    package = subprocess.run(
        [str(python), "-c", "import newsplease, os; print(os.path.dirname(newsplease.__file__))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    config = Path(package, "config", "config.cfg").read_text("utf-8")
    replace = {
        r"(?m)^working_path = .*$": f"working_path = {workdir}/",
        r"(?m)^CONCURRENT_REQUESTS=.*$": "CONCURRENT_REQUESTS=32",
        r"(?m)^CONCURRENT_REQUESTS_PER_DOMAIN=.*$": "CONCURRENT_REQUESTS_PER_DOMAIN=32",
        r"(?m)^LOG_LEVEL = .*$": "LOG_LEVEL = INFO",
        r"(?s)ITEM_PIPELINES = \{.*?\}": "ITEM_PIPELINES = {"
        "'newsplease.pipeline.pipelines.ArticleMasterExtractor':100,"
        "'newsplease.pipeline.pipelines.JsonFileStorage':300}",
    }
    for pattern, value in replace.items():
        config, count = re.subn(pattern, value, config, count=1)
        if count != 1:
            raise SystemExit(f"news-please config: {pattern!r} not found")
    (workdir / "config.cfg").write_text(config, "utf-8")
    sites = {"base_urls": [{"url": site.url, "crawler": "RecursiveCrawler"}]}
    (workdir / "sitelist.hjson").write_text(json.dumps(sites), "utf-8")
    cmd = [
        str(python),
        str(Path(package, "single_crawler.py")),
        str(workdir / "config.cfg"),
        str(workdir / "sitelist.hjson"),
        "0",
        "False",
        "False",
    ]
    # newspaper (one of news-please's extractors) downloads candidate images over the network
    # to pick the top image. Offline, each name lookup fails after about a second, which would
    # dominate its figure: send those downloads to a closed local port so that they fail at once
    # (its best case; online it would spend real download time there).
    host = site.url.split("/")[2].split(":")[0]
    closed = "http://127.0.0.1:9"
    env = dict(os.environ, http_proxy=closed, https_proxy=closed, no_proxy=host)
    wall, memory = run_measured(cmd, workdir, env, workdir / "crawl.log")
    log = (workdir / "crawl.log").read_text(errors="replace")
    m = re.search(r"'elapsed_time_seconds': ([\d.]+)", log)
    seconds = float(m[1]) if m else wall
    data = workdir / "data"
    articles = sum(1 for _ in data.rglob("*.json")) if data.exists() else 0
    return Figures("news-please 1.6 (RecursiveCrawler)", articles, seconds, wall, **memory)


# --- Report -----------------------------------------------------------------------------------


def fmt_mb(value: float | None) -> str:
    return f"{value:.0f}" if value is not None else "-"


def report(rows: list[Figures], cores: int) -> None:
    print()
    print(
        f"{'run':38} {'articles':>8} {'s':>6} {'art/s':>6} {'main':>6} {'all':>6}"
        f" {'idle':>6} {'maxRSS':>6} {'tree':>5} {'PSS':>5}"
    )
    for r in rows:
        print(
            f"{r.name:38} {r.articles:8d} {r.seconds:6.1f} {r.rate:6.1f}"
            f" {r.ms_per_article(r.cpu_main):6.1f} {r.ms_per_article(r.cpu_total):6.1f}"
            f" {r.idle_rate(cores):6.1f} {fmt_mb(r.max_rss_mb):>6} {fmt_mb(r.tree_rss_mb):>5}"
            f" {fmt_mb(r.tree_pss_mb):>5}"
        )
    print(
        "s: crawl time (Scrapy's elapsed_time_seconds) or extraction wall time; art/s: measured;\n"
        "main/all: CPU ms per article of the main process / of every process;\n"
        f"idle: art/s projected on {cores} idle cores from the CPU time (robust to other load);\n"
        "maxRSS: largest single process (/usr/bin/time -v); tree/PSS: peak sum over the process\n"
        "tree (RSS, and PSS counting shared pages once); memory in MB."
    )


def ratio(a: float, b: float) -> str:
    return f"{a / b:.2f}" if b else "-"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=1000, help="articles on the site")
    parser.add_argument("--large", type=int, default=10000, help="articles for the memory run")
    parser.add_argument(
        "--large-timeout",
        type=int,
        default=0,
        help="stop the memory run after so many seconds (CLOSESPIDER_TIMEOUT; 0: never)",
    )
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="limit's pool")
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument("--news-please", type=Path, default=Path("/tmp/np/bin/python"))
    parser.add_argument(
        "--news-please-pages", type=int, default=250, help="articles on its site (it is slow)"
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep logs and output here")
    args = parser.parse_args()

    corpus = load_corpus(args.corpus or find_corpus())
    print(f"corpus: {len(corpus)} pages; {args.pages} articles on the site; nproc {os.cpu_count()}")
    if not Path(TIME).exists():
        print(f"{TIME} not found (apt-get install time): max RSS from the tree sampler only")
    workroot = Path(tempfile.mkdtemp(prefix="throughput-")) if args.keep is None else args.keep
    rows: list[Figures] = []
    try:
        with open_site(corpus, args.pages) as site:
            limit = measure_limit(site, args.workers)
            rows.append(limit)
            print(f"limit: {limit.rate:.1f} articles/s", flush=True)
            ours = crawl_ours(site, workroot / "ours")
            rows.append(ours)
            print(f"end to end: {ours.rate:.1f} articles/s", flush=True)
            bare = crawl_ours(site, workroot / "bare", extraction=False)
            rows.append(bare)
            print(f"extraction off: {bare.rate:.1f} pages/s", flush=True)
            np_figures = None
            if args.news_please.exists() and site.port != 80:
                print(
                    "news-please: cannot bind port 80 for it (it cannot crawl host:port), skipped"
                )
            elif args.news_please.exists():
                site.n = min(site.n, args.news_please_pages)
                np_figures = news_please(site, args.news_please, workroot / "news-please")
                site.n = args.pages
                rows.append(np_figures)
                print(f"news-please: {np_figures.rate:.1f} articles/s", flush=True)
            else:
                print(f"news-please: {args.news_please} not found, skipped")
        large = None
        if args.large:
            with open_site(corpus, args.large) as site:
                large = crawl_ours(site, workroot / "large", timeout=args.large_timeout)
                rows.append(large)
        report(rows, args.workers)
        cores = args.workers
        print()
        print(
            f"end to end / limit: measured {ratio(ours.rate, limit.rate)},"
            f" idle-projected {ratio(ours.idle_rate(cores), limit.idle_rate(cores))}"
            "  (target >= 0.85)"
        )
        if np_figures is not None:
            print(
                f"ours / news-please: measured {ratio(ours.rate, np_figures.rate)},"
                f" idle-projected {ratio(ours.idle_rate(cores), np_figures.idle_rate(cores))}"
                "  (target >= 5)"
            )
        if large is not None:
            # The same pages repeated: the limit's rate holds for them; the crawl's fixed costs
            # (start-up, warm-up, discovery of the first hubs, the last pages) weigh less.
            print(
                f"end to end at {args.large} pages / limit: measured"
                f" {ratio(large.rate, limit.rate)},"
                f" idle-projected {ratio(large.idle_rate(cores), limit.idle_rate(cores))}"
            )
            for label, attr in (("main RSS", "max_rss_mb"), ("tree PSS", "tree_pss_mb")):
                small_mb, large_mb = getattr(ours, attr), getattr(large, attr)
                if small_mb and large_mb:
                    print(
                        f"peak {label}: {large_mb:.0f} MB at {args.large} pages,"
                        f" {small_mb:.0f} MB at {args.pages} (ratio {large_mb / small_mb:.2f};"
                        " targets <= 300 MB, <= 1.3)"
                    )
    finally:
        if args.keep is None:
            shutil.rmtree(workroot, ignore_errors=True)
        else:
            print(f"logs and output kept in {workroot}")


if __name__ == "__main__":
    main()
