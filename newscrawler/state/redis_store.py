"""The crawl state on Redis: :class:`~newscrawler.state.store.StateStore` shared by all workers.

The same semantics as :class:`~newscrawler.state.store.SQLiteStateStore`, in keys of the
crawl's prefix (``P``):

=====================  ===========================================================================
``P:art``              hash: article id -> its entry (JSON: canonical URL, fingerprint, ...)
``P:canon``/``P:urlk`` hash: canonical URL / page URL key -> the latest version's id
``P:fp``               hash: body fingerprint -> the first article's id
``P:sig``              hash: article id -> MinHash signature (little-endian uint16)
``P:band``             hash: LSH band key -> ids of the articles in that band (space-separated)
``P:atime``            sorted set: article id by first-seen time (retention, oldest/newest)
``P:known``            sorted set: URL keys of duplicates, by time seen
``P:page``/``P:ptime`` hash: URL key -> cached hub page (JSON line, zlib body); its time seen
``P:outputs``          hash: ``<host>|<path>`` -> offset recorded in that worker's output file
``P:runs``             list: the run history (JSON, the last 1,000 runs)
``P:hosts``            hash: host -> saved download delay (JSON)
``P:claim:<id>``       string: the worker storing that article now (see :meth:`claim`)
=====================  ===========================================================================

Every command is O(1) or O(the entry's size); nothing scans the crawl, except ``reset`` and
``iter_articles`` (``scrapy state`` commands), which use ``SCAN``/``HSCAN`` in steps.
Storing an article (:meth:`RedisStateStore.add`) is one Lua script, atomic and idempotent.
Two workers never both store one article: :meth:`RedisStateStore.claim` takes its id and
fingerprint atomically, for as long as the claiming worker is alive.
"""

from __future__ import annotations

import json
import socket
import time
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from newscrawler.dedup.fingerprint import url_key
from newscrawler.dedup.index import Seen
from newscrawler.state.redis_link import RedisLink, text
from newscrawler.state.store import CachedPage, HostDelay, RunRecord, SiteRun, StoreCounts

RUNS_KEPT = 1000
_STEP = 500  # entries read or removed per command in the stepwise operations

# KEYS: art canon urlk fp sig band atime counts claim claimfp; ARGV: id entry canonical_key
# url_key fingerprint first_seen signature|'' band keys...
_ADD = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then
  redis.call('DEL', KEYS[9], KEYS[10])
  return 0
end
redis.call('HSET', KEYS[2], ARGV[3], ARGV[1])
redis.call('HSET', KEYS[3], ARGV[4], ARGV[1])
redis.call('HSETNX', KEYS[4], ARGV[5], ARGV[1])
redis.call('ZADD', KEYS[7], ARGV[6], ARGV[1])
redis.call('HINCRBY', KEYS[8], 'articles', 1)
if ARGV[7] ~= '' then
  redis.call('HSET', KEYS[5], ARGV[1], ARGV[7])
  for i = 8, #ARGV do
    local ids = redis.call('HGET', KEYS[6], ARGV[i])
    if ids then ids = ids .. ' ' .. ARGV[1] else ids = ARGV[1] end
    redis.call('HSET', KEYS[6], ARGV[i], ids)
    redis.call('HINCRBY', KEYS[8], 'band_rows', 1)
  end
end
-- the article itself last: a write refused midway (Redis full) leaves it unstored, and the
-- script is sent again
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
redis.call('DEL', KEYS[9], KEYS[10])
return 1
"""

# KEYS: art claim claimfp fp workers; ARGV: id fingerprint worker lease_timeout claim_ttl
# Returns 1 (claimed), 0 (another live worker holds it), -1 (stored already).
_CLAIM = """
if redis.call('HEXISTS', KEYS[1], ARGV[1]) == 1 then return -1 end
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1e6
local last = 3
if ARGV[2] == '' then last = 2 end
for i = 2, last do
  local holder = redis.call('GET', KEYS[i])
  if holder and holder ~= ARGV[3] then
    local beat = redis.call('ZSCORE', KEYS[5], holder)
    if beat and tonumber(beat) >= now - tonumber(ARGV[4]) then return 0 end
  end
end
if ARGV[2] ~= '' then
  local first = redis.call('HGET', KEYS[4], ARGV[2])
  if first and first ~= ARGV[1] then return -1 end
  redis.call('SET', KEYS[3], ARGV[3], 'EX', ARGV[5])
