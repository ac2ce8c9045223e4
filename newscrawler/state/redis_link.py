"""One worker's link to the shared Redis of a distributed crawl.

:class:`RedisLink` holds the client, the key prefix of the crawl (``news`` for the ``news``
spider: ``news:start_urls``, ``news:meta``, ...) and the worker's identity, and runs every
command through :meth:`RedisLink.call`: when Redis cannot be reached the worker pauses (logs
once, retries with backoff, logs again when Redis is back) instead of failing, so that a Redis
restart loses nothing. Times that workers compare (leases, heartbeats, the per-host schedule)
are Redis's own clock (``TIME``), never a worker's.

It also keeps the registry of live workers (a sorted set of heartbeats) and refuses a worker
whose project version or crawl-wide settings differ from those the crawl was begun with.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any, TypeVar
from urllib.parse import urlsplit, urlunsplit

import redis
from redis.commands.core import Script

from newscrawler.errors import ConfigError, CrawlFailed

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Errors that mean "Redis cannot serve us right now": restarting, loading its AOF, a dropped
# link, full (maxmemory reached: a write is refused before it runs), a replica that a failover
# has not promoted yet. Each command is refused whole, so it is safe to send again.
UNREACHABLE = (
    redis.ConnectionError,
    redis.TimeoutError,
    redis.BusyLoadingError,
    redis.exceptions.OutOfMemoryError,
    redis.exceptions.ReadOnlyError,
)
SCHEMA = "1"
_BACKOFF_FIRST, _BACKOFF_MAX = 0.1, 5.0

# A worker's heartbeat: ZADD workers <server time> <worker>; returns the server time.
_HEARTBEAT = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
redis.call('ZADD', KEYS[1], now, ARGV[1])
return tostring(now)
"""

# Join a crawl: write its version and settings digest if it has none, else compare.
_JOIN = """
local version = redis.call('HGET', KEYS[1], 'version')
local digest = redis.call('HGET', KEYS[1], 'settings')
if not version then
  redis.call('HSET', KEYS[1], 'schema', ARGV[1], 'version', ARGV[2], 'settings', ARGV[3],
             'settings_shown', ARGV[4])
  return {ARGV[1], ARGV[2], ARGV[3], ARGV[4]}
end
return {redis.call('HGET', KEYS[1], 'schema') or '', version, digest or '',
        redis.call('HGET', KEYS[1], 'settings_shown') or ''}
"""


class WorkerRefused(ConfigError):
    """This worker's version or crawl-wide settings differ from the crawl it would join."""


def redacted(url: str) -> str:
    """The Redis URL with its password (and user name) replaced by ``***``: safe for logs."""
    parts = urlsplit(url)
    if parts.password is None and parts.username is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host += f":{parts.port}"
    return urlunsplit((parts.scheme, f"***@{host}", parts.path, parts.query, parts.fragment))


def worker_name() -> str:
    """A name unique to this process: host name, process id and a random suffix."""
    return f"{socket.gethostname()}:{os.getpid()}:{os.urandom(3).hex()}"


def settings_digest(values: Mapping[str, Any]) -> tuple[str, str]:
    """A digest of the crawl-wide settings and their JSON (shown when a worker is refused)."""
    shown = json.dumps(dict(sorted(values.items())), sort_keys=True, default=str)
    return hashlib.sha256(shown.encode()).hexdigest()[:16], shown


