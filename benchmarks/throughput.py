"""Throughput benchmark: our crawl and extraction against trafilatura's, on one loopback site.

    python benchmarks/throughput.py                        # defaults: ~10 min on 2 idle cores
    python benchmarks/throughput.py --pages 200 --large 0  # a quick run (no memory run)

Serves ``--pages`` real pages (default 1000) of the corpus folders ``zyte``, ``fundus`` and
``wcxb-dev`` (``--corpus``, default the ``shared/corpus`` folder found above the repository; read
at run time, repeated under new URLs when more pages are asked for than the corpus holds) on a
loopback site: ``robots.txt`` naming ``/sitemap.xml``, which lists every article, a home page and
hubs of 100 links. Each page gets a ``<base href>`` naming its original URL, so that its relative
links lead off the site (not followed), as they would on the real site. Then, in the same run:

1. our extraction alone: the pages preloaded in memory, in a pool of ``--workers`` processes
   (default ``nproc``) set up as the crawl's workers are (fork server, ``gc.freeze()``, warm-up),
   each page through what a crawl's worker runs (extraction, then the body's fingerprints);
2. trafilatura's extraction alone: ``trafilatura.extract(html, url=url, with_metadata=True)``
   (text and metadata) over the same pages, in a pool of the same size, workers warmed up too;
3. a per-stage profile of our extraction in this one process, over ``--profile-pages`` pages of
   each corpus folder (default 40): ms a page and share per stage, beside trafilatura's
   ``extract`` on the same pages, and the ratio of the two CPU times;
4. ``scrapy crawl news`` end to end (robots on, AutoThrottle and delays off, 32 concurrent
   requests), and the same crawl with no item pipelines (download and routing only);
5. trafilatura's own crawler, as its command line runs it on a site's sitemap (see
   :func:`trafilatura_crawler`), with its per-domain sleep set to 0 as our delays are;
6. news-please 1.6, if ``--news-please PYTHON`` names the interpreter of a virtualenv where it is
   installed (``python -m venv /tmp/np && /tmp/np/bin/pip install news-please==1.6.16``), over
   the first ``--news-please-pages`` articles (default 250: it is slow);
7. start-up and shutdown of ``scrapy crawl``: launch to the site's first request, the last
   request to the spider's close (the last pages' extraction and records) and the close to the
   process exit, for the main crawl and for a crawl of ``--small`` articles (default 10);
8. the end-to-end crawl again over ``--large`` articles (default 5000; 0 skips it) for memory.

The site listens on port 80 of 127.77.77.77 when it can: news-please and trafilatura's crawler
cannot crawl a URL with a port (news-please puts ``host:port`` in ``allowed_domains``; courlan
finds no domain in ``IP:port``); without port 80 both are skipped.

Peak memory is reported two ways: ``max RSS`` of the largest single process (``/usr/bin/time -v``),
and ``tree``: the peak of the sum over a process and all its descendants (fork server, extraction
workers), sampled from /proc every 0.25 s, as RSS and as PSS (which counts pages shared between the
forked workers once). ``--json FILE`` writes every figure; the load average is printed at the
start and at the end, as other jobs on the machine move every rate.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import math
import multiprocessing
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newscrawler.dedup.config import DedupConfig  # noqa: E402
from newscrawler.extraction import ExtractionOptions, extract_article  # noqa: E402
from newscrawler.extraction.stages import collect_stage_times  # noqa: E402
from newscrawler.extraction.warmup import WARMUP_PAGES, warm_up  # noqa: E402
from newscrawler.pipelines.extraction_pool import (  # noqa: E402
    PageExtractor,
    init_worker,
    start_fork_server,
    start_method,
)

DATASETS = ("zyte", "fundus", "wcxb-dev")
HUB_SIZE = 100
PORT80_HOST = "127.77.77.77"
TIME = "/usr/bin/time"
# Stages timed inside another one (stages.py counts them in both): left out of the sum.
NESTED_STAGES = {"trafilatura": "body"}


# --- The corpus and the loopback site -------------------------------------------------------


@dataclass
class CorpusPage:
    dataset: str
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


def read_jsonl(path: Path) -> dict[str, dict[str, Any]]:
    if not path.exists():
        return {}
    rows = (json.loads(line) for line in path.read_text("utf-8").split("\n") if line.strip())
    return {row["id"]: row for row in rows}


def load_corpus(corpus: Path, datasets: tuple[str, ...] = DATASETS) -> list[CorpusPage]:
    pages = []
    for dataset in datasets:
        folder = corpus / dataset
        truth = read_jsonl(folder / "truth.jsonl")
        derived = read_jsonl(folder / "derived.jsonl")
        if not truth:
            raise SystemExit(f"{folder}/truth.jsonl not found or empty")
        for page_id in sorted(truth):
            url = truth[page_id]["url"]
            body = (folder / "pages" / f"{page_id}.html").read_bytes()
            charset = derived.get(page_id, {}).get("declared_charset")
            pages.append(CorpusPage(dataset, page_id, url, with_base(body, url), charset))
    # A stable mixed order, so that any first n pages mix the datasets and all sizes.
    return sorted(pages, key=lambda p: hashlib.sha1(f"{p.dataset}/{p.id}".encode()).hexdigest())


class QuietServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # crawlers drop idle keep-alive connections; not worth a traceback


class BenchSite:
    """``corpus`` repeated to ``n`` articles under /news/, with hubs, a sitemap and robots.txt.

    It notes when it served its first and its last request (``time.time()``) since
    :meth:`reset`.
    """

    def __init__(self, corpus: list[CorpusPage], n: int, host: str = "127.0.0.1", port: int = 0):
        self.corpus = corpus
        self.n = n
        self.lock = threading.Lock()
        self.reset()
        site = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_HEAD(self) -> None:
                self.answer(send_body=False)

            def do_GET(self) -> None:
                self.answer(send_body=True)

            def answer(self, send_body: bool) -> None:
                status, ctype, body = site.respond(self.path)
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)
                site.served()

        self.server = QuietServer((host, port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def reset(self) -> None:
        with self.lock:
            self.requests = 0
            self.first_request: float | None = None
            self.last_request: float | None = None

    def served(self) -> None:
        now = time.time()
        with self.lock:
            self.requests += 1
            self.first_request = self.first_request or now
            self.last_request = now

    @property
    def port(self) -> int:
        return int(self.server.server_address[1])

    @property
    def url(self) -> str:
        host = str(self.server.server_address[0])
        return f"http://{host}/" if self.port == 80 else f"http://{host}:{self.port}/"

    def article_path(self, i: int) -> str:
        return f"/news/{i}/{self.corpus[i % len(self.corpus)].id}.html"

    def article(self, i: int) -> tuple[str, CorpusPage]:
        return self.url.rstrip("/") + self.article_path(i), self.corpus[i % len(self.corpus)]

    def respond(self, path: str) -> tuple[int, str, bytes]:
        html = "text/html; charset=utf-8"
        if path == "/robots.txt":
            robots = f"User-agent: *\nDisallow: /private/\nSitemap: {self.url}sitemap.xml\n"
            return 200, "text/plain", robots.encode()
        if path == "/sitemap.xml":
            return 200, "application/xml", self.sitemap()
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

    def sitemap(self) -> bytes:
        base = self.url.rstrip("/")
        entries = "".join(
            f"<url><loc>{base}{self.article_path(i)}</loc></url>\n" for i in range(self.n)
        )
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>\n'
        ).encode()

    def __enter__(self) -> BenchSite:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


def open_site(corpus: list[CorpusPage], n: int) -> BenchSite:
    """The site on port 80 of a loopback address if possible (see the module doc), else on a
    free port of 127.0.0.1."""
    try:
        return BenchSite(corpus, n, PORT80_HOST, 80)
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
    pss_by_role_mb: dict[str, float] = field(default_factory=dict)  # peak PSS of each role
    cpu_main: float = 0.0  # CPU seconds of the crawler's main process (or of the caller)
    cpu_total: float = 0.0  # CPU seconds of the whole process tree (or of the pool's tasks)
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return self.articles / self.seconds if self.seconds else 0.0

    @property
    def wall_rate(self) -> float:
        return self.articles / self.wall if self.wall else 0.0

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


def site_pages(site: BenchSite) -> tuple[list[bytes], list[str], list[str | None]]:
    bodies, urls, charsets = [], [], []
    for i in range(site.n):
        url, doc = site.article(i)
        bodies.append(doc.body)
        urls.append(url)
        charsets.append(doc.charset)
    return bodies, urls, charsets


def measure_pool(
    name: str,
    site: BenchSite,
    workers: int,
    task: Callable[[bytes, str, str | None], tuple[bool, float]],
    initializer: Callable[..., None],
    initargs: tuple[Any, ...],
) -> Figures:
    """``task`` over the site's pages in a pool of ``workers`` warmed-up processes started as the
    crawl starts its workers; wall time from the first page to the last."""
    context = multiprocessing.get_context(start_method())
    if start_method() == "forkserver":
        start_fork_server()
    bodies, urls, charsets = site_pages(site)
    with ProcessPoolExecutor(
        workers, mp_context=context, initializer=initializer, initargs=initargs
    ) as pool:
        list(pool.map(time.sleep, [0.5] * workers))  # all workers started and warmed up
        started = time.perf_counter()
        results = list(pool.map(task, bodies, urls, charsets, chunksize=2))
        seconds = time.perf_counter() - started
    articles = sum(1 for ok, _ in results if ok)
    cpu = sum(cpu for _, cpu in results)
    return Figures(name, articles, seconds, seconds, cpu_total=cpu)


def our_extractor() -> PageExtractor:
    return PageExtractor(extract_article, DedupConfig())


def _extract_ours(body: bytes, url: str, charset: str | None) -> tuple[bool, float]:
    started = time.process_time()
    result, _ = our_extractor()(body, url, declared_encoding=charset, options=ExtractionOptions())
    return result.fields is not None, time.process_time() - started


def trafilatura_extract(body: bytes, url: str) -> str | None:
    """What a trafilatura user calls for a page's text and metadata."""
    import trafilatura

    result: str | None = trafilatura.extract(body, url=url, with_metadata=True)
    return result


