"""Dedup fingerprints are computed with the extraction, in the workers; the crawl's main process
neither loads datasketch/scipy nor computes a MinHash, nor loads the Redis client on one machine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from itemadapter import ItemAdapter
from scrapy.crawler import Crawler
from scrapy.utils.misc import build_from_crawler
from scrapy.utils.test import get_crawler

from newscrawler import settings as project_settings
from newscrawler.dedup.config import DedupConfig, dedup_config
from newscrawler.dedup.fingerprint import Fingerprints, fingerprints, record_id, text_fingerprint
from newscrawler.extraction import extract_article
from newscrawler.items import Article, Page
from newscrawler.pipelines.dedup import DedupPipeline
from newscrawler.pipelines.extract import (
    article_from_extraction,
    attach_fingerprints,
    attached_fingerprints,
)
from newscrawler.pipelines.extraction_pool import PageExtractor
from tests.conftest import run_crawl
from tests.site.server import LoopbackSite
from tests.test_fingerprints import OTHER, STORY, SYNDICATED
from tests.test_state_e2e import syndication_sites


def probed_crawl(workdir: Path, start: str, **settings: str) -> tuple[Any, dict[str, Any]]:
    probe = workdir / f"probe-{len(list(workdir.glob('probe-*')))}.json"
    extensions = {**project_settings.EXTENSIONS, "tests.process_probe.ProcessProbe": 900}
    result = run_crawl(
        workdir,
        "-a",
        f"start_urls={start}",
        settings={
            "EXTENSIONS": json.dumps(extensions),
            "PROCESS_PROBE_FILE": str(probe),
            **settings,
        },
        overwrite=False,
    )
    assert result.returncode == 0, result.log[-3000:]
    return result, json.loads(probe.read_text("utf-8"))


def test_syndicated_copy_is_linked_with_signatures_from_the_workers(tmp_path: Path) -> None:
    routes_a, routes_b, _ = syndication_sites()
    with LoopbackSite(routes_a) as site_a, LoopbackSite(routes_b) as site_b:
        _, probe_a = probed_crawl(tmp_path, site_a.url("/"))
        second, probe_b = probed_crawl(tmp_path, site_b.url("/"))
    # the second run's signature (made in a worker) matched the one the first run stored
    original, copy = second.records
    assert copy["duplicate_of"] == original["canonical_url"]
    assert second.stats["newscrawler/dedup/near_duplicate"] == 1
    assert second.stats["newscrawler/extraction/workers"] == 2
    for probe in (probe_a, probe_b):
        assert probe["modules"] == []  # neither scipy, datasketch nor redis in the main process
        assert probe["minhashes_computed"] == 0  # every signature came from a worker
    # the record carries the body fingerprint as before, and nothing more
    assert copy["fingerprint"] == text_fingerprint(copy["text"])
    assert not any("signature" in key or "minhash" in key for key in copy)


def test_inline_extraction_fingerprints_in_the_main_process(tmp_path: Path) -> None:
    routes_a, routes_b, _ = syndication_sites()
    with LoopbackSite(routes_a) as site_a, LoopbackSite(routes_b) as site_b:
        probed_crawl(tmp_path, site_a.url("/"), NEWSCRAWLER_EXTRACTION_WORKERS="0")
        second, probe = probed_crawl(tmp_path, site_b.url("/"), NEWSCRAWLER_EXTRACTION_WORKERS="0")
    assert second.records[1]["duplicate_of"] == second.records[0]["canonical_url"]
    assert probe["modules"] == []
    assert probe["minhashes_computed"] == 1  # one process did it all, with the same function


def article(url: str, text: str) -> Article:
    fp = text_fingerprint(text)
    return Article(
        id=record_id(url, fp),
        url=url,
        canonical_url=url,
        site="a.example",
        title="t",
        text=text,
        fingerprint=fp,
    )


def project_crawler(**overrides: Any) -> Crawler:
    settings = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    # no crawl state: the CrawlState extension would open one in the current folder
    return get_crawler(settings_dict={**settings, "NEWSCRAWLER_STATE_ENABLED": False, **overrides})


def dedup_pipeline() -> DedupPipeline:
    crawler = project_crawler(NEWSCRAWLER_STATE_ENABLED=False)
    pipeline: DedupPipeline = build_from_crawler(DedupPipeline, crawler)
    return pipeline


def test_dedup_pipeline_uses_the_attached_signature_instead_of_hashing_again() -> None:
    pipeline = dedup_pipeline()
    config = pipeline.dedup.config
    pipeline.process_item(article("https://a.example/budget", STORY))
    # An unrelated text carrying the story's signature: the verdict follows the attached values.
    other = article("https://b.example/bridge", OTHER)
    story = fingerprints(STORY, config)
    attach_fingerprints(other, Fingerprints(other.fingerprint, True, story.signature, story.keys))
    out = ItemAdapter(pipeline.process_item(other))
    assert out["duplicate_of"] == "https://a.example/budget"
    # without attached fingerprints the pipeline computes them itself, with the same result
    copy = pipeline.process_item(article("https://c.example/copy", SYNDICATED))
    assert ItemAdapter(copy)["duplicate_of"] == "https://a.example/budget"
    unrelated = pipeline.process_item(article("https://d.example/bridge", OTHER + " Update."))
    assert ItemAdapter(unrelated)["duplicate_of"] is None


def test_extractor_returns_what_the_dedup_needs_and_the_record_stays_the_same() -> None:
    html = (
        "<html lang='ru'><head><title>Бюджет</title></head><body><article><h1>Бюджет</h1>"
        f"<p>{STORY}</p></article></body></html>"
    ).encode()
    url = "https://a.example/city/2024/03/26/budget.html"
    page = Page(url=url, body=html, fetched_at="2024-03-26T10:00:00+00:00")
    config = dedup_config(project_crawler().settings)
    result, computed = PageExtractor(extract_article, config)(html, url)
    assert computed is not None
    record = article_from_extraction(page, result, computed)
    plain = article_from_extraction(page, extract_article(html, url))
    assert ItemAdapter(record).asdict() == ItemAdapter(plain).asdict()
    prints = attached_fingerprints(record)
    assert prints == computed
    assert prints.fingerprint == record.fingerprint == text_fingerprint(record.text)
    expected = fingerprints(record.text, config)
    assert prints.signature is not None and expected.signature is not None
    assert (prints.signature == expected.signature).all() and prints.keys == expected.keys


def test_unknown_minhash_scheme_is_a_clear_error() -> None:
    crawler = project_crawler(NEWSCRAWLER_DEDUP_MINHASH_SCHEME="affine64")
    with pytest.raises(ValueError, match="NEWSCRAWLER_DEDUP_MINHASH_SCHEME"):
        dedup_config(crawler.settings)
    assert DedupConfig().scheme == "affine32"
