"""Where extraction spends its time: wall time per stage, for the throughput benchmark.

Stages wrap their work in :func:`timed`; nothing is measured unless a caller collects with
:func:`collect_stage_times`, so a crawl pays one context-variable lookup per stage.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_collected: ContextVar[dict[str, float] | None] = ContextVar("stage_times", default=None)


@contextmanager
def timed(stage: str) -> Iterator[None]:
    """Add the time spent in the ``with`` block to ``stage``, when times are being collected.

    A stage nested in another one is counted in both (``trafilatura`` within ``body``).
    """
    times = _collected.get()
    if times is None:
        yield
        return
    started = time.perf_counter()
    try:
        yield
    finally:
        times[stage] = times.get(stage, 0.0) + time.perf_counter() - started


@contextmanager
def collect_stage_times(times: dict[str, float] | None = None) -> Iterator[dict[str, float]]:
    """Collect the seconds spent per stage in the ``with`` block into ``times`` (a new dict
    when not given), which it yields."""
    times = {} if times is None else times
    token = _collected.set(times)
    try:
        yield times
    finally:
        _collected.reset(token)
