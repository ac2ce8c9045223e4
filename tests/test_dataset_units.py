"""Pure parts of the dataset package: the fast schema check, filters, dedup, Arrow schema."""

from __future__ import annotations

import copy
from typing import Any

import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from newscrawler.dataset.dedup import (
    NEAR,
    NEW,
    REPEAT,
    SAME_TEXT,
    VERSION,
    CrossRunDeduplicator,
)
from newscrawler.dataset.filters import RecordFilter
from newscrawler.dataset.schema import from_columns, record_schema
from newscrawler.dataset.validation import RecordValidator, compile_schema
from newscrawler.schemas import article_schema, article_validator
from tests.dataset_helpers import body, make_record

BASE = make_record("https://a.example/1", body(1))

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 5)
    | st.floats(allow_nan=False, allow_infinity=False, width=32)
    | st.sampled_from(
        ["", "en", "eng", "x", "2024-03-01", "https://a.example/", "0123456789abcdef"]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["name", "roles", "title", "url", "raw", "value", "label", "x"]),
            inner,
            max_size=3,
        )
    ),
    max_leaves=6,
)
paths = st.lists(
    st.sampled_from([*BASE, "related", "author_roles", 0, "name", "roles", "dates", "extra"]),
    min_size=1,
    max_size=4,
)


def mutate(record: dict[str, Any], path: list[Any], value: Any) -> dict[str, Any]:
    """``record`` with the value at ``path`` (as far as it leads) replaced or deleted."""
    out = copy.deepcopy(record)
    target: Any = out
    for step in path[:-1]:
        try:
            nxt = target[step]
        except (KeyError, IndexError, TypeError):
            break
        if not isinstance(nxt, (dict, list)):
            break
        target = nxt
    last = path[-1]
    if isinstance(target, dict) and isinstance(last, str):
        if value == "<delete>":
            target.pop(last, None)
        else:
            target[last] = value
    elif isinstance(target, list) and isinstance(last, int) and target:
        target[0] = value
    return out


@settings(max_examples=400, deadline=None)
@given(paths, json_values | st.just("<delete>"))
def test_compiled_schema_check_agrees_with_jsonschema(path: list[Any], value: Any) -> None:
    schema = article_schema()
    check = compile_schema(schema, schema)
    record = mutate(BASE, path, value)
    assert check(record) == article_validator().is_valid(record)


def test_validator_messages_come_from_jsonschema() -> None:
    validator = RecordValidator()
    assert validator.errors(BASE) == []
    errors = validator.errors({**BASE, "word_count": -1, "language": "EN"})
    assert any(e.startswith("word_count:") for e in errors)
    assert any(e.startswith("language:") for e in errors)
    assert (
        validator.errors({"id": "0123456789abcdef", "url": "https://a.example/"}, partial=True)
        == []
    )
    assert validator.errors({"id": "0123456789abcdef"}) != []


def test_dedup_verdicts_and_version_links() -> None:
    a = make_record("https://a.example/a", body(1))
    a_copy = make_record("https://b.example/a", body(1))
    a_new = make_record("https://a.example/a", body(2))
    with CrossRunDeduplicator() as dedup:
        assert dedup.check(dict(a)) == NEW
        assert dedup.check(dict(a)) == REPEAT
        assert dedup.check(dict(a_copy)) == SAME_TEXT
        updated = dict(a_new)
        assert dedup.check(updated) == VERSION
        assert updated["version_of"] == a["id"]
        assert dict(dedup.counts) == {NEW: 1, REPEAT: 1, SAME_TEXT: 1, VERSION: 1}


def test_near_duplicates_are_marked_with_the_first_copy_when_asked() -> None:
    story = body(1, 200)
    a = make_record("https://a.example/a", story)
    b = make_record("https://b.example/b", "Breaking: " + story + " (Wire)")
    with CrossRunDeduplicator(near=True) as dedup:
        assert dedup.check(a) == NEW
        assert dedup.check(b) == NEAR
    assert b["duplicate_of"] == "https://a.example/a"
    assert a["duplicate_of"] is None
    with CrossRunDeduplicator() as exact_only:
        exact_only.check(dict(a))
        assert exact_only.check(dict(b)) == NEW


def test_filter_dates_compare_the_pages_own_calendar_day() -> None:
    keep = RecordFilter(since="2024-03-02", until="2024-03-02").keep
    assert keep({"published": "2024-03-02T23:59:00-05:00"})  # 3 March in UTC: still kept
    assert not keep({"published": "2024-03-01T23:00:00Z"})
    assert not keep({"published": None})
    assert keep({"published": "2024-03-02"})


def test_filter_sites_include_subdomains() -> None:
    keep = RecordFilter(sites=["example.org"]).keep
    assert keep({"site": "example.org"})
    assert keep({"site": "news.example.org"})
    assert not keep({"site": "badexample.org"})


def test_arrow_schema_follows_the_json_schema() -> None:
    schema = record_schema()
    assert schema.names == list(article_schema()["properties"])
    roles = schema.field("author_roles").type.value_type
    assert pa.types.is_struct(roles)
    assert [roles.field(i).name for i in range(roles.num_fields)] == ["name", "roles"]
    row = pa.Table.from_pylist([BASE], schema=schema).to_pylist()[0]
    assert "dates" not in from_columns(row)["related"][0]  # absent, not null
    assert article_validator().is_valid(from_columns(row))
