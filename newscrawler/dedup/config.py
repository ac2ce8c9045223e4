"""What the deduplicator checks: the levels, the near-duplicate parameters and their LSH banding.

Defaults: 128 permutations, 3-word shingles, threshold 0.6, which gives 18 bands of 7 rows
(the banding that minimises the equal-weight sum of false positive and false negative
probability, the same choice as datasketch's ``MinHashLSH``). LSH candidates are checked against
the threshold with the stored signatures, so a band collision alone never marks a duplicate.

:func:`dedup_config` is the one reader of the ``NEWSCRAWLER_DEDUP_*`` settings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any, Protocol

from newscrawler.dedup.minhash import DEFAULT_SCHEME, SCHEMES
from newscrawler.errors import ConfigError

DEFAULT_NUM_PERM = 128
DEFAULT_SHINGLE_SIZE = 3
DEFAULT_THRESHOLD = 0.6


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


class Settings(Protocol):
    """The part of Scrapy's ``BaseSettings`` that :func:`dedup_config` reads."""

    def get(self, name: str, default: Any = None) -> Any: ...

    def getbool(self, name: str, default: bool = False) -> bool: ...

    def getint(self, name: str, default: int = 0) -> int: ...

    def getfloat(self, name: str, default: float = 0.0) -> float: ...


def dedup_config(settings: Settings) -> DedupConfig:
    """The dedup configuration of a crawl's (or a command's) settings; :class:`ConfigError`
    on a bad value."""
    scheme = settings.get("NEWSCRAWLER_DEDUP_MINHASH_SCHEME") or DEFAULT_SCHEME
    if scheme not in SCHEMES:
        raise ConfigError(f"NEWSCRAWLER_DEDUP_MINHASH_SCHEME must be one of {SCHEMES}")
    return DedupConfig(
        by_url=settings.getbool("NEWSCRAWLER_DEDUP_URL"),
        by_fingerprint=settings.getbool("NEWSCRAWLER_DEDUP_FINGERPRINT"),
        near=settings.getbool("NEWSCRAWLER_DEDUP_NEAR"),
        threshold=settings.getfloat("NEWSCRAWLER_DEDUP_NEAR_THRESHOLD"),
        num_perm=settings.getint("NEWSCRAWLER_DEDUP_NUM_PERM"),
        scheme=scheme,
    )


def fingerprint_config(settings: Settings) -> DedupConfig:
    """What the crawl's extraction fingerprints: the body sha1, and the MinHash signature when
    near-duplicates are checked (not when ``NEWSCRAWLER_DEDUP_ENABLED`` is off)."""
    config = dedup_config(settings)
    if not settings.getbool("NEWSCRAWLER_DEDUP_ENABLED"):
        config = replace(config, near=False)
    return config


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


__all__ = [
    "DEFAULT_NUM_PERM",
    "DEFAULT_SHINGLE_SIZE",
    "DEFAULT_THRESHOLD",
    "DedupConfig",
    "dedup_config",
    "fingerprint_config",
    "lsh_params",
]
