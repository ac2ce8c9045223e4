"""Crash-safe JSONL files: whole lines appended, fsync in small batches, torn tails repaired.

Nothing here depends on Scrapy. A :class:`DurableJsonlFile` writes to one file, or to a dataset
folder with one file per UTC day or per run; after each ``fsync`` it reports which record ids
are now durable and the byte offset that covers them, so the caller can record them in the
crawl state *after* they are safely on disk.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, BinaryIO

logger = logging.getLogger(__name__)

LAYOUTS = ("day", "run")

# (record ids now durable, file path, offset just after their last line)
DurableCallback = Callable[[list[str], str, int], None]


def repair_tail(path: Path) -> int:
    """Cut a torn last line (no final newline) off ``path``; return the bytes removed."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        return 0
    if size == 0:
        return 0
    with path.open("rb+") as fh:
        fh.seek(size - 1)
        if fh.read(1) == b"\n":
            return 0
        end = size
        keep = 0
        while end > 0:
            start = max(0, end - 65536)
            fh.seek(start)
            chunk = fh.read(end - start)
            cut = chunk.rfind(b"\n")
            if cut >= 0:
                keep = start + cut + 1
                break
            end = start
        fh.truncate(keep)
        fh.flush()
        os.fsync(fh.fileno())
    return size - keep


def unwritable(path: Path, folder: bool = False) -> str | None:
    """Why an output file (or a dataset ``folder``) at ``path`` cannot be written, or ``None``.

    The folder is created as the file's writer would create it, and a probe file opened in it
    (an existing file is opened for appending, untouched), so that the answer holds for any user,
    root included. A path holding ``%(name)s`` placeholders is checked up to the first one.
    """
    text = str(path)
    if "%(" in text:
        path, folder = Path(text[: text.index("%(")] or "."), True
        if not text[: text.index("%(")].endswith(("/", os.sep)):
            path = path.parent
    directory = path if folder else path.parent
    existing = next(p for p in (directory, *directory.parents) if p.exists() or p == p.parent)
    if existing.exists() and not existing.is_dir():
        return f"{existing} is not a folder"
    try:
        directory.mkdir(parents=True, exist_ok=True)
        if not folder and path.exists():
            with path.open("ab"):
                pass
        else:
            with tempfile.TemporaryFile(dir=directory):
                pass
    except OSError as exc:
        return f"{exc.strerror or exc.__class__.__name__}: {exc.filename or directory}"
    return None


@dataclass(frozen=True)
class StoredLine:
    record: dict[str, Any] | None  # None when the line is not a JSON object
    end: int  # byte offset just after the line


def read_lines(path: Path, offset: int = 0) -> Iterator[StoredLine]:
    """Complete lines of ``path`` from ``offset`` on, parsed (a torn last line is skipped)."""
    with path.open("rb") as fh:
        fh.seek(offset)
        pos = offset
        for raw in fh:
            if not raw.endswith(b"\n"):
                return
            pos += len(raw)
            if not raw.strip():
                continue
            try:
                value = json.loads(raw)
            except ValueError:
                value = None
            yield StoredLine(value if isinstance(value, dict) else None, pos)


def dataset_files(folder: Path) -> list[Path]:
    """The JSONL files of a dataset folder, oldest name first."""
    return sorted(folder.glob("*.jsonl")) if folder.is_dir() else []


class DurableJsonlFile:
    """Append whole lines and make them durable (flush + fsync) every few lines or seconds.

    ``target`` is a file, or a folder when ``layout`` is ``"day"`` (``YYYY-MM-DD.jsonl`` by the
    UTC date of writing) or ``"run"`` (``articles-<UTC start time>.jsonl``). The file object
    interface (``write``/``flush``/``close``) lets Scrapy's feed exporter use it as its file.
    """

    def __init__(
        self,
        target: Path,
        *,
        layout: str | None = None,
        overwrite: bool = False,
        sync_items: int = 20,
        sync_interval: float = 1.0,
        on_durable: DurableCallback | None = None,
        on_open: Callable[[Path], None] | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if layout is not None and layout not in LAYOUTS:
            raise ValueError(f"unknown layout {layout!r}: use one of {', '.join(LAYOUTS)}")
        self.target = target
        self.layout = layout
        self.overwrite = overwrite
        self.sync_items = max(1, sync_items)
        self.sync_interval = sync_interval
        self.on_durable = on_durable
        self.on_open = on_open
        self.clock = clock
        self.run_stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        self.lines = 0
        self.syncs = 0
        self._fh: BinaryIO | None = None
        self._path: Path | None = None
        self._pending_ids: list[str] = []
        self._unsynced = 0
        self._last_sync = clock()
        self.closed = False

    # --- where lines go -----------------------------------------------------------------------
    def path_now(self) -> Path:
        if self.layout == "day":
            return self.target / f"{datetime.now(timezone.utc).date().isoformat()}.jsonl"
        if self.layout == "run":
            return self.target / f"articles-{self.run_stamp}.jsonl"
        return self.target

    def _file(self) -> BinaryIO:
        path = self.path_now()
        if self._fh is not None and path == self._path:
            return self._fh
        if self._fh is not None:
            self.sync()
            self._fh.close()
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "wb" if self.overwrite and self.layout is None else "ab"
        if mode == "ab":
            removed = repair_tail(path)
            if removed:
                logger.warning("Removed a torn last line (%d bytes) from %s", removed, path)
        fh: BinaryIO = path.open(mode)  # type: ignore[assignment]
        self._fh, self._path = fh, path
        if self.on_open is not None:
            self.on_open(path)
        return fh

    # --- writing ------------------------------------------------------------------------------
    def write_record(self, line: bytes, record_id: str | None = None) -> None:
        """Append one complete line (``line`` must end with a newline)."""
        if not line.endswith(b"\n"):
            line += b"\n"
        fh = self._file()
        fh.write(line)
        self.lines += 1
        self._unsynced += 1
        if record_id is not None:
            self._pending_ids.append(record_id)
        if (
            self._unsynced >= self.sync_items
            or self.clock() - self._last_sync >= self.sync_interval
        ):
            self.sync()

    def write(self, data: bytes) -> int:
        """File-object interface: ``data`` is one or more whole lines."""
        for line in data.splitlines(keepends=True):
            self.write_record(line)
        return len(data)

    def sync(self) -> None:
        """Flush and fsync the current file, then report the lines now durable."""
        self._last_sync = self.clock()
        if self._fh is None or (not self._unsynced and not self._pending_ids):
            return
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self.syncs += 1
        offset = self._fh.tell()
        ids, self._pending_ids, self._unsynced = self._pending_ids, [], 0
        if self.on_durable is not None and self._path is not None:
            self.on_durable(ids, str(self._path), offset)

    def due(self) -> bool:
        """Whether a timed sync is due (unsynced lines older than the interval)."""
        return bool(self._unsynced) and self.clock() - self._last_sync >= self.sync_interval

    def flush(self) -> None:
        self.sync()

    def close(self) -> None:
        if self.closed:
            return
        if self._fh is None and self.layout is None:
            self._file()  # an empty run still creates (or truncates) its output file
        self.sync()
        if self._fh is not None:
            self._fh.close()
        self.closed = True

    @property
    def current_path(self) -> Path | None:
        return self._path
