"""The browser: the system Chromium, driven by scrapy-playwright, rendering pages Scrapy fetched.

Playwright never downloads a browser: :mod:`newscrawler.render.chromium` names the system
Chromium to launch.

The :class:`Renderer` does not let the browser fetch the page itself: Scrapy already has (through
robots.txt, the SSRF guard, redirects and size limits), so the page's navigation is answered with
the body Scrapy fetched. Every other request the page makes is routed through
:meth:`Renderer.answer`: images, fonts and media are aborted, WebSockets closed, and each
remaining request is checked by the SSRF guard and fetched hop by hop (a redirect is checked
before it is followed: the browser would follow it unseen). Service workers are blocked (their
requests are not routed) and downloads refused. A page gets ``NEWSCRAWLER_RENDER_TIMEOUT``
seconds from its creation; a page that is still busy then (a script that never ends) is closed,
a crashed page is counted, and a browser that goes away is launched again for the next page.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from contextlib import suppress
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING
from urllib.parse import urljoin, urlsplit

from playwright.async_api import Browser, Page, Route, WebSocketRoute
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request as BrowserRequest
from playwright.async_api import TimeoutError as PlaywrightTimeout
from scrapy import Request
from scrapy.http import HtmlResponse, Response
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from scrapy_playwright.page import PageMethod

from newscrawler.render.chromium import RenderFailed, launch_options

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from scrapy.statscollectors import StatsCollector

logger = logging.getLogger(__name__)


class PageFailureFilter(logging.Filter):
    """Drop scrapy-playwright's warning (with a traceback) for a page that failed: the render
    middleware reports it, in one line."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Closing page due to failed request")


logging.getLogger("scrapy-playwright").addFilter(PageFailureFilter())

# Resource types a page's text never needs: aborted.
BLOCKED_RESOURCES = frozenset({"image", "media", "font"})
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
# A page is opened at most this many times (the browser may go away before it opens).
OPEN_ATTEMPTS = 3
# The one browser context of the crawl's rendered pages.
CONTEXT = "newscrawler-render"

# (reason, detail) when a URL must not be fetched, as the SSRF guard answers.
Refusal = Callable[[str], Awaitable["tuple[str, str] | None"]]


def failure_reason(exc: BaseException) -> str:
    """``timeout``, ``crashed`` (the page or the browser went away) or ``error``."""
    if isinstance(exc, PlaywrightTimeout):
        return "timeout"
    message = str(exc).lower()
    if "crash" in message or "closed" in message:
        return "crashed"
    return "error"


async def settle(page: Page, idle_ms: float) -> None:
    """Wait up to ``idle_ms`` for the page's network to go quiet (an app fetching its article
    after ``load``); a page that keeps polling is taken as it is then."""
    with suppress(PlaywrightTimeout):
        await page.wait_for_load_state("networkidle", timeout=idle_ms)


@dataclass
class PageWatch:
    """One page being rendered: what answers its navigation, and how it ended."""

    source: Response
    page: Page | None = None
    served: bool = False
    failure: str | None = None
    timer: asyncio.TimerHandle | None = None

    def stop(self) -> None:
        if self.timer is not None:
            self.timer.cancel()


