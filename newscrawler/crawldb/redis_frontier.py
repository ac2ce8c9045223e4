"""The crawl database on Redis: one frontier and one URL table for all the workers of a crawl.

The semantics of :class:`~newscrawler.crawldb.sqlite.SQLiteCrawlDatabase`, shared:

- URL records: hash ``P:url`` (URL key -> the record as a JSON array), with ``P:due`` (next
  visits), ``P:lseen`` (last seen, for retention) and ``P:kinds`` (counts by kind and status,
  kept by the same scripts that write records).
- The frontier: ``P:f:req`` (key -> request JSON), ``P:f:mem`` (key -> its place in the order)
  and ``P:f:wait``, a sorted set whose members sort as the frontier does (tier, priority and
  rank descending, then arrival), so that the first waiting request is ``ZPOPMIN``.
- Leases: a request handed out is moved, in the same script, to ``P:f:lease`` (key -> the time
  its lease ends, by Redis's clock), ``P:f:owner`` (key -> worker) and the worker's own set
  ``P:f:mine:<worker>``. It leaves the frontier only when its worker reports it done, i.e. when
  its outcome is durable. A live worker renews its leases with every heartbeat; a lease that
  runs out (the worker was killed, or lost Redis for longer than the lease) is handed out again
  by whichever worker sees it first (:meth:`RedisCrawlDatabase.heartbeat`).

Why sorted sets and not Redis Streams: a stream is one FIFO, the frontier is ordered (feeds
before articles before hubs, newest first); the lease pattern above gives a stream consumer
group's guarantees (a pending entry per worker, claimed back after a timeout, acked when done)
in that order, each step one atomic script.

Scripts write what adds before what removes, so that a write Redis refuses midway (it is full:
``maxmemory``) never leaves a request neither waiting nor leased. Writes are buffered and sent
in one ``MULTI`` transaction by :meth:`flush` (run by every take
and every second), records first, then new requests, then the done ones: the requests a page led
to are written no later than that page leaves the frontier. Every script is safe to repeat after
a lost reply (:meth:`~newscrawler.state.redis_link.RedisLink.call`); a take repeats by its
token.
"""

from __future__ import annotations

import json
import logging
import os
import struct
import threading
from collections.abc import Iterable, Iterator
from dataclasses import astuple
from typing import Any

from newscrawler.crawldb.database import CrawlDbCounts, FrontierEntry
from newscrawler.crawldb.records import Kind, Status, UrlRecord
from newscrawler.dedup.fingerprint import url_key
from newscrawler.state.redis_link import RedisLink, text

logger = logging.getLogger(__name__)

_STEP = 500
_PRIORITY_LIMIT = 10**9
HEARTBEAT_EVERY = 5.0  # seconds between heartbeats, at most (a fifth of the lease timeout)

_NOW = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
"""

# KEYS: url due lseen kinds; ARGV: (key, record json, kind|status, next_fetch or '', last_seen)*
_PUT = """
for i = 1, #ARGV, 5 do
  local key = ARGV[i]
  local old = redis.call('HGET', KEYS[1], key)
  redis.call('HSET', KEYS[1], key, ARGV[i + 1])
  redis.call('HINCRBY', KEYS[4], ARGV[i + 2], 1)
  if old then
    local o = cjson.decode(old)
    redis.call('HINCRBY', KEYS[4], o[2] .. '|' .. o[3], -1)
  end
  if ARGV[i + 3] ~= '' then
    redis.call('ZADD', KEYS[2], ARGV[i + 3], key)
  else
    redis.call('ZREM', KEYS[2], key)
  end
  redis.call('ZADD', KEYS[3], ARGV[i + 4], key)
end
return 1
"""

# KEYS: req mem wait lease owner mine seq; ARGV: worker, (key, order prefix, request)*
# A request leased by another worker is left to it (it records that URL's outcome).
_PUSH = """
local skipped = 0
for i = 2, #ARGV, 3 do
  local key = ARGV[i]
  local owner = redis.call('HGET', KEYS[5], key)
  if owner and owner ~= ARGV[1] then
    skipped = skipped + 1
  else
    if owner then
      redis.call('ZREM', KEYS[4], key)
      redis.call('HDEL', KEYS[5], key)
      redis.call('SREM', KEYS[6], key)
    end
    local old = redis.call('HGET', KEYS[2], key)
    local seq = redis.call('INCR', KEYS[7])
    local member = ARGV[i + 1] .. string.format('%015d', seq) .. ':' .. key
    redis.call('HSET', KEYS[1], key, ARGV[i + 2])
    redis.call('ZADD', KEYS[3], 0, member)
    redis.call('HSET', KEYS[2], key, member)
    if old then redis.call('ZREM', KEYS[3], old) end
  end
