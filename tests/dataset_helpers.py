"""Helpers for the export, report and archive tests: records, files, running commands."""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterable
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import zstandard
from scrapy.cmdline import execute
from scrapy.settings import Settings

from newscrawler.dedup.fingerprint import record_id, text_fingerprint
from tests.conftest import CrawlResult, crawl_env, run_crawl
from tests.site.routes import ARTICLES, news_site_routes
from tests.site.server import LoopbackSite

_WORDS = [
    "harbour",
    "council",
    "budget",
    "strike",
    "transport",
    "bridge",
    "market",
    "river",
    "school",
    "winter",
]


def body(seed: int, words: int = 60) -> str:
    """A text of ``words`` words that differs for every ``seed``."""
    out = []
    state = seed * 7919 + 1
    for _ in range(words):
        state = (state * 1103515245 + 12345) % (1 << 31)
        out.append(_WORDS[state % len(_WORDS)])
    return f"Story {seed}. " + " ".join(out)


def make_record(canonical_url: str, text: str, **overrides: Any) -> dict[str, Any]:
    """A schema-valid record, as the crawl writes it."""
    fingerprint = text_fingerprint(text)
    site = canonical_url.split("/")[2]
    record: dict[str, Any] = {
        "id": record_id(canonical_url, fingerprint),
        "url": canonical_url,
        "canonical_url": canonical_url,
        "site": site,
        "title": f"Title of {canonical_url}",
        "text": text,
        "description": None,
        "authors": ["Ann Writer"],
        "author_roles": [{"name": "Ann Writer", "roles": ["author"]}],
        "published": "2024-03-10T09:00:00+01:00",
        "published_raw": "10 March 2024",
        "published_method": "jsonld",
        "modified": None,
        "modified_raw": None,
        "modified_method": None,
        "language": "en",
        "source": {"name": "Wire", "url": "https://wire.example/", "label": None},
        "related": [
            {
                "title": "Earlier",
                "url": "https://a.example/earlier",
                "published": "2024-03-01",
                "authors": [],
                "excerpt": None,
            }
        ],
        "tags": ["news"],
        "image": None,
        "word_count": len(text.split()),
        "fingerprint": fingerprint,
        "fetched_at": "2024-03-11T10:00:00+00:00",
        "duplicate_of": None,
        "version_of": None,
    }
    record.update(overrides)
    return record


def write_jsonl(path: Path, records: Iterable[dict[str, Any] | str]) -> Path:
    """Write records (dicts, or raw lines as str) to ``path``, compressed by suffix."""
    data = "".join(
        (r if isinstance(r, str) else json.dumps(r, ensure_ascii=False)) + "\n" for r in records
    ).encode("utf-8")
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.suffix == ".gz":
        data = gzip.compress(data)
    elif path.suffix == ".zst":
        data = zstandard.ZstdCompressor().compress(data)
    path.write_bytes(data)
    return path


def read_jsonl_any(path: Path) -> list[dict[str, Any]]:
    data = path.read_bytes()
    if path.suffix == ".gz":
        data = gzip.decompress(data)
    elif path.suffix == ".zst":
        data = zstandard.ZstdDecompressor().stream_reader(data).read()
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line]


def scrapy(
    cwd: Path, *args: str, isolated: bool = False, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run ``scrapy ARGS`` in ``cwd`` with the project's settings and capture what the user sees.

    With ``isolated`` it is ``python -m scrapy`` in a subprocess; otherwise Scrapy's own command
    line entry point runs in this process (the same code path, without the interpreter start).
    """
    if isolated:
        return subprocess.run(
            [sys.executable, "-m", "scrapy", *args],
            cwd=cwd,
            env=crawl_env(cwd),
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    settings = Settings()
    settings.setmodule("newscrawler.settings", priority="project")
    out, err = io.StringIO(), io.StringIO()
    code: int | str | None = 0
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            try:
                execute(["scrapy", *args], settings=settings)
            except SystemExit as exc:
                code = exc.code
    finally:
        os.chdir(previous)
    return subprocess.CompletedProcess(
        ["scrapy", *args], int(code or 0), out.getvalue(), err.getvalue()
    )


def by_id(records: Iterable[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {r["id"]: r for r in records}


@dataclass
class ArchivedCrawl:
    """A crawl of the loopback news site with the WARC archive on."""

    result: CrawlResult
    workdir: Path
    warc_dir: Path


@pytest.fixture(scope="session")
def archived_crawl(tmp_path_factory: pytest.TempPathFactory) -> ArchivedCrawl:
    """Crawl the basic news site once per test session, archiving to WARC."""
    workdir = tmp_path_factory.mktemp("archived-crawl")
    warc_dir = workdir / "warc"
    with LoopbackSite(news_site_routes()) as site:
        result = run_crawl(
            workdir,
            "-a",
            f"start_urls={site.url('/')}",
            settings={"NEWSCRAWLER_WARC_DIR": str(warc_dir)},
        )
    assert result.returncode == 0, result.log[-3000:]
    assert len(result.records) == len(ARTICLES)
    return ArchivedCrawl(result, workdir, warc_dir)


def drop_nulls(value: Any) -> Any:
    """``value`` with null-valued keys removed at every level: Parquet columns cannot tell an
    absent optional key from a null one, so round trips are compared up to that."""
    if isinstance(value, dict):
        return {k: drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [drop_nulls(v) for v in value]
    return value