def init_trafilatura_worker() -> None:
    """A trafilatura worker's set-up, as :func:`init_worker` does ours: freeze what it inherited,
    warm up on the same tiny pages (its first call loads data), freeze again."""
    gc.freeze()
    warm_up_trafilatura()
    gc.freeze()


def warm_up_trafilatura() -> None:
    for n, html in enumerate(WARMUP_PAGES):
        trafilatura_extract(html.format(lang="en").encode(), f"http://warm-up.invalid/{n}.html")


def _extract_trafilatura(body: bytes, url: str, charset: str | None) -> tuple[bool, float]:
    started = time.process_time()
    result = trafilatura_extract(body, url)
    return result is not None, time.process_time() - started


def measure_ours_alone(site: BenchSite, workers: int) -> Figures:
    return measure_pool(
        "our extraction alone, preloaded",
        site,
        workers,
        _extract_ours,
        init_worker,
        (extract_article, ExtractionOptions()),
    )


def measure_trafilatura_alone(site: BenchSite, workers: int) -> Figures:
    return measure_pool(
        "trafilatura extract alone, preloaded",
        site,
        workers,
        _extract_trafilatura,
        init_trafilatura_worker,
        (),
    )


# --- Per-stage profile --------------------------------------------------------------------------


@dataclass
class Profile:
    pages: int
    datasets: dict[str, int]  # pages of each corpus folder in the sample
    stage_ms: dict[str, float]  # mean wall ms a page per stage
    ours_wall_ms: float
    ours_cpu_ms: float
    trafilatura_wall_ms: float
    trafilatura_cpu_ms: float
    cpu_ratio: float  # our CPU time over trafilatura's, summed over the sample
    median_page_ratio: float  # the median over pages of the same ratio
    per_dataset: dict[str, dict[str, float]]  # CPU ms a page, ours and trafilatura's
    ours_articles: int
    trafilatura_articles: int


