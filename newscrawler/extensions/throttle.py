"""AutoThrottle that fits incremental runs: 304 answers, robots.txt ``Crawl-delay``, saved delays.

Registered in ``EXTENSIONS`` in place of Scrapy's ``scrapy.extensions.throttle.AutoThrottle``
(``AUTOTHROTTLE_*`` settings unchanged), it adds three things to Scrapy's policy:

- a ``304 Not Modified`` answer lowers the delay as a ``200`` does (Scrapy lets only a ``200``
  lower it, so a rerun whose pages all answer 304 keeps crawling at the start delay); error pages
  and redirects still never lower it;
- a host whose robots.txt declares a ``Crawl-delay`` for our user agent never gets a delay below
  it (bounded by ``NEWSCRAWLER_THROTTLE_MAX_CRAWL_DELAY``), and its requests get no random
  jitter, so that no two start closer together than that;
- with the crawl state on and ``NEWSCRAWLER_THROTTLE_SAVE_DELAYS``, each host's delay and
  Crawl-delay are saved in the state when the spider closes, and a host's first request of the
  next run (its robots.txt) starts from its saved delay instead of ``AUTOTHROTTLE_START_DELAY``.

A "host" is a downloader slot: the host name (its IP address with ``CONCURRENT_REQUESTS_PER_IP``).
Slots are created lazily by Scrapy's downloader: a new one is set up when its first request
reaches the downloader (``request_reached_downloader``, sent before the request is queued).
"""

from __future__ import annotations

import logging
import math
from typing import TYPE_CHECKING

from scrapy import Request, Spider, signals
from scrapy.extensions.throttle import AutoThrottle as ScrapyAutoThrottle

from newscrawler.state.crawlstate import CrawlState
from newscrawler.state.store import HostDelay, StateStore

if TYPE_CHECKING:
    from scrapy.core.downloader import Slot
    from scrapy.crawler import Crawler
    from scrapy.http import Response
    from scrapy.robotstxt import RobotParser

logger = logging.getLogger(__name__)


def bounded_crawl_delay(declared: float | None, cap: float) -> tuple[float | None, bool]:
    """The Crawl-delay to honour for a declared one, and whether ``cap`` cut it: ``None`` for
    none, zero, negative or not a number, and for any when ``cap`` is 0 (Crawl-delay ignored)."""
    if declared is None or math.isnan(declared) or declared <= 0 or cap <= 0:
        return None, False
    if declared > cap:
        return cap, True
    return declared, False


def start_delay(saved: HostDelay, mindelay: float, maxdelay: float) -> float:
    """Where a host's delay starts from its saved one: within the AutoThrottle bounds, and never
    below its saved Crawl-delay."""
    delay = min(max(mindelay, saved.delay), maxdelay)
    return max(delay, saved.crawl_delay or 0.0)


