"""``scrapy report``: terminal tables, HTML with embedded charts, dataset card."""

from __future__ import annotations

import base64
import re
from collections import Counter
from html.parser import HTMLParser
from pathlib import Path

from tests.dataset_helpers import (
    ArchivedCrawl,
    archived_crawl,
    body,
    make_record,
    scrapy,
    write_jsonl,
)

__all__ = ["archived_crawl"]


class Tables(HTMLParser):
    """Rows of every <table class=...> and the src of every <img> in a page."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self.images: list[str] = []
        self._table: str | None = None
        self._cell: list[str] | None = None
        self._row: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        if tag == "table":
            self._table = a.get("class") or ""
            self.tables[self._table] = []
        elif tag == "tr":
            self._row = []
        elif tag == "td":
            self._cell = []
        elif tag == "img":
            self.images.append(a.get("src") or "")

    def handle_endtag(self, tag: str) -> None:
        if tag == "td" and self._cell is not None:
            self._row.append("".join(self._cell))
            self._cell = None
        elif tag == "tr" and self._table is not None and self._row:
            self.tables[self._table].append(self._row)
        elif tag == "table":
            self._table = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


def dataset(tmp_path: Path) -> list[dict[str, object]]:
    records = [
        make_record("https://a.example/1", body(1, 80), published="2024-03-01T10:00:00Z"),
        make_record("https://a.example/2", body(2, 120), published="2024-03-01T12:00:00Z"),
        make_record("https://b.example/3", body(3, 400), published="2024-03-02", language="de"),
        make_record(
            "https://b.example/4",
            body(4, 30),
            published=None,
            published_raw=None,
            language="ru",
            authors=[],
            duplicate_of="https://a.example/1",
        ),
    ]
    write_jsonl(tmp_path / "run1.jsonl", records[:3])
    write_jsonl(tmp_path / "run2.jsonl.gz", [records[1], *records[3:]])  # records[1] again
    return records


def test_report_html_embeds_charts_whose_data_match_the_counts(tmp_path: Path) -> None:
    records = dataset(tmp_path)
    proc = scrapy(tmp_path, "report", "run1.jsonl", "run2.jsonl.gz", "--html", "report.html")
    assert proc.returncode == 0, proc.stderr[-3000:]
    page = Tables()
    page.feed((tmp_path / "report.html").read_text("utf-8"))
    pngs = [src for src in page.images if src.startswith("data:image/png;base64,")]
    assert len(pngs) == 5
    assert all(base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n" for src in pngs)
    per_site = Counter(str(r["site"]) for r in records)
    assert {a: int(b) for a, b in page.tables["articles_per_site"]} == per_site
    assert {a: int(b) for a, b in page.tables["articles_per_day"]} == {
        "2024-03-01": 2,
        "2024-03-02": 1,
        "(none)": 1,
    }
    assert {a: int(b) for a, b in page.tables["languages"]} == {"en": 2, "de": 1, "ru": 1}
    summary = {a: b for a, b in page.tables["summary"]}
    assert summary["records"] == "4"
    duplicates = {a: int(b) for a, b in page.tables["duplicates"]}
    assert duplicates["repeated records (same id), not counted above"] == 1
    assert duplicates["near-duplicates (duplicate_of set)"] == 1
    missing = {a: b for a, b in page.tables["missing_fields"]}
    assert missing["authors"] == "25.0"
    assert missing["published"] == "25.0"
    lengths = {a: int(b) for a, b in page.tables["text_length"]}
    assert sum(lengths.values()) == 4
    assert lengths["300–499"] == 1  # body(3, 400) has 402 words
    # the same numbers in the terminal tables
    assert re.search(r"^\s+records\s+4$", proc.stdout, re.M)
    assert re.search(r"^\s+b\.example\s+2$", proc.stdout, re.M)


def test_report_writes_a_dataset_card_next_to_an_export(
    archived_crawl: ArchivedCrawl, tmp_path: Path
) -> None:
    crawl = archived_crawl.result
    export = scrapy(tmp_path, "export", str(crawl.output), "-o", "dataset/articles.parquet")
    assert export.returncode == 0, export.stderr[-3000:]
    proc = scrapy(
        tmp_path,
        "report",
        "dataset",
        "--card",
        "dataset",
        "--title",
        "Loopback news",
        isolated=True,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    card = (tmp_path / "dataset" / "README.md").read_text("utf-8")
    front, _, text = card.removeprefix("---\n").partition("\n---\n")
    assert 'pretty_name: "Loopback news"' in front
    assert '- "*.parquet"' in front
    assert f"| records | {len(crawl.records)} |" in text
    assert "| `authors` | `list<" in text
    assert "![Articles per publication day](articles_per_day.png)" in text
    png = (tmp_path / "dataset" / "articles_per_day.png").read_bytes()
    assert png.startswith(b"\x89PNG")
    for name in ("id", "text", "published", "related", "source"):
        assert f"| `{name}` |" in text


def test_report_counts_no_dedup_annotation_as_missing_and_has_one_length_section(
    tmp_path: Path,
) -> None:
    dataset(tmp_path)  # three of the four records have duplicate_of null, all have version_of null
    proc = scrapy(tmp_path, "report", "run1.jsonl", "run2.jsonl.gz", "--html", "report.html")
    assert proc.returncode == 0, proc.stderr[-3000:]
    html = (tmp_path / "report.html").read_text("utf-8")
    page = Tables()
    page.feed(html)
    missing = {a for a, _ in page.tables["missing_fields"]}
    assert "authors" in missing
    assert not missing & {"duplicate_of", "version_of"}
    assert not re.search(r"^\s+(duplicate_of|version_of)\s", proc.stdout, re.M)
    assert len(re.findall(r"<h2[^>]*>Text length", html)) == 1
    assert proc.stdout.count("Text length") == 1
    assert page.tables["len"]  # the statistics are still shown, under the histogram
