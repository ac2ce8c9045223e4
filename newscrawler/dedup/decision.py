"""The verdict for each record: new, a duplicate, a near-duplicate or a new version.

:class:`Deduplicator` decides, record by record in order, over an
:class:`~newscrawler.dedup.index.ArticleIndex`; :func:`annotate` writes the verdict into a record
(``duplicate_of`` / ``version_of``).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

import numpy as np

from newscrawler.dedup.config import DedupConfig, lsh_params
from newscrawler.dedup.fingerprint import Fingerprints, fingerprints, record_id, text_fingerprint
from newscrawler.dedup.index import ArticleIndex, Seen
from newscrawler.dedup.minhash import similarity


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


__all__ = ["Candidate", "Decision", "Deduplicator", "Verdict", "annotate"]
