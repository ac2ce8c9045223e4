"""The binary-body sniffer's rule: a NUL byte, or more than 10 % control bytes, in the sample."""

from __future__ import annotations

import codecs

from newscrawler.middlewares.sniff import looks_binary


def test_text_in_any_script_is_not_binary() -> None:
    assert not looks_binary("<p>Посмотреть также\tтекст\r\n</p>\f".encode("cp1251") * 100)
    assert not looks_binary(b"")
    assert not looks_binary(codecs.BOM_UTF16_LE + "<p>текст</p>".encode("utf-16-le"))


def test_nul_or_many_control_bytes_are_binary() -> None:
    assert looks_binary(b"<html>\x00</html>")
    ten_percent = b"\x01" * 100 + b"a" * 900  # exactly 10 %: still text
    assert not looks_binary(ten_percent)
    assert looks_binary(b"\x01" * 101 + b"a" * 899)


def test_only_the_sample_counts() -> None:
    assert not looks_binary(b"a" * 4096 + b"\x00" * 100)
    assert looks_binary(b"a" * 10 + b"\x00", sample_size=16)
