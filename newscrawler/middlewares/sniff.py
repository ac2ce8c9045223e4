"""Drop responses that claim to be HTML or text but carry binary bytes (images, archives, noise)."""

from __future__ import annotations

import codecs
import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import IgnoreRequest
from scrapy.http import TextResponse

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request, Response
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)

_TEXT_BOMS = (codecs.BOM_UTF8, codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CONTROL = frozenset(range(32)) - {9, 10, 12, 13}  # tab, LF, FF and CR are text
_NOT_CONTROL = bytes(b for b in range(256) if b not in _CONTROL)


def looks_binary(body: bytes, sample_size: int = 4096) -> bool:
    """A NUL byte, or more than 10 % control bytes, in the first ``sample_size`` bytes."""
    sample = body[:sample_size]
    if not sample or sample.startswith(_TEXT_BOMS):
        return False
    if b"\x00" in sample:
        return True
    control = len(sample.translate(None, _NOT_CONTROL))  # the control bytes alone
    return control > len(sample) // 10


class BinaryBodyMiddleware:
    """Ignore text responses (by Content-Type) whose body is binary; count and log them."""

    def __init__(self, stats: StatsCollector) -> None:
        self.stats = stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> BinaryBodyMiddleware:
        assert crawler.stats is not None
        return cls(crawler.stats)

    def process_response(self, request: Request, response: Response) -> Response:
        if not 200 <= response.status < 300 or not isinstance(response, TextResponse):
            return response
        if not looks_binary(response.body):
            return response
        encoding = (response.headers.get(b"Content-Type") or b"").lower()
        if b"utf-16" in encoding or b"utf-32" in encoding:
            return response
        content_type = (response.headers.get(b"Content-Type") or b"?").decode("latin-1")
        self.stats.inc_value("newscrawler/sniff/binary_body")
        logger.info(
            "Ignoring %s: binary bytes served as %s", response.url, content_type.split(";")[0]
        )
        raise IgnoreRequest("binary body in a text response")