def profile_sample(corpus: list[CorpusPage], per_dataset: int) -> list[CorpusPage]:
    """The first ``per_dataset`` pages of each corpus folder in the corpus's mixed order."""
    taken: dict[str, int] = {}
    sample = []
    for doc in corpus:
        if taken.get(doc.dataset, 0) < per_dataset:
            taken[doc.dataset] = taken.get(doc.dataset, 0) + 1
            sample.append(doc)
    return sample


def profile(sample: list[CorpusPage]) -> Profile:
    """Our extraction (stage by stage) and trafilatura's ``extract``, one after the other on
    each page of ``sample`` in this one process, alternating which goes first."""
    options = ExtractionOptions()
    extractor = our_extractor()
    warm_up(extract_article, options)
    warm_up_trafilatura()
    stages: dict[str, float] = {}
    ours_wall = ours_cpu = traf_wall = traf_cpu = 0.0
    ratios = []
    per_dataset: dict[str, dict[str, float]] = {}
    ours_articles = traf_articles = 0

    def run_ours(doc: CorpusPage) -> tuple[float, float]:
        nonlocal ours_articles
        wall, cpu = time.perf_counter(), time.process_time()
        with collect_stage_times(stages):
            result, _ = extractor(doc.body, doc.url, declared_encoding=doc.charset, options=options)
        ours_articles += result.fields is not None
        return time.perf_counter() - wall, time.process_time() - cpu

    def run_trafilatura(doc: CorpusPage) -> tuple[float, float]:
        nonlocal traf_articles
        wall, cpu = time.perf_counter(), time.process_time()
        traf_articles += trafilatura_extract(doc.body, doc.url) is not None
        return time.perf_counter() - wall, time.process_time() - cpu

    for n, doc in enumerate(sample):
        if n % 2:
            t_wall, t_cpu = run_trafilatura(doc)
            o_wall, o_cpu = run_ours(doc)
        else:
            o_wall, o_cpu = run_ours(doc)
            t_wall, t_cpu = run_trafilatura(doc)
        ours_wall += o_wall
        ours_cpu += o_cpu
        traf_wall += t_wall
        traf_cpu += t_cpu
        if t_cpu > 0:
            ratios.append(o_cpu / t_cpu)
        row = per_dataset.setdefault(doc.dataset, {"pages": 0, "ours": 0.0, "trafilatura": 0.0})
        row["pages"] += 1
        row["ours"] += o_cpu
        row["trafilatura"] += t_cpu
    pages = len(sample)
    for row in per_dataset.values():
        row["ours_cpu_ms"] = 1000 * row.pop("ours") / row["pages"]
        row["trafilatura_cpu_ms"] = 1000 * row.pop("trafilatura") / row["pages"]
    return Profile(
        pages=pages,
        datasets={name: int(row["pages"]) for name, row in per_dataset.items()},
        stage_ms={name: 1000 * seconds / pages for name, seconds in stages.items()},
        ours_wall_ms=1000 * ours_wall / pages,
        ours_cpu_ms=1000 * ours_cpu / pages,
        trafilatura_wall_ms=1000 * traf_wall / pages,
        trafilatura_cpu_ms=1000 * traf_cpu / pages,
        cpu_ratio=ours_cpu / traf_cpu if traf_cpu else 0.0,
        median_page_ratio=statistics.median(ratios) if ratios else 0.0,
        per_dataset=per_dataset,
        ours_articles=ours_articles,
        trafilatura_articles=traf_articles,
    )


