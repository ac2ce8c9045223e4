"""``scrapy export``: round trips through every format, filters, cross-run dedup, bad lines."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from newscrawler.dataset.schema import from_columns, nested_fields, record_fields
from tests.dataset_helpers import (
    ArchivedCrawl,
    archived_crawl,
    body,
    by_id,
    drop_nulls,
    make_record,
    read_jsonl_any,
    scrapy,
    write_jsonl,
)

__all__ = ["archived_crawl"]  # the session fixture, imported for pytest


def export(cwd: Path, *args: str, ok: bool = True, isolated: bool = False) -> Any:
    proc = scrapy(cwd, "export", *args, isolated=isolated)
    if ok:
        assert proc.returncode == 0, proc.stderr[-3000:]
    return proc


def summary_value(stdout: str, label: str) -> str:
    for line in stdout.splitlines():
        if line.startswith(label + ":"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"no {label!r} in {stdout!r}")


@pytest.mark.parametrize("name", ["out.jsonl", "out.jsonl.gz", "out.jsonl.zst"])
def test_jsonl_export_of_a_crawl_equals_the_crawl(
    archived_crawl: ArchivedCrawl, tmp_path: Path, name: str
) -> None:
    crawl = archived_crawl.result
    proc = export(tmp_path, str(crawl.output), "-o", name, isolated=name == "out.jsonl")
    assert summary_value(proc.stdout, "records written") == str(len(crawl.records))
    assert read_jsonl_any(tmp_path / name) == crawl.records


def test_parquet_export_keeps_types_and_nested_fields(
    archived_crawl: ArchivedCrawl, tmp_path: Path
) -> None:
    crawl = archived_crawl.result
    export(tmp_path, str(crawl.output), "-o", "out.parquet")
    table = pq.read_table(tmp_path / "out.parquet")
    assert table.schema.names == record_fields()
    authors = table.schema.field("authors").type
    assert pa.types.is_list(authors) and pa.types.is_string(authors.value_type)
    assert pa.types.is_int64(table.schema.field("word_count").type)
    assert table.schema.field("source").type.num_fields == 3
    assert table.schema.field("related").type.value_type.num_fields >= 5
    rows = [from_columns(r) for r in table.to_pylist()]
    assert drop_nulls(rows) == drop_nulls(crawl.records)
    assert any(r["authors"] for r in rows)  # nested lists came through non-empty


def test_parquet_round_trip_of_nested_values(tmp_path: Path) -> None:
    records = [
        make_record("https://a.example/1", body(1)),
        make_record(
            "https://a.example/2",
            body(2),
            source=None,
            related=[],
            tags=["x", "Ü"],
            author_roles=[{"name": "Б. Иванов", "roles": ["author", "photo"]}],
        ),
    ]
    write_jsonl(tmp_path / "in.jsonl", records)
    export(tmp_path, "in.jsonl", "-o", "out.parquet", "--row-group-size", "1")
    parquet = pq.ParquetFile(tmp_path / "out.parquet")
    assert parquet.metadata.num_row_groups == 2
    back = [from_columns(r) for r in parquet.read().to_pylist()]
    assert drop_nulls(back) == drop_nulls(records)


def test_csv_export_writes_nested_fields_as_json(
    archived_crawl: ArchivedCrawl, tmp_path: Path
) -> None:
    crawl = archived_crawl.result
    export(tmp_path, str(crawl.output), "-o", "out.csv")
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == record_fields()
    nested = nested_fields()
    for row, record in zip(rows, crawl.records, strict=True):
        for name, value in record.items():
            if value is None:
                assert row[name] == "", name
            elif name in nested:
                assert json.loads(row[name]) == value, name
            else:
                assert row[name] == str(value), name


def test_fields_option_selects_and_orders_columns(
    archived_crawl: ArchivedCrawl, tmp_path: Path
) -> None:
    crawl = archived_crawl.result
    export(tmp_path, str(crawl.output), "-o", "out.csv", "--fields", "title,id,authors")
    with (tmp_path / "out.csv").open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh)
        assert next(reader) == ["title", "id", "authors"]
    export(tmp_path, str(crawl.output), "-o", "out.parquet", "--fields", "url,word_count")
    assert pq.read_table(tmp_path / "out.parquet").schema.names == ["url", "word_count"]
    bad = export(tmp_path, str(crawl.output), "-o", "x.csv", "--fields", "id,nope", ok=False)
    assert bad.returncode == 2
    assert "unknown field(s): nope" in bad.stderr


def test_partitioned_parquet_by_date_reads_back_as_one_dataset(
    archived_crawl: ArchivedCrawl, tmp_path: Path
) -> None:
    crawl = archived_crawl.result
    export(tmp_path, str(crawl.output), "-o", "dataset", "--partition-by", "date")
    days = {r["published"][:10] for r in crawl.records}
    assert {p.name for p in (tmp_path / "dataset").iterdir()} == {f"date={d}" for d in days}
    table = ds.dataset(tmp_path / "dataset", format="parquet", partitioning="hive").to_table()
    rows = table.to_pylist()
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in crawl.records)
    assert all(r["date"] == r["published"][:10] for r in rows)
    # the folder is itself an input: same records again
    again = export(tmp_path, "dataset", "-o", "again.jsonl")
    assert summary_value(again.stdout, "bad lines skipped") == "0"
    again_records = by_id(read_jsonl_any(tmp_path / "again.jsonl"))
    assert drop_nulls(again_records) == drop_nulls(by_id(crawl.records))


def test_partition_by_site_restores_site_when_read_back(tmp_path: Path) -> None:
    records = [make_record(f"https://{h}.example/{i}", body(i)) for i, h in enumerate("aabc")]
    write_jsonl(tmp_path / "in.jsonl", records)
    export(tmp_path, "in.jsonl", "-o", "by-site", "--partition-by", "site")
    assert sorted(p.name for p in (tmp_path / "by-site").iterdir()) == [
        "site=a.example",
        "site=b.example",
        "site=c.example",
    ]
    export(tmp_path, "by-site", "-o", "back.jsonl")
    assert drop_nulls(by_id(read_jsonl_any(tmp_path / "back.jsonl"))) == drop_nulls(by_id(records))
    refused = export(tmp_path, "in.jsonl", "-o", "by-site", "--partition-by", "site", ok=False)
    assert refused.returncode == 2
    assert "not empty" in refused.stderr


def test_cross_run_dedup_follows_the_crawl_rules(tmp_path: Path) -> None:
    a = make_record("https://a.example/a", body(1))
    b = make_record("https://a.example/b", body(2))
    c = make_record("https://a.example/c", body(3))
    d = make_record("https://b.example/d", body(4))
    c_copy = make_record("https://b.example/copy-of-c", body(3))  # same text, other URL
    a_update = make_record("https://a.example/a", body(1) + " Update: more words.")
    write_jsonl(tmp_path / "runs" / "2024-03-10.jsonl", [a, b, c])
    write_jsonl(tmp_path / "runs" / "2024-03-11.jsonl.gz", [b, c_copy, a_update, d])
    proc = export(tmp_path, "runs", "-o", "merged.jsonl")
    merged = read_jsonl_any(tmp_path / "merged.jsonl")
    assert [r["id"] for r in merged] == [a["id"], b["id"], c["id"], a_update["id"], d["id"]]
    assert merged[3]["version_of"] == a["id"]
    assert summary_value(proc.stdout, "duplicates").startswith("2 dropped")
    assert "duplicate_url=1" in proc.stdout and "duplicate_fingerprint=1" in proc.stdout
    kept_all = export(tmp_path, "runs", "-o", "all.jsonl", "--no-dedup")
    assert summary_value(kept_all.stdout, "records written") == "7"


def test_filters_select_dates_sites_languages_lengths_and_duplicates(tmp_path: Path) -> None:
    records = [
        make_record("https://a.example/1", body(1), published="2024-03-01T23:30:00-05:00"),
        make_record("https://a.example/2", body(2), published="2024-03-05"),
        make_record("https://news.a.example/3", body(3), published="2024-03-09T08:00:00Z"),
        make_record("https://b.example/4", body(4), published="2024-03-05", language="ru"),
        make_record("https://a.example/5", body(5, 10), published="2024-03-05"),
        make_record("https://a.example/6", body(6), published=None, published_raw=None),
        make_record(
            "https://a.example/7",
            body(7),
            published="2024-03-06",
            duplicate_of="https://b.example/4",
        ),
    ]
    write_jsonl(tmp_path / "in.jsonl", records)
    proc = export(
        tmp_path,
        "in.jsonl",
        "-o",
        "out.jsonl",
        "--since",
        "2024-03-02",
        "--until",
        "2024-03-09",
        "--site",
        "a.example",
        "--language",
        "en,de",
        "--min-words",
        "20",
        "--no-duplicates",
    )
    kept = [r["url"] for r in read_jsonl_any(tmp_path / "out.jsonl")]
    assert kept == ["https://a.example/2", "https://news.a.example/3"]
    assert "before_since=1" in proc.stdout  # 2024-03-01 in its own offset
    assert "no_date=1" in proc.stdout
    bad_date = export(tmp_path, "in.jsonl", "-o", "x.jsonl", "--since", "March", ok=False)
    assert bad_date.returncode == 2


def test_bad_lines_are_reported_with_file_and_line_and_skipped(tmp_path: Path) -> None:
    good = make_record("https://a.example/1", body(1))
    other = make_record("https://a.example/2", body(2))
    invalid = make_record("https://a.example/3", body(3), language="english")
    lines = [
        good,
        '{"id": "abc", "url": ',  # truncated JSON
        "[1, 2, 3]",
        invalid,
        "",
        other,
        '{"id": "0123456789abcdef0123"',  # a truncated last line, as a crash leaves it
    ]
    write_jsonl(tmp_path / "bad.jsonl.zst", lines)
    proc = export(tmp_path, "bad.jsonl.zst", "-o", "out.jsonl")
    errors = proc.stderr.splitlines()
    assert errors[0].startswith("bad.jsonl.zst:2: invalid JSON")
    assert errors[1] == "bad.jsonl.zst:3: not a JSON object: list"
    assert errors[2].startswith("bad.jsonl.zst:4: schema: language: 'english' does not match")
    assert errors[3].startswith("bad.jsonl.zst:7: invalid JSON")
    assert summary_value(proc.stdout, "bad lines skipped") == "4"
    assert [r["id"] for r in read_jsonl_any(tmp_path / "out.jsonl")] == [good["id"], other["id"]]
    strict = export(
        tmp_path, "bad.jsonl.zst", "-o", "out.jsonl", "--strict", "--show-errors", "2", ok=False
    )
    assert strict.returncode == 1
    assert strict.stderr.splitlines()[2:] == ["(more bad lines not shown: the limit is 2)"]


def test_compressed_and_plain_inputs_merge(archived_crawl: ArchivedCrawl, tmp_path: Path) -> None:
    records = archived_crawl.result.records
    write_jsonl(tmp_path / "in" / "a.jsonl.gz", records[:3])
    write_jsonl(tmp_path / "in" / "b.jsonl.zst", records[3:5])
    write_jsonl(tmp_path / "in" / "sub" / "c.jsonl", records[5:])
    (tmp_path / "in" / "notes.txt").write_text("not a dataset file")
    (tmp_path / "in" / "stats.json").write_text('{"item_scraped_count": 7}')
    proc = export(tmp_path, "in", "-o", "in/merged.parquet")
    assert summary_value(proc.stdout, "files read") == "3"
    proc = export(tmp_path, "in", "-o", "in/merged.parquet")  # the output is not an input
    assert summary_value(proc.stdout, "files read") == "3"
    rows = [from_columns(r) for r in pq.read_table(tmp_path / "in/merged.parquet").to_pylist()]
    assert drop_nulls(rows) == drop_nulls(records)


def test_missing_input_and_unknown_format_are_usage_errors(tmp_path: Path) -> None:
    missing = export(tmp_path, "nope.jsonl", "-o", "out.jsonl", ok=False)
    assert missing.returncode == 2
    assert "no such file or folder: nope.jsonl" in missing.stderr
    write_jsonl(tmp_path / "in.jsonl", [make_record("https://a.example/1", body(1))])
    unknown = export(tmp_path, "in.jsonl", "-o", "out.xlsx", ok=False)
    assert unknown.returncode == 2
    assert "--format" in unknown.stderr
    assert not (tmp_path / "out.xlsx").exists()


def test_export_of_inputs_without_records_writes_nothing_and_fails(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "kept.parquet").write_bytes(b"an earlier export")
    no_files = export(tmp_path, "empty/", "-o", "x.parquet", ok=False)
    assert no_files.returncode == 2
    assert no_files.stderr.strip().splitlines() == [
        "export: error: no JSONL or Parquet files in empty/"
    ]
    assert not (tmp_path / "x.parquet").exists()
    (tmp_path / "empty" / "run.jsonl").write_text("", encoding="utf-8")
    no_records = export(tmp_path, "empty/", "-o", "kept.parquet", ok=False)
    assert no_records.returncode == 1
    assert no_records.stderr.strip().splitlines() == [
        "export: error: no valid records in 1 file(s): nothing written"
    ]
    assert (tmp_path / "kept.parquet").read_bytes() == b"an earlier export"
    assert not list(tmp_path.glob(".*.partial"))
