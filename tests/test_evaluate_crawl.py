"""``benchmarks/evaluate_crawl.py``: a real crawl of a loopback site built from corpus folders
(here, tiny corpora of the project's own fixture pages)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.evaluate_crawl import load_pages, log_reasons, main

BODY = Path(__file__).parent / "fixtures" / "body"
LISTING = (
    "<html lang='en'><head><title>All products | Shop</title></head><body><h1>All products</h1>"
    + "".join(f"<p><a href='/item/{n}'>Garden chair model {n}</a></p>" for n in range(30))
    + "</body></html>"
)


def _corpus(root: Path, name: str, pages: dict[str, tuple[str, dict[str, object]]]) -> Path:
    corpus = root / name
    (corpus / "pages").mkdir(parents=True)
    with (corpus / "truth.jsonl").open("w", encoding="utf-8") as truth:
        for page_id, (html, fields) in pages.items():
            (corpus / "pages" / f"{page_id}.html").write_text(html, encoding="utf-8")
            truth.write(json.dumps({"id": page_id, **fields}) + "\n")
    return corpus


@pytest.fixture
def corpora(tmp_path: Path) -> list[Path]:
    articles = _corpus(
        tmp_path,
        "news",
        {
            name: (
                (BODY / f"{name}.html").read_text("utf-8"),
                {"url": f"https://paper.example/2024/05/03/{name}-story", "date": "2024-05-03"},
            )
            for name in ("en_article", "de_article", "ru_article")
        },
    )
    shop = _corpus(
        tmp_path,
        "shop",
        {"listing": (LISTING, {"url": "https://shop.example/chairs/", "page_type": "listing"})},
    )
    return [articles, shop]


def test_pages_are_announced_by_feed_sitemap_and_sections(corpora: list[Path]) -> None:
    pages = load_pages(corpora, None)
    assert [p.route for p in pages if p.is_article] == ["feed+section", "sitemap", "section"]
    assert [(p.route, p.is_article) for p in pages if p.corpus == "shop"] == [("section", False)]
    assert len({p.path for p in pages}) == 4
    assert all(p.path.startswith(("/paper-example/2024/05/03/", "/shop-example/")) for p in pages)


def test_every_page_served_is_a_record_or_has_a_reason(
    corpora: list[Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--corpus", *map(str, corpora), "--timeout", "300"]) == 0
    out = capsys.readouterr().out
    rows = {
        line.split()[0]: line.split()[1:4]
        for line in out.splitlines()
        if line[:4] in ("news", "shop")
    }
    assert rows["news"] == ["3", "3", "3"]  # pages, served, records
    assert rows["shop"] == ["1", "1", "0"]  # the listing page is not stored as an article
    assert "1  news: Hub <url>: listing" in out  # the spider's log line names it, and why
    assert "pages without a record and without a reason in the log or the stats: 0" in out


def test_missing_corpus_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--corpus", str(tmp_path / "absent")]) == 2
    assert "corpus not found" in capsys.readouterr().err


def test_a_dropped_page_is_found_by_its_url_before_the_colon() -> None:
    origin = "http://127.0.0.1:8000"
    log = (
        "2026-01-01 10:00:00 [scrapy.core.scraper] DEBUG: Dropped: no article from"
        f" {origin}/shop/socks: product (product markup: jsonld:product)\n"
    )
    _, reasons = log_reasons(log, origin)
    assert reasons == {f"{origin}/shop/socks": "no article: product"}


def test_a_second_page_of_one_article_counts_as_a_copy_in_the_dataset(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    html = (BODY / "en_article.html").read_text("utf-8")
    url = "https://paper.example/2024/05/03/library-story"
    corpus = _corpus(
        tmp_path,
        "news",
        {
            "first": (html, {"url": url, "date": "2024-05-03"}),
            "slash": (html, {"url": url + "/", "date": "2024-05-03"}),
        },
    )
    assert main(["--corpus", str(corpus), "--timeout", "300"]) == 0
    out = capsys.readouterr().out
    row = next(line.split() for line in out.splitlines() if line.startswith("news "))
    assert row[1:6] == ["2", "2", "1", "1", "1.000"]  # pages, served, records, copies, share
    assert "1  dropped: duplicate" in out
