"""Log formatter: one log line per lost download, not two.

When RetryMiddleware gives up on a request it logs ``Gave up retrying <GET url> (failed N times):
reason`` at ERROR. Scrapy then logs ``Error downloading <GET url>`` with a traceback, also at
ERROR. This formatter keeps the first and moves the second to DEBUG for failures that the retry
middleware (or the download handler, for DOWNLOAD_MAXSIZE) has already reported.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from scrapy.exceptions import DownloadCancelledError
from scrapy.logformatter import LogFormatter, LogFormatterResult
from scrapy.utils.misc import load_object

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Request
    from scrapy.spiders import Spider
    from twisted.python.failure import Failure


class NewsLogFormatter(LogFormatter):
    """Scrapy's log formatter, with download errors already reported logged at DEBUG."""

    def __init__(self, reported: tuple[type[BaseException], ...] = ()) -> None:
        self.reported = reported

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> NewsLogFormatter:
        retried: list[type[BaseException]] = []
        if crawler.settings.getbool("RETRY_ENABLED"):
            retried = [
                load_object(e) if isinstance(e, str) else e
                for e in crawler.settings.getlist("RETRY_EXCEPTIONS")
            ]
        return cls(tuple(retried))

    def download_error(
        self,
        failure: Failure,
        request: Request,
        spider: Spider,
        errmsg: str | None = None,
    ) -> LogFormatterResult:
        result = super().download_error(failure, request, spider, errmsg)
        error = failure.value
        retried = isinstance(error, self.reported) and not request.meta.get("dont_retry", False)
        # The download handler cancels a download only over DOWNLOAD_MAXSIZE, with a warning.
        if retried or isinstance(error, DownloadCancelledError):
            result["level"] = logging.DEBUG
        return result