# --- Processes: memory, CPU, start-up and shutdown ------------------------------------------------


class TreeSampler(threading.Thread):
    """Peak RSS and PSS summed over a process and its descendants, from /proc."""

    def __init__(self, pid: int, interval: float = 0.25) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.interval = interval
        self.peak_rss = 0
        self.peak_pss = 0
        self.peak_pss_by_role: dict[str, int] = {}  # peak of each role's summed PSS (kB)
        self.cpu: dict[int, float] = {}  # last CPU seconds seen of each process in the tree
        self.main: int | None = None  # the measured command (below /usr/bin/time)
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            rss = pss = 0
            pids = descendants(self.pid)
            if self.main is None and pids:
                self.main = pids[0] if _comm(self.pid) == "time" else self.pid
            by_role: dict[str, int] = {}
            for pid in [self.pid, *pids]:
                rss += _proc_kb(pid, "status", "VmRSS:")
                kb = _proc_kb(pid, "smaps_rollup", "Pss:")
                pss += kb
                role = self.role(pid)
                by_role[role] = by_role.get(role, 0) + kb
                self.cpu[pid] = max(self.cpu.get(pid, 0.0), _cpu_seconds(pid))
            self.peak_rss = max(self.peak_rss, rss)
            self.peak_pss = max(self.peak_pss, pss)
            for role, kb in by_role.items():
                self.peak_pss_by_role[role] = max(self.peak_pss_by_role.get(role, 0), kb)
            self.done.wait(self.interval)

    def role(self, pid: int) -> str:
        """``main``, ``fork server``, ``workers`` (forked by the server) or ``other``."""
        if pid == self.main:
            return "main"
        try:
            cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
        except OSError:
            return "other"
        if b"forkserver" not in cmdline:  # workers are forked from the server: same cmdline
            return "other"
        return "fork server" if _parent(pid) == self.main else "workers"

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


def _parent(pid: int) -> int | None:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None


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


@dataclass
class Measured:
    """One process run: its wall time, when it was launched and ended, memory and CPU."""

    wall: float
    launched: float  # time.time()
    exited: float
    timed_out: bool
    memory: dict[str, Any]


def run_measured(
    cmd: list[str],
    cwd: Path,
    env: dict[str, str],
    log: Path,
    stdout: Path | None = None,
    timeout: float | None = None,
) -> Measured:
    """Run ``cmd`` under /usr/bin/time -v with the tree sampler (stdout to ``stdout`` when
    given, else with stderr to ``log``); stopped after ``timeout`` seconds."""
    timing = cwd / "time.txt"
    full = [TIME, "-v", "-o", str(timing), *cmd] if Path(TIME).exists() else cmd
    with log.open("w") as err, (stdout or Path(os.devnull)).open("w") as out:
        launched = time.time()
        started = time.perf_counter()
        proc = subprocess.Popen(
            full,
            cwd=cwd,
            env=env,
            stdout=out if stdout is not None else err,
            stderr=err if stdout is not None else subprocess.STDOUT,
            start_new_session=timeout is not None,  # its whole tree killed on a time-out
        )
        sampler = TreeSampler(proc.pid)
        sampler.start()
        timed_out = False
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            timed_out = True
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
        wall = time.perf_counter() - started
        exited = time.time()
        sampler.done.set()
        sampler.join()
    if proc.returncode and not timed_out:
        tail = log.read_text(errors="replace")[-3000:]
        raise SystemExit(f"{cmd[:4]} failed ({proc.returncode}):\n{tail}")
    memory: dict[str, Any] = {"max_rss_mb": None}
    if timing.exists():
        m = re.search(r"Maximum resident set size \(kbytes\): (\d+)", timing.read_text())
        memory["max_rss_mb"] = int(m[1]) / 1024 if m else None
    memory["tree_rss_mb"] = sampler.peak_rss / 1024
    memory["tree_pss_mb"] = sampler.peak_pss / 1024
    memory["pss_by_role_mb"] = {
        role: kb / 1024 for role, kb in sorted(sampler.peak_pss_by_role.items())
    }
    memory["cpu_main"] = sampler.cpu_main
    memory["cpu_total"] = sampler.cpu_total
    return Measured(wall, launched, exited, timed_out, memory)


