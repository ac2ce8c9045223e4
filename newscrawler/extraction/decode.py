"""Turn a page's bytes into text, trusting a declared charset only when the bytes agree."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([A-Za-z0-9._:-]+)""", re.I)
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class UndecodableBody(ValueError):
    """The body is not text in any encoding we can recognise (binary data)."""


def _normalise(name: str | None) -> str | None:
    if not name:
        return None
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _looks_binary(body: bytes) -> bool:
    sample = body[:4096]
    if b"\x00" in sample:
        return True
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    return controls > len(sample) * 0.05


def _is_multibyte_utf8(body: bytes) -> bool:
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)``.

    Order: BOM; the header charset, then the ``<meta>`` charset, each used only if the bytes
    decode cleanly with it; otherwise detection (windows-1251 pages mislabelled as UTF-8 or with
    no label at all come out as Cyrillic). Raises :class:`UndecodableBody` for binary data.
    """
    for bom, name in _BOMS:
        if body.startswith(bom):
            return body[len(bom) :].decode(name, errors="replace"), name
    if _looks_binary(body):
        raise UndecodableBody("binary bytes in body")
    meta = _META_CHARSET.search(body[:4096])
    candidates = [
        _normalise(declared),
        _normalise(meta.group(1).decode("ascii", "ignore")) if meta else None,
    ]
    if _is_multibyte_utf8(body):
        # valid UTF-8 with multi-byte sequences is not a coincidence: a single-byte label
        # (iso-8859-15, windows-1252) on such a page is wrong, and decoding with it makes mojibake
        return body.decode("utf-8"), "utf-8"
    for candidate in candidates:
        if candidate is None:
            continue
        name = candidate
        try:
            return body.decode(name), name
        except UnicodeDecodeError:
            continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(body[:200_000]).best()
    if best is None or best.encoding is None:
        raise UndecodableBody("no text encoding fits the body")
    return body.decode(best.encoding, errors="replace"), best.encoding
