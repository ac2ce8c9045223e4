"""The JSON Schema of a record, as shipped in the package."""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator


@lru_cache(maxsize=1)
def article_schema() -> dict[str, Any]:
    """The JSON Schema of a record (``article.schema.json``)."""
    text = resources.files(__name__).joinpath("article.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@lru_cache(maxsize=1)
def article_validator() -> Draft202012Validator:
    """``jsonschema``'s validator of the record schema (complete, with readable messages)."""
    return Draft202012Validator(article_schema())
