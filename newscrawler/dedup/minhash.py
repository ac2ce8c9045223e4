"""MinHash signatures in numpy, equal bit for bit to datasketch's ``MinHash``.

The near-duplicate dedup stores MinHash signatures in the crawl state, so a signature must not
change from one version of newscrawler to the next. They were made with datasketch's
``MinHash(num_perm, seed=1)`` and ``update_batch`` with its default hash (the first 4 bytes of
sha1, little-endian). This module computes the same values without importing datasketch, whose
package imports scipy (about 55 MB in every process that loads it) for its LSH classes, which
newscrawler does not use.

Two permutation schemes, as datasketch names them:

- ``affine32`` (datasketch 2.0's default, the one newscrawler's state is written with): each
  32-bit input hash is mixed with the MurmurHash3 finalizer, then permuted as ``a * h + b`` modulo
  2**32 (``a`` odd);
- ``legacy`` (datasketch before 2.0): ``(a * h + b) mod (2**61 - 1)``, cut to 32 bits, computed in
  wrapping uint64 arithmetic exactly as datasketch does.

The permutation parameters come from ``numpy.random.RandomState(seed)`` drawn in datasketch's
order. ``tests/test_minhash.py`` checks equality with datasketch itself over many texts.

Signatures are compared with :func:`similarity` and indexed by LSH band with :func:`band_keys`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import numpy as np

SCHEMES = ("affine32", "legacy")
DEFAULT_SCHEME = "affine32"

_MERSENNE_PRIME = np.uint64((1 << 61) - 1)
_MAX_HASH32 = np.uint64((1 << 32) - 1)
_CHUNK = 256  # input hashes permuted at a time
# MurmurHash3's 32-bit finalizer (fmix32): shifts and multipliers.
_FMIX_SHIFT1, _FMIX_SHIFT2, _FMIX_SHIFT3 = np.uint32(16), np.uint32(13), np.uint32(16)
_FMIX_MUL1, _FMIX_MUL2 = np.uint32(0x85EBCA6B), np.uint32(0xC2B2AE35)

UInt32Array = np.ndarray[Any, np.dtype[np.uint32]]
UInt64Array = np.ndarray[Any, np.dtype[np.uint64]]


@lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int = 1, scheme: str = DEFAULT_SCHEME) -> tuple[Any, Any]:
    """The ``(a, b)`` parameters of ``num_perm`` permutations, as datasketch draws them."""
    if num_perm < 1:
        raise ValueError("num_perm must be positive")
    gen = np.random.RandomState(seed)
    if scheme == "legacy":
        # One (a, b) pair per permutation, drawn in turn (the order matters for the values).
        pairs = [
            (
                gen.randint(1, _MERSENNE_PRIME, dtype=np.uint64),
                gen.randint(0, _MERSENNE_PRIME, dtype=np.uint64),
            )
            for _ in range(num_perm)
        ]
        a64, b64 = np.array(pairs, dtype=np.uint64).T
        return a64.copy(), b64.copy()
    if scheme == "affine32":
        a32 = gen.randint(0, 1 << 31, num_perm, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
        b32 = gen.randint(0, 1 << 32, num_perm, dtype=np.uint32)
        return a32, b32
    raise ValueError(f"unknown MinHash scheme {scheme!r}; one of {SCHEMES}")


def sha1_hashes32(values: Iterable[bytes]) -> UInt32Array:
    """datasketch's ``sha1_hash32`` of every value: the first 4 bytes of sha1, little-endian."""
    sha1 = hashlib.sha1
    joined = b"".join([sha1(value).digest()[:4] for value in values])
    return np.frombuffer(joined, dtype="<u4").astype(np.uint32)


def _fmix32(hv: UInt32Array) -> UInt32Array:
    hv = hv ^ (hv >> _FMIX_SHIFT1)
    hv = hv * _FMIX_MUL1
    hv = hv ^ (hv >> _FMIX_SHIFT2)
    hv = hv * _FMIX_MUL2
    return hv ^ (hv >> _FMIX_SHIFT3)


def similarity(a: np.ndarray[Any, Any], b: np.ndarray[Any, Any]) -> float:
    """Estimated Jaccard similarity of two signatures (share of equal positions)."""
    return float(np.count_nonzero(a == b)) / len(a)


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


def minhash(
    values: Iterable[bytes], num_perm: int = 128, seed: int = 1, scheme: str = DEFAULT_SCHEME
) -> UInt32Array | UInt64Array:
    """The hash values of ``MinHash(num_perm, seed, scheme=scheme)`` after ``update_batch(values)``.

    ``affine32`` gives uint32 values and ``legacy`` uint64 ones (below 2**32), like datasketch; an
    empty input gives the all-maximum signature of an empty MinHash.
    """
    a, b = permutations(num_perm, seed, scheme)
    hashes = sha1_hashes32(values)
    legacy = scheme == "legacy"
    dtype = np.uint64 if legacy else np.uint32
    result: Any = np.full(num_perm, _MAX_HASH32, dtype=dtype)
    # In slices, through one reused buffer: a huge text never builds a (shingles x num_perm)
    # matrix, and no temporary array is allocated per operation.
    buffer: Any = np.empty((min(len(hashes), _CHUNK), num_perm), dtype=dtype)
    for start in range(0, len(hashes), _CHUNK):
        chunk = hashes[start : start + _CHUNK].reshape(-1, 1)
        out = buffer[: len(chunk)]
        if legacy:
            np.multiply(chunk.astype(np.uint64), a, out=out)
            np.add(out, b, out=out)
            np.remainder(out, _MERSENNE_PRIME, out=out)
            np.bitwise_and(out, _MAX_HASH32, out=out)
        else:
            np.multiply(_fmix32(chunk), a, out=out)
            np.add(out, b, out=out)
        np.minimum(result, out.min(axis=0), out=result)
    return result  # type: ignore[no-any-return]


__all__ = [
    "DEFAULT_SCHEME",
    "SCHEMES",
    "band_keys",
    "minhash",
    "permutations",
    "sha1_hashes32",
    "similarity",
]