# Scrapy's log lines with milliseconds, so that the spider's open and close can be placed.
LOG_FORMAT = "%(asctime)s.%(msecs)03d [%(name)s] %(levelname)s: %(message)s"
LOG_DATEFORMAT = "%Y-%m-%d %H:%M:%S"


def log_time(log: str, message: str) -> float | None:
    """``time.time()`` of the first log line of Scrapy's engine holding ``message``."""
    pattern = rf"(?m)^(\S+ \S+)\.(\d{{3}}) \[scrapy\.core\.engine\] INFO: {re.escape(message)}"
    m = re.search(pattern, log)
    if m is None:
        return None
    return time.mktime(time.strptime(m[1], LOG_DATEFORMAT)) + int(m[2]) / 1000


def phases(site: BenchSite, run: Measured, log: str | None = None) -> dict[str, float | None]:
    """Seconds from launch to the site's first request and from its last request to the exit;
    with a Scrapy log, the spider's open and close placed between them."""

    def span(a: float | None, b: float | None) -> float | None:
        return b - a if a is not None and b is not None else None

    first, last = site.first_request, site.last_request
    times: dict[str, float | None] = {
        "launch_to_first_request": span(run.launched, first),
        "first_to_last_request": span(first, last),
        "last_request_to_exit": span(last, run.exited),
    }
    if log is not None:
        opened = log_time(log, "Spider opened")
        closing = log_time(log, "Closing spider")
        times["launch_to_spider_opened"] = span(run.launched, opened)
        times["last_request_to_closing"] = span(last, closing)
        times["closing_to_exit"] = span(closing, run.exited)
    return times


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
        "LOG_FORMAT": LOG_FORMAT,
        "LOG_DATEFORMAT": LOG_DATEFORMAT,
        "NEWSCRAWLER_STATS_FILE": str(stats_file),
        "NEWSCRAWLER_STATE_PATH": str(workdir / "state.sqlite3"),  # a first crawl, every time
        **settings,
    }.items():
        cmd += ["-s", f"{key}={value}"]
    if output:
        cmd += ["-O", "articles.jsonl"]
    env = dict(os.environ, SCRAPY_SETTINGS_MODULE="newscrawler.settings")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))
    site.reset()
    run = run_measured(cmd, workdir, env, workdir / "crawl.log")
    stats = json.loads(stats_file.read_text("utf-8"))
    pages = sum(v for k, v in stats.items() if k.startswith("newscrawler/pages/article/"))
    articles = stats.get("newscrawler/extraction/articles", 0) if output else pages
    figures = Figures(name, articles, stats["elapsed_time_seconds"], run.wall, **run.memory)
    log = (workdir / "crawl.log").read_text(errors="replace")
    figures.extra = {
        "pages": pages,
        "records": stats.get("item_scraped_count", 0),
        "requests": site.requests,
        "phases": phases(site, run, log),
    }
    return figures


def crawl_ours(
    site: BenchSite, workdir: Path, extraction: bool = True, timeout: int = 0
) -> Figures:
    if not extraction:
        return crawl(site, workdir, "crawl, extraction off", {"ITEM_PIPELINES": "{}"}, False)
    settings = {"CLOSESPIDER_TIMEOUT": str(timeout)} if timeout else {}
    return crawl(site, workdir, f"crawl end to end ({site.n} pages)", settings, True)


def trafilatura_config(workdir: Path) -> Path:
    """trafilatura's own settings.cfg with its per-domain sleep at 0 (our crawls run with
    ``DOWNLOAD_DELAY=0`` and AutoThrottle off) and its block of non-public addresses off (it
    refuses loopback otherwise); every other value is its default."""
    import trafilatura

    config = Path(trafilatura.__file__).with_name("settings.cfg").read_text("utf-8")
    for key, value in (("SLEEP_TIME", "0"), ("SSRF_PROTECTION", "off")):
        config, count = re.subn(rf"(?m)^{key} = .*$", f"{key} = {value}", config)
        if count != 1:
            raise SystemExit(f"trafilatura settings.cfg: {key} not found")
    path = workdir / "settings.cfg"
    path.write_text(config, "utf-8")
    return path


def trafilatura_command() -> list[str]:
    found = shutil.which("trafilatura")
    return [found] if found else [sys.executable, "-c", "from trafilatura.cli import main; main()"]