end
return skipped
"""

# KEYS: req mem wait lease owner mine take; ARGV: worker count token lease_timeout
_TAKE = (
    _NOW
    + """
local last = redis.call('GET', KEYS[7])
if last then
  local saved = cjson.decode(last)
  if saved[1] == ARGV[3] then return saved[2] end
end
local first = redis.call('ZRANGE', KEYS[3], 0, tonumber(ARGV[2]) - 1)
local out = {}
for i = 1, #first do
  local member = first[i]
  local key = string.match(member, ':(-?%d+)$')
  local request = redis.call('HGET', KEYS[1], key)
  if request then
    redis.call('ZADD', KEYS[4], now + tonumber(ARGV[4]), key)
    redis.call('HSET', KEYS[5], key, ARGV[1])
    redis.call('SADD', KEYS[6], key)
    table.insert(out, key)
    table.insert(out, request)
  else
    redis.call('HDEL', KEYS[2], key)
  end
end
-- leased first, then out of the waiting set: a write refused midway (Redis full) leaves a
-- request waiting and leased (fetched twice at worst), never neither
if #first > 0 then redis.call('ZREM', KEYS[3], unpack(first)) end
redis.call('SET', KEYS[7], cjson.encode({ARGV[3], out}), 'EX', 3600)
return out
"""
)

# KEYS: req mem wait lease owner mine; ARGV: worker, keys...
_DONE = """
for i = 2, #ARGV do
  local key = ARGV[i]
  local owner = redis.call('HGET', KEYS[5], key)
  if not owner or owner == ARGV[1] then
    local member = redis.call('HGET', KEYS[2], key)
    if member then redis.call('ZREM', KEYS[3], member) end
    redis.call('HDEL', KEYS[1], key)
    redis.call('HDEL', KEYS[2], key)
    redis.call('ZREM', KEYS[4], key)
    redis.call('HDEL', KEYS[5], key)
    redis.call('SREM', KEYS[6], key)
  end
end
return 1
"""

# KEYS: workers lease mine; ARGV: worker lease_timeout. Renews this worker's leases.
_RENEW = (
    _NOW
    + """
redis.call('ZADD', KEYS[1], now, ARGV[1])
local mine = redis.call('SMEMBERS', KEYS[3])
for i = 1, #mine do
  redis.call('ZADD', KEYS[2], 'XX', now + tonumber(ARGV[2]), mine[i])
end
return #mine
"""
)

# KEYS: mem wait lease owner workers; ARGV: prefix of the workers' own sets, lease_timeout.
# Hands out again the requests whose lease ran out (a bounded number per call).
_RECLAIM = (
    _NOW
    + """
local expired = redis.call('ZRANGEBYSCORE', KEYS[3], '-inf', now, 'LIMIT', 0, 500)
for i = 1, #expired do
  local key = expired[i]
  local owner = redis.call('HGET', KEYS[4], key)
  local member = redis.call('HGET', KEYS[1], key)
  if member then redis.call('ZADD', KEYS[2], 0, member) end
  redis.call('ZREM', KEYS[3], key)
  redis.call('HDEL', KEYS[4], key)
  if owner then redis.call('SREM', ARGV[1] .. owner, key) end
end
redis.call('ZREMRANGEBYSCORE', KEYS[5], '-inf', now - 86400)
return #expired
"""
)

# KEYS: meta wait lease workers; ARGV: worker started lease_timeout. Join the unfinished crawl
# (requests waiting or leased, or another live worker), or begin one.
_BEGIN = (
    _NOW
    + """
local started = redis.call('HGET', KEYS[1], 'crawl_started')
if started then
  local others = redis.call('ZCOUNT', KEYS[4], now - tonumber(ARGV[3]), '+inf')
  if redis.call('ZSCORE', KEYS[4], ARGV[1]) then others = others - 1 end
  if redis.call('ZCARD', KEYS[2]) > 0 or redis.call('ZCARD', KEYS[3]) > 0 or others > 0 then
    return {started, 1}
  end
end
redis.call('HSET', KEYS[1], 'crawl_started', ARGV[2])
return {ARGV[2], 0}
"""
)

# KEYS: meta wait lease. Ends the crawl when nothing waits and nothing is leased.
_END = """
if redis.call('ZCARD', KEYS[2]) == 0 and redis.call('ZCARD', KEYS[3]) == 0 then
  redis.call('HDEL', KEYS[1], 'crawl_started')
  return 1
