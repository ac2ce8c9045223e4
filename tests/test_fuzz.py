"""Fuzzing: extraction and date parsing on random and mutated HTML never raise, and every record
built from what they return is valid JSON matching the schema."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timedelta, timezone
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from newscrawler.discovery.dates import parse_iso_date
from newscrawler.extraction import ExtractionOptions, extract_article
from newscrawler.items import Page, PageHints
from newscrawler.pipelines.extract import article_from_extraction
from newscrawler.pipelines.validate import schema_errors

PAGES = Path(__file__).parent / "site" / "pages"
FIXTURES = sorted(p.read_bytes() for p in PAGES.glob("*.html"))
URL = "http://news.example/news/2024/03/27/fuzzed-article.html"
NOW = datetime(2024, 4, 1, tzinfo=timezone.utc)

FUZZ = settings(
    max_examples=40,
    deadline=timedelta(seconds=10),  # a hang is a failure; slow CI machines are not
    database=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

WORDS = st.sampled_from(
    [
        "новости", "Москва", "31 февраля 2024", "20244", "2099-12-31", "1 марта 20244 года",
        "council", "the", "published", "2024-03-27T10:00:00+03:00", "&amp;", "&#0;", "&bogus;",
        "\u202e", "\ufeff", "\x00", "<", ">", "'", '"', "Streik", "grève", "🙂", " ", "\n",
    ]
)  # fmt: skip
TEXT = st.lists(WORDS | st.text(max_size=20), max_size=40).map(" ".join)
TAGS = st.sampled_from(
    ["p", "div", "article", "h1", "span", "a", "script", "style", "time", "meta", "table",
     "td", "li", "ul", "br", "img", "main", "header", "footer", "svg", "math", "template"]
)  # fmt: skip
ATTRS = st.sampled_from(
    [
        "", ' class="article-body"', ' property="og:type" content="article"',
        ' property="article:published_time" content="2024-02-31T10:00:00Z"',
        ' itemprop="datePublished" content="20244-01-01"', ' datetime="2099-01-01"',
        ' href="javascript:alert(1)"', ' href="/news/2024/03/27/other.html"', ' lang="ru"',
        ' charset="windows-1251"', ' name="author" content="Иван Петров"',
    ]
)  # fmt: skip


@st.composite
def html_documents(draw: st.DrawFn, depth: int = 0) -> str:
    """Random, often ill-formed HTML: nested elements, unclosed tags, stray text and markup."""
    parts = []
    for _ in range(draw(st.integers(0, 6))):
        kind = draw(st.integers(0, 9))
        if kind < 4 and depth < 6:
            tag = draw(TAGS)
            inner = draw(html_documents(depth + 1))
            close = draw(st.booleans())
            parts.append(f"<{tag}{draw(ATTRS)}>{inner}" + (f"</{tag}>" if close else ""))
        elif kind < 8:
            parts.append(draw(TEXT))
        else:
            parts.append(draw(st.sampled_from(["<!--", "-->", "<![CDATA[", "]]>", "<!DOCTYPE x>"])))
    return "".join(parts)


@st.composite
def mutated_fixtures(draw: st.DrawFn) -> bytes:
    """A fixture page with random slices deleted, duplicated, truncated or overwritten."""
    body = bytearray(draw(st.sampled_from(FIXTURES)))
    for _ in range(draw(st.integers(1, 6))):
        if not body:
            break
        start = draw(st.integers(0, len(body) - 1))
        end = draw(st.integers(start, min(len(body), start + 400)))
        op = draw(st.sampled_from(["delete", "duplicate", "truncate", "overwrite", "insert"]))
        if op == "delete":
            del body[start:end]
        elif op == "duplicate":
            body[start:start] = body[start:end]
        elif op == "truncate":
            del body[start:]
        elif op == "overwrite":
            body[start:end] = draw(st.binary(min_size=end - start, max_size=end - start))
        else:
            body[start:start] = draw(st.binary(max_size=64)) or b"<div>"
    return bytes(body)


def assert_record_is_valid(html: bytes | str, declared: str | None = None) -> None:
    """Extraction returns (never raises); a record built from it is JSON matching the schema."""
    options = ExtractionOptions(min_words=5)
    result = extract_article(html, URL, declared_encoding=declared, options=options, now=NOW)
    if result.fields is None:
        assert result.reason
        return
    body = html.encode("utf-8", "surrogatepass") if isinstance(html, str) else html
    page = Page(url=URL, body=body, fetched_at="2024-04-01T00:00:00+00:00", hints=PageHints())
    record = json.loads(json.dumps(asdict(article_from_extraction(page, result))))
    assert schema_errors(record) == [], record


@FUZZ
@given(html_documents())
def test_extraction_of_random_html_never_raises_and_records_are_valid(html: str) -> None:
    assert_record_is_valid(f"<html><head><title>t</title></head><body>{html}</body></html>")


@FUZZ
@given(mutated_fixtures(), st.sampled_from([None, "utf-8", "windows-1251", "latin-1", "bogus"]))
def test_extraction_of_mutated_fixture_pages_never_raises(
    body: bytes, declared: str | None
) -> None:
    assert_record_is_valid(body, declared)


@FUZZ
@given(st.binary(max_size=2000))
def test_extraction_of_random_bytes_never_raises(body: bytes) -> None:
    assert_record_is_valid(body)


@settings(max_examples=300, deadline=timedelta(seconds=1), database=None, derandomize=True)
@given(
    st.none()
    | st.text(max_size=40)
    | st.datetimes().map(lambda d: d.isoformat())
    | st.sampled_from(["2024-02-31", "20244-03-01", "2024-13-01T00:00:00Z", "9999-12-31T23:59Z"])
)
def test_date_parsing_never_raises_and_gives_aware_dates(value: str | None) -> None:
    parsed = parse_iso_date(value)
    assert parsed is None or parsed.tzinfo is not None
