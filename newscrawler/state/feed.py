"""Scrapy feed glue: ``-o articles.jsonl`` / ``-O`` written by a durable JSONL file.

:class:`DurableFileFeedStorage` replaces Scrapy's local file storage (``FEED_STORAGES`` for
``""`` and ``file``): JSON lines feeds get a durable file (torn tail repaired, batched fsync,
durable records committed to the crawl state, when there is one); other formats are stored as
Scrapy does. A feed
URI ending with ``/`` is a dataset folder (``NEWSCRAWLER_STORAGE_LAYOUT``: one file per day or
per run). :class:`DurableJsonLinesExporter` (``FEED_EXPORTERS`` for ``jsonl``/``jsonlines``/``jl``)
hands each line to the durable file together with the record id.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import IO, Any

from itemadapter import ItemAdapter
from scrapy import Spider
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from scrapy.exporters import JsonLinesItemExporter
from scrapy.extensions.feedexport import FileFeedStorage
from scrapy.statscollectors import StatsCollector
from scrapy.utils.python import to_bytes
from twisted.internet import task

from newscrawler.errors import CrawlFailed
from newscrawler.state.crawlstate import DURABLE_EXPORTER, CrawlState
from newscrawler.storage.jsonl import LAYOUTS, DurableJsonlFile, unwritable

logger = logging.getLogger(__name__)


class DurableFileFeedStorage(FileFeedStorage):
    """Local feed storage; JSON lines feeds are crash-safe and feed the crawl state."""

    def __init__(
        self,
        uri: str,
        *,
        feed_options: dict[str, Any] | None = None,
        crawler: Crawler | None = None,
    ) -> None:
        super().__init__(uri, feed_options=feed_options)
        self.crawler = crawler
        self.feed_options = feed_options or {}
        self.folder = uri.endswith(("/", "\\"))
        self.file: DurableJsonlFile | None = None
        self._timer: task.LoopingCall | None = None
        # built when the crawl starts (Scrapy's feed exporter checks each storage then):
        # an output that cannot be written stops the crawl before anything is fetched
        problem = unwritable(Path(self.path), folder=self.folder)
        if problem is not None:
            raise CrawlFailed(f"cannot write the output {uri}: {problem}")

    @classmethod
    def from_crawler(
        cls, crawler: Crawler, uri: str, *, feed_options: dict[str, Any] | None = None
    ) -> DurableFileFeedStorage:
        return cls(uri, feed_options=feed_options, crawler=crawler)

    def is_durable(self) -> bool:
        if self.crawler is None:
            return False
        exporters = self.crawler.settings.getwithbase("FEED_EXPORTERS")
        return bool(exporters.get(str(self.feed_options.get("format"))) == DURABLE_EXPORTER)

    def open(self, spider: Spider) -> IO[bytes]:
        if not self.is_durable():
            return super().open(spider)
        assert self.crawler is not None
        s = self.crawler.settings
        layout = str(s.get("NEWSCRAWLER_STORAGE_LAYOUT")) if self.folder else None
        if layout is not None and layout not in LAYOUTS:
            raise NotConfigured(f"NEWSCRAWLER_STORAGE_LAYOUT must be one of {LAYOUTS}")
        # the extension exists by now (the storage is built with the feed exporter, before it)
        state = self.crawler.get_extension(CrawlState)
        overwrite = bool(self.feed_options.get("overwrite"))
        stats = self.crawler.stats
        assert stats is not None

        def on_durable(ids: list[str], path: str, offset: int) -> None:
            stats.inc_value("newscrawler/storage/syncs")
            if state is not None:
                state.commit(ids, path, offset)

        def on_open(path: Path) -> None:
            logger.info("Writing JSON lines to %s", path)
            if state is not None:
                state.output_opened(path, overwrite and layout is None)

        self.file = DurableJsonlFile(
            Path(self.path),
            layout=layout,
            overwrite=overwrite,
            sync_items=s.getint("NEWSCRAWLER_STORAGE_SYNC_ITEMS"),
            sync_interval=s.getfloat("NEWSCRAWLER_STORAGE_SYNC_INTERVAL"),
            on_durable=on_durable,
            on_open=on_open,
        )
        if layout is None:
            self.file.path_now()  # opened lazily; a -O target is truncated on first write
        interval = s.getfloat("NEWSCRAWLER_STORAGE_SYNC_INTERVAL")
        if interval > 0:
            self._timer = task.LoopingCall(self._tick)
            self._timer.start(interval, now=False)
        return self.file  # type: ignore[return-value]

    def _tick(self) -> None:
        if self.file is not None and not self.file.closed and self.file.due():
            self.file.sync()

    def store(self, file: IO[bytes]) -> None:
        if self._timer is not None and self._timer.running:
            self._timer.stop()
        file.close()
        if isinstance(file, DurableJsonlFile) and self.crawler and self.crawler.stats:
            stats: StatsCollector = self.crawler.stats
            stats.inc_value("newscrawler/storage/lines", file.lines)


class DurableJsonLinesExporter(JsonLinesItemExporter):
    """JSON lines; with a :class:`DurableJsonlFile` each line carries its record id."""

    def export_item(self, item: Any) -> None:
        itemdict = dict(self.get_serialized_fields(item))
        data = to_bytes(self.encoder.encode(itemdict) + "\n", self.encoding)
        if isinstance(self.file, DurableJsonlFile):
            self.file.write_record(data, ItemAdapter(item).get("id"))
        else:
            self.file.write(data)
