"""When a page is rendered in the browser, within a budget.

Rendering is off unless a site of the sites file says ``render = "browser"`` (all its HTML pages
are rendered) or ``NEWSCRAWLER_RENDER=auto`` (a page is rendered when its plain HTML gave no
record and :func:`~newscrawler.discovery.appshell.looks_like_app_shell` says it is an empty app
shell). Off, neither component is built and no browser is started.

- :class:`RenderMiddleware` (downloader): a page to render is fetched by Scrapy as any other,
  then handed to the :class:`~newscrawler.render.browser.Renderer`; the rendered DOM goes on to
  the spider in place of the plain HTML. ``NEWSCRAWLER_RENDER_MAX_PAGES`` and
  ``..._MAX_PAGES_PER_SITE`` bound the pages rendered; one over the budget goes on unrendered
  (counted, logged once). A page the browser fails on (time-out, crash) is counted, and its
  rendering skipped: the plain HTML goes on.
- :class:`AutoRender` (spider middleware, ``auto`` only): a page that gave no record (routed as
  a hub, or rejected by extraction) and looks like an app shell is requested once more, to be
  rendered (once: a rendered page is never re-requested). The request is fetched again (cheap
  beside rendering), so that the frontier holds requests, not page bodies.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import AsyncIterator, Iterable, Iterator
from functools import cached_property
from typing import TYPE_CHECKING, Any

from scrapy import Request, signals
from scrapy.exceptions import NotConfigured
from scrapy.http import HtmlResponse, Response
from scrapy.utils.asyncio import call_later

from newscrawler.discovery import meta
from newscrawler.discovery.appshell import looks_like_app_shell
from newscrawler.discovery.scope import crawl_scope
from newscrawler.errors import ConfigError
from newscrawler.items import Page
from newscrawler.middlewares.ssrf import FETCHED_SCHEMES, SsrfGuardMiddleware
from newscrawler.pipelines.drops import Rejected
from newscrawler.render.chromium import BROWSER_NAMES, RenderFailed, find_browser
from newscrawler.urls import site_name

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector

    from newscrawler.discovery.sites import SiteConfig, SiteRegistry
    from newscrawler.render.browser import Renderer

logger = logging.getLogger(__name__)

RENDER_MODES = ("off", "auto")
# Routes whose answers are no HTML pages to render.
NOT_PAGES = frozenset({"feed", "sitemap", "robots"})


def render_mode(settings: BaseSettings) -> str:
    """``NEWSCRAWLER_RENDER``, checked (:class:`ConfigError` for an unknown value)."""
    mode = str(settings.get("NEWSCRAWLER_RENDER") or "off").strip().lower()
    if mode not in RENDER_MODES:
        raise ConfigError(
            f"NEWSCRAWLER_RENDER={mode!r}: expected one of {', '.join(RENDER_MODES)} "
            '(a site renders all its pages with render = "browser" in the sites file)'
        )
    return mode


def render_browser(settings: BaseSettings, sites: Iterable[SiteConfig]) -> str | None:
    """The Chromium to launch when the crawl renders pages, None when it renders none;
    :class:`ConfigError` when it would render and no Chromium is found."""
    if render_mode(settings) == "off" and not any(s.render == "browser" for s in sites):
        return None
    path = settings.get("NEWSCRAWLER_BROWSER_PATH") or ""
    executable = find_browser(path)
    if executable is None:
        where = (
            f"NEWSCRAWLER_BROWSER_PATH={path!r} is no executable file"
            if path
            else (f"none of {', '.join(BROWSER_NAMES)} is on PATH")
        )
        raise ConfigError(
            f"rendering pages needs Chromium, and {where}: install it (Debian/Ubuntu: "
            "apt-get install chromium) or set NEWSCRAWLER_BROWSER_PATH"
        )
    return executable


class RenderBudget:
    """Pages rendered per run and per site, at most (0: no bound)."""

    def __init__(self, per_run: int, per_site: int) -> None:
        self.per_run = per_run
        self.per_site = per_site
        self.rendered: Counter[str] = Counter()

    def refusal(self, site: str) -> str | None:
        """``"run"`` or ``"site"`` when one more page of ``site`` would exceed that budget."""
        if self.per_run and self.rendered.total() >= self.per_run:
            return "run"
        if self.per_site and self.rendered[site] >= self.per_site:
            return "site"
        return None

    def take(self, site: str) -> None:
        self.rendered[site] += 1


def site_key(sites: SiteRegistry, url: str) -> str:
    """What a per-site budget counts by: the configured site's name, else the host."""
    site = sites.for_url(url)
    return site.name if site is not None else site_name(url)


