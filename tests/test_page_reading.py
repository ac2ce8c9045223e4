"""One parse a page: what a worker reads from a page's bytes (routing, links, feeds, record)."""

from __future__ import annotations

from newscrawler.dedup.config import DedupConfig
from newscrawler.discovery.reading import PageReading, ReadingTask, read_page
from newscrawler.extraction import Extraction, ExtractionOptions, extract_article
from newscrawler.items import PageHints
from tests.site.server import PAGES

SITE = "http://vestnik.example"
SEED_DOMAINS = frozenset({"vestnik.example"})


def read(body: bytes, path: str, **task: object) -> PageReading | Extraction:
    values: dict[str, object] = {
        "url": SITE + path,
        "announced": False,
        "forced": None,
        "canonical_of": False,
        "domains": SEED_DOMAINS,
        "follow": True,
        **task,
    }
    return read_page(
        body,
        "utf-8",
        ReadingTask(**values),  # type: ignore[arg-type]
        hints=PageHints(),
        options=ExtractionOptions(),
        config=DedupConfig(near=False),
    )


def test_article_is_routed_linked_and_extracted_from_one_read() -> None:
    path = "/news/2024/03/27/lukashenko-rostov.html"
    body = (PAGES / "ru-seed.html").read_bytes()
    reading = read(body, path)
    assert isinstance(reading, PageReading)
    assert reading.kind.is_article
    # the same record as extraction on its own gives, judged an article, fingerprinted
    assert reading.extraction is not None
    assert reading.extraction.fields == extract_article(body, SITE + path).fields
    assert reading.rejection is None
    assert reading.fingerprints is not None and reading.fingerprints.fingerprint
    # its links on the seed site, canonical; the source link to another site is left out
    assert f"{SITE}/news/2024/03/27/shifa-hamas.html" in reading.links
    assert not [u for u in reading.links if "bloomberg" in u or "vk.com" in u]
    assert reading.feeds == ()


def test_hub_gives_its_links_and_feeds_and_is_not_extracted() -> None:
    body = (
        "<html lang='ru'><head><title>Новости</title>"
        "<link rel='alternate' type='application/rss+xml' href='/rss.xml'></head><body>"
        "<ul>"
        + "".join(
            f"<li><a href='/news/2024/03/2{i}/story-{i}.html'>Новость номер {i}</a></li>"
            for i in range(8)
        )
        + "</ul><a href='https://elsewhere.example/x'>Партнёр</a></body></html>"
    ).encode()
    reading = read(body, "/")
    assert isinstance(reading, PageReading)
    assert not reading.kind.is_article and reading.kind.reason == "home"
    assert reading.extraction is None
    assert reading.feeds == (f"{SITE}/rss.xml",)
    assert reading.links == tuple(f"{SITE}/news/2024/03/2{i}/story-{i}.html" for i in range(8))


def test_links_are_not_read_when_not_followed_and_site_pattern_decides() -> None:
    body = (PAGES / "ru-seed.html").read_bytes()
    reading = read(body, "/news/2024/03/27/lukashenko-rostov.html", follow=False, forced=False)
    assert isinstance(reading, PageReading)
    assert reading.links == ()
    assert not reading.kind.is_article and reading.kind.reason == "site_pattern"
    assert reading.extraction is None


def test_page_naming_another_canonical_url_waits_for_the_spider() -> None:
    body = (PAGES / "ru-seed.html").read_bytes()  # canonical: the lukashenko-rostov URL
    # tracking parameters are cut by canonicalisation: the page is its canonical URL, extracted
    same = read(body, "/news/2024/03/27/lukashenko-rostov.html?utm_source=feed")
    assert isinstance(same, PageReading)
    assert same.extraction is not None
    elsewhere = read(body, "/news/2024/03/27/copy-of-the-story.html")
    assert isinstance(elsewhere, PageReading)
    assert elsewhere.kind.is_article and elsewhere.extraction is None
    fetched_as_canonical = read(body, "/news/2024/03/27/copy-of-the-story.html", canonical_of=True)
    assert isinstance(fetched_as_canonical, PageReading)
    assert fetched_as_canonical.extraction is not None


def test_bytes_that_give_no_tree_are_an_extraction_failure() -> None:
    result = read(b"   \n ", "/news/2024/03/27/empty.html")
    assert isinstance(result, Extraction)
    assert result.fields is None and result.reason == "empty"
