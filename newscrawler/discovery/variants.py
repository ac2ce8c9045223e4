"""AMP and print variants, and the canonical URL a page declares: one article, one fetch.

The rules, all counted in ``newscrawler/canonical/<metric>``:

- a discovered link to an AMP/print variant (``?amp=1``, ``/slug/amp/``, ``slug.amp.html`` …,
  see :func:`~newscrawler.urls.variant_base`) is fetched as the article it
  stands for (``variant_rewritten``); the request keeps the variant in ``meta.VARIANT_OF``;
- if that article URL answers 404 or 410, the variant itself is fetched instead
  (``variant_fallback``);
- the AMP copy a page declares (``<link rel="amphtml">``) is never fetched;
- a page declaring a ``<link rel="canonical">`` on the seed sites other than its own URL: if that
  URL is scheduled already the page is dropped (``duplicate_skipped``); if the page is an AMP or
  print variant, its canonical URL is fetched instead (``followed``); otherwise the page stands
  for its canonical URL, which is not fetched again. A page fetched for a declared canonical URL
  (``meta.CANONICAL_OF``) makes no further hop.

:class:`VariantRules` decides; the spider calls it in one line where a link becomes a request,
where a page is routed and where a request fails. It is not a spider middleware: the rewrite
must happen before the site's allow/deny patterns and the limits judge the URL, the canonical
decision changes what the spider makes of the page (a record or a request) while its parsed
tree is at hand, and the fallback needs the spider's errback (requests in a ``JOBDIR`` queue can
only name spider methods).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from scrapy import Request
from scrapy.spidermiddlewares.httperror import HttpError

from newscrawler.discovery import meta
from newscrawler.discovery.scope import CrawlScope, crawl_scope
from newscrawler.markup import DeclaredLinks
from newscrawler.urls import canonical_url, variant_base

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.statscollectors import StatsCollector
    from twisted.python.failure import Failure
    from typing_extensions import Self

# Statuses of a rewritten variant URL that mean the article has no page of its own.
MISSING = (404, 410)


class VariantRules:
    """The variant and declared-canonical rules of a crawl (see the module)."""

    def __init__(self, stats: StatsCollector, scope: CrawlScope) -> None:
        self.stats = stats
        self.scope = scope

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Self:
        assert crawler.stats is not None
        return cls(crawler.stats, crawl_scope(crawler))

    def rewrite(self, request: Request, errback: Callable[..., Any]) -> Request:
        """``request`` for the article if its URL is an AMP/print variant (``errback`` handles
        the fallback: it calls :meth:`fallback`), else ``request`` unchanged."""
        base = variant_base(request.url)
        if base is None:
            return request
        self.stats.inc_value("newscrawler/canonical/variant_rewritten")
        rewritten = request.replace(url=canonical_url(base), errback=errback)
        rewritten.meta[meta.VARIANT_OF] = request.url
        return rewritten

    def fallback(self, failure: Failure) -> Request | None:
        """The request for the variant itself when its rewritten URL does not exist."""
        request: Request = failure.request  # type: ignore[attr-defined]
        variant = request.meta.get(meta.VARIANT_OF)
        error = failure.value
        if not variant or not isinstance(error, HttpError) or error.response.status not in MISSING:
            return None
        self.stats.inc_value("newscrawler/canonical/variant_fallback")
        route = request.meta.get(meta.ROUTE, meta.LINK)
        return Request(
            canonical_url(variant),
            callback=request.callback,
            meta={meta.ROUTE: route, meta.CANONICAL_OF: request.url},
        )

    def instead_of_page(
        self, response: Response, declared: DeclaredLinks, callback: Callable[..., Any]
    ) -> list[Request] | None:
        """What a page's declared links make of it: ``None`` to keep the page, else the
        requests to make instead of it (none when its canonical URL is scheduled already)."""
        if declared.amphtml:  # never fetch the AMP copy of a page we have
            self.scope.seen.add(canonical_url(declared.amphtml))
        if not declared.canonical or meta.CANONICAL_OF in response.meta:
            return None
        own, target = canonical_url(response.url), canonical_url(declared.canonical)
        if target == own or not self.scope.is_on_seed_sites(target):
            return None
        if target in self.scope.seen:
            self.stats.inc_value("newscrawler/canonical/duplicate_skipped")
            return []
        if declared.is_amp or variant_base(response.url) is not None:
            self.stats.inc_value("newscrawler/canonical/followed")
            request_meta: dict[str, Any] = {meta.ROUTE: "canonical", meta.CANONICAL_OF: own}
            hints = response.meta.get(meta.HINTS)
            if hints is not None:
                request_meta[meta.HINTS] = hints
            return [Request(target, callback=callback, meta=request_meta)]
        self.scope.seen.add(target)  # this page stands for its canonical URL
        return None
