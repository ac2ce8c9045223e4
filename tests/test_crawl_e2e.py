"""End to end: ``scrapy crawl news`` against the loopback news site."""

from __future__ import annotations

from pathlib import Path

from newscrawler.pipelines.validate import schema_errors
from tests.conftest import run_crawl
from tests.site.routes import ARTICLES
from tests.site.server import LoopbackSite


def test_crawl_writes_one_valid_record_per_article(news_site: LoopbackSite, tmp_path: Path) -> None:
    result = run_crawl(tmp_path, "-a", f"start_urls={news_site.url('/')}")
    assert result.returncode == 0, result.log[-3000:]
    urls = sorted(r["url"] for r in result.records)
    assert urls == sorted(news_site.url(p) for p in ARTICLES)
    for record in result.records:
        assert schema_errors(record) == [], record["url"]
    assert result.stats["newscrawler/pages/skipped/non_html"] == 1  # /data/latest
    assert not any("/about.html" in u for u in urls)