class RedisLink:
    """A client, a key prefix, a worker identity; commands that pause while Redis is away."""

    def __init__(
        self,
        url: str,
        prefix: str,
        *,
        worker: str | None = None,
        lease_timeout: float = 60.0,
        client: redis.Redis | None = None,
        on_outage: Callable[[float], None] | None = None,
    ) -> None:
        self.url = url
        self.shown_url = redacted(url)
        self.prefix = prefix
        self.worker = worker or worker_name()
        self.lease_timeout = lease_timeout
        self.on_outage = on_outage  # called with the seconds a pause lasted
        # redis-py's command types are too loose to check against: the client is Any here
        try:
            self.client: Any = client or redis.Redis.from_url(
                url, socket_timeout=10, socket_connect_timeout=5, health_check_interval=30
            )
        except ValueError as exc:
            raise ConfigError(f"NEWSCRAWLER_REDIS_URL {self.shown_url}: {exc}") from None
        self.outages = 0
        self.paused = 0.0
        self.joined = False  # before: an unreachable Redis fails the start, after: a pause
        self._outage_lock = threading.Lock()
        self._outage_began: float | None = None  # one outage, whichever thread sees it
        self._heartbeat = self.script(_HEARTBEAT)
        self._join = self.script(_JOIN)

    def key(self, *parts: object) -> str:
        """A key of this crawl: ``<prefix>:<part>:<part>``."""
        return ":".join((self.prefix, *(str(p) for p in parts)))

    def script(self, source: str) -> Script:
        """A Lua script run by its digest (loaded again by itself after a Redis restart)."""
        script: Script = self.client.register_script(source)
        return script

    # --- commands that survive an outage ------------------------------------------------------
    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)``, retried until Redis answers (the worker pauses meanwhile).

        Every script and command the project sends is safe to repeat: it sets, replaces or
        removes, or (a take) it returns what it returned the first time."""
        delay = _BACKOFF_FIRST
        while True:
            try:
                result = fn(*args, **kwargs)
            except UNREACHABLE as exc:
                if not self.joined:
                    raise CrawlFailed(
                        f"cannot reach Redis {self.shown_url}: {_reason(exc)}"
                    ) from None
                self._outage(exc)
                time.sleep(delay)
                delay = min(delay * 2, _BACKOFF_MAX)
                continue
            if self._outage_began is not None:
                self._recovered()
            return result

    def _outage(self, exc: BaseException) -> None:
        with self._outage_lock:
            if self._outage_began is not None:
                return
            self._outage_began = time.monotonic()
            self.outages += 1
        logger.warning(
            "Redis %s is unreachable or refuses writes (%s): the worker pauses until it answers",
            self.shown_url,
            _reason(exc),
        )

    def _recovered(self) -> None:
        with self._outage_lock:
            began, self._outage_began = self._outage_began, None
        if began is None:
            return
        lasted = time.monotonic() - began
        self.paused += lasted
        logger.warning("Redis %s answers again after %.1f s", self.shown_url, lasted)
        if self.on_outage is not None:
            self.on_outage(lasted)

    def pipelined(self, build: Callable[[Any], None], *, transaction: bool = False) -> list[Any]:
        """The answers of the commands ``build(pipe)`` queues, sent at once through
        :meth:`call` (the pipeline is built anew for every attempt)."""

        def send() -> list[Any]:
            pipe = self.client.pipeline(transaction=transaction)
            build(pipe)
            answers: list[Any] = pipe.execute()
            return answers

        return self.call(send)

    def run(self, script: Script, keys: list[str], args: list[Any]) -> Any:
        """Run a Lua script through :meth:`call`."""
        return self.call(script, keys=keys, args=args)

    # --- workers ------------------------------------------------------------------------------
    def heartbeat(self) -> float:
        """Say this worker is alive; Redis's time now."""
        return float(self.run(self._heartbeat, [self.key("workers")], [self.worker]))

    def leave(self) -> None:
        """This worker stops: it is no longer counted alive."""
        self.call(self.client.zrem, self.key("workers"), self.worker)

    def alive(self) -> list[tuple[str, float]]:
        """Workers with a heartbeat within the lease timeout, and their last heartbeat."""
        now = self.now()
        rows = self.call(
            self.client.zrangebyscore,
            self.key("workers"),
            now - self.lease_timeout,
            "+inf",
            withscores=True,
        )
        return [(text(name), float(score)) for name, score in rows]

    def now(self) -> float:
        """Redis's clock."""
        seconds, micros = self.call(self.client.time)
        return float(seconds) + float(micros) / 1e6

    def join(self, version: str, crawl_settings: Mapping[str, Any]) -> None:
        """Join the crawl, or raise :class:`WorkerRefused` when this worker differs from it."""
        digest, shown = settings_digest(crawl_settings)
        answer = self.run(self._join, [self.key("meta")], [SCHEMA, version, digest, shown])
        schema, theirs, their_digest, their_shown = (text(v) for v in answer)
        if schema != SCHEMA:
            raise WorkerRefused(
                f"Refusing to join the crawl {self.prefix!r} on {self.shown_url}: its data has"
                f" schema {schema or 'unknown'}, this version of newscrawler needs {SCHEMA}"
            )
        if theirs != version:
            raise WorkerRefused(
                f"Refusing to join the crawl {self.prefix!r} on {self.shown_url}: it runs"
                f" newscrawler {theirs}, this worker {version}. Run the same version on every"
                " worker, or crawl under another NEWSCRAWLER_REDIS_PREFIX"
            )
        if their_digest != digest:
            differ = _differences(their_shown, shown)
            raise WorkerRefused(
                f"Refusing to join the crawl {self.prefix!r} on {self.shown_url}: its crawl-wide"
                f" settings differ from this worker's ({differ}). Use the same settings on every"
                " worker, or crawl under another NEWSCRAWLER_REDIS_PREFIX"
            )
        self.joined = True

    def close(self) -> None:
        self.client.close()


def _differences(theirs: str, ours: str) -> str:
    try:
        a, b = json.loads(theirs), json.loads(ours)
    except ValueError:
        return "unknown"
    names = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
    return ", ".join(f"{n}: crawl {a.get(n)!r}, worker {b.get(n)!r}" for n in names) or "unknown"


def _reason(exc: BaseException) -> str:
    return str(exc).splitlines()[0] if str(exc) else type(exc).__name__


def text(value: Any) -> str:
    """A Redis answer (bytes) as text."""
    return value.decode() if isinstance(value, bytes) else str(value)
