"""Rebuild records from WARC files with the current extraction code, without the network.

Each response record becomes the :class:`Page` the spider made of it: the page metadata record
written beside it (``application/json``, ``WARC-Concurrent-To`` the response) gives its hints,
depth and ``fetched_at``; for WARC files from other tools the charset comes from the
``Content-Type`` header and ``fetched_at`` from the ``WARC-Date``. Extraction runs with "now" set
to the fetch time, so date plausibility checks decide as they did during the crawl.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from itemadapter import ItemAdapter
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newscrawler.extraction import ExtractionOptions, extract_article
from newscrawler.items import Page, PageHints
from newscrawler.pipelines.extract import article_from_extraction, options_for_page

logger = logging.getLogger(__name__)

WARC_SUFFIXES = (".warc", ".warc.gz")


def expand_warcs(inputs: Iterable[str | Path]) -> list[Path]:
    """WARC files named, and those inside folders named (sorted). Raises FileNotFoundError."""
    files: list[Path] = []
    for item in inputs:
        path = Path(item)
        if path.is_dir():
            files.extend(sorted(p for p in path.rglob("*") if p.name.endswith(WARC_SUFFIXES)))
        elif path.is_file():
            files.append(path)
        else:
            raise FileNotFoundError(f"no such file or folder: {path}")
    return files


@dataclass
class ArchivedResponse:
    url: str
    status: int
    body: bytes
    content_type: str
    warc_date: str
    record_id: str
    metadata: dict[str, Any] | None = None


def fetched_at_of(warc_date: str) -> str:
    """``fetched_at`` as the spider writes it, from a WARC-Date."""
    try:
        moment = datetime.fromisoformat(warc_date.replace("Z", "+00:00"))
    except ValueError:
        return ""
    return moment.astimezone(timezone.utc).isoformat(timespec="seconds")


def charset_of(content_type: str) -> str | None:
    for part in content_type.lower().split(";")[1:]:
        name, _, value = part.strip().partition("=")
        if name == "charset" and value:
            return value.strip("\"' ")
    return None


def page_of(archived: ArchivedResponse) -> Page:
    """The :class:`Page` the spider made of this response."""
    meta = dict(archived.metadata or {})
    known = {f.name for f in dataclasses.fields(Page)} - {"body", "hints"}
    values = {k: v for k, v in meta.items() if k in known}
    hint_fields = {f.name for f in dataclasses.fields(PageHints)}
    hints = PageHints(**{k: v for k, v in (meta.get("hints") or {}).items() if k in hint_fields})
    values.setdefault("url", archived.url)
    values.setdefault("status", archived.status)
    values.setdefault("declared_encoding", charset_of(archived.content_type))
    values.setdefault("fetched_at", fetched_at_of(archived.warc_date))
    return Page(body=archived.body, hints=hints, **values)


def read_archive(path: Path, on_error: Any) -> Iterator[ArchivedResponse]:
    """Responses of one WARC file with their page metadata; damage is reported, not raised."""
    pending: ArchivedResponse | None = None
    try:
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                if record.format != "warc":  # warcio reads anything else as ARC
                    on_error(path, "unreadable: not a WARC file")
                    return
                kind = record.rec_type
                headers = record.rec_headers
                if kind == "response":
                    if pending is not None:
                        yield pending
                    http = record.http_headers
                    pending = ArchivedResponse(
                        url=headers.get_header("WARC-Target-URI") or "",
                        status=int(http.get_statuscode() or 0) if http else 0,
                        body=record.content_stream().read(),
                        content_type=(http.get_header("Content-Type") or "") if http else "",
                        warc_date=headers.get_header("WARC-Date") or "",
                        record_id=headers.get_header("WARC-Record-ID") or "",
                    )
                elif (
                    kind == "metadata"
                    and pending is not None
                    and headers.get_header("WARC-Concurrent-To") == pending.record_id
                    and (headers.get_header("Content-Type") or "").startswith("application/json")
                ):
                    try:
                        pending.metadata = json.loads(record.content_stream().read())
                    except ValueError as exc:
                        on_error(path, f"bad metadata for {pending.url}: {exc}")
                    yield pending
                    pending = None
    except (OSError, EOFError, ArchiveLoadFailed, ValueError) as exc:
        on_error(path, f"unreadable: {exc}")
    if pending is not None:
        yield pending


@dataclass
class Reextractor:
    """Pages from WARC files → records, counting what gave none."""

    options: ExtractionOptions
    counts: Counter[str] = dataclasses.field(default_factory=Counter)

    def records(self, archived: Iterable[ArchivedResponse]) -> Iterator[dict[str, Any]]:
        for item in archived:
            self.counts["responses"] += 1
            page = page_of(item)
            try:
                now = datetime.fromisoformat(page.fetched_at) if page.fetched_at else None
            except ValueError:
                now = None
            result = extract_article(
                page.body,
                page.url,
                declared_encoding=page.declared_encoding,
                hints=page.hints,
                options=options_for_page(self.options, page),
                now=now,
            )
            if result.fields is None:
                self.counts[f"failed/{result.reason}"] += 1
                logger.info("No article from %s: %s (%s)", page.url, result.reason, result.detail)
                continue
            self.counts["articles"] += 1
            yield ItemAdapter(article_from_extraction(page, result)).asdict()
