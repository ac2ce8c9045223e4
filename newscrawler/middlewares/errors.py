"""Give download exceptions without a message one, so that log lines say what went wrong.

A connection that closes before the promised Content-Length arrives raises Scrapy's
``ResponseDataLossError()`` with no text, and RetryMiddleware logs ``Gave up retrying <GET url>
(failed 3 times): `` with nothing after the colon. This middleware runs just before
RetryMiddleware on the exception path (priority 555 > 550) and fills the message in.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from scrapy.exceptions import ResponseDataLossError

if TYPE_CHECKING:
    from scrapy.http import Request

DESCRIPTIONS: dict[type[BaseException], str] = {
    ResponseDataLossError: "connection closed before the whole body arrived (data loss)",
}


def describe(exception: BaseException) -> str:
    for cls, text in DESCRIPTIONS.items():
        if isinstance(exception, cls):
            return text
    return type(exception).__name__


class DescribeErrorsMiddleware:
    """Put a description into download exceptions whose message is empty."""

    def process_exception(self, request: Request, exception: Exception) -> None:
        if not str(exception):
            exception.args = (describe(exception),)
