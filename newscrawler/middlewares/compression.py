"""Scrapy's HttpCompressionMiddleware, counting the responses it drops as compression bombs.

Scrapy already stops decompressing at ``DOWNLOAD_MAXSIZE`` (gzip, deflate, brotli, zstd) and logs
a warning, but counts nothing. This subclass adds ``newscrawler/compression/max_size_exceeded``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.downloadermiddlewares.httpcompression import HttpCompressionMiddleware
from scrapy.exceptions import IgnoreRequest

if TYPE_CHECKING:
    from scrapy.http import Request, Response


class CountingHttpCompressionMiddleware(HttpCompressionMiddleware):
    """Decompress responses; count those whose decompressed body exceeds DOWNLOAD_MAXSIZE."""

    def process_response(  # type: ignore[override]  # no deprecated spider argument
        self, request: Request, response: Response
    ) -> Request | Response:
        try:
            return super().process_response(request, response)
        except IgnoreRequest:
            if self.stats is not None:
                self.stats.inc_value("newscrawler/compression/max_size_exceeded")
            raise