class RenderMiddleware:
    """Render the pages to render (see the module docstring)."""

    def __init__(
        self, crawler: Crawler, renderer: Renderer, budget: RenderBudget, sites: SiteRegistry
    ) -> None:
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.renderer = renderer
        self.budget = budget
        self.sites = sites
        self._over: set[str] = set()
        self._failed: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> RenderMiddleware:
        settings = crawler.settings
        sites = crawl_scope(crawler).sites
        executable = render_browser(settings, sites.sites)
        if executable is None:
            raise NotConfigured  # off, without a warning: the default
        try:  # the [browser] extra
            from newscrawler.render.browser import Renderer
        except ImportError as exc:
            raise ConfigError(
                f"rendering pages needs scrapy-playwright ({exc}): "
                'pip install "newscrawler[browser]"'
            ) from None

        async def refusal(url: str) -> tuple[str, str] | None:
            guard = crawler.get_downloader_middleware(SsrfGuardMiddleware)
            if guard is not None:
                return await guard.refusal(url)
            scheme = url.partition(":")[0].lower()
            return None if scheme in FETCHED_SCHEMES else ("scheme", f"{scheme}: not fetched")

        renderer = Renderer(
            crawler,
            executable=executable,
            concurrency=max(1, settings.getint("NEWSCRAWLER_RENDER_CONCURRENCY")),
            timeout=settings.getfloat("NEWSCRAWLER_RENDER_TIMEOUT"),
            idle_wait=settings.getfloat("NEWSCRAWLER_RENDER_IDLE_WAIT"),
            max_redirects=settings.getint("REDIRECT_MAX_TIMES"),
            refusal=refusal,
        )
        budget = RenderBudget(
            settings.getint("NEWSCRAWLER_RENDER_MAX_PAGES"),
            settings.getint("NEWSCRAWLER_RENDER_MAX_PAGES_PER_SITE"),
        )
        mw = cls(crawler, renderer, budget, sites)
        crawler.signals.connect(mw.spider_closed, signal=signals.spider_closed)
        what = "NEWSCRAWLER_RENDER=auto" if render_mode(settings) == "auto" else "sites"
        logger.info("Rendering pages in a browser (%s): %s", what, executable)
        return mw

    async def spider_closed(self) -> None:
        await self.renderer.close()

    def wanted(self, request: Request, response: Response) -> str | None:
        """Why this response is to be rendered (``auto``, ``site``), or None."""
        if meta.RENDERED in request.meta:
            return None
        if not isinstance(response, HtmlResponse) or response.status != 200:
            return None
        if request.meta.get(meta.RENDER) == "auto":
            return "auto"
        if request.meta.get(meta.ROUTE) in NOT_PAGES:
            return None
        site = self.sites.for_url(response.url)
        return "site" if site is not None and site.render == "browser" else None

    async def process_response(self, request: Request, response: Response) -> Response:
        why = self.wanted(request, response)
        if why is None:
            return response
        site = site_key(self.sites, response.url)
        if not self.within_budget(site):
            request.meta[meta.RENDERED] = "over_budget"
            return response
        self.budget.take(site)
        self.stats.inc_value(f"newscrawler/render/requested/{why}")
        try:
            rendered = await self.renderer.render(response)
        except RenderFailed as exc:
            request.meta[meta.RENDERED] = "failed"
            self.stats.inc_value("newscrawler/render/failed")
            self.stats.inc_value(f"newscrawler/render/failed/{exc.reason}")
            key = (site, exc.reason)
            level = logging.DEBUG if key in self._failed else logging.WARNING
            self._failed.add(key)
            logger.log(level, "Not rendered: %s: %s", response.url, exc)
            return response
        request.meta[meta.RENDERED] = "browser"
        self.stats.inc_value("newscrawler/render/pages")
        # the URL Scrapy fetched, whatever the page's script made of its address bar
        return rendered.replace(url=response.url, request=request)

    def within_budget(self, site: str) -> bool:
        """Whether one more page of ``site`` may be rendered; an over-budget page is counted,
        and logged the first time for its site (or for the run)."""
        over = self.budget.refusal(site)
        if over is None:
            return True
        self.stats.inc_value(f"newscrawler/render/over_budget/{over}")
        key = "" if over == "run" else site
        if key not in self._over:
            self._over.add(key)
            what = "the run" if over == "run" else f"site {site}"
            logger.warning(
                "Render budget of %s reached: further pages are not rendered (only counted)", what
            )
        return False


