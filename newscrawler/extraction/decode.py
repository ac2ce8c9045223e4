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


def _is_single_byte(name: str) -> bool:
    try:
        codec = codecs.lookup(name)
    except LookupError:
        return False
    if codec.name in ("utf-8", "utf-16", "utf-32", "utf-8-sig"):
        return False
    try:
        return len("\u0416\u00e9".encode(codec.name, errors="replace")) == 2
    except (UnicodeError, LookupError):
        return False


def _utf8_multibyte(body: bytes) -> bool:
    """Whether ``body`` is valid UTF-8 and uses multi-byte sequences (so it is not 8-bit text)."""
    if body.isascii():
        return False
    try:
        body.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _looks_misdecoded(text: str) -> bool:
    """Latin-1 supplement letters dominate: 8-bit Cyrillic (or Greek…) read as Western."""
    letters = [c for c in text if c.isalpha() and not c.isascii()]
    if len(letters) < 50:
        return False
    western = sum(1 for c in letters if "\u00c0" <= c <= "\u00ff")
    ascii_letters = sum(1 for c in text if c.isascii() and c.isalpha())
    return western > 0.9 * len(letters) and western > 0.3 * (western + ascii_letters)


def _detect(body: bytes) -> tuple[str, str] | None:
    best = from_bytes(body[:200_000]).best()
    if best is None or best.encoding is None:
        return None
    return body.decode(best.encoding, errors="replace"), best.encoding


def decode_html(body: bytes, declared: str | None = None) -> tuple[str, str]:
    """Return ``(text, encoding)``.

    Order: BOM; the header charset, then the ``<meta>`` charset, each used only if the bytes
    agree with it; otherwise detection. A page declared in an 8-bit charset whose bytes are
    valid multi-byte UTF-8 is read as UTF-8; a page declared Western (latin-1, cp1252) whose text
    then looks like mis-read 8-bit Cyrillic is detected instead. windows-1251 pages mislabelled as
    UTF-8 or with no label at all come out as Cyrillic. Raises :class:`UndecodableBody` for binary
    data.
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
    for name in (c for c in candidates if c is not None):
        if _is_single_byte(name):
            if _utf8_multibyte(body):
                return body.decode("utf-8"), "utf-8"
            try:
                text = body.decode(name)
            except UnicodeDecodeError:
                continue
            if _looks_misdecoded(text):
                detected = _detect(body)
                if detected is not None and not _looks_misdecoded(detected[0]):
                    return detected
            return text, name
        try:
            return body.decode(name), name
        except UnicodeDecodeError:
            continue
    try:
        return body.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    detected = _detect(body)
    if detected is None:
        raise UndecodableBody("no text encoding fits the body")
    return detected
