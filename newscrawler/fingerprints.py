"""Stable identifiers of articles and the pure deduplication logic.

Nothing here depends on Scrapy or on a database: the crawl's dedup pipeline runs
:class:`Deduplicator` over the persistent SQLite state, the export command runs it over JSONL
files with :class:`MemoryIndex`.

Three levels, checked in this order for every record:

1. **canonical URL** already seen: the same body again is an exact duplicate; another body is a
   new *version* of the article.
2. **exact fingerprint** (sha1 of the normalised body) already seen at another URL: an exact
   duplicate.
3. **near-duplicate**: MinHash over word shingles, indexed with LSH bands. A record whose
   estimated Jaccard similarity with an earlier one reaches the threshold is a near-duplicate of
   that record's first copy (syndicated copies, light edits, another headline or boilerplate).

Defaults: 128 permutations, 3-word shingles, threshold 0.6, which gives 18 bands of 7 rows
(the banding that minimises the equal-weight sum of false positive and false negative
probability, the same choice as datasketch's ``MinHashLSH``). LSH candidates are checked against
the threshold with the stored signatures, so a band collision alone never marks a duplicate.
A signature is 128 16-bit values (256 bytes).
"""

from __future__ import annotations

import hashlib
import re
import struct
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import lru_cache
from typing import TYPE_CHECKING, Any, AnyStr, Protocol

import numpy as np

from newscrawler.minhash import DEFAULT_SCHEME, minhash

if TYPE_CHECKING:
    from newscrawler.extraction import Extraction

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

DEFAULT_NUM_PERM = 128
DEFAULT_SHINGLE_SIZE = 3
DEFAULT_THRESHOLD = 0.6
# Records with fewer shingles than this are too short for a meaningful similarity.
MIN_SHINGLES = 10


def normalise_text(text: str) -> str:
    """Case-folded words of ``text`` joined by single spaces (punctuation and layout dropped)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def text_fingerprint(text: str) -> str:
    """sha1 of the normalised body: equal for the same text under different markup."""
    return _sha1_hex(normalise_text(text))


def _sha1_hex(normalised: str) -> str:
    return hashlib.sha1(normalised.encode("utf-8")).hexdigest()


def record_id(canonical_url: str, fingerprint: str) -> str:
    """Id of one version of one article."""
    return hashlib.sha1(f"{canonical_url}\n{fingerprint}".encode()).hexdigest()[:20]


def url_key(url: str) -> int:
    """Signed 64-bit key of a URL, for compact indexes (collisions: ~1e-8 at 1M URLs)."""
    value: int = struct.unpack(">q", hashlib.sha1(url.encode("utf-8")).digest()[:8])[0]
    return value


# --- near-duplicate signatures ----------------------------------------------------------------


def shingles(text: str, size: int = DEFAULT_SHINGLE_SIZE) -> set[str]:
    """Overlapping runs of ``size`` normalised words (the whole text when it is shorter)."""
    return _shingles(normalise_text(text).split(), size, " ")


def _shingles(words: Sequence[AnyStr], size: int, sep: AnyStr) -> set[AnyStr]:
    if len(words) <= size:
        return {sep.join(words)} if words else set()
    # the runs of ``size`` words: the i-th word of each run comes from words[i:]
    return set(map(sep.join, zip(*(words[i:] for i in range(size)), strict=False)))


def minhash_signature(
    text: str,
    num_perm: int = DEFAULT_NUM_PERM,
    shingle_size: int = DEFAULT_SHINGLE_SIZE,
    scheme: str = DEFAULT_SCHEME,
) -> np.ndarray[Any, np.dtype[np.uint16]] | None:
    """MinHash of the text's word shingles, or ``None`` when the text is too short to compare.

    The values are those of datasketch's ``MinHash(num_perm, seed=1, scheme=scheme)`` after
    ``update_batch`` with the UTF-8 shingles (:mod:`newscrawler.minhash`).
    """
    return _signature(normalise_text(text), num_perm, shingle_size, scheme)


def _signature(
    normalised: str, num_perm: int, shingle_size: int, scheme: str
) -> np.ndarray[Any, np.dtype[np.uint16]] | None:
    # Shingles of the UTF-8 words are the UTF-8 shingles: the text is encoded once.
    words = normalised.encode("utf-8").split(b" ") if normalised else []
    grams = _shingles(words, shingle_size, b" ")
    if len(grams) < MIN_SHINGLES:
        return None
    values = minhash(grams, num_perm, seed=1, scheme=scheme)
    # The low 16 bits of each value are kept: two different values agree by chance with
    # probability 2**-16, which does not move a similarity estimate, and signatures halve.
    return (values & 0xFFFF).astype(np.uint16)


def similarity(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal positions)."""
    return float(np.count_nonzero(a == b)) / len(a)


