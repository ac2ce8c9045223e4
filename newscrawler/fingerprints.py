"""Stable identifiers of articles: record id and body fingerprint."""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)


def normalise_text(text: str) -> str:
    """Case-folded words of ``text`` joined by single spaces (punctuation and layout dropped)."""
    text = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(_NON_WORD.sub(" ", text).split())


def text_fingerprint(text: str) -> str:
    """sha1 of the normalised body: equal for the same text under different markup."""
    return hashlib.sha1(normalise_text(text).encode("utf-8")).hexdigest()


def record_id(canonical_url: str, fingerprint: str) -> str:
    """Id of one version of one article."""
    return hashlib.sha1(f"{canonical_url}\n{fingerprint}".encode()).hexdigest()[:20]
