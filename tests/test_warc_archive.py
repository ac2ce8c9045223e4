"""WARC archive written during a crawl, and ``scrapy reextract`` rebuilding the records."""

from __future__ import annotations

import json
import re
from io import BytesIO
from pathlib import Path

import pytest
from scrapy.exceptions import NotConfigured
from scrapy.utils.test import get_crawler
from warcio.archiveiterator import ArchiveIterator
from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

from newscrawler.archive.middleware import WarcArchiveMiddleware
from newscrawler.archive.reextract import Reextractor, read_archive
from newscrawler.extraction import ExtractionOptions
from tests.conftest import run_crawl
from tests.dataset_helpers import ArchivedCrawl, archived_crawl, by_id, read_jsonl_any, scrapy
from tests.site.routes import ARTICLES, news_site_routes
from tests.site.server import PAGES, LoopbackSite

__all__ = ["archived_crawl"]

WARC_NAME = re.compile(r"^newscrawler-\d{14}-\d{5}\.warc\.gz$")
# Pages the spider sends to extraction, and so archives: the articles and /about.html (not
# clearly a hub, so extracted, and rejected as too short).
CANDIDATES = len(ARTICLES) + 1


def warc_records(folder: Path) -> list[tuple[str, str, dict[str, str], bytes]]:
    out = []
    for path in sorted(folder.iterdir()):
        with path.open("rb") as fh:
            for record in ArchiveIterator(fh):
                headers = dict(record.rec_headers.headers)
                out.append(
                    (
                        record.rec_type,
                        headers.get("WARC-Target-URI", ""),
                        headers,
                        record.content_stream().read(),
                    )
                )
    return out


def test_crawl_archives_request_response_and_metadata_of_every_article(
    archived_crawl: ArchivedCrawl,
) -> None:
    files = sorted(p.name for p in archived_crawl.warc_dir.iterdir())
    assert len(files) == 1 and WARC_NAME.match(files[0]), files  # closed: no ".open" left
    records = warc_records(archived_crawl.warc_dir)
    assert records[0][0] == "warcinfo"
    crawled = {r["url"] for r in archived_crawl.result.records}
    about = next(u for u in {uri for _, uri, _, _ in records} if u.endswith("/about.html"))
    for kind in ("request", "response", "metadata"):
        assert {uri for k, uri, _, _ in records if k == kind} == {*crawled, about}, kind
    responses = {uri: (h, payload) for k, uri, h, payload in records if k == "response"}
    bridge = next(u for u in crawled if u.endswith("harbour-bridge-reopens.html"))
    headers, payload = responses[bridge]
    assert payload == (PAGES / "en-bridge.html").read_bytes()
    assert re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$", headers["WARC-Date"])
    metadata = [json.loads(p) for k, _, _, p in records if k == "metadata"]
    assert all({"fetched_at", "depth", "hints"} <= m.keys() for m in metadata)
    stats = archived_crawl.result.stats
    assert stats["newscrawler/warc/responses"] == CANDIDATES
    assert stats["newscrawler/warc/files"] == 1


def test_reextract_gives_the_records_of_the_crawl(
    archived_crawl: ArchivedCrawl, tmp_path: Path
) -> None:
    proc = scrapy(
        tmp_path, "reextract", str(archived_crawl.warc_dir), "-o", "re.jsonl", isolated=True
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"records written:    {len(ARTICLES)}" in proc.stdout
    again = read_jsonl_any(tmp_path / "re.jsonl")
    assert by_id(again) == by_id(archived_crawl.result.records)  # fetched_at included


def test_warc_files_rotate_by_size_and_reextract_reads_them_all(tmp_path: Path) -> None:
    warc_dir = tmp_path / "warc"
    with LoopbackSite(news_site_routes()) as site:
        result = run_crawl(
            tmp_path,
            "-a",
            f"start_urls={site.url('/')}",
            settings={"NEWSCRAWLER_WARC_DIR": str(warc_dir), "NEWSCRAWLER_WARC_MAX_SIZE": "1"},
        )
    assert result.returncode == 0, result.log[-3000:]
    names = sorted(p.name for p in warc_dir.iterdir())
    assert len(names) == CANDIDATES  # one capture a file
    assert all(WARC_NAME.match(n) for n in names)
    assert len({n.rsplit("-", 1)[1] for n in names}) == len(names)  # serials differ
    assert result.stats["newscrawler/warc/files"] == CANDIDATES
    proc = scrapy(tmp_path, "reextract", *[str(warc_dir / n) for n in names], "-o", "re.parquet")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert f"records written:    {len(ARTICLES)}" in proc.stdout


def test_archive_is_off_without_a_folder() -> None:
    with pytest.raises(NotConfigured):
        WarcArchiveMiddleware.from_crawler(get_crawler(settings_dict={"NEWSCRAWLER_WARC_DIR": ""}))


def test_reextract_reads_warc_files_of_other_tools(tmp_path: Path) -> None:
    """No metadata record: the charset comes from Content-Type, fetched_at from WARC-Date."""
    html = (PAGES / "ru-moscow-cp1251.html").read_text("utf-8").encode("cp1251")
    path = tmp_path / "other.warc.gz"
    with path.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        http = StatusAndHeaders(
            "200 OK", [("Content-Type", "text/html; charset=windows-1251")], protocol="HTTP/1.0"
        )
        writer.write_record(
            writer.create_warc_record(
                "http://news.example/ru/vesna.html",
                "response",
                payload=BytesIO(html),
                length=len(html),
                http_headers=http,
                warc_headers_dict={"WARC-Date": "2024-03-27T08:15:00Z"},
            )
        )
    errors: list[str] = []
    reextractor = Reextractor(ExtractionOptions())
    records = list(reextractor.records(read_archive(path, lambda p, reason: errors.append(reason))))
    assert errors == []
    assert len(records) == 1
    assert records[0]["fetched_at"] == "2024-03-27T08:15:00+00:00"
    assert "у Киевского вокзала" in records[0]["text"]  # decoded as windows-1251


def test_damaged_warc_is_reported_and_the_rest_kept(
    archived_crawl: ArchivedCrawl, tmp_path: Path
) -> None:
    source = next(archived_crawl.warc_dir.iterdir())
    (tmp_path / "broken.warc.gz").write_bytes(source.read_bytes()[:-200])
    (tmp_path / "garbage.warc").write_bytes(b"not a warc file at all\n" * 10)
    proc = scrapy(tmp_path, "reextract", "broken.warc.gz", "garbage.warc", "-o", "re.jsonl")
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "garbage.warc: unreadable" in proc.stderr
    written = len(read_jsonl_any(tmp_path / "re.jsonl"))
    assert len(ARTICLES) - 1 <= written <= len(ARTICLES)
    strict = scrapy(tmp_path, "reextract", "garbage.warc", "-o", "x.jsonl", "--strict")
    assert strict.returncode == 1
