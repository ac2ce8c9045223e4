"""The base of the pipelines' drop reasons: a :class:`DropItem` with its own log level.

Scrapy logs every dropped item (``Dropped: <reason>`` and the item) at the exception's
``log_level``, or at ``DEFAULT_DROPITEM_LOG_LEVEL`` (WARNING) when that is ``None``. Its
``DropItem.__init__`` sets ``log_level`` on the instance, so a class attribute of that name is
overwritten; :class:`Drop` passes its class's :attr:`~Drop.level` instead. Expected drops
(a page without an article, a date outside the window, a known duplicate) are DEBUG: their
pipelines log the first of each kind themselves, at INFO (a page that gave no record: the first
``NEWSCRAWLER_REJECTED_LOG_FIRST`` of each reason and site). A record invalid against the schema is
a WARNING, every time.
"""

from __future__ import annotations

from typing import Any, ClassVar

from scrapy.exceptions import DropItem


class Drop(DropItem):
    """A dropped item, logged at :attr:`level` unless ``log_level`` is given."""

    level: ClassVar[str] = "DEBUG"

    def __init__(self, message: str, log_level: str | None = None) -> None:
        super().__init__(message, log_level or self.level)


class Rejected(Drop):
    """A page sent to extraction that gave no record: :attr:`reason` names why, :attr:`signals`
    what decided it (counted in ``newscrawler/pages/rejected/<reason>``, written to
    ``NEWSCRAWLER_REJECTED_FILE`` by :class:`newscrawler.extensions.rejected.RejectedPages`)."""

    def __init__(
        self,
        message: str,
        reason: str = "unknown",
        log_level: str | None = None,
        *,
        signals: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message, log_level)
        self.reason = reason
        self.signals = signals or {}
