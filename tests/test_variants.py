"""AMP/print variants and declared canonical URLs (VariantRules), without a crawl."""

from __future__ import annotations

from typing import Any

from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from newscrawler.discovery import meta
from newscrawler.discovery.scope import CrawlScope
from newscrawler.discovery.variants import VariantRules
from newscrawler.items import PageHints
from newscrawler.markup import read_markup

SITE = "https://n.example"


def callback(response: Response) -> None:
    """Stands for the spider's page callback."""


def errback(failure: Failure) -> None:
    """Stands for the spider's errback."""


def rules() -> VariantRules:
    crawler = get_crawler()
    assert crawler.stats is not None
    return VariantRules(crawler.stats, CrawlScope([f"{SITE}/"]))


def count(variants: VariantRules, metric: str) -> Any:
    return variants.stats.get_value(f"newscrawler/canonical/{metric}")


def page(url: str, head: str, html_attrs: str = "", **request_meta: Any) -> HtmlResponse:
    body = f"<html {html_attrs}><head>{head}</head><body><p>text</p></body></html>"
    request = Request(url, meta=request_meta)
    return HtmlResponse(url, body=body.encode(), encoding="utf-8", request=request)


def failed(request: Request, status: int) -> Failure:
    response = Response(request.url, status=status, request=request)
    failure = Failure(HttpError(response, "Ignoring non-200 response"))
    failure.request = request  # type: ignore[attr-defined]
    return failure


def test_a_variant_link_is_fetched_as_its_article() -> None:
    variants = rules()
    link = Request(f"{SITE}/news/a.html?amp=1", callback=callback, meta={meta.ROUTE: meta.LINK})
    request = variants.rewrite(link, errback)
    assert request.url == f"{SITE}/news/a.html"
    assert request.meta[meta.VARIANT_OF] == f"{SITE}/news/a.html?amp=1"
    assert request.meta[meta.ROUTE] == meta.LINK
    assert request.callback is callback and request.errback is errback
    assert count(variants, "variant_rewritten") == 1


def test_an_article_link_is_left_alone() -> None:
    variants = rules()
    link = Request(f"{SITE}/news/a.html", callback=callback)
    assert variants.rewrite(link, errback) is link
    assert count(variants, "variant_rewritten") is None


def test_a_missing_article_falls_back_to_its_variant() -> None:
    variants = rules()
    link = Request(f"{SITE}/news/a/amp/", callback=callback, meta={meta.ROUTE: "entry"})
    request = variants.rewrite(link, errback)
    fallback = variants.fallback(failed(request, 404))
    assert fallback is not None
    assert fallback.url == f"{SITE}/news/a/amp/"
    assert fallback.meta[meta.CANONICAL_OF] == f"{SITE}/news/a/"
    assert fallback.meta[meta.ROUTE] == "entry"
    assert fallback.callback is callback and fallback.errback is None
    assert count(variants, "variant_fallback") == 1
    # a server error is no proof that the article has no page: no fallback
    assert variants.fallback(failed(request, 503)) is None
    # nor is a 404 of a URL that was not rewritten
    assert variants.fallback(failed(Request(f"{SITE}/news/b.html"), 404)) is None
    assert count(variants, "variant_fallback") == 1


def test_an_amp_page_is_replaced_by_its_canonical_article() -> None:
    variants = rules()
    hints = PageHints(title="From the feed")
    response = page(
        f"{SITE}/m/news/a.html",
        f'<link rel="canonical" href="{SITE}/news/a.html">',
        "amp",
        **{meta.HINTS: hints},
    )
    instead = variants.instead_of_page(response, declared(response), callback)
    assert instead is not None and len(instead) == 1
    assert instead[0].url == f"{SITE}/news/a.html"
    assert instead[0].meta[meta.ROUTE] == "canonical"
    assert instead[0].meta[meta.CANONICAL_OF] == f"{SITE}/m/news/a.html"
    assert instead[0].meta[meta.HINTS] is hints
    assert count(variants, "followed") == 1
    # the article fetched for it makes no further hop
    again = page(
        f"{SITE}/news/a.html",
        f'<link rel="canonical" href="{SITE}/other.html">',
        **{meta.CANONICAL_OF: f"{SITE}/m/news/a.html"},
    )
    assert variants.instead_of_page(again, declared(again), callback) is None


def test_a_page_stands_for_its_declared_canonical_url() -> None:
    variants = rules()
    response = page(
        f"{SITE}/news/a.html?from=home",
        f'<link rel="canonical" href="{SITE}/news/a.html">'
        f'<link rel="amphtml" href="{SITE}/news/a.amp.html">',
    )
    assert variants.instead_of_page(response, declared(response), callback) is None
    assert f"{SITE}/news/a.html" in variants.scope.seen  # not fetched again
    assert f"{SITE}/news/a.amp.html" in variants.scope.seen  # its AMP copy never fetched
    # a second page declaring the same canonical URL is a duplicate: dropped
    copy = page(f"{SITE}/print/a.html", f'<link rel="canonical" href="{SITE}/news/a.html">')
    assert variants.instead_of_page(copy, declared(copy), callback) == []
    assert count(variants, "duplicate_skipped") == 1


def test_own_and_off_site_canonical_urls_change_nothing() -> None:
    variants = rules()
    own = page(f"{SITE}/news/a.html", f'<link rel="canonical" href="{SITE}/news/a.html#top">')
    assert variants.instead_of_page(own, declared(own), callback) is None
    away = page(f"{SITE}/news/b.html", '<link rel="canonical" href="https://other.example/b">')
    assert variants.instead_of_page(away, declared(away), callback) is None
    assert "https://other.example/b" not in variants.scope.seen


def declared(response: HtmlResponse) -> Any:
    return read_markup(response.selector.root, response.url).links
