"""Run extraction in worker processes without blocking the Twisted reactor.

Extraction is CPU work (trafilatura, lxml, dateparser): run in the reactor thread it stalls the
downloads and leaves the other cores idle. :class:`ExtractionPool` sends each page to a pool of
worker processes (``pebble.ProcessPool``, which enforces a per-task time limit by replacing the
worker) and hands the :class:`~newscrawler.extraction.Extraction` back to the reactor as a
Deferred, with the body's dedup :class:`~newscrawler.dedup.fingerprint.Fingerprints` beside it
(:class:`PageExtractor`: hashing the body costs worker CPU, not the crawl's main process).
Whatever goes wrong in a worker (a time-out, a crash, a broken pool) comes back as an
``Extraction`` without fields and with a ``reason``, so the pipeline counts and logs it like any
other page that gave no article, and the crawl goes on.

Workers are started with ``forkserver`` where available (``spawn`` elsewhere), never with plain
``fork``: forking the crawler process would copy its reactor, its threads' locks (logging, pebble's
own) and its sockets into every worker. The fork server is a fresh single-threaded process that
imports the extraction modules once (``set_forkserver_preload``); workers forked from it start in
milliseconds, share those modules copy-on-write, and a replaced worker is ready at once.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import multiprocessing
import multiprocessing.forkserver
import os
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, TimeoutError
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cache
from typing import Any

from pebble import ProcessExpired, ProcessPool
from twisted.internet.defer import Deferred

from newscrawler.dedup.config import DedupConfig
from newscrawler.dedup.fingerprint import Fingerprints, fingerprints
from newscrawler.discovery.reading import PageReading, ReadingTask, read_page
from newscrawler.extraction import Extraction, ExtractionOptions, extract_article
from newscrawler.extraction.preload import ROOT_VARIABLE, package_root
from newscrawler.extraction.stages import timed
from newscrawler.extraction.warmup import warm_up
from newscrawler.items import PageHints

logger = logging.getLogger(__name__)

ExtractFunction = Callable[..., Extraction]
# What a worker returns for a page: the extraction, and the body's fingerprints beside it
# (None when the page gave no article).
ExtractResult = tuple[Extraction, Fingerprints | None]

# Imported once by the fork server, so that workers are forked with them loaded and warmed up
# (see :mod:`newscrawler.extraction.preload`, which the server finds on the path
# :func:`start_fork_server` gives it).
PRELOAD_MODULES = ["lxml.html", "trafilatura", "dateparser", "newscrawler.extraction.preload"]

# After a page this large (body bytes) a process that extracted it gives the memory its parse
# freed back to the system: glibc keeps freed heap pages otherwise, and the process stays at its
# largest page's size.
TRIM_AFTER_BYTES = 256 * 1024
# ... and after every so many pages in any case (the crawl's main process too, which frees the
# bodies and responses of the pages the workers are done with).
TRIM_EVERY_PAGES = 32


def _load_malloc_trim() -> Callable[[int], int] | None:
    name = ctypes.util.find_library("c")
    try:
        trim: Callable[[int], int] = ctypes.CDLL(name).malloc_trim  # glibc only
    except (OSError, AttributeError, TypeError):
        return None
    return trim


@dataclass(frozen=True)
class PageExtractor:
    """What a worker runs for one page: ``function``, then the fingerprints of the body it
    extracted (the MinHash signature too when ``config.near``); or, for a page the spider
    has not read, :func:`~newscrawler.discovery.reading.read_page` (:meth:`read`)."""

    function: ExtractFunction
    config: DedupConfig

    def __call__(self, *args: Any, **kwargs: Any) -> ExtractResult:
        result = self.function(*args, **kwargs)
        if result.fields is None:
            return result, None
        with timed("fingerprints"):
            return result, fingerprints(str(result.fields.get("text") or ""), self.config)

    def read(
        self,
        body: bytes,
        declared_encoding: str | None,
        task: ReadingTask,
        *,
        hints: PageHints,
        options: ExtractionOptions,
    ) -> PageReading | Extraction:
        """Route, read the links of and extract the page from one parse of it."""
        custom = None if self.function is extract_article else self.function
        return read_page(
            body,
            declared_encoding,
            task,
            hints=hints,
            options=options,
            config=self.config,
            function=custom,
        )


class FreedMemory:
    """When this process (a worker, or the crawl's main process) last gave the memory it freed
    back to the system."""

    def __init__(self) -> None:
        self.malloc_trim = _load_malloc_trim()
        self.pages_since_trim = 0

    def page_done(self, body: object = None) -> None:
        """After a large page (or every :data:`TRIM_EVERY_PAGES` pages), hand the memory its
        parse freed back to the system, so that a process does not keep the heap of the largest
        page (or of the busiest moment) it ever saw."""
        self.pages_since_trim += 1
        large = isinstance(body, bytes | str) and len(body) >= TRIM_AFTER_BYTES
        if self.malloc_trim is not None and (large or self.pages_since_trim >= TRIM_EVERY_PAGES):
            self.pages_since_trim = 0
            self.malloc_trim(0)


@cache
def freed_memory() -> FreedMemory:
    """This process's :class:`FreedMemory`, created by :func:`init_worker` in a new worker."""
    return FreedMemory()


def run_in_worker(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Run ``function`` (the extractor or its :meth:`~PageExtractor.read`) on one page in a
    worker, then let the worker trim its memory."""
    try:
        return function(*args, **kwargs)
    finally:
        freed_memory().page_done(args[0] if args else None)


def init_worker(
    function: Callable[..., Any] | None,
    options: ExtractionOptions,
    started: Any = None,
    warm: Any = None,
) -> None:
    """A new worker's set-up: say it has started, freeze what it inherited, then warm up.

    ``warm`` (an event) is set once the worker is warmed up.
    ``started`` (a semaphore) is released once the worker has rebuilt the pool's queues, so
    that the pool is not stopped (and the queues freed) under a worker still starting.

    ``gc.freeze()`` moves the objects forked from the fork server (the preloaded modules) out of
    the collector's reach: collections would otherwise write to every one of them and so copy
    every shared memory page into the worker. What the warm-up loads is frozen too.
    """
    if started is not None:
        started.release()
    freed_memory()
    gc.freeze()
    if function is not None:
        warm_up(function, options)
        gc.freeze()
    if warm is not None:
        warm.set()


def start_method() -> str:
    """``forkserver`` where the platform has it, else ``spawn`` (never ``fork``: see module doc)."""
    return "forkserver" if "forkserver" in multiprocessing.get_all_start_methods() else "spawn"


def start_fork_server() -> None:
    """Start this process's fork server (if it is not running) with :data:`PRELOAD_MODULES`.

    The server imports newscrawler from the crawler's own copy: that copy's folder comes first
    on its path (``PYTHONPATH``, and ``PYTHONSAFEPATH`` so that the working directory does not
    come before it) and is named in the variable the preload module checks. Returns at once:
    the server loads and warms up on its own, and the first worker is forked once it is done.
    """
    multiprocessing.set_forkserver_preload(PRELOAD_MODULES)
    root = str(package_root())
    path = os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")]))
    with _environment({"PYTHONPATH": path, "PYTHONSAFEPATH": "1", ROOT_VARIABLE: root}):
        multiprocessing.forkserver.ensure_running()


@contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """``values`` set in ``os.environ`` for the block (what processes started in it inherit)."""
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


@dataclass
class PoolTask:
    """One page sent to the pool (kept only while it is in flight)."""

    url: str
    function: Callable[..., Any]
    args: tuple[Any, ...] | None  # dropped as soon as the page is done: it holds the body
    kwargs: dict[str, Any] | None
    deferred: Deferred[Any] = field(default_factory=Deferred)
    generation: int = 0
    resubmitted: bool = False


class ExtractionPool:
    """A pool of ``workers`` processes that run ``extractor`` on pages, each within ``timeout``
    seconds (after a warm-up with ``warmup_options``)."""

    def __init__(
        self,
        workers: int,
        timeout: float,
        extractor: PageExtractor,
        warmup_options: ExtractionOptions | None = None,
        method: str | None = None,
        on_restart: Callable[[], None] | None = None,
    ) -> None:
        if workers < 1:
            raise ValueError("an extraction pool needs at least one worker")
        if timeout <= 0:
            raise ValueError("the extraction time limit must be positive")
        self.workers = workers
        self.timeout = timeout
        self.method = method or start_method()
        self.extractor = extractor
        self.warmup_options = warmup_options or ExtractionOptions()
        self._pool: ProcessPool | None = None
        self._generation = 0  # bumped on every (re)start of the pebble pool
        self._started: Any = None  # released by each worker of the current pool once started
        self._warm: Any = None  # set by the first worker of the current pool warmed up
        self._opening: threading.Thread | None = None  # starts the current pool's workers
        self._open_pool: ProcessPool | None = None  # the current pool, once its workers exist
        self._waiting: list[PoolTask] = []  # submitted before that
        self._closed = False
        self.restarts = 0
        self.on_restart = on_restart

    def start(self) -> None:
        """Start the worker processes, in a thread: forking the first worker waits until the
        fork server has loaded and warmed up extraction (seconds), and the reactor must not.
        Pages submitted meanwhile wait here and are sent once the workers exist."""
        if self._closed:
            raise RuntimeError("the extraction pool is closed")
        context = multiprocessing.get_context(self.method)
        if self.method == "forkserver":
            start_fork_server()
        self._started = context.Semaphore(0)
        self._warm = context.Event()
        pool = self._pool = ProcessPool(
            max_workers=self.workers,
            initializer=init_worker,
            initargs=(self.extractor, self.warmup_options, self._started, self._warm),
            context=context,
        )
        self._generation += 1
        self._opening = threading.Thread(
            target=self._open, args=(pool,), name="extraction-pool-start", daemon=True
        )
        self._opening.start()
        logger.info(
            "Extraction pool: %d worker processes (%s), %g s per page",
            self.workers,
            self.method,
            self.timeout,
        )

    def _open(self, pool: ProcessPool) -> None:
        """In the start thread: start ``pool``'s workers, then send it the waiting pages."""
        try:
            _ = pool.active  # creates the worker processes
        except Exception:  # sending it pages then fails, and restarts it (_retry_or_fail)
            logger.exception("Extraction pool: the workers could not be started")
        from twisted.internet import reactor

        reactor.callFromThread(self._opened, pool)  # type: ignore[attr-defined]

    def _opened(self, pool: ProcessPool) -> None:
        if pool is not self._pool:  # closed or replaced meanwhile
            return
        self._open_pool = pool
        waiting, self._waiting = self._waiting, []
        for task in waiting:
            self._schedule(task)

    @property
    def warm(self) -> bool:
        """Whether a worker of the current pool has warmed up (and so takes pages at once)."""
        return self._warm is not None and self._warm.is_set()

    def submit(self, url: str, *args: Any, **kwargs: Any) -> Deferred[ExtractResult]:
        """Extract in a worker; the Deferred fires in the reactor thread and never errs."""
        task = PoolTask(url, self.extractor, args, kwargs)
        self._schedule(task)
        return task.deferred

    def submit_reading(
        self, url: str, *args: Any, **kwargs: Any
    ) -> Deferred[PageReading | Extraction | ExtractResult]:
        """:meth:`PageExtractor.read` in a worker; the Deferred fires in the reactor thread,
        never errs, and gives an :data:`ExtractResult` without fields when the worker failed
        (a time-out, a crash)."""
        task = PoolTask(url, self.extractor.read, args, kwargs)
        self._schedule(task)
        return task.deferred

    def close(self) -> None:
        """Stop the workers at once (idempotent; pages still in flight are abandoned)."""
        if self._closed:
            return
        self._closed = True
        pool, self._pool = self._pool, None
        if pool is not None:
            self._wait_for_opening()
            self._wait_for_starting_workers()
            stop_pool(pool)
        waiting, self._waiting = self._waiting, []
        for task in waiting:
            self._resolve(task, _failure("pool_closed", "the extraction pool is closed"))

    def _wait_for_opening(self, timeout: float = 60.0) -> None:
        """Wait (bounded) for the start thread: workers it forks after the pool stopped would
        be left running."""
        if self._opening is not None:
            self._opening.join(timeout)

    def _wait_for_starting_workers(self, timeout: float = 10.0) -> None:
        """Wait (bounded) until the workers of the pool have started: a crawl that ends while
        they are still starting would otherwise free the queues they are about to open."""
        if self._started is None:
            return
        deadline = time.monotonic() + timeout
        for _ in range(self.workers):
            if not self._started.acquire(timeout=max(0.0, deadline - time.monotonic())):
                break

    def _schedule(self, task: PoolTask) -> None:
        if self._pool is None or task.args is None or task.kwargs is None:
            self._resolve(task, _failure("pool_closed", "the extraction pool is closed"))
            return
        if self._open_pool is not self._pool:  # its workers are still being started
            self._waiting.append(task)
            return
        try:
            future = self._pool.schedule(
                run_in_worker,
                args=(task.function, *task.args),
                kwargs=task.kwargs,
                timeout=self.timeout,
            )
        except RuntimeError as exc:  # the pool broke (a worker died outside any task)
            self._retry_or_fail(task, str(exc))
            return
        task.generation = self._generation
        from twisted.internet import reactor

        future.add_done_callback(
            lambda f: reactor.callFromThread(self._done, task, f)  # type: ignore[attr-defined]
        )

    def _done(self, task: PoolTask, future: Future[Any]) -> None:
        """In the reactor thread: turn the future's outcome into an extraction result."""
        try:
            result = future.result()
        except TimeoutError:
            result = _failure("timeout", f"extraction exceeded {self.timeout:g} s; worker replaced")
        except ProcessExpired as exc:
            result = _failure(
                "worker_crashed", f"worker exited with code {exc.exitcode}; worker replaced"
            )
        except BrokenProcessPool as exc:
            # A worker died while pebble could not tell which page it held: pebble then gives up
            # on every page in flight. Restart the pool once per breakage; retry each page once.
            self._retry_or_fail(task, str(exc))
            return
        except Exception as exc:  # the function raised (a custom one), or unpicklable data
            result = _failure("error", f"{type(exc).__name__}: {exc}")
        self._resolve(task, result)

    def _retry_or_fail(self, task: PoolTask, reason: str) -> None:
        if task.generation in (0, self._generation):  # not restarted since this page was sent
            self._restart(reason)
        if task.resubmitted:
            self._resolve(task, _failure("worker_crashed", f"extraction pool broke: {reason}"))
            return
        task.resubmitted = True
        self._schedule(task)

    def _restart(self, reason: str) -> None:
        if self._closed:
            self._pool = None
            return
        logger.error("Extraction pool broke (%s): starting a new one", reason)
        self.restarts += 1
        if self.on_restart is not None:
            self.on_restart()
        old, self._pool = self._pool, None
        if old is not None:
            self._wait_for_opening()
            stop_pool(old)
        self.start()

    @staticmethod
    def _resolve(task: PoolTask, result: Any) -> None:
        task.args = task.kwargs = None  # the body: the main process is done with the page
        freed_memory().page_done()
        task.deferred.callback(result)


def stop_pool(pool: ProcessPool) -> None:
    """Stop a pebble pool and every worker it started, one still starting included.

    A worker that the pool's manager thread is still starting when the pool stops is not among
    the workers pebble terminates; if the pool's queues were freed first, that worker fails to
    rebuild their locks and prints a traceback. So the leftover workers are ended while
    ``pool`` (and its queues) is still referenced here.
    """
    pool.stop()  # type: ignore[no-untyped-call]
    pool.join(timeout=10)
    for process in multiprocessing.active_children():
        process.terminate()
        process.join(timeout=2)


def _failure(reason: str, detail: str) -> ExtractResult:
    return Extraction(None, reason=reason, detail=detail), None


def run_inline(function: Callable[..., Any], args: Sequence[Any], kwargs: dict[str, Any]) -> Any:
    """Run ``function`` (the extractor or its :meth:`~PageExtractor.read`) in the calling thread
    (``NEWSCRAWLER_EXTRACTION_WORKERS = 0``); an :data:`ExtractResult` without fields if it
    raises."""
    try:
        return function(*args, **kwargs)
    except Exception as exc:
        return _failure("error", f"{type(exc).__name__}: {exc}")
    finally:
        freed_memory().page_done(args[0] if args else None)
