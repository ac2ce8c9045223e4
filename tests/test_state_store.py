"""The SQLite state store and the durable JSONL file, on real files."""

from __future__ import annotations

import json
import sqlite3
import time
from pathlib import Path

import pytest

from newscrawler.dedup.decision import Deduplicator, Verdict
from newscrawler.state.store import CachedPage, SQLiteStateStore, StateSchemaError
from newscrawler.storage.jsonl import DurableJsonlFile, read_lines, repair_tail
from tests.test_fingerprints import OTHER, STORY, SYNDICATED, record


def test_deduplicator_gives_the_same_verdicts_over_sqlite_across_reopen(tmp_path: Path) -> None:
    path = tmp_path / "state.sqlite3"
    store = SQLiteStateStore(path)
    dedup = Deduplicator(store)
    first = record("https://a.example/budget", STORY)
    assert dedup.process(first).verdict is Verdict.NEW
    assert dedup.process(record("https://d.example/bridge", OTHER)).verdict is Verdict.NEW
    store.close()

    store = SQLiteStateStore(path)  # a later run
    dedup = Deduplicator(store)
    assert dedup.process(dict(first)).verdict is Verdict.DUPLICATE_URL
    assert dedup.process(record("https://b.example/m", STORY)).verdict is (
        Verdict.DUPLICATE_FINGERPRINT
    )
    near = dedup.process(record("https://c.example/s", SYNDICATED))
    assert near.verdict is Verdict.NEAR_DUPLICATE and near.of is not None
    assert near.of.canonical_url == "https://a.example/budget"
    version = dedup.process(record("https://a.example/budget", STORY + " Обновлено."))
    assert version.verdict is Verdict.VERSION and version.of is not None
    assert version.of.id == first["id"]
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store.close()


def test_store_knows_canonical_and_final_urls(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite3")
    rec = record("https://a.example/budget", STORY)
    rec["url"] = "https://a.example/budget?utm_source=feed"
    Deduplicator(store).process(rec)
    assert store.knows_url("https://a.example/budget")
    assert store.knows_url("https://a.example/budget?utm_source=feed")
    assert not store.knows_url("https://a.example/other")
    store.add_known_urls(["https://a.example/amp/budget"])
    assert store.knows_url("https://a.example/amp/budget")
    seen = store.known_article("https://a.example/budget?utm_source=feed")
    assert seen is not None and seen.id == rec["id"]


def test_cached_pages_round_trip(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite3")
    page = CachedPage("https://a.example/", '"abc"', None, "text/html", b"<html>hub</html>")
    store.put_pages([page])
    assert store.cached_page("https://a.example/") == page
    assert store.cached_page("https://a.example/other") is None


def test_prune_forgets_old_articles_bands_and_pages(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite3")
    dedup = Deduplicator(store)
    dedup.process(record("https://a.example/budget", STORY))
    dedup.process(record("https://d.example/bridge", OTHER))
    store.db.execute("UPDATE articles SET first_seen = 0 WHERE canonical_url LIKE '%budget'")
    assert store.prune(time.time() - 86400) == 1
    counts = store.counts()
    assert counts.articles == 1 and counts.band_rows == 18
    assert not store.knows_url("https://a.example/budget")
    # the story is new again, and its syndicated copy no longer matches anything
    assert dedup.process(record("https://c.example/s", SYNDICATED)).verdict is Verdict.NEW


def test_reset_empties_the_store(tmp_path: Path) -> None:
    store = SQLiteStateStore(tmp_path / "s.sqlite3")
    Deduplicator(store).process(record("https://a.example/budget", STORY))
    store.set_output_offset("/tmp/x.jsonl", 10)
    store.reset()
    assert store.counts().articles == 0 and store.output_offsets() == {}


def test_state_from_another_schema_version_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "s.sqlite3"
    SQLiteStateStore(path).close()
    with sqlite3.connect(path) as db:
        db.execute("UPDATE meta SET value='999' WHERE key='schema'")
    with pytest.raises(StateSchemaError):
        SQLiteStateStore(path)


def test_repair_tail_cuts_torn_line_only(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"a": 1}\n{"b": 2}\n{"c": ')
    assert repair_tail(path) == len(b'{"c": ')
    assert path.read_bytes() == b'{"a": 1}\n{"b": 2}\n'
    assert repair_tail(path) == 0
    path.write_bytes(b'{"only": "torn')
    assert repair_tail(path) == len(b'{"only": "torn')
    assert path.read_bytes() == b""
    assert repair_tail(tmp_path / "missing.jsonl") == 0


def test_read_lines_reports_offsets_and_invalid_lines(tmp_path: Path) -> None:
    path = tmp_path / "a.jsonl"
    path.write_bytes(b'{"a": 1}\nnot json\n{"b": 2}\n{"torn')
    lines = list(read_lines(path))
    assert [line.record for line in lines] == [{"a": 1}, None, {"b": 2}]
    assert lines[-1].end == len(b'{"a": 1}\nnot json\n{"b": 2}\n')
    assert [line.record for line in read_lines(path, lines[0].end)][-1] == {"b": 2}


def test_durable_file_reports_ids_after_each_batch(tmp_path: Path) -> None:
    reports: list[tuple[list[str], str, int]] = []
    clock = [0.0]
    out = DurableJsonlFile(
        tmp_path / "out.jsonl",
        sync_items=2,
        sync_interval=5.0,
        on_durable=lambda ids, path, offset: reports.append((ids, path, offset)),
        clock=lambda: clock[0],
    )
    out.write_record(b'{"n": 1}\n', "r1")
    assert reports == []
    out.write_record(b'{"n": 2}\n', "r2")
    assert reports == [(["r1", "r2"], str(tmp_path / "out.jsonl"), 18)]
    out.write_record(b'{"n": 3}\n', "r3")
    assert not out.due()
    clock[0] = 6.0
    assert out.due()
    out.write_record(b'{"n": 4}\n', "r4")  # the interval has passed: synced at once
    assert reports[-1][0] == ["r3", "r4"]
    out.close()
    lines = (tmp_path / "out.jsonl").read_text().splitlines()
    assert [json.loads(x)["n"] for x in lines] == [1, 2, 3, 4]


def test_durable_file_appends_after_repair_or_overwrites(tmp_path: Path) -> None:
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"n": 0}\n{"n": ')
    out = DurableJsonlFile(path)
    out.write_record(b'{"n": 1}\n', "r1")
    out.close()
    assert path.read_bytes() == b'{"n": 0}\n{"n": 1}\n'
    again = DurableJsonlFile(path, overwrite=True)
    again.close()
    assert path.read_bytes() == b""


def test_dataset_folder_layouts(tmp_path: Path) -> None:
    day = DurableJsonlFile(tmp_path / "data", layout="day")
    day.write_record(b"{}\n")
    day.close()
    assert [p.name for p in (tmp_path / "data").iterdir()] == [
        time.strftime("%Y-%m-%d.jsonl", time.gmtime())
    ]
    run = DurableJsonlFile(tmp_path / "runs", layout="run")
    run.write_record(b"{}\n")
    run.close()
    assert [p.name for p in (tmp_path / "runs").iterdir()] == [f"articles-{run.run_stamp}.jsonl"]
    with pytest.raises(ValueError):
        DurableJsonlFile(tmp_path / "x", layout="week")
