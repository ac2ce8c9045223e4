"""The URLs a crawl has already scheduled (or decided not to fetch), in compact form."""

from __future__ import annotations

import hashlib


class SeenUrls:
    """A set of URLs kept as 64-bit hashes (about 60 bytes per URL instead of the URL itself)."""

    def __init__(self) -> None:
        self._hashes: set[int] = set()

    @staticmethod
    def _key(url: str) -> int:
        digest = hashlib.blake2b(url.encode("utf-8", "surrogatepass"), digest_size=8).digest()
        return int.from_bytes(digest, "big")

    def add(self, url: str) -> bool:
        """Remember ``url``; True if it was new."""
        key = self._key(url)
        if key in self._hashes:
            return False
        self._hashes.add(key)
        return True

    def __contains__(self, url: object) -> bool:
        return isinstance(url, str) and self._key(url) in self._hashes

    def __len__(self) -> int:
        return len(self._hashes)