def trafilatura_crawler(site: BenchSite, workdir: Path, timeout: float) -> Figures:
    """trafilatura's command line on the site's sitemap, in its two documented steps:
    ``trafilatura --sitemap URL --list`` (the article URLs of the sitemaps that robots.txt
    names) then ``trafilatura -i LIST --with-metadata --json`` (download and extract; one JSON
    record a line on stdout, counted).

    The one-step ``trafilatura --sitemap URL`` never ends with courlan 1.4: it keeps the URLs of
    a sitemap in courlan's compressed store, which loses the "visited" mark of each URL it hands
    out, so it downloads the first URL again and again. The two steps run the same download
    queue (one URL at a time per domain, the per-domain sleep between) and the same extraction.
    """
    import trafilatura

    workdir.mkdir(parents=True, exist_ok=True)
    config = str(trafilatura_config(workdir))
    command = trafilatura_command()
    site.reset()
    listing = run_measured(
        [*command, "--sitemap", site.url, "--list", "--config-file", config],
        workdir,
        dict(os.environ),
        workdir / "list.log",
        stdout=workdir / "urls.txt",
        timeout=timeout,
    )
    urls = sum(1 for line in (workdir / "urls.txt").read_text().splitlines() if line.strip())
    output = workdir / "records.jsonl"
    download = run_measured(
        [
            *command,
            "-i",
            str(workdir / "urls.txt"),
            "--with-metadata",
            "--json",
            "--config-file",
            config,
        ],
        workdir,
        dict(os.environ),
        workdir / "extract.log",
        stdout=output,
        timeout=timeout,
    )
    articles = 0
    for line in output.read_text("utf-8", errors="replace").splitlines():
        try:
            articles += bool(json.loads(line).get("text"))
        except (ValueError, AttributeError):
            continue
    memory: dict[str, Any] = {}
    for key in ("max_rss_mb", "tree_rss_mb", "tree_pss_mb"):
        values = [m.memory[key] for m in (listing, download) if m.memory[key] is not None]
        memory[key] = max(values) if values else None
    for key in ("cpu_main", "cpu_total"):
        memory[key] = listing.memory[key] + download.memory[key]
    wall = listing.wall + download.wall
    name = f"trafilatura {trafilatura.__version__} sitemap crawler"
    figures = Figures(name, articles, wall, wall, **memory)
    both = Measured(wall, listing.launched, download.exited, False, {})
    figures.extra = {
        "urls_listed": urls,
        "requests": site.requests,
        "list_seconds": listing.wall,
        "timed_out": listing.timed_out or download.timed_out,
        "phases": phases(site, both),
    }
    return figures


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
    site.reset()
    run = run_measured(cmd, workdir, env, workdir / "crawl.log")
    log = (workdir / "crawl.log").read_text(errors="replace")
    m = re.search(r"'elapsed_time_seconds': ([\d.]+)", log)
    seconds = float(m[1]) if m else run.wall
    data = workdir / "data"
    articles = sum(1 for _ in data.rglob("*.json")) if data.exists() else 0
    return Figures("news-please 1.6 (RecursiveCrawler)", articles, seconds, run.wall, **run.memory)


# --- Report -----------------------------------------------------------------------------------


def fmt(value: float | None, spec: str = ".0f") -> str:
    return format(value, spec) if value is not None else "-"


def report_rows(rows: list[Figures], cores: int) -> None:
    print()
    print(
        f"{'run':38} {'articles':>8} {'s':>6} {'art/s':>6} {'wall':>6} {'main':>6} {'all':>6}"
        f" {'idle':>6} {'maxRSS':>6} {'tree':>5} {'PSS':>5}"
    )
    for r in rows:
        print(
            f"{r.name:38} {r.articles:8d} {r.seconds:6.1f} {r.rate:6.1f} {r.wall:6.1f}"
            f" {r.ms_per_article(r.cpu_main):6.1f} {r.ms_per_article(r.cpu_total):6.1f}"
            f" {r.idle_rate(cores):6.1f} {fmt(r.max_rss_mb):>6} {fmt(r.tree_rss_mb):>5}"
            f" {fmt(r.tree_pss_mb):>5}"
        )
    print(
        "s: crawl time (Scrapy's elapsed_time_seconds; trafilatura's crawler: its wall time) or\n"
        "extraction wall time; art/s: articles over s; wall: process launch to exit;\n"
        "main/all: CPU ms per article of the main process / of every process;\n"
        f"idle: art/s projected on {cores} idle cores from the CPU time (robust to other load);\n"
        "maxRSS: largest single process (/usr/bin/time -v); tree/PSS: peak sum over the process\n"
        "tree (RSS, and PSS counting shared pages once); memory in MB."
    )


