"""What a body gives the deduplicator: its sha1, the record id, URL keys and its MinHash signature.

:func:`fingerprints` computes all of it once, in the extraction worker for the crawl and in the
calling process for ``scrapy export``, state reconciliation and inline extraction. A signature is
128 16-bit values (256 bytes).
"""

from __future__ import annotations

import hashlib
import struct
from dataclasses import dataclass
from typing import Any

import numpy as np

from newscrawler.dedup.config import (
    DEFAULT_NUM_PERM,
    DEFAULT_SHINGLE_SIZE,
    DedupConfig,
    lsh_params,
)
from newscrawler.dedup.minhash import DEFAULT_SCHEME, band_keys, minhash
from newscrawler.text import joined_shingles, normalise_text, shingles

# --- identifiers --------------------------------------------------------------------------------

# Records with fewer shingles than this are too short for a meaningful similarity.
MIN_SHINGLES = 10


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


# --- near-duplicate signatures ------------------------------------------------------------------


def minhash_signature(
    text: str,
    num_perm: int = DEFAULT_NUM_PERM,
    shingle_size: int = DEFAULT_SHINGLE_SIZE,
    scheme: str = DEFAULT_SCHEME,
) -> np.ndarray[Any, np.dtype[np.uint16]] | None:
    """MinHash of the text's word shingles, or ``None`` when the text is too short to compare.

    The values are those of datasketch's ``MinHash(num_perm, seed=1, scheme=scheme)`` after
    ``update_batch`` with the UTF-8 shingles (:mod:`newscrawler.dedup.minhash`).
    """
    return _signature(normalise_text(text), num_perm, shingle_size, scheme)


def _signature(
    normalised: str, num_perm: int, shingle_size: int, scheme: str
) -> np.ndarray[Any, np.dtype[np.uint16]] | None:
    # Shingles of the UTF-8 words are the UTF-8 shingles: the text is encoded once.
    words = normalised.encode("utf-8").split(b" ") if normalised else []
    grams = joined_shingles(words, shingle_size, b" ")
    if len(grams) < MIN_SHINGLES:
        return None
    values = minhash(grams, num_perm, seed=1, scheme=scheme)
    # The low 16 bits of each value are kept: two different values agree by chance with
    # probability 2**-16, which does not move a similarity estimate, and signatures halve.
    return (values & 0xFFFF).astype(np.uint16)


@dataclass(frozen=True)
class Fingerprints:
    """What the deduplicator needs from a body, computed once (in the extraction worker)."""

    fingerprint: str  # sha1 of the normalised body
    near: bool = False  # whether the signature and band keys below were computed
    signature: np.ndarray[Any, np.dtype[np.uint16]] | None = None  # None: too short to compare
    keys: tuple[int, ...] = ()  # LSH band keys of the signature


def fingerprints(text: str, config: DedupConfig) -> Fingerprints:
    """The body fingerprint and, when near-duplicates are checked, signature and band keys."""
    normalised = normalise_text(text)
    fingerprint = _sha1_hex(normalised)
    if not config.near:
        return Fingerprints(fingerprint)
    sig = _signature(normalised, config.num_perm, config.shingle_size, config.scheme)
    if sig is None:
        return Fingerprints(fingerprint, near=True)
    bands, rows = lsh_params(config.threshold, config.num_perm)
    return Fingerprints(fingerprint, True, sig, tuple(band_keys(sig, bands, rows)))


__all__ = [
    "MIN_SHINGLES",
    "Fingerprints",
    "fingerprints",
    "minhash_signature",
    "normalise_text",
    "record_id",
    "shingles",
    "text_fingerprint",
    "url_key",
]