class AutoRender:
    """Request once more, to be rendered, a page that gave no record and looks like an empty
    app shell (``NEWSCRAWLER_RENDER=auto``)."""

    def __init__(self, crawler: Crawler) -> None:
        assert crawler.stats is not None
        self.crawler = crawler
        self.stats: StatsCollector = crawler.stats

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AutoRender:
        if render_mode(crawler.settings) != "auto":
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_RENDER is not auto
        mw = cls(crawler)
        crawler.signals.connect(mw.item_dropped, signal=signals.item_dropped)
        return mw

    @cached_property
    def render(self) -> RenderMiddleware:
        mw = self.crawler.get_downloader_middleware(RenderMiddleware)
        assert mw is not None, "NEWSCRAWLER_RENDER=auto without the RenderMiddleware"
        return mw

    def process_spider_output(
        self, response: Response, result: Iterable[Any], spider: Any = None
    ) -> Iterator[Any]:
        gave_page = False
        for output in result:
            gave_page = gave_page or isinstance(output, Page)
            yield output
        if not gave_page:
            self.schedule(self.again(response))

    async def process_spider_output_async(
        self, response: Response, result: AsyncIterator[Any], spider: Any = None
    ) -> AsyncIterator[Any]:
        gave_page = False
        async for output in result:
            gave_page = gave_page or isinstance(output, Page)
            yield output
        if not gave_page:
            self.schedule(self.again(response))

    def item_dropped(self, item: Any, response: Response, exception: BaseException) -> None:
        """A page extraction found no article in."""
        if isinstance(item, Page) and isinstance(exception, Rejected):
            self.schedule(self.again(response))

    def schedule(self, request: Request | None) -> None:
        """Crawl ``request`` once the page it renders is done with: the crawl database keeps
        one frontier entry per URL, and the page's outcome, recorded right after this, would
        remove a request for the same URL scheduled before it."""
        if request is not None:
            call_later(0, self.crawler.engine.crawl, request)

    def again(self, response: Response) -> Request | None:
        """The request that renders ``response``'s page, if it is an app shell not rendered
        yet, on a site that leaves the decision to ``auto``, within the budget."""
        request = response.request
        if request is None or not isinstance(response, HtmlResponse) or response.status != 200:
            return None
        if meta.RENDER in request.meta or meta.RENDERED in request.meta:
            return None
        sites = self.render.sites
        site = sites.for_url(response.url)
        if site is not None and site.render is not None:  # "plain", or rendered already
            return None
        if not looks_like_app_shell(response.selector.root):
            return None
        self.stats.inc_value("newscrawler/render/shells")
        if not self.render.within_budget(site_key(sites, response.url)):
            return None
        return request.replace(dont_filter=True, meta={**request.meta, meta.RENDER: "auto"})