end
return 0
"""

# KEYS: url due lseen kinds req; ARGV: keys whose records are forgotten (not in the frontier).
_PRUNE = """
local removed, cleared = 0, 0
for i = 1, #ARGV do
  local key = ARGV[i]
  if redis.call('HEXISTS', KEYS[5], key) == 0 then
    cleared = cleared + 1
    local old = redis.call('HGET', KEYS[1], key)
    if old then
      local o = cjson.decode(old)
      redis.call('HINCRBY', KEYS[4], o[2] .. '|' .. o[3], -1)
      redis.call('HDEL', KEYS[1], key)
      removed = removed + 1
    end
    redis.call('ZREM', KEYS[2], key)
    redis.call('ZREM', KEYS[3], key)
  end
end
return {removed, cleared}
"""


# KEYS: start_urls pending seeds; ARGV: worker count. Seeds pushed by users, taken by a worker
# (kept in ``pending`` until their requests are in the frontier).
_TAKE_SEEDS = """
local out = {}
for i = 1, tonumber(ARGV[2]) do
  local url = redis.call('LPOP', KEYS[1])
  if not url then break end
  redis.call('HSET', KEYS[2], url, ARGV[1])
  redis.call('SADD', KEYS[3], url)
  table.insert(out, url)
end
return out
"""

# KEYS: start_urls pending workers; ARGV: lease_timeout. Seeds taken by a worker that is gone
# go back to the list.
_RECLAIM_SEEDS = (
    _NOW
    + """
local pending = redis.call('HGETALL', KEYS[2])
local back = 0
for i = 1, #pending, 2 do
  local beat = redis.call('ZSCORE', KEYS[3], pending[i + 1])
  if not beat or tonumber(beat) < now - tonumber(ARGV[1]) then
    redis.call('RPUSH', KEYS[1], pending[i])
    redis.call('HDEL', KEYS[2], pending[i])
    back = back + 1
  end
