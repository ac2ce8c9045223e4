"""The Arrow schema of a record, derived from the shipped JSON Schema.

Deriving it keeps Parquet exports in step with the record: a field added to
``article.schema.json`` appears in the Parquet schema without further code. Dates stay ISO 8601
strings, as in the JSONL: they carry the page's own UTC offset and may be dates without a time,
which an Arrow timestamp cannot keep.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import pyarrow as pa

from newscrawler.schemas import article_schema

_SCALARS = {
    "string": pa.string(),
    "integer": pa.int64(),
    "number": pa.float64(),
    "boolean": pa.bool_(),
}


def resolve(node: dict[str, Any], root: dict[str, Any]) -> dict[str, Any]:
    """``node`` with a local ``$ref`` (``#/...``) followed."""
    while "$ref" in node:
        target: Any = root
        for part in node["$ref"].removeprefix("#/").split("/"):
            target = target[part]
        node = {**target, **{k: v for k, v in node.items() if k != "$ref"}}
    return node


def json_types(node: dict[str, Any]) -> list[str]:
    """The JSON types a schema node allows, ``null`` included."""
    types = node.get("type", [])
    return [types] if isinstance(types, str) else list(types)


def arrow_type(node: dict[str, Any], root: dict[str, Any]) -> pa.DataType:
    """Arrow type for one JSON Schema node (objects become structs, arrays lists)."""
    node = resolve(node, root)
    types = [t for t in json_types(node) if t != "null"]
    if len(types) != 1:
        raise ValueError(f"cannot map JSON types {types!r} to one Arrow type")
    kind = types[0]
    if kind == "object":
        props = node.get("properties", {})
        return pa.struct([pa.field(k, arrow_type(v, root)) for k, v in props.items()])
    if kind == "array":
        return pa.list_(arrow_type(node.get("items", {"type": "string"}), root))
    return _SCALARS[kind]


@lru_cache(maxsize=1)
def record_schema() -> pa.Schema:
    """Arrow schema of a full record, fields in the JSON Schema's order."""
    root = article_schema()
    return pa.schema(
        [pa.field(name, arrow_type(node, root)) for name, node in root["properties"].items()]
    )


def record_fields() -> list[str]:
    """Names of a record's fields, in schema order."""
    return list(article_schema()["properties"])


def required_fields() -> set[str]:
    return set(article_schema().get("required", []))


def nested_fields() -> set[str]:
    """Fields whose values are lists or objects (written as JSON in CSV)."""
    root = article_schema()
    return {
        name
        for name, node in root["properties"].items()
        if {"object", "array"} & set(json_types(resolve(node, root)))
    }


def project(schema: pa.Schema, fields: list[str]) -> pa.Schema:
    """``schema`` restricted to ``fields``, in that order."""
    return pa.schema([schema.field(name) for name in fields])


def describe(name: str) -> str:
    """Description of a field for the dataset card (from the schema, else our own words)."""
    node = article_schema()["properties"].get(name, {})
    return str(node.get("description") or FIELD_DESCRIPTIONS.get(name, ""))


# Used where the JSON Schema gives no description.
FIELD_DESCRIPTIONS = {
    "id": "Id of this version of the article: hash of canonical_url and fingerprint.",
    "url": "URL the page was fetched from (after redirects).",
    "canonical_url": "Canonical URL of the article.",
    "site": "Host name of canonical_url without www.",
    "title": "Headline.",
    "text": "Main text; paragraphs separated by a blank line.",
    "description": "Summary or standfirst as declared by the page.",
    "authors": "Author names.",
    "author_roles": "Authors with their roles (author, editor, photographer, ...).",
    "published": "Publication date-time, ISO 8601 with the page's UTC offset.",
    "published_raw": "Publication date as written in the page.",
    "published_method": "Where the publication date came from.",
    "modified": "Last modification date-time, ISO 8601.",
    "modified_raw": "Modification date as written in the page.",
    "modified_method": "Where the modification date came from.",
    "language": "ISO 639-1 language code.",
    "source": "Original source of a syndicated article (name, url, label).",
    "related": "Related articles linked from the page (title, url, dates, authors, excerpt).",
    "tags": "Tags and keywords.",
    "image": "Lead image URL.",
    "word_count": "Words in text.",
    "fingerprint": "sha1 of the normalised body text.",
    "fetched_at": "When the page was fetched, ISO 8601 UTC.",
    "duplicate_of": "canonical_url of the first copy when this record is a near-duplicate.",
    "version_of": "id of the earlier version when this record is an updated article.",
}


def _allows_null(node: dict[str, Any]) -> bool:
    return "null" in json_types(node)


def _clean(value: Any, node: dict[str, Any], root: dict[str, Any]) -> Any:
    node = resolve(node, root)
    if isinstance(value, dict):
        props = node.get("properties", {})
        required = set(node.get("required", []))
        out = {}
        for key, item in value.items():
            sub = resolve(props.get(key, {}), root)
            if item is None and key not in required and not _allows_null(sub):
                continue
            out[key] = _clean(item, sub, root)
        return out
    if isinstance(value, list):
        items = node.get("items", {})
        return [_clean(item, items, root) for item in value]
    return value


def from_columns(record: dict[str, Any]) -> dict[str, Any]:
    """A record read from a columnar file, with the nulls that columns add for absent keys
    removed where the JSON Schema does not allow null (so it validates and equals the JSONL)."""
    cleaned: dict[str, Any] = _clean(record, article_schema(), article_schema())
    return cleaned
