"""Our numpy MinHash equals datasketch's bit for bit, so that signatures in state files still match.

datasketch is a dev dependency: these tests are the reference check of
:mod:`newscrawler.dedup.minhash`.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from typing import Any

import numpy as np
import pytest
from datasketch import MinHash

from newscrawler.dedup.fingerprint import MIN_SHINGLES, minhash_signature
from newscrawler.dedup.minhash import SCHEMES, minhash, permutations
from newscrawler.text import shingles

# Words in several scripts, with case, accents, digits, punctuation and symbols that
# normalisation folds or drops.
SENTENCES = [
    "The council approved budget Tuesday after long debate about transport schools",
    "Straße Übergang Größe naïve café FAÇADE Ǆemal ﬁnance",
    "Городской совет утвердил бюджет после долгого обсуждения Мэр заявил ёлка",
    "Η κυβέρνηση ανακοίνωσε νέα μέτρα για την οικονομία ΣΟΦΙΑ",
    "الحكومة أعلنت اليوم عن خطة جديدة للنقل",
    "הממשלה הודיעה היום על תוכנית חדשה",
    "सरकार ने आज नई योजना की घोषणा की",
    "市议会周二批准了明年的预算 東京都は新しい計画を発表した 서울시는 새로운 예산을 승인했다",
    "2024 03-27 11:24:02 №5 42% $1,000",
    "— « » “quoted” (brackets) ... !? 🙂 🇺🇦 ★",
]
VOCABULARY = [word for sentence in SENTENCES for word in sentence.split()]


def random_texts(count: int, seed: int = 20241124) -> Iterator[str]:
    rnd = random.Random(seed)
    yield from ("", " ", "🙂 — !", "One", "two words", "Пять слов в этом тексте")
    for _ in range(count):
        size = rnd.choice([1, 3, 9, 12, 40, 200, 1500])
        yield " ".join(rnd.choice(VOCABULARY) for _ in range(size))


TEXTS = list(random_texts(300))


def datasketch_values(values: list[bytes], num_perm: int, scheme: str) -> Any:
    mh = MinHash(num_perm=num_perm, seed=1, scheme=scheme)  # type: ignore[arg-type]
    mh.update_batch(values)
    return mh.hashvalues


def datasketch_signature(text: str, scheme: str) -> Any:
    """The signature as newscrawler stored it while it used datasketch itself."""
    grams = shingles(text)
    if len(grams) < MIN_SHINGLES:
        return None
    values = datasketch_values([g.encode("utf-8") for g in grams], 128, scheme)
    return (np.asarray(values, dtype=np.uint64) & 0xFFFF).astype(np.uint16)


@pytest.mark.parametrize("scheme", SCHEMES)
@pytest.mark.parametrize("num_perm", [1, 16, 128, 256])
def test_permutations_equal_datasketchs(scheme: str, num_perm: int) -> None:
    ours = permutations(num_perm, 1, scheme)
    theirs = MinHash(num_perm=num_perm, seed=1, scheme=scheme).permutations  # type: ignore[arg-type]
    assert np.array_equal(ours[0], theirs[0]) and np.array_equal(ours[1], theirs[1])


@pytest.mark.parametrize("scheme", SCHEMES)
def test_hash_values_equal_datasketchs_over_many_shingle_sets(scheme: str) -> None:
    compared = 0
    for text in TEXTS:
        values = [g.encode("utf-8") for g in shingles(text)]
        ours = minhash(values, 128, scheme=scheme)
        theirs = datasketch_values(values, 128, scheme)
        assert ours.dtype == theirs.dtype, scheme
        assert np.array_equal(ours, theirs), (scheme, text[:80])
        compared += 1
    assert compared == len(TEXTS) > 300


@pytest.mark.parametrize("scheme", SCHEMES)
def test_empty_and_huge_inputs_equal_datasketchs(scheme: str) -> None:
    assert np.array_equal(minhash([], 128, scheme=scheme), datasketch_values([], 128, scheme))
    # more values than one permutation slice, including duplicates and arbitrary bytes
    rnd = random.Random(7)
    values = [rnd.randbytes(rnd.randrange(0, 40)) for _ in range(5000)] + [b"x"] * 3
    assert np.array_equal(minhash(values, 64, scheme=scheme), datasketch_values(values, 64, scheme))


@pytest.mark.parametrize("scheme", SCHEMES)
def test_stored_signatures_equal_datasketchs(scheme: str) -> None:
    """The 16-bit signatures the dedup stores, including ``None`` for short texts."""
    short = 0
    for text in TEXTS:
        ours = minhash_signature(text, scheme=scheme)
        theirs = datasketch_signature(text, scheme)
        if theirs is None:
            short += 1
            assert ours is None, text
        else:
            assert ours is not None and ours.dtype == np.uint16
            assert np.array_equal(ours, theirs), (scheme, text[:80])
    assert short >= 6 and len(TEXTS) - short >= 100  # both kinds are well covered


def test_schemes_differ_and_unknown_scheme_is_refused() -> None:
    text = max(TEXTS, key=len)
    affine32, legacy = (minhash_signature(text, scheme=s) for s in ("affine32", "legacy"))
    assert affine32 is not None and legacy is not None
    assert np.count_nonzero(affine32 == legacy) < 5  # signatures of one scheme only match their own
    with pytest.raises(ValueError, match="unknown MinHash scheme"):
        minhash([b"a"], 128, scheme="affine64")
