"""The one text normaliser and the one shingler.

:func:`normalise_text` is the form in which texts are compared everywhere: labels against the
vocabulary, a paragraph against the headline, a name against another, and a body against a
stored one (its sha1 is the record's ``fingerprint``, so its output must never change).
:func:`runs` cuts a word sequence into overlapping shingles; :func:`shingles` (a set, for MinHash)
and :func:`shingle_counts` (a multiset, for measuring how much of one text another keeps) are
its two views.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterator, Sequence
from functools import lru_cache
from typing import AnyStr, TypeVar

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)

T = TypeVar("T")


def normalise_text(text: str) -> str:
    """Case-folded words of ``text`` joined by single spaces (punctuation and layout dropped).

    NFKC first, so that full-width and compatibility forms compare equal to plain ones. Short
    texts (labels, lines, names: the same ones are asked for again and again) are cached.
    """
    return _normalise_short(text) if len(text) <= _CACHED_LENGTH else _normalise(text)


# Texts up to this many characters are cached by normalise_text, at most _CACHED_TEXTS of them.
_CACHED_LENGTH = 200
_CACHED_TEXTS = 8192


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


_normalise_short = lru_cache(maxsize=_CACHED_TEXTS)(_normalise)


def words(text: str) -> list[str]:
    """The normalised words of ``text``."""
    return normalise_text(text).split()


def squash(text: str) -> str:
    """:func:`normalise_text` without the spaces: a key that ignores spacing and punctuation."""
    return normalise_text(text).replace(" ", "")


def runs(tokens: Sequence[T], size: int) -> Iterator[tuple[T, ...]]:
    """Overlapping runs of ``size`` tokens (none when there are fewer tokens than ``size``)."""
    # the i-th token of each run comes from tokens[i:]
    return zip(*(tokens[i:] for i in range(size)), strict=False)


def joined_shingles(tokens: Sequence[AnyStr], size: int, sep: AnyStr) -> set[AnyStr]:
    """The runs of ``size`` tokens joined by ``sep``; the whole sequence when it is shorter."""
    if len(tokens) <= size:
        return {sep.join(tokens)} if tokens else set()
    return set(map(sep.join, runs(tokens, size)))


def shingles(text: str, size: int = 3) -> set[str]:
    """Overlapping runs of ``size`` normalised words (the whole text when it is shorter)."""
    return joined_shingles(words(text), size, " ")


def shingle_counts(text: str, size: int = 4) -> Counter[tuple[str, ...]]:
    """Multiset of the overlapping ``size``-word runs of the normalised text."""
    return Counter(runs(words(text), size))


def coverage(a: str, b: str, size: int = 4) -> float:
    """Share of ``b``'s shingles that ``a`` also has (1.0 when ``b`` has none)."""
    sa, sb = shingle_counts(a, size), shingle_counts(b, size)
    total = sum(sb.values())
    return sum((sa & sb).values()) / total if total else 1.0
