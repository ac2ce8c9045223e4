"""Write captures (request + response + metadata records) to size-rotated, gzipped WARC files.

Files are named ``<prefix>-<UTC timestamp>-<serial>.warc.gz`` and written as ``….warc.gz.open``
until they are complete, then renamed: a file without ``.open`` is whole.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http import HTTPStatus
from io import BytesIO
from pathlib import Path
from typing import IO, Any
from urllib.parse import urlsplit

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawler import __version__

logger = logging.getLogger(__name__)

# Scrapy hands over decompressed bodies: these headers would no longer describe the payload.
_PAYLOAD_HEADERS = {"content-encoding", "transfer-encoding", "content-length"}


@dataclass
class Capture:
    """One fetched page as it goes into the archive."""

    url: str
    status: int
    body: bytes
    headers: list[tuple[str, str]]
    fetched_at: str  # ISO 8601, the page's fetched_at
    method: str = "GET"
    request_headers: list[tuple[str, str]] = field(default_factory=list)
    protocol: str = "HTTP/1.1"
    ip_address: str | None = None
    metadata: dict[str, Any] = field(default_factory=dict)  # JSON metadata record


def warc_date(fetched_at: str) -> str:
    """WARC-Date (UTC, second precision) of an ISO 8601 time; now when empty or invalid."""
    try:
        moment = datetime.fromisoformat(fetched_at)
    except ValueError:
        moment = datetime.now(timezone.utc)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def status_line(status: int) -> str:
    try:
        return f"{status} {HTTPStatus(status).phrase}"
    except ValueError:
        return f"{status} Unknown"


class WarcArchive:
    """Append captures to WARC files in ``folder``, starting a new file past ``max_size`` bytes."""

    def __init__(self, folder: Path, max_size: int, prefix: str = "newscrawler") -> None:
        self.folder = folder
        self.max_size = max_size
        self.prefix = prefix
        self.serial = 0
        self.files: list[Path] = []  # completed files
        self.opened = 0  # files started
        self.records = 0
        self._fh: IO[bytes] | None = None
        self._path: Path | None = None
        self._writer: WARCWriter | None = None

    def _open(self) -> WARCWriter:
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S")
        while True:
            self.serial += 1
            name = f"{self.prefix}-{stamp}-{self.serial:05d}.warc.gz"
            path = self.folder / name
            if not path.exists() and not path.with_name(name + ".open").exists():
                break
        self._path = path
        self._fh = path.with_name(path.name + ".open").open("xb")
        self.opened += 1
        self._writer = WARCWriter(self._fh, gzip=True)
        info = {
            "software": f"newscrawler/{__version__}",
            "format": "WARC File Format 1.1",
            "description": "Article pages fetched by newscrawler (bodies decompressed)",
        }
        self._writer.write_record(self._writer.create_warcinfo_record(name, info))
        logger.info("Writing WARC file %s", path)
        return self._writer

    def write(self, capture: Capture) -> None:
        """Write the request, response and metadata records of ``capture``."""
        writer = self._writer or self._open()
        date = warc_date(capture.fetched_at)
        response = self._response(writer, capture, date)
        response_id = response.rec_headers.get_header("WARC-Record-ID")
        request = self._request(writer, capture, date, response_id)
        metadata = writer.create_warc_record(
            capture.url,
            "metadata",
            payload=BytesIO(json.dumps(capture.metadata, ensure_ascii=False).encode("utf-8")),
            warc_content_type="application/json",
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id},
        )
        for record in (request, response, metadata):
            writer.write_record(record)
        self.records += 1
        assert self._fh is not None
        if self._fh.tell() >= self.max_size:
            self.close()

    def _response(self, writer: WARCWriter, capture: Capture, date: str) -> Any:
        headers = [(k, v) for k, v in capture.headers if k.lower() not in _PAYLOAD_HEADERS]
        headers.append(("Content-Length", str(len(capture.body))))
        http_headers = StatusAndHeaders(
            status_line(capture.status), headers, protocol=capture.protocol
        )
        warc_headers = {"WARC-Date": date}
        if capture.ip_address:
            warc_headers["WARC-IP-Address"] = capture.ip_address
        return writer.create_warc_record(
            capture.url,
            "response",
            payload=BytesIO(capture.body),
            length=len(capture.body),
            http_headers=http_headers,
            warc_headers_dict=warc_headers,
        )

    def _request(self, writer: WARCWriter, capture: Capture, date: str, response_id: str) -> Any:
        parts = urlsplit(capture.url)
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        headers = list(capture.request_headers)
        if not any(k.lower() == "host" for k, _ in headers):
            headers.insert(0, ("Host", parts.netloc))
        http_headers = StatusAndHeaders(
            f"{capture.method} {target} {capture.protocol}", headers, is_http_request=True
        )
        return writer.create_warc_record(
            capture.url,
            "request",
            payload=BytesIO(b""),
            length=0,
            http_headers=http_headers,
            warc_headers_dict={"WARC-Date": date, "WARC-Concurrent-To": response_id},
        )

    def close(self) -> None:
        """Finish the current file (flush, fsync, drop the ``.open`` suffix)."""
        if self._fh is None or self._path is None:
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        os.replace(self._path.with_name(self._path.name + ".open"), self._path)
        self.files.append(self._path)
        self._fh = self._writer = self._path = None
