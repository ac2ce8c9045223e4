"""Requests as JSON for the frontier (never pickle: a frontier that unpickles runs code).

Scrapy's ``Request.to_dict`` / ``request_from_dict`` give the fields; bytes (headers, body) and
the spider's :class:`~newscrawler.items.PageHints` are tagged objects. A ``meta`` value that has
no JSON form is left out, counted and logged once: the request is still crawled.
"""

from __future__ import annotations

import json
import logging
from dataclasses import asdict
from typing import Any

from scrapy import Request, Spider
from scrapy.utils.request import request_from_dict

from newscrawler.items import PageHints

logger = logging.getLogger(__name__)

_BYTES = "__bytes__"
_HINTS = "__page_hints__"


class Unserialisable(Exception):
    """A value with no JSON form."""


def _encode(value: Any) -> Any:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, bytes):
        return {_BYTES: value.decode("latin-1")}
    if isinstance(value, PageHints):
        return {_HINTS: asdict(value)}
    if isinstance(value, (list, tuple)):
        return [_encode(v) for v in value]
    if isinstance(value, dict):
        # bytes keys (a request's header names) as their text: Scrapy's Headers take either
        return {
            k.decode("latin-1") if isinstance(k, bytes) else str(k): _encode(v)
            for k, v in value.items()
        }
    raise Unserialisable(type(value).__name__)


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode(v) for v in value]
    if isinstance(value, dict):
        if len(value) == 1:
            if _BYTES in value:
                return value[_BYTES].encode("latin-1")
            if _HINTS in value:
                return PageHints(**value[_HINTS])
        return {k: _decode(v) for k, v in value.items()}
    return value


def request_to_json(request: Request, spider: Spider) -> tuple[str, list[str]]:
    """The request as JSON, and the ``meta`` keys left out for having no JSON form."""
    fields = request.to_dict(spider=spider)
    meta = fields.pop("meta", {}) or {}
    dropped: list[str] = []
    kept: dict[str, Any] = {}
    for name, value in meta.items():
        try:
            kept[name] = _encode(value)
        except Unserialisable:
            dropped.append(name)
    encoded = {k: _encode(v) for k, v in fields.items()}
    encoded["meta"] = kept
    return json.dumps(encoded, ensure_ascii=False, separators=(",", ":")), dropped


def request_from_json(text: str, spider: Spider) -> Request:
    """The request back from :func:`request_to_json`."""
    fields = _decode(json.loads(text))
    return request_from_dict(fields, spider=spider)