class AutoThrottle(ScrapyAutoThrottle):
    """Scrapy's AutoThrottle with 304 answers, Crawl-delay floors and delays kept across runs."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)  # NotConfigured unless AUTOTHROTTLE_ENABLED
        s = crawler.settings
        assert crawler.stats is not None
        self.stats = crawler.stats
        self.max_crawl_delay = s.getfloat("NEWSCRAWLER_THROTTLE_MAX_CRAWL_DELAY")
        self.obey_robots = s.getbool("ROBOTSTXT_OBEY")
        self.save_delays = s.getbool("NEWSCRAWLER_THROTTLE_SAVE_DELAYS")
        self.store: StateStore | None = None
        # every slot seen in this run, by key; a slot closed by the downloader's idle clean-up
        # stays here with its last delay, which its successor starts from
        self.slots: dict[str, Slot] = {}
        self.crawl_delays: dict[str, float] = {}  # the floor of each host that declares one
        self._robots_read: set[str] = set()  # hosts whose robots.txt this run has read
        if self.obey_robots:
            crawler.signals.connect(self._robots_parsed, signal=signals.robots_parsed)
        crawler.signals.connect(
            self._request_reached_downloader, signal=signals.request_reached_downloader
        )
        crawler.signals.connect(self._spider_closed, signal=signals.spider_closed)

    def _spider_opened(self, spider: Spider) -> None:
        super()._spider_opened(spider)
        state = self.crawler.get_extension(CrawlState)
        if state is not None and self.save_delays:
            self.store = state.store

    # --- delays -------------------------------------------------------------------------------
    def _adjust_delay(self, slot: Slot, latency: float, response: Response) -> None:
        if response.status == 304:
            # a revalidated page is a real answer (small, as an error page is, but not one)
            response = response.replace(status=200)
        super()._adjust_delay(slot, latency, response)

    def _response_downloaded(self, response: Response, request: Request, spider: Spider) -> None:
        super()._response_downloaded(response, request, spider)
        key, slot = self._get_slot(request, spider)
        if key is not None and slot is not None:
            self._apply_crawl_delay(key, slot)

    def _apply_crawl_delay(self, key: str, slot: Slot) -> None:
        floor = self.crawl_delays.get(key)
        if floor is not None:
            slot.jitter = 0.0
            slot.delay = max(slot.delay, floor)

    # --- new slots ----------------------------------------------------------------------------
    def _request_reached_downloader(self, request: Request) -> None:
        key = request.meta.get("download_slot")
        if key is None:
            return
        slot = self.crawler.engine.downloader.slots.get(key) if self.crawler.engine else None
        previous = self.slots.get(key)
        if slot is None or previous is slot:
            return
        self.slots[key] = slot
        if previous is not None:  # closed while idle and created again: go on where it was
            slot.delay = previous.delay
        else:
            self._restore(key, slot)
        self._apply_crawl_delay(key, slot)

    def _restore(self, key: str, slot: Slot) -> None:
        saved = self.store.host_delay(key) if self.store is not None else None
        if saved is None:
            return
        crawl_delay = None
        if self.obey_robots and saved.crawl_delay is not None:
            crawl_delay, _ = bounded_crawl_delay(saved.crawl_delay, self.max_crawl_delay)
            if crawl_delay is not None and key not in self._robots_read:
                self.crawl_delays[key] = crawl_delay  # until this run reads its robots.txt
        slot.delay = start_delay(HostDelay(saved.delay, crawl_delay), self.mindelay, self.maxdelay)
        self.stats.inc_value("newscrawler/throttle/restored")
        logger.debug(
            "Download delay of %s starts at %.3f s (saved by an earlier run)", key, slot.delay
        )

    # --- robots.txt ---------------------------------------------------------------------------
    def _robots_user_agent(self, request: Request) -> str:
        """The user agent robots.txt rules are read for, as RobotsTxtMiddleware chooses it."""
        s = self.crawler.settings
        agent = s.get("ROBOTSTXT_USER_AGENT") or request.headers.get(b"User-Agent")
        if isinstance(agent, bytes):
            agent = agent.decode("latin-1")
        return str(agent or s.get("USER_AGENT"))

    def _robots_parsed(self, robotparser: RobotParser, request: Request) -> None:
        key = self.crawler.engine.downloader.get_slot_key(request) if self.crawler.engine else ""
        declared = robotparser.crawl_delay(self._robots_user_agent(request))
        delay, capped = bounded_crawl_delay(declared, self.max_crawl_delay)
        if key not in self._robots_read:
            self._robots_read.add(key)
            self.crawl_delays.pop(key, None)  # this run's robots.txt replaces the saved one
        if delay is None or self.crawl_delays.get(key, 0.0) >= delay:
            return  # none, or another port of the same host asked for as much already
        if key not in self.crawl_delays:
            self.stats.inc_value("newscrawler/throttle/crawl_delay")
        self.crawl_delays[key] = delay
        if capped:
            self.stats.inc_value("newscrawler/throttle/crawl_delay_capped")
            logger.warning(
                "robots.txt of %s asks for a Crawl-delay of %s s: %s s used"
                " (NEWSCRAWLER_THROTTLE_MAX_CRAWL_DELAY)",
                key,
                declared,
                delay,
            )
        else:
            logger.info(
                "robots.txt of %s asks for a Crawl-delay of %s s: its requests are at least"
                " that far apart",
                key,
                delay,
            )
        slot = self.slots.get(key)
        if slot is not None:
            self._apply_crawl_delay(key, slot)

    # --- end of run ---------------------------------------------------------------------------
    def _spider_closed(self) -> None:
        if not self.slots:
            return
        self.stats.set_value("newscrawler/throttle/hosts", len(self.slots))
        self.stats.set_value(
            "newscrawler/throttle/delay_max",
            round(max(slot.delay for slot in self.slots.values()), 3),
        )
        if self.store is None:
            return
        self.store.put_host_delays(
            {
                key: HostDelay(slot.delay, self.crawl_delays.get(key))
                for key, slot in self.slots.items()
            }
        )
        self.stats.set_value("newscrawler/throttle/saved", len(self.slots))