def report_profile(p: Profile) -> None:
    folders = ", ".join(f"{n} {name}" for name, n in p.datasets.items())
    print(f"\nper-stage profile, one process, {p.pages} pages ({folders}):")
    print(f"{'stage':24} {'ms/page':>8} {'share':>6}")
    for name, ms in sorted(p.stage_ms.items(), key=lambda item: -item[1]):
        label = f"  {name} (in {NESTED_STAGES[name]})" if name in NESTED_STAGES else name
        print(f"{label:24} {ms:8.1f} {ms / p.ours_wall_ms:6.1%}")
    timed = sum(ms for name, ms in p.stage_ms.items() if name not in NESTED_STAGES)
    other = p.ours_wall_ms - timed
    print(f"{'(outside the stages)':24} {other:8.1f} {other / p.ours_wall_ms:6.1%}")
    print(f"{'our extraction, wall':24} {p.ours_wall_ms:8.1f}")
    print(f"{'trafilatura extract, wall':24} {p.trafilatura_wall_ms:8.1f}")
    print(
        f"CPU ms/page: ours {p.ours_cpu_ms:.1f}, trafilatura {p.trafilatura_cpu_ms:.1f};"
        f" ratio {p.cpu_ratio:.2f} (median per page {p.median_page_ratio:.2f});"
        f" articles: ours {p.ours_articles}, trafilatura {p.trafilatura_articles}"
    )
    for name, row in p.per_dataset.items():
        print(
            f"  {name:10} {int(row['pages']):4d} pages: ours {row['ours_cpu_ms']:6.1f},"
            f" trafilatura {row['trafilatura_cpu_ms']:6.1f} CPU ms/page"
            f" (ratio {ratio(row['ours_cpu_ms'], row['trafilatura_cpu_ms'])})"
        )


PHASE_LABELS = {
    "launch_to_first_request": "launch -> first request",
    "launch_to_spider_opened": "  launch -> spider opened",
    "first_to_last_request": "first -> last request",
    "last_request_to_closing": "last request -> spider closing",
    "closing_to_exit": "spider closing -> exit",
    "last_request_to_exit": "last request -> exit",
}


def report_phases(runs: list[Figures]) -> None:
    print("\nstart-up and shutdown (s):")
    print(f"{'':32}" + "".join(f" {r.name[:24]:>24}" for r in runs))
    for key, label in PHASE_LABELS.items():
        values = [r.extra.get("phases", {}).get(key) for r in runs]
        print(f"{label:32}" + "".join(f" {fmt(v, '.2f'):>24}" for v in values))


def pss_parts(run: Figures) -> str:
    """``main 150, fork server 200, workers 250``: each part's own peak (they need not
    coincide, so they may add up to more than the tree's peak)."""
    return ", ".join(f"{role} {mb:.0f}" for role, mb in run.pss_by_role_mb.items()) or "-"