end
redis.call('SET', KEYS[2], ARGV[3], 'EX', ARGV[5])
return 1
"""

# KEYS: art canon urlk fp sig atime counts; ARGV: ids... (entries read to clear the indexes)
_FORGET = """
local removed = 0
for i = 1, #ARGV do
  local id = ARGV[i]
  local entry = redis.call('HGET', KEYS[1], id)
  if entry then
    local e = cjson.decode(entry)
    if redis.call('HGET', KEYS[2], e.ck) == id then redis.call('HDEL', KEYS[2], e.ck) end
    if redis.call('HGET', KEYS[3], e.uk) == id then redis.call('HDEL', KEYS[3], e.uk) end
    if redis.call('HGET', KEYS[4], e.fp) == id then redis.call('HDEL', KEYS[4], e.fp) end
    redis.call('HDEL', KEYS[1], id)
    redis.call('HDEL', KEYS[5], id)
    removed = removed + 1
  end
  redis.call('ZREM', KEYS[6], id)
end
redis.call('HINCRBY', KEYS[7], 'articles', -removed)
return removed
"""


def _entry(seen: Seen) -> str:
    first_seen = seen.first_seen or time.time()
    return json.dumps(
        {
            "cu": seen.canonical_url,
            "fp": seen.fingerprint,
            "m": seen.modified,
            "o": None if seen.origin in ("", seen.canonical_url) else seen.origin,
            "t": first_seen,
            "u": seen.url or seen.canonical_url,
            "ck": str(url_key(seen.canonical_url)),
            "uk": str(url_key(seen.url or seen.canonical_url)),
        },
        separators=(",", ":"),
    )


def _seen(record_id: str, entry: bytes | str) -> Seen:
    e = json.loads(entry)
    return Seen(
        id=record_id,
        canonical_url=e["cu"],
        fingerprint=e["fp"],
        modified=e["m"],
        origin=e["o"] or e["cu"],
        first_seen=e["t"],
        url=e["u"],
    )


class RedisStateStore:
    """:class:`~newscrawler.state.store.StateStore` in Redis, shared by the crawl's workers."""

    def __init__(self, link: RedisLink, *, node: str | None = None) -> None:
        self.link = link
        self.client: Any = link.client
        self.node = node or socket.gethostname()  # output offsets are per machine
        self.path = link.shown_url  # what messages show as "the state"
        k = link.key
        self.k_art, self.k_canon, self.k_urlk, self.k_fp = k("art"), k("canon"), k("urlk"), k("fp")
        self.k_sig, self.k_band, self.k_atime, self.k_counts = (
            k("sig"),
            k("band"),
            k("atime"),
            k("counts"),
        )
        self.k_known, self.k_page, self.k_ptime = k("known"), k("page"), k("ptime")
        self.k_outputs, self.k_runs, self.k_hosts = k("outputs"), k("runs"), k("hosts")
        # the keys of stored articles and their dedup indexes, in the order _ADD takes them
        self._article_keys = [
            self.k_art,
            self.k_canon,
            self.k_urlk,
            self.k_fp,
            self.k_sig,
            self.k_band,
            self.k_atime,
            self.k_counts,
        ]
        self._add = link.script(_ADD)
        self._claim = link.script(_CLAIM)
        self._forget = link.script(_FORGET)
        self._batch: list[Callable[[Any], None]] | None = None

    # --- writes: direct, or gathered in a transaction ------------------------------------------
    def _write(self, op: Callable[[Any], None]) -> None:
        """Run ``op(client)`` now, or at the end of the current transaction (atomically)."""
        if self._batch is not None:
            self._batch.append(op)
        else:
            self.link.call(op, self.client)

    @contextmanager
    def transaction(self) -> Iterator[None]:
        if self._batch is not None:
            yield
            return
        self._batch = []
        try:
            yield
            ops = self._batch
        finally:
            self._batch = None
        if ops:

            def build(pipe: Any) -> None:
                for op in ops:
                    op(pipe)

            self.link.pipelined(build, transaction=True)

    # --- ArticleIndex ----------------------------------------------------------------------------
    def _article(self, record_id: bytes | str | None) -> Seen | None:
        if record_id is None:
            return None
        rid = text(record_id)
        entry = self.link.call(self.client.hget, self.k_art, rid)
        return _seen(rid, entry) if entry is not None else None

    def latest_version(self, canonical_url: str) -> Seen | None:
        rid = self.link.call(self.client.hget, self.k_canon, str(url_key(canonical_url)))
        seen = self._article(rid)
        return seen if seen is not None and seen.canonical_url == canonical_url else None

    def by_fingerprint(self, fingerprint: str) -> Seen | None:
        return self._article(self.link.call(self.client.hget, self.k_fp, fingerprint))

    def has_id(self, record_id: str) -> bool:
        return bool(self.link.call(self.client.hexists, self.k_art, record_id))

    def near_candidates(self, keys: Sequence[int]) -> Iterator[tuple[Seen, np.ndarray[Any, Any]]]:
        if not keys:
            return
        rows = self.link.call(self.client.hmget, self.k_band, [str(k) for k in keys])
        ids = sorted({i for row in rows if row for i in text(row).split()})
        if not ids:
            return
        entries = self.link.call(self.client.hmget, self.k_art, ids)
        signatures = self.link.call(self.client.hmget, self.k_sig, ids)
        for rid, entry, signature in zip(ids, entries, signatures, strict=True):
            if entry is not None and signature is not None:
                yield _seen(rid, entry), np.frombuffer(signature, dtype="<u2")

    def add(self, seen: Seen, signature: np.ndarray[Any, Any] | None, keys: Sequence[int]) -> None:
        signature_bytes = b"" if signature is None else signature.astype("<u2").tobytes()
        self._write(
            lambda c: self._add(
                keys=[
                    *self._article_keys,
                    self.link.key("claim", seen.id),
                    self.link.key("claimfp", seen.fingerprint),
                ],
                args=[
                    seen.id,
                    _entry(seen),
                    str(url_key(seen.canonical_url)),
                    str(url_key(seen.url or seen.canonical_url)),
                    seen.fingerprint,
                    seen.first_seen or time.time(),
                    signature_bytes,
                    *([str(k) for k in keys] if signature is not None else []),
                ],
                client=c,
            )
        )

    def claim(self, record_id: str, fingerprint: str, ttl: float = 86400.0) -> int:
        """Take the right to store this article: 1 when this worker has it, 0 when another
        live worker is storing it (or its text) now, -1 when it is stored already. A claim
        ends when the article is stored, when its worker is gone, or after ``ttl`` seconds."""
        return int(
            self.link.run(
                self._claim,
                [
                    self.k_art,
                    self.link.key("claim", record_id),
                    self.link.key("claimfp", fingerprint),
                    self.k_fp,
                    self.link.key("workers"),
                ],
                [record_id, fingerprint, self.link.worker, self.link.lease_timeout, int(ttl)],
            )
        )

    # --- incremental runs ---------------------------------------------------------------------
    def knows_url(self, url: str) -> bool:
        key = str(url_key(url))
        canon, page, known = self.link.pipelined(
            lambda p: (
                p.hexists(self.k_canon, key).hexists(self.k_urlk, key).zscore(self.k_known, key)
            )
        )
        return bool(canon or page or known is not None)

    def known_article(self, url: str) -> Seen | None:
        key = str(url_key(url))
        ids = [i for i in self.link.call(self.client.hmget, self.k_canon, [key]) if i]
        ids += [i for i in self.link.call(self.client.hmget, self.k_urlk, [key]) if i]
        found = [s for s in (self._article(i) for i in ids) if s is not None]
        return max(found, key=lambda s: s.first_seen) if found else None

    def add_known_urls(self, urls: Iterable[str]) -> None:
        now = time.time()
        mapping = {str(url_key(u)): now for u in urls}
        if mapping:
            self._write(lambda c: c.zadd(self.k_known, mapping))

    def cached_page(self, url: str) -> CachedPage | None:
        value = self.link.call(self.client.hget, self.k_page, str(url_key(url)))
        if value is None:
            return None
        header, _, body = bytes(value).partition(b"\n")
        head = json.loads(header)
        if head["url"] != url:
            return None
        return CachedPage(url, head["etag"], head["lm"], head["ct"], zlib.decompress(body))

    def put_pages(self, pages: Iterable[CachedPage]) -> None:
        now = time.time()
        values: dict[str, bytes] = {}
        for p in pages:
            head = {"url": p.url, "etag": p.etag, "lm": p.last_modified, "ct": p.content_type}
            values[str(url_key(p.url))] = (
                json.dumps(head).encode() + b"\n" + zlib.compress(p.body, 6)
            )
        if values:

            def write(c: Any) -> None:
                c.hset(self.k_page, mapping=values)
                c.zadd(self.k_ptime, dict.fromkeys(values, now))

            self._write(write)

    # --- outputs (each worker's own files, by machine) -----------------------------------------
    def _output_field(self, path: str) -> str:
        return f"{self.node}|{path}"

    def output_offsets(self) -> dict[str, int]:
        mine = self.node + "|"
        offsets: dict[str, int] = {}
        for field, value in self._hscan(self.k_outputs, match=_glob_escape(mine) + "*"):
            offsets[field[len(mine) :]] = int(value)
        return offsets

    def set_output_offset(self, path: str, offset: int) -> None:
        field = self._output_field(path)
        self._write(lambda c: c.hset(self.k_outputs, field, offset))

    # --- run history --------------------------------------------------------------------------
    def add_run(self, run: RunRecord) -> None:
        value = json.dumps(
            {
                "started": run.started,
                "duration": run.duration,
                "finish_reason": run.finish_reason,
                "verdict": run.verdict,
                "node": self.node,
                "sites": [
                    [s.site, s.requests, s.articles, s.duplicates, s.known, s.failures]
                    for s in run.sites
                ],
            }
        )

        def write(c: Any) -> None:
            c.rpush(self.k_runs, value)
            c.ltrim(self.k_runs, -RUNS_KEPT, -1)

        self._write(write)

    def runs(self, limit: int | None = None) -> list[RunRecord]:
        start = 0 if limit is None else -limit
        rows = self.link.call(self.client.lrange, self.k_runs, start, -1) if limit != 0 else []
        records = []
        for row in rows:
            r = json.loads(row)
            sites = tuple(SiteRun(*s) for s in r["sites"])
            records.append(
                RunRecord(r["started"], r["duration"], r["finish_reason"], r["verdict"], sites)
            )
        return records

    # --- politeness ---------------------------------------------------------------------------
    def host_delay(self, host: str) -> HostDelay | None:
        value = self.link.call(self.client.hget, self.k_hosts, host)
        if value is None:
            return None
        d = json.loads(value)
        return HostDelay(d["delay"], d["crawl_delay"])

    def put_host_delays(self, delays: Mapping[str, HostDelay]) -> None:
        now = time.time()
        mapping = {
            host: json.dumps({"delay": d.delay, "crawl_delay": d.crawl_delay, "seen": now})
            for host, d in delays.items()
        }
        if mapping:
            self._write(lambda c: c.hset(self.k_hosts, mapping=mapping))

    # --- housekeeping -------------------------------------------------------------------------
    def prune(self, older_than: float) -> int:
        removed = 0
        while True:
            ids = self.link.call(
                self.client.zrangebyscore, self.k_atime, "-inf", f"({older_than}", 0, _STEP
            )
            if not ids:
                break
            removed += int(
                self.link.run(
                    self._forget,
                    [
                        self.k_art,
                        self.k_canon,
                        self.k_urlk,
                        self.k_fp,
                        self.k_sig,
                        self.k_atime,
                        self.k_counts,
                    ],
                    [text(i) for i in ids],
                )
            )
        # band entries of forgotten articles are skipped when read (no article, no candidate)
        self.link.call(self.client.zremrangebyscore, self.k_known, "-inf", f"({older_than}")
        while True:
            keys = self.link.call(
                self.client.zrangebyscore, self.k_ptime, "-inf", f"({older_than}", 0, _STEP
            )
            if not keys:
                break
            self.link.call(self.client.hdel, self.k_page, *keys)
            self.link.call(self.client.zrem, self.k_ptime, *keys)
        old_hosts = [
            host
            for host, value in self._hscan(self.k_hosts)
            if json.loads(value).get("seen", 0) < older_than
        ]
        if old_hosts:
            self.link.call(self.client.hdel, self.k_hosts, *old_hosts)
        return removed

    def reset(self) -> None:
        """Forget articles, pages and outputs; the run history and host delays stay."""
        keys = [
            *self._article_keys,
            self.k_known,
            self.k_page,
            self.k_ptime,
            self.k_outputs,
        ]
        self.link.call(self.client.unlink, *keys)  # freed in the background, O(1) here

    def counts(self) -> StoreCounts:
        def build(pipe: Any) -> None:
            pipe.hget(self.k_counts, "articles").hget(self.k_counts, "band_rows")
            pipe.hlen(self.k_page).hlen(self.k_outputs).hlen(self.k_hosts).zcard(self.k_known)
            pipe.zrange(self.k_atime, 0, 0, withscores=True)
            pipe.zrange(self.k_atime, -1, -1, withscores=True)
            pipe.info("memory")

        answers = self.link.pipelined(build)
        articles, bands, pages, outputs, hosts, known, oldest, newest, memory = answers
        return StoreCounts(
            articles=int(articles or 0),
            urls=int(articles or 0) + int(known),
            band_rows=int(bands or 0),
            pages=int(pages),
            outputs=int(outputs),
            oldest=oldest[0][1] if oldest else None,
            newest=newest[0][1] if newest else None,
            size_bytes=int(memory.get("used_memory", 0)),
            hosts=int(hosts),
        )

    def iter_articles(self) -> Iterator[Seen]:
        for rid, entry in self._hscan(self.k_art):
            yield _seen(rid, entry)

    def _hscan(self, key: str, match: str | None = None) -> Iterator[tuple[str, Any]]:
        cursor = 0
        while True:
            cursor, page = self.link.call(self.client.hscan, key, cursor, match=match, count=_STEP)
            for field, value in page.items():
                yield text(field), value
            if cursor == 0:
                return

    def close(self) -> None:
        """The link is the crawl's, closed by its owner."""


def _glob_escape(text: str) -> str:
    return "".join(f"\\{c}" if c in "*?[]\\" else c for c in text)