end
return back
"""
)


def order_prefix(sort_key: tuple[int, int, float]) -> str:
    """A string that sorts as the frontier does: tier, priority, rank descending."""
    tier, priority, rank = sort_key
    priority = max(-_PRIORITY_LIMIT, min(_PRIORITY_LIMIT, priority))
    (bits,) = struct.unpack(">Q", struct.pack(">d", -float(rank)))
    bits = bits ^ 0xFFFFFFFFFFFFFFFF if bits >> 63 else bits | 1 << 63  # sortable as unsigned
    return f"{9 - tier}{_PRIORITY_LIMIT - priority:010d}{bits:016x}"


def _record_json(record: UrlRecord) -> str:
    values = list(astuple(record))
    values[1] = record.kind.value
    values[2] = record.status.value
    return json.dumps(values, separators=(",", ":"))


def _record(value: bytes | str) -> UrlRecord:
    url, kind, status, *rest = json.loads(value)
    return UrlRecord(url, Kind(kind), Status(status), *rest)


class RedisCrawlDatabase:
    """:class:`~newscrawler.crawldb.database.CrawlDatabase` on Redis (see the module)."""

    def __init__(self, link: RedisLink) -> None:
        self.link = link
        self.client: Any = link.client
        k = link.key
        self.k_url, self.k_due = k("url"), k("due")
        self.k_lseen, self.k_kinds = k("lseen"), k("kinds")
        self.k_req, self.k_mem, self.k_wait = k("f", "req"), k("f", "mem"), k("f", "wait")
        self.k_lease, self.k_owner, self.k_seq = k("f", "lease"), k("f", "owner"), k("f", "seq")
        self.k_mine_prefix = k("f", "mine") + ":"
        self.k_mine = self.k_mine_prefix + link.worker
        self.k_take = k("f", "take", link.worker)
        self.k_meta, self.k_workers = k("meta"), k("workers")
        self._frontier_keys = [
            self.k_req,
            self.k_mem,
            self.k_wait,
            self.k_lease,
            self.k_owner,
            self.k_mine,
        ]
        s = link.script
        self._put, self._push, self._take, self._done = s(_PUT), s(_PUSH), s(_TAKE), s(_DONE)
        self._renew, self._reclaim = s(_RENEW), s(_RECLAIM)
        self._begin, self._end, self._prune = s(_BEGIN), s(_END), s(_PRUNE)
        self._take_seeds, self._reclaim_seeds = s(_TAKE_SEEDS), s(_RECLAIM_SEEDS)
        self.k_start_urls, self.k_seeds_pending, self.k_seeds = (
            k("start_urls"),
            k("seeds", "pending"),
            k("seeds"),
        )
        self._seeds_known = 0
        self._urls: dict[int, UrlRecord] = {}
        self._pushed: dict[int, FrontierEntry] = {}
        self._done_keys: set[int] = set()
        self._hint: tuple[int, bool] | None = None  # (key, queued) read with the last get
        self._push_answers = slice(0, 0)
        self.skipped = 0  # pushes left to the worker that holds the request
        self._reclaimed = 0  # leases of gone workers handed out again by the heartbeat
        self._beating: threading.Thread | None = None
        self._stop = threading.Event()

    # --- URLs ------------------------------------------------------------------------------------
    def get(self, url: str) -> UrlRecord | None:
        key = url_key(url)
        record = self._urls.get(key)
        if record is not None:
            return record
        value, queued = self.link.pipelined(
            lambda p: p.hget(self.k_url, str(key)).hexists(self.k_req, str(key))
        )
        self._hint = (key, bool(queued))
        if value is None:
            return None
        found = _record(value)
        return found if found.url == url else None

    def put(self, records: Iterable[UrlRecord]) -> None:
        for record in records:
            self._urls[url_key(record.url)] = record

    def due(self, kinds: Iterable[Kind], now: float) -> list[tuple[str, Kind]]:
        self.flush()
        wanted = set(kinds)
        found: list[tuple[str, Kind]] = []
        offset = 0
        while True:
            keys = self.link.call(self.client.zrangebyscore, self.k_due, "-inf", now, offset, _STEP)
            if not keys:
                return found
            offset += len(keys)
            for value in self.link.call(self.client.hmget, self.k_url, keys):
                if value is None:
                    continue
                record = _record(value)
                if record.status is Status.FETCHED and record.kind in wanted:
                    found.append((record.url, record.kind))

    # --- frontier --------------------------------------------------------------------------------
    def push(self, entries: Iterable[FrontierEntry]) -> None:
        for entry in entries:
            self._done_keys.discard(entry.key)
            self._pushed[entry.key] = entry

    def take(self, count: int) -> list[FrontierEntry]:
        self.flush()
        token = os.urandom(8).hex()
        out = self.link.run(
            self._take,
            [*self._frontier_keys, self.k_take],
            [self.link.worker, count, token, self.link.lease_timeout],
        )
        entries = []
        for i in range(0, len(out), 2):
            entries.append(FrontierEntry((0, 0, 0.0), int(out[i]), text(out[i + 1])))
        return entries

    def done(self, keys: Iterable[int]) -> None:
        for key in keys:
            self._pushed.pop(key, None)
            self._done_keys.add(key)

    def queued(self, key: int) -> bool:
        if key in self._pushed:
            return True
        if key in self._done_keys:
            return False
        if self._hint is not None and self._hint[0] == key:
            return self._hint[1]
        return bool(self.link.call(self.client.hexists, self.k_req, str(key)))

    def waiting(self) -> int:
        return int(self.link.call(self.client.zcard, self.k_wait)) + len(self._pushed)

    def leased(self) -> int:
        """Requests handed out to this worker and not done."""
        self.flush()
        return int(self.link.call(self.client.scard, self.k_mine))

    def leased_elsewhere(self) -> int:
        """Requests handed out to other workers and not done."""
        self.flush()
        total, mine = self.link.pipelined(lambda p: p.zcard(self.k_lease).scard(self.k_mine))
        return max(0, int(total) - int(mine))

    def recount(self) -> int:
        self.flush()
        return int(self.link.call(self.client.zcard, self.k_wait))

    def release_leases(self) -> int:
        """Hand out again the requests whose lease ran out (their worker is gone)."""
        self.flush()
        return self._reclaim_expired()

    def drop_leases(self) -> int:
        self.flush()
        mine = [int(k) for k in self.link.call(self.client.smembers, self.k_mine)]
        self.done(mine)  # done drops only what this worker holds
        self.flush()
        return len(mine)

    def heartbeat(self, now: float) -> int:
        """Leases of gone workers handed out again since the last call. The heartbeat itself
        (alive, leases renewed, gone workers' leases and seeds handed out again) runs in a
        thread of its own, every few seconds, so that a busy worker never loses its leases."""
        if self._beating is None:
            self._beating = threading.Thread(
                target=self._beat, name="newscrawler-heartbeat", daemon=True
            )
            self._beating.start()
        reclaimed, self._reclaimed = self._reclaimed, 0
        return reclaimed

    def _beat(self) -> None:
        every = min(HEARTBEAT_EVERY, self.link.lease_timeout / 5)
        while not self._stop.wait(every):
            try:
                self.link.run(
                    self._renew,
                    [self.k_workers, self.k_lease, self.k_mine],
                    [self.link.worker, self.link.lease_timeout],
                )
                self._reclaimed += self._reclaim_expired()
                self.link.run(
                    self._reclaim_seeds,
                    [self.k_start_urls, self.k_seeds_pending, self.k_workers],
                    [self.link.lease_timeout],
                )
            except Exception:  # the heartbeat must go on; the next one tries again
                logger.exception("The heartbeat to Redis failed")

    def _reclaim_expired(self) -> int:
        released = 0
        while True:
            n = int(
                self.link.run(
                    self._reclaim,
                    [self.k_mem, self.k_wait, self.k_lease, self.k_owner, self.k_workers],
                    [self.k_mine_prefix, self.link.lease_timeout],
                )
            )
            released += n
            if n < 500:
                return released

    # --- seeds pushed to Redis (``LPUSH <prefix>:start_urls URL``) ---------------------------
    def take_seeds(self, count: int) -> list[str]:
        """Up to ``count`` seeds from the crawl's list (plain URLs, or JSON objects with a
        ``url``, as scrapy-redis reads them); pending until :meth:`seeds_queued`."""
        raw = self.link.run(
            self._take_seeds,
            [self.k_start_urls, self.k_seeds_pending, self.k_seeds],
            [self.link.worker, count],
        )
        return [text(u) for u in raw]

    def seeds_queued(self, urls: Iterable[str]) -> None:
        """These seeds' requests are in the frontier (written): no longer pending."""
        names = list(urls)
        if names:
            self.link.call(self.client.hdel, self.k_seeds_pending, *names)

    def new_seeds(self) -> list[str]:
        """Every seed ever taken from the list, when their number changed since the last call
        (empty otherwise): their sites are in the crawl's scope on every worker."""
        count = int(self.link.call(self.client.scard, self.k_seeds))
        if count == self._seeds_known:
            return []
        self._seeds_known = count
        seeds: list[str] = []
        cursor = 0
        while True:
            cursor, page = self.link.call(self.client.sscan, self.k_seeds, cursor, count=_STEP)
            seeds += [text(u) for u in page]
            if cursor == 0:
                return seeds

    # --- crawls ----------------------------------------------------------------------------------
    def crawl_started(self) -> float | None:
        value = self.link.call(self.client.hget, self.k_meta, "crawl_started")
        return float(value) if value is not None else None

    def set_crawl_started(self, started: float | None) -> None:
        self.flush()
        if started is None:
            self.link.call(self.client.hdel, self.k_meta, "crawl_started")
        else:
            self.link.call(self.client.hset, self.k_meta, "crawl_started", repr(started))

    def begin_crawl(self, now: float) -> tuple[float, bool]:
        self.flush()
        self.link.heartbeat()
        started, joined = self.link.run(
            self._begin,
            [self.k_meta, self.k_wait, self.k_lease, self.k_workers],
            [self.link.worker, repr(now), self.link.lease_timeout],
        )
        return float(started), bool(int(joined))

    def end_crawl(self) -> bool:
        self.flush()
        return bool(self.link.run(self._end, [self.k_meta, self.k_wait, self.k_lease], []))

    # --- housekeeping ----------------------------------------------------------------------------
    def flush(self) -> None:
        if not (self._urls or self._pushed or self._done_keys):
            return
        urls, pushed, done = list(self._urls.values()), list(self._pushed.values()), self._done_keys
        answers = self.link.pipelined(
            lambda pipe: self._queue_writes(pipe, urls, pushed, done), transaction=True
        )
        self.skipped += sum(int(a) for a in answers[self._push_answers])
        self._urls = {}
        self._pushed = {}
        self._done_keys = set()
        self._hint = None

    def _queue_writes(
        self, pipe: Any, urls: list[UrlRecord], pushed: list[FrontierEntry], done: set[int]
    ) -> None:
        """Queue records, then requests, then done keys (one transaction); the answers of the
        pushes (how many were left to the worker holding their request) are at
        ``self._push_answers``."""
        url_keys = [self.k_url, self.k_due, self.k_lseen, self.k_kinds]
        for i in range(0, len(urls), _STEP):
            args: list[Any] = []
            for r in urls[i : i + _STEP]:
                next_fetch = "" if r.next_fetch is None else repr(r.next_fetch)
                ks = f"{r.kind.value}|{r.status.value}"
                args += [str(url_key(r.url)), _record_json(r), ks, next_fetch, repr(r.last_seen)]
            self._put(keys=url_keys, args=args, client=pipe)
        first_push = len(pipe.command_stack)
        for i in range(0, len(pushed), _STEP):
            args = [self.link.worker]
            for e in pushed[i : i + _STEP]:
                args += [str(e.key), order_prefix(e.sort_key), e.request]
            self._push(keys=[*self._frontier_keys, self.k_seq], args=args, client=pipe)
        self._push_answers = slice(first_push, len(pipe.command_stack))
        keys = [str(k) for k in done]
        for i in range(0, len(keys), _STEP):
            args = [self.link.worker, *keys[i : i + _STEP]]
            self._done(keys=self._frontier_keys, args=args, client=pipe)

    def counts(self, now: float, next_due: int = 10) -> CrawlDbCounts:
        self.flush()

        def build(pipe: Any) -> None:
            pipe.hgetall(self.k_kinds).zcard(self.k_wait).zcard(self.k_lease)
            pipe.zcount(self.k_due, "-inf", now)
            pipe.zrange(self.k_due, 0, next_due - 1, withscores=True)

        kinds, waiting, leased, due_now, soonest = self.link.pipelined(build)
        table: dict[str, dict[str, int]] = {}
        for name, n in kinds.items():
            if int(n) > 0:
                kind, status = text(name).split("|")
                table.setdefault(kind, {})[status] = int(n)
        keys = [k for k, _ in soonest]
        values = self.link.call(self.client.hmget, self.k_url, keys) if keys else []
        upcoming = []
        for (_, when), value in zip(soonest, values, strict=True):
            if value is not None:
                record = _record(value)
                upcoming.append((float(when), record.kind.value, record.url))
        return CrawlDbCounts(
            urls=sum(sum(v.values()) for v in table.values()),
            by_kind_status=table,
            frontier=int(waiting) + int(leased),
            leased=int(leased),
            due_now=int(due_now),
            next_due=upcoming,
            crawl_started=self.crawl_started(),
        )

    def records(
        self,
        *,
        status: str | None = None,
        kind: str | None = None,
        outcome: str | None = None,
        limit: int | None = None,
    ) -> Iterator[UrlRecord]:
        self.flush()
        found = []
        cursor = 0
        while True:
            cursor, page = self.link.call(self.client.hscan, self.k_url, cursor, count=_STEP)
            for value in page.values():
                r = _record(value)
                if status is not None and r.status.value != status:
                    continue
                if kind is not None and r.kind.value != kind:
                    continue
                if outcome is not None and not (
                    r.outcome == outcome or (r.outcome or "").startswith(outcome + "/")
                ):
                    continue
                found.append(r)
            if cursor == 0:
                break
        found.sort(key=lambda r: r.url)
        yield from found[:limit] if limit is not None else found

    def prune(self, older_than: float) -> int:
        self.flush()
        removed = offset = 0
        while True:
            keys = self.link.call(
                self.client.zrangebyscore, self.k_lseen, "-inf", f"({older_than}", offset, _STEP
            )
            if not keys:
                return removed
            n, cleared = self.link.run(
                self._prune,
                [self.k_url, self.k_due, self.k_lseen, self.k_kinds, self.k_req],
                [text(k) for k in keys],
            )
            removed += int(n)
            offset += len(keys) - int(cleared)  # the ones still in the frontier stay

    def reset(self) -> None:
        self._urls.clear()
        self._pushed.clear()
        self._done_keys.clear()
        keys = [
            self.k_url,
            self.k_due,
            self.k_lseen,
            self.k_kinds,
            self.k_req,
            self.k_mem,
            self.k_wait,
            self.k_lease,
            self.k_owner,
            self.k_seq,
        ]
        cursor = 0
        while True:
            cursor, found = self.link.call(
                self.client.scan, cursor, match=self.k_mine_prefix + "*", count=_STEP
            )
            keys += [text(k) for k in found]
            if cursor == 0:
                break
        self.link.call(self.client.unlink, *keys)
        self.link.call(self.client.hdel, self.k_meta, "crawl_started")

    def close(self) -> None:
        self._stop.set()
        if self._beating is not None:
            self._beating.join(timeout=30)
        self.flush()