def ratio(a: float | None, b: float | None) -> str:
    return f"{a / b:.2f}" if a is not None and b else "-"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=1000, help="articles on the site")
    parser.add_argument("--large", type=int, default=5000, help="articles for the memory run")
    parser.add_argument(
        "--large-timeout",
        type=int,
        default=0,
        help="stop the memory run after so many seconds (CLOSESPIDER_TIMEOUT; 0: never)",
    )
    parser.add_argument("--small", type=int, default=10, help="articles for the start-up run")
    parser.add_argument(
        "--profile-pages", type=int, default=40, help="pages of each corpus folder profiled"
    )
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 1, help="extraction pools' size"
    )
    parser.add_argument("--corpus", type=Path, default=None)
    parser.add_argument(
        "--trafilatura-timeout",
        type=float,
        default=1800,
        help="stop each step of trafilatura's crawler after so many seconds",
    )
    parser.add_argument("--news-please", type=Path, default=Path("/tmp/np/bin/python"))
    parser.add_argument(
        "--news-please-pages", type=int, default=250, help="articles on its site (it is slow)"
    )
    parser.add_argument("--keep", type=Path, default=None, help="keep logs and output here")
    parser.add_argument("--json", type=Path, default=None, help="write every figure here")
    args = parser.parse_args()

    load_start = os.getloadavg()
    corpus = load_corpus(args.corpus or find_corpus())
    counts = {name: sum(1 for p in corpus if p.dataset == name) for name in DATASETS}
    print(
        f"corpus: {len(corpus)} pages ({', '.join(f'{n} {d}' for d, n in counts.items())});"
        f" {args.pages} articles on the site; nproc {os.cpu_count()};"
        f" load average {load_start[0]:.2f} {load_start[1]:.2f} {load_start[2]:.2f}",
        flush=True,
    )
    if not Path(TIME).exists():
        print(f"{TIME} not found (apt-get install time): max RSS from the tree sampler only")
    workroot = Path(tempfile.mkdtemp(prefix="throughput-")) if args.keep is None else args.keep
    cores = args.workers
    rows: list[Figures] = []
    traf_crawler = np_figures = large = small = None
    try:
        prof = profile(profile_sample(corpus, args.profile_pages))
        print(
            f"profile: ours {prof.ours_cpu_ms:.1f}, trafilatura {prof.trafilatura_cpu_ms:.1f}"
            " CPU ms/page",
            flush=True,
        )
        with open_site(corpus, args.pages) as site:
            limit = measure_ours_alone(site, args.workers)
            rows.append(limit)
            print(f"our extraction alone: {limit.rate:.1f} articles/s", flush=True)
            traf_limit = measure_trafilatura_alone(site, args.workers)
            rows.append(traf_limit)
            print(f"trafilatura extraction alone: {traf_limit.rate:.1f} articles/s", flush=True)
            ours = crawl_ours(site, workroot / "ours")
            rows.append(ours)
            print(f"end to end: {ours.rate:.1f} articles/s", flush=True)
            bare = crawl_ours(site, workroot / "bare", extraction=False)
            rows.append(bare)
            print(f"extraction off: {bare.rate:.1f} pages/s", flush=True)
            if site.port != 80:
                print("cannot bind port 80: trafilatura's crawler and news-please skipped")
            else:
                traf_crawler = trafilatura_crawler(
                    site, workroot / "trafilatura", args.trafilatura_timeout
                )
                rows.append(traf_crawler)
                print(
                    f"trafilatura's crawler: {traf_crawler.wall_rate:.1f} articles/s",
                    flush=True,
                )
                if args.news_please.exists():
                    site.n = min(site.n, args.news_please_pages)
                    np_figures = news_please(site, args.news_please, workroot / "news-please")
                    site.n = args.pages
                    rows.append(np_figures)
                    print(f"news-please: {np_figures.rate:.1f} articles/s", flush=True)
                else:
                    print(f"news-please: {args.news_please} not found, skipped")
        if args.small:
            with open_site(corpus, args.small) as site:
                small = crawl_ours(site, workroot / "small")
                rows.append(small)
        if args.large:
            with open_site(corpus, args.large) as site:
                large = crawl_ours(site, workroot / "large", timeout=args.large_timeout)
                rows.append(large)
        load_end = os.getloadavg()

        report_rows(rows, cores)
        report_profile(prof)
        report_phases([r for r in (ours, small, large, traf_crawler) if r is not None])
        if traf_crawler is not None and traf_crawler.extra["timed_out"]:
            print(f"trafilatura's crawler stopped after {args.trafilatura_timeout:.0f} s")

        def both(a: Figures, b: Figures, measured: float, other: float) -> str:
            """A ratio of rates measured, and of rates projected from CPU time."""
            idle = ratio(a.idle_rate(cores), b.idle_rate(cores))
            return f"{ratio(measured, other)} (from CPU time {idle})"

        summary: list[tuple[str, str]] = [
            (
                "end to end / our extraction alone (art/s)",
                both(ours, limit, ours.rate, limit.rate),
            ),
            (
                "our extraction CPU / trafilatura extract CPU, per page (one process)",
                f"{prof.cpu_ratio:.2f} (median page {prof.median_page_ratio:.2f})",
            ),
            (
                f"our extraction alone / trafilatura extract alone ({cores} processes, art/s)",
                both(limit, traf_limit, limit.rate, traf_limit.rate),
            ),
            (
                "end to end / trafilatura extract alone (art/s)",
                both(ours, traf_limit, ours.rate, traf_limit.rate),
            ),
        ]
        if traf_crawler is not None:
            summary.append(
                (
                    "our crawl / trafilatura's sitemap crawler (art/s, launch to exit)",
                    both(ours, traf_crawler, ours.wall_rate, traf_crawler.wall_rate),
                )
            )
        if np_figures is not None:
            summary.append(
                (
                    "our crawl / news-please (art/s)",
                    both(ours, np_figures, ours.rate, np_figures.rate),
                )
            )
        summary.append((f"tree PSS peak at {args.pages} pages (MB)", fmt(ours.tree_pss_mb)))
        summary.append(("  peak PSS of each part (MB)", pss_parts(ours)))
        if large is not None:
            summary.append((f"tree PSS peak at {args.large} pages (MB)", fmt(large.tree_pss_mb)))
            summary.append(("  peak PSS of each part (MB)", pss_parts(large)))
            summary.append(
                (
                    f"end to end at {args.large} pages / our extraction alone",
                    both(large, limit, large.rate, limit.rate),
                )
            )
        if small is not None:
            p = small.extra["phases"]
            summary.append(
                (
                    f"fixed cost of a {args.small}-article crawl: start-up / shutdown (s)",
                    f"{fmt(p['launch_to_first_request'], '.2f')}"
                    f" / {fmt(p['last_request_to_exit'], '.2f')} (wall {small.wall:.2f})",
                )
            )
        summary.append(
            ("load average (1 min) at start / end", f"{load_start[0]:.2f} / {load_end[0]:.2f}")
        )
        print("\nsummary:")
        width = max(len(label) for label, _ in summary)
        for label, value in summary:
            print(f"  {label:{width}}  {value}")
        if args.json is not None:
            figures = {
                "pages": args.pages,
                "large": args.large,
                "small": args.small,
                "workers": cores,
                "nproc": os.cpu_count(),
                "corpus": counts,
                "load_average": {"start": load_start, "end": load_end},
                "runs": [asdict(r) | {"rate": r.rate, "wall_rate": r.wall_rate} for r in rows],
                "profile": asdict(prof),
                "summary": dict(summary),
            }
            args.json.write_text(json.dumps(figures, indent=2) + "\n", "utf-8")
            print(f"figures written to {args.json}")
    finally:
        if args.keep is None:
            shutil.rmtree(workroot, ignore_errors=True)
        else:
            print(f"logs and output kept in {workroot}")


if __name__ == "__main__":
    main()