@lru_cache(maxsize=32)
def lsh_params(threshold: float, num_perm: int) -> tuple[int, int]:
    """(bands, rows) minimising the equal-weight false positive + false negative probability."""
    steps = 200
    grid = [(i + 0.5) / steps for i in range(steps)]
    best: tuple[float, int, int] | None = None
    for bands in range(1, num_perm + 1):
        for rows in range(1, num_perm // bands + 1):
            # probability that a pair of similarity s becomes a candidate: 1 - (1 - s^r)^b
            fp = sum(1 - (1 - (g * threshold) ** rows) ** bands for g in grid) * threshold / steps
            span = 1.0 - threshold
            fn = sum((1 - (threshold + g * span) ** rows) ** bands for g in grid) * span / steps
            error = 0.5 * fp + 0.5 * fn
            if best is None or error < best[0]:
                best = (error, bands, rows)
    assert best is not None
    return best[1], best[2]


def band_keys(signature: np.ndarray[Any, Any], bands: int, rows: int) -> list[int]:
    """One signed 64-bit key per LSH band (the band number is part of the key)."""
    raw = signature[: bands * rows].astype("<u2").tobytes()
    width = 2 * rows
    return [
        int.from_bytes(
            hashlib.blake2b(
                raw[band * width : (band + 1) * width], digest_size=8, salt=band.to_bytes(16, "big")
            ).digest(),
            "big",
            signed=True,
        )
        for band in range(bands)
    ]


# --- the index the deduplicator reads and writes ------------------------------------------------


@dataclass(frozen=True)
class Seen:
    """One stored version of an article, as the deduplicator needs it."""

    id: str
    canonical_url: str
    fingerprint: str
    modified: str | None = None
    # canonical URL of the first copy of the story (itself unless a near-duplicate)
    origin: str = ""
    first_seen: float = 0.0
    url: str = ""


class ArticleIndex(Protocol):
    """What the deduplicator needs from a store of seen articles (memory, SQLite, Redis)."""

    def latest_version(self, canonical_url: str) -> Seen | None:
        """The most recent version stored at ``canonical_url``."""

    def by_fingerprint(self, fingerprint: str) -> Seen | None:
        """The first article stored with this body fingerprint."""

    def has_id(self, record_id: str) -> bool:
        """Whether this version (record id) is stored."""

    def near_candidates(self, keys: Sequence[int]) -> Iterable[tuple[Seen, np.ndarray[Any, Any]]]:
        """Articles sharing at least one LSH band key, with their signatures."""

    def add(self, seen: Seen, signature: np.ndarray[Any, Any] | None, keys: Sequence[int]) -> None:
        """Store a version (idempotent: a stored id is not added twice)."""


@dataclass
class MemoryIndex:
    """An in-memory :class:`ArticleIndex` (export over files, tests, a crawl's pending layer)."""

    versions: dict[str, list[Seen]] = field(default_factory=dict)
    fingerprints: dict[str, Seen] = field(default_factory=dict)
    ids: dict[str, Seen] = field(default_factory=dict)
    signatures: dict[str, np.ndarray[Any, Any]] = field(default_factory=dict)
    bands: dict[int, list[str]] = field(default_factory=dict)
    keys: dict[str, list[int]] = field(default_factory=dict)

    def latest_version(self, canonical_url: str) -> Seen | None:
        found = self.versions.get(canonical_url)
        return found[-1] if found else None

    def by_fingerprint(self, fingerprint: str) -> Seen | None:
        return self.fingerprints.get(fingerprint)

    def has_id(self, record_id: str) -> bool:
        return record_id in self.ids

    def near_candidates(self, keys: Sequence[int]) -> Iterator[tuple[Seen, np.ndarray[Any, Any]]]:
        done: set[str] = set()
        for key in keys:
            for rid in self.bands.get(key, ()):
                if rid not in done:
                    done.add(rid)
                    yield self.ids[rid], self.signatures[rid]

    def add(self, seen: Seen, signature: np.ndarray[Any, Any] | None, keys: Sequence[int]) -> None:
        if seen.id in self.ids:
            return
        self.ids[seen.id] = seen
        self.versions.setdefault(seen.canonical_url, []).append(seen)
        self.fingerprints.setdefault(seen.fingerprint, seen)
        if signature is not None:
            self.signatures[seen.id] = signature
            self.keys[seen.id] = list(keys)
            for key in keys:
                self.bands.setdefault(key, []).append(seen.id)

    def __len__(self) -> int:
        return len(self.ids)

    def pop(self, record_id: str) -> None:
        """Forget one version (a record that was dropped after the decision)."""
        seen = self.ids.pop(record_id, None)
        if seen is None:
            return
        versions = self.versions.get(seen.canonical_url, [])
        self.versions[seen.canonical_url] = [v for v in versions if v.id != record_id]
        if not self.versions[seen.canonical_url]:
            del self.versions[seen.canonical_url]
        if self.fingerprints.get(seen.fingerprint) is seen:
            del self.fingerprints[seen.fingerprint]
        self.signatures.pop(record_id, None)
        for key in self.keys.pop(record_id, []):
            self.bands[key] = [r for r in self.bands.get(key, []) if r != record_id]


@dataclass
class LayeredIndex:
    """Reads ``pending`` then ``durable``; writes go to ``pending`` until they are committed."""

    durable: ArticleIndex
    pending: MemoryIndex = field(default_factory=MemoryIndex)

    def latest_version(self, canonical_url: str) -> Seen | None:
        return self.pending.latest_version(canonical_url) or self.durable.latest_version(
            canonical_url
        )

    def by_fingerprint(self, fingerprint: str) -> Seen | None:
        return self.durable.by_fingerprint(fingerprint) or self.pending.by_fingerprint(fingerprint)

    def has_id(self, record_id: str) -> bool:
        return self.pending.has_id(record_id) or self.durable.has_id(record_id)

    def near_candidates(self, keys: Sequence[int]) -> Iterator[tuple[Seen, np.ndarray[Any, Any]]]:
        yield from self.durable.near_candidates(keys)
        yield from self.pending.near_candidates(keys)

    def add(self, seen: Seen, signature: np.ndarray[Any, Any] | None, keys: Sequence[int]) -> None:
        self.pending.add(seen, signature, keys)


# --- decisions ----------------------------------------------------------------------------------


class Verdict(str, Enum):
    NEW = "new"
    DUPLICATE_URL = "duplicate_url"  # same canonical URL, same body
    DUPLICATE_FINGERPRINT = "duplicate_fingerprint"  # same body at another URL
    NEAR_DUPLICATE = "near_duplicate"
    VERSION = "version"  # another body at a known canonical URL


@dataclass(frozen=True)
class Decision:
    verdict: Verdict
    of: Seen | None = None  # the earlier article the verdict refers to
    score: float = 1.0  # estimated similarity for near-duplicates

    @property
    def is_exact_duplicate(self) -> bool:
        return self.verdict in (Verdict.DUPLICATE_URL, Verdict.DUPLICATE_FINGERPRINT)


@dataclass(frozen=True)
class DedupConfig:
    """Which levels are checked, and the near-duplicate parameters."""

    by_url: bool = True
    by_fingerprint: bool = True
    near: bool = True
    threshold: float = DEFAULT_THRESHOLD
    num_perm: int = DEFAULT_NUM_PERM
    shingle_size: int = DEFAULT_SHINGLE_SIZE
    scheme: str = DEFAULT_SCHEME  # MinHash permutations: datasketch 2.0's "affine32" or "legacy"


@dataclass(frozen=True)
class Fingerprints:
    """What the deduplicator needs from a body, computed once (in the extraction worker)."""

    fingerprint: str  # sha1 of the normalised body
    near: bool = False  # whether the signature and band keys below were computed
    signature: np.ndarray[Any, np.dtype[np.uint16]] | None = None  # None: too short to compare
    keys: tuple[int, ...] = ()  # LSH band keys of the signature


def fingerprints(text: str, config: DedupConfig) -> Fingerprints:
    """The body fingerprint and, when near-duplicates are checked, signature and band keys.

    The one place where they are computed: in the extraction worker for the crawl, in the
    calling process for ``scrapy export``, state reconciliation and inline extraction.
    """
    normalised = normalise_text(text)
    fingerprint = _sha1_hex(normalised)
    if not config.near:
        return Fingerprints(fingerprint)
    sig = _signature(normalised, config.num_perm, config.shingle_size, config.scheme)
    if sig is None:
        return Fingerprints(fingerprint, near=True)
    bands, rows = lsh_params(config.threshold, config.num_perm)
    return Fingerprints(fingerprint, True, sig, tuple(band_keys(sig, bands, rows)))


_ATTRIBUTE = "_newscrawler_fingerprints"


def attach_fingerprints(item: Any, prints: Fingerprints) -> None:
    """Carry ``prints`` with ``item`` to the dedup pipeline, outside its fields (not exported)."""
    setattr(item, _ATTRIBUTE, prints)


def attached_fingerprints(item: Any) -> Fingerprints | None:
    """The fingerprints attached to ``item`` by the extraction pipeline, if any."""
    prints = getattr(item, _ATTRIBUTE, None)
    return prints if isinstance(prints, Fingerprints) else None


@dataclass(frozen=True)
class FingerprintingExtractor:
    """An extraction function that also fingerprints the body it extracted.

    Sent to the extraction workers in place of the bare function, so that hashing the body
    costs worker CPU, not the crawl's main process.
    """

    function: Callable[..., Extraction]
    config: DedupConfig

    def __call__(self, *args: Any, **kwargs: Any) -> Extraction:
        result = self.function(*args, **kwargs)
        if result.fields is not None:
            result.fingerprints = fingerprints(str(result.fields.get("text") or ""), self.config)
        return result


@dataclass
class Candidate:
    """The fields of a record the deduplicator uses, and its signature (computed once)."""

    id: str
    canonical_url: str
    fingerprint: str
    text: str
    url: str = ""
    modified: str | None = None
    signature: np.ndarray[Any, Any] | None = None
    keys: list[int] = field(default_factory=list)
    prepared: bool = False  # signature and keys are computed (None and [] for a short text)

    @classmethod
    def from_record(cls, record: dict[str, Any], prints: Fingerprints | None = None) -> Candidate:
        """The candidate for ``record``, with ``prints`` computed earlier for its text, if any."""
        text = record.get("text") or ""
        canonical = record.get("canonical_url") or record.get("url") or ""
        fp = record.get("fingerprint") or (prints.fingerprint if prints else text_fingerprint(text))
        candidate = cls(
            id=record.get("id") or record_id(canonical, fp),
            canonical_url=canonical,
            fingerprint=fp,
            text=text,
            url=record.get("url") or canonical,
            modified=record.get("modified"),
        )
        if prints is not None and prints.near and prints.fingerprint == fp:
            candidate.signature = prints.signature
            candidate.keys = list(prints.keys)
            candidate.prepared = True
        return candidate


class Deduplicator:
    """Decide, record by record in order, whether each one is new, a duplicate or a version."""

    def __init__(self, index: ArticleIndex, config: DedupConfig | None = None) -> None:
        self.index = index
        self.config = config or DedupConfig()
        self.bands, self.rows = lsh_params(self.config.threshold, self.config.num_perm)

    def prepare(self, candidate: Candidate) -> Candidate:
        """Compute the MinHash signature and band keys once (no-op when near-dedup is off)."""
        if self.config.near and not candidate.prepared:
            prints = fingerprints(candidate.text, self.config)
            candidate.signature = prints.signature
            candidate.keys = list(prints.keys)
            candidate.prepared = True
        return candidate

    def check(self, candidate: Candidate) -> Decision:
        """The verdict for ``candidate``; the index is not changed."""
        cfg = self.config
        if self.index.has_id(candidate.id):
            return Decision(
                Verdict.DUPLICATE_URL, self.index.latest_version(candidate.canonical_url)
            )
        if cfg.by_url:
            latest = self.index.latest_version(candidate.canonical_url)
            if latest is not None:
                if latest.fingerprint == candidate.fingerprint:
                    return Decision(Verdict.DUPLICATE_URL, latest)
                return Decision(Verdict.VERSION, latest)
        if cfg.by_fingerprint:
            same = self.index.by_fingerprint(candidate.fingerprint)
            if same is not None:
                return Decision(Verdict.DUPLICATE_FINGERPRINT, same)
        if cfg.near:
            self.prepare(candidate)
            if candidate.signature is not None:
                best: tuple[float, Seen] | None = None
                for seen, sig in self.index.near_candidates(candidate.keys):
                    if seen.canonical_url == candidate.canonical_url:
                        continue
                    score = similarity(candidate.signature, sig)
                    if score >= cfg.threshold and (
                        best is None or (score, -seen.first_seen) > (best[0], -best[1].first_seen)
                    ):
                        best = (score, seen)
                if best is not None:
                    return Decision(Verdict.NEAR_DUPLICATE, best[1], round(best[0], 3))
        return Decision(Verdict.NEW)

    def remember(self, candidate: Candidate, decision: Decision, now: float | None = None) -> Seen:
        """Add ``candidate`` to the index as stored, after ``decision``."""
        self.prepare(candidate)
        origin = candidate.canonical_url
        if decision.of is not None and decision.verdict in (
            Verdict.NEAR_DUPLICATE,
            Verdict.VERSION,
        ):
            origin = decision.of.origin or decision.of.canonical_url
        seen = Seen(
            id=candidate.id,
            canonical_url=candidate.canonical_url,
            fingerprint=candidate.fingerprint,
            modified=candidate.modified,
            origin=origin,
            first_seen=time.time() if now is None else now,
            url=candidate.url,
        )
        self.index.add(seen, candidate.signature, candidate.keys)
        return seen

    def process(self, record: dict[str, Any]) -> Decision:
        """Check one record and remember it unless it is an exact duplicate."""
        candidate = Candidate.from_record(record)
        decision = self.check(candidate)
        if not decision.is_exact_duplicate:
            self.remember(candidate, decision)
        return decision


def annotate(record: dict[str, Any], decision: Decision) -> dict[str, Any]:
    """``record`` with ``duplicate_of`` / ``version_of`` set from ``decision``."""
    record = dict(record)
    if decision.of is not None and decision.verdict is Verdict.NEAR_DUPLICATE:
        record["duplicate_of"] = decision.of.origin or decision.of.canonical_url
    if decision.of is not None and decision.verdict is Verdict.VERSION:
        record["version_of"] = decision.of.id
    return record


__all__ = [
    "ArticleIndex",
    "Candidate",
    "Decision",
    "DedupConfig",
    "Deduplicator",
    "FingerprintingExtractor",
    "Fingerprints",
    "LayeredIndex",
    "MemoryIndex",
    "Seen",
    "Verdict",
    "annotate",
    "attach_fingerprints",
    "attached_fingerprints",
    "band_keys",
    "fingerprints",
    "lsh_params",
    "minhash_signature",
    "normalise_text",
    "record_id",
    "shingles",
    "similarity",
    "text_fingerprint",
    "url_key",
]
