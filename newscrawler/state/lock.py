"""One run at a time per state: an OS lock (``flock``) on ``<state>.lock``.

The lock file holds the holder's PID and start time as text (``<pid> <ISO time>``), for the
message another run shows. The kernel releases a ``flock`` when its process dies, so a lock left
by a killed run (``kill -9``, a crash, a reboot) never blocks the next one; the file stays, and
only the lock on it counts.
"""

from __future__ import annotations

import fcntl
import os
from datetime import datetime, timezone
from pathlib import Path

from newscrawler.errors import CrawlFailed, StateLocked
from newscrawler.state.location import shown


def lock_path(state: Path) -> Path:
    return state.with_name(state.name + ".lock")


class StateLock:
    """An exclusive, non-blocking ``flock`` on a state file's lock file."""

    def __init__(self, state: Path, what: str = "the crawl state") -> None:
        self.state = state
        self.what = what
        self.path = lock_path(state)
        self._fd: int | None = None

    def acquire(self) -> StateLock:
        """Take the lock or raise :class:`StateLocked` naming the holder."""
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise CrawlFailed(f"cannot open {self.what} {shown(self.state)}: {exc}") from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 200, 0).decode("utf-8", "replace").split()
            os.close(fd)
            who = (
                f"PID {holder[0]}, started {holder[1]}"
                if len(holder) >= 2
                else "a process that is starting"
            )
            raise StateLocked(
                f"{self.what} {shown(self.state)} is in use by another run ({who});"
                " this run stopped before crawling. Try again when that run has finished."
            ) from None
        except BaseException:
            os.close(fd)
            raise
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()} {started}\n".encode(), 0)
        self._fd = fd
        return self

    def release(self) -> None:
        """Give the lock up (the file stays: removing it would let two runs lock two files)."""
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        os.ftruncate(fd, 0)
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)

    def __enter__(self) -> StateLock:
        return self.acquire()

    def __exit__(self, *exc: object) -> None:
        self.release()