class Renderer:
    """Render pages Scrapy fetched in the system Chromium (see the module docstring)."""

    def __init__(
        self,
        crawler: Crawler,
        *,
        executable: str,
        concurrency: int,
        timeout: float,
        idle_wait: float,
        max_redirects: int,
        refusal: Refusal,
    ) -> None:
        assert crawler.stats is not None
        self.stats: StatsCollector = crawler.stats
        self.timeout = timeout
        self.idle_wait = idle_wait
        self.max_redirects = max_redirects
        self.refusal = refusal
        self.context_options = {
            "user_agent": crawler.settings.get("USER_AGENT"),
            "accept_downloads": False,
            "service_workers": "block",
        }
        # scrapy-playwright's handler, used for its browser, context and page management; its
        # PLAYWRIGHT_* settings are not read: the browser is configured here.
        self.handler = ScrapyPlaywrightDownloadHandler.from_crawler(crawler)
        self.handler.config = replace(
            self.handler.config,
            cdp_url=None,
            connect_url=None,
            browser_type_name="chromium",
            launch_options=launch_options(executable),
            max_pages_per_context=concurrency,
            startup_context_kwargs={},
            navigation_timeout_ms=timeout * 1000,
            restart_disconnected_browser=True,
            target_closed_max_retries=0,  # a page closed for its time-out is not loaded again
        )
        self._browser: Browser | None = None
        self.launches = 0
        self._closing: set[asyncio.Task[None]] = set()
        self._logged: set[tuple[str, str]] = set()
        self._closed = False

    async def render(self, response: Response) -> HtmlResponse:
        """The page of ``response`` as the browser shows it once its scripts ran (its DOM),
        or :class:`RenderFailed`. A page that could not even be opened because the browser
        went away meanwhile is tried again, on the browser launched in its place."""
        attempt = 0
        while True:
            attempt += 1
            watch = PageWatch(response)
            try:
                rendered = await self.handler.download_request(self.request(watch))
            except Exception as exc:
                reason = watch.failure or failure_reason(exc)
                if watch.page is None and reason == "crashed" and attempt < OPEN_ATTEMPTS:
                    continue
                raise RenderFailed(reason, str(exc)[:200]) from None
            finally:
                watch.stop()
            if watch.failure is not None:  # closed by its timer just as it finished
                raise RenderFailed(watch.failure, "page closed")
            if not isinstance(rendered, HtmlResponse):
                raise RenderFailed("error", f"{type(rendered).__name__} from the browser")
            return rendered

    def request(self, watch: PageWatch) -> Request:
        """The request scrapy-playwright renders: our context, our page set-up, our waits."""
        return Request(
            watch.source.url,
            dont_filter=True,
            meta={
                "playwright": True,
                "playwright_context": CONTEXT,
                "playwright_context_kwargs": self.context_options,
                "playwright_page_init_callback": partial(self.page_opened, watch),
                "playwright_page_goto_kwargs": {
                    "wait_until": "load",
                    "timeout": self.timeout * 1000,
                },
                "playwright_page_methods": (
                    [PageMethod(settle, self.idle_wait * 1000)] if self.idle_wait > 0 else []
                ),
            },
        )

    async def close(self) -> None:
        """Close the browser and Playwright (when the spider closes)."""
        self._closed = True
        await self.handler.close()

    # --- one page ------------------------------------------------------------------------------

    async def page_opened(self, watch: PageWatch, page: Page, request: Request) -> None:
        """Before the page loads: its timer, its guards. A page that cannot be guarded is closed
        (it would navigate unguarded otherwise)."""
        watch.page = page
        watch.timer = asyncio.get_running_loop().call_later(self.timeout, self.expire, watch)
        page.on("crash", lambda _: self.crashed(watch))
        try:
            self.watch_browser(page.context.browser)
            await page.route("**", partial(self.route, watch))
            await page.route_web_socket("**", self.websocket)
        except Exception:
            watch.failure = "error"
            await page.close()
            raise

    def expire(self, watch: PageWatch) -> None:
        """The page's time is up: close it (a script looping forever never lets it finish)."""
        watch.failure = "timeout"
        if watch.page is not None and not watch.page.is_closed():
            task = asyncio.ensure_future(self.close_page(watch.page))
            self._closing.add(task)
            task.add_done_callback(self._closing.discard)

    async def close_page(self, page: Page) -> None:
        with suppress(PlaywrightError):
            await page.close()

    def crashed(self, watch: PageWatch) -> None:
        watch.failure = "crashed"

    def watch_browser(self, browser: Browser | None) -> None:
        """Count each browser launched (a second one is a restart after the first went away)."""
        if browser is None or browser is self._browser:
            return
        self._browser = browser
        self.launches += 1
        self.stats.inc_value("newscrawler/render/browser_launches")
        if self.launches == 1:
            logger.info("Browser launched for rendering (Chromium %s)", browser.version)
        else:
            logger.warning("Browser launched again (the previous one went away)")
        browser.on("disconnected", self.browser_lost)

    def browser_lost(self, browser: Browser) -> None:
        if not self._closed:
            self.stats.inc_value("newscrawler/render/browser_lost")

    # --- the page's requests -------------------------------------------------------------------

    async def route(self, watch: PageWatch, route: Route, request: BrowserRequest) -> None:
        try:
            await self.answer(watch, route, request)
        except PlaywrightError:  # the page closed meanwhile (its time-out, a crash)
            with suppress(PlaywrightError):
                await route.abort()

    async def answer(self, watch: PageWatch, route: Route, request: BrowserRequest) -> None:
        """Serve the page's navigation from Scrapy's response; refuse blocked resource types
        and what the SSRF guard refuses; fetch the rest, checking every redirect hop."""
        if not watch.served and request.is_navigation_request() and is_main_frame(request):
            watch.served = True
            source = watch.source
            content_type = source.headers.get(b"Content-Type") or b"text/html"
            await route.fulfill(
                status=source.status,
                headers={"content-type": content_type.decode("latin-1")},
                body=source.body,
            )
            return
        if request.resource_type in BLOCKED_RESOURCES:
            self.stats.inc_value(f"newscrawler/render/blocked/{request.resource_type}")
            await route.abort("blockedbyclient")
            return
        url = request.url
        for _ in range(self.max_redirects + 1):
            refusal = await self.refusal(url)
            if refusal is not None:
                self.refuse(url, *refusal)
                await route.abort("blockedbyclient")
                return
            answer = await route.fetch(url=url, max_redirects=0, timeout=self.timeout * 1000)
            location = answer.headers.get("location")
            if answer.status not in REDIRECT_STATUSES or not location:
                await route.fulfill(response=answer)
                return
            url = urljoin(url, location)
        self.refuse(url, "redirects", f"more than {self.max_redirects} redirects")
        await route.abort("blockedbyclient")

    async def websocket(self, socket: WebSocketRoute) -> None:
        """WebSockets are refused: an article's text does not need one."""
        self.stats.inc_value("newscrawler/render/blocked/websocket")
        await socket.close()

    def refuse(self, url: str, reason: str, detail: str) -> None:
        self.stats.inc_value("newscrawler/render/refused")
        self.stats.inc_value(f"newscrawler/render/refused/{reason}")
        key = (urlsplit(url).netloc, reason)
        level = logging.DEBUG if key in self._logged else logging.WARNING
        self._logged.add(key)
        logger.log(level, "Browser request refused: %s (%s)", url, detail)


def is_main_frame(request: BrowserRequest) -> bool:
    try:
        return request.frame.parent_frame is None
    except PlaywrightError:  # a service worker's request has no frame
        return False
