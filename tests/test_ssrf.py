"""SSRF guard: internal addresses and non-HTTP schemes are never fetched, seeds excepted."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from scrapy.http import Request
from scrapy.utils.test import get_crawler
from twisted.internet.error import DNSLookupError
from twisted.internet.testing import MemoryReactorClock

from newscrawler.middlewares.ssrf import (
    AddressPolicy,
    PinnedAddresses,
    PinningResolver,
    SsrfGuardMiddleware,
    SsrfRefused,
    parse_networks,
)
from newscrawler.spiders.news import NewsSpider
from tests.conftest import news_crawler, run_crawl
from tests.site.fault_routes import article_page
from tests.site.server import LoopbackSite, Route


@pytest.mark.parametrize(
    ("address", "reason"),
    [
        ("127.0.0.1", "loopback"),
        ("127.255.0.9", "loopback"),
        ("::1", "loopback"),
        ("10.1.2.3", "private"),
        ("172.16.0.1", "private"),
        ("172.31.255.254", "private"),
        ("192.168.1.1", "private"),
        ("169.254.169.254", "link_local"),
        ("fe80::1", "link_local"),
        ("100.64.0.1", "cgnat"),
        ("100.127.255.254", "cgnat"),
        ("fd00::1", "ula"),
        ("fc00::1", "ula"),
        ("0.0.0.0", "unspecified"),
        ("::", "unspecified"),
        ("224.0.0.1", "multicast"),
        ("ff02::1", "multicast"),
        ("255.255.255.255", "reserved"),
        ("::ffff:127.0.0.1", "loopback"),  # IPv4-mapped
        ("::ffff:169.254.169.254", "link_local"),
        ("64:ff9b::a00:1", "private"),  # NAT64 of 10.0.0.1
        ("2002:a00:1::", "private"),  # 6to4 of 10.0.0.1
        ("8.8.8.8", None),
        ("93.184.216.34", None),
        ("172.32.0.1", None),
        ("100.128.0.1", None),
        ("2606:4700:4700::1111", None),
    ],
)
def test_policy_refuses_internal_addresses(address: str, reason: str | None) -> None:
    assert AddressPolicy().refusal(address) == reason


def test_allowed_networks_let_their_addresses_through_only() -> None:
    policy = AddressPolicy(parse_networks(["10.20.0.0/16", "fd12::/16"]))
    assert policy.refusal("10.20.3.4") is None
    assert policy.refusal("fd12::5") is None
    assert policy.refusal("10.21.0.1") == "private"
    assert policy.refusal("127.0.0.1") == "loopback"


def test_invalid_allowed_network_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="NEWSCRAWLER_ALLOWED_NETWORKS"):
        parse_networks(["10.0.0.0/33"])


def guard(seeds: str, **settings: object) -> SsrfGuardMiddleware:
    crawler = news_crawler({"NEWSCRAWLER_SSRF_GUARD": True, **settings}, start_urls=seeds)
    return SsrfGuardMiddleware.from_crawler(crawler)


def process(mw: SsrfGuardMiddleware, url: str) -> None:
    asyncio.run(mw.process_request(Request(url)))


@pytest.mark.parametrize(
    "url",
    [
        "http://169.254.169.254/latest/meta-data/",
        "http://127.0.0.1:8001/admin",
        "http://[::1]:8000/",
        "http://10.0.0.5/",
        "https://100.64.1.1/",
        "http://localhost:8000/",  # a name, checked on what it resolves to
        "http://2130706433/",  # 127.0.0.1 written as one number
        "http://127.1/",
    ],
)
def test_guard_refuses_internal_urls_with_a_stat(url: str) -> None:
    mw = guard("http://127.0.0.1:8000/")
    with pytest.raises(SsrfRefused):
        process(mw, url)
    assert mw.stats.get_value("newscrawler/ssrf/refused") == 1


@pytest.mark.parametrize(
    "url", ["ftp://example.com/file", "file:///etc/passwd", "data:text/html,hi", "s3://b/k"]
)
def test_guard_fetches_only_http_and_https(url: str) -> None:
    mw = guard("http://127.0.0.1:8000/")
    with pytest.raises(SsrfRefused):
        process(mw, url)
    assert mw.stats.get_value("newscrawler/ssrf/refused/scheme") == 1


def test_guard_lets_seed_origins_and_allowed_networks_through() -> None:
    mw = guard("http://127.0.0.1:8000/,http://localhost:8080/news/")
    process(mw, "http://127.0.0.1:8000/world/article.html")
    process(mw, "http://localhost:8080/robots.txt")
    with pytest.raises(SsrfRefused):
        process(mw, "https://127.0.0.1:8000/")  # another scheme is another origin
    allowed = guard("http://127.0.0.1:8000/", NEWSCRAWLER_ALLOWED_NETWORKS=["127.0.0.0/8"])
    process(allowed, "http://127.0.0.1:9999/")
    assert allowed.stats.get_value("newscrawler/ssrf/refused") is None


def test_guard_off_is_not_configured() -> None:
    from scrapy.exceptions import NotConfigured

    crawler = get_crawler(NewsSpider, {"NEWSCRAWLER_SSRF_GUARD": False})
    with pytest.raises(NotConfigured):
        SsrfGuardMiddleware.from_crawler(crawler)


def test_resolver_answers_with_the_pinned_address_not_a_fresh_lookup() -> None:
    """DNS rebinding: the guard checked (and pinned) a public address; the connection uses it."""
    pins = PinnedAddresses()
    resolver = PinningResolver(MemoryReactorClock(), 0, 5.0, AddressPolicy(), lambda: [pins])
    pins.pin("rebinding.example", "93.184.216.34")
    answers: list[str] = []
    resolver.getHostByName("rebinding.example").addCallback(answers.append)
    assert answers == ["93.184.216.34"]


def test_resolver_refuses_forbidden_answers_for_names_the_guard_did_not_pin() -> None:
    resolver = PinningResolver(MemoryReactorClock(), 0, 5.0, AddressPolicy())
    with pytest.raises(DNSLookupError, match="loopback"):
        resolver.vet("127.0.0.1", "sneaky.example")
    assert resolver.vet("93.184.216.34", "public.example") == "93.184.216.34"


def test_guard_pins_what_it_checked() -> None:
    mw = guard("http://localhost:8000/")
    process(mw, "http://localhost:8000/")
    assert mw.pins["localhost"] == "127.0.0.1"


def test_pins_belong_to_each_crawlers_guard() -> None:
    first, second = guard("http://localhost:8000/"), guard("http://localhost:8000/")
    process(first, "http://localhost:8000/")
    assert first.pins.get("localhost") == "127.0.0.1"
    assert second.pins.get("localhost") is None


class RunningCrawler:
    """A crawler whose engine runs, as the resolver sees it through the crawler process."""

    def __init__(self, mw: SsrfGuardMiddleware | None) -> None:
        self.mw = mw

    def get_downloader_middleware(self, cls: type) -> SsrfGuardMiddleware | None:
        if self.mw is None:
            raise RuntimeError("no engine yet")
        return self.mw


def test_resolver_built_with_the_process_reads_the_pins_of_its_crawlers() -> None:
    mw = guard("http://localhost:8000/")
    process(mw, "http://localhost:8000/")

    process_ = SimpleNamespace(
        settings=get_crawler(NewsSpider).settings,
        crawlers={RunningCrawler(None), RunningCrawler(mw)},
    )
    resolver = PinningResolver.from_crawler(process_, MemoryReactorClock())
    assert resolver.pinned("localhost") == "127.0.0.1"
    assert resolver.pinned("other.example") is None


def test_crawl_never_reaches_an_unseeded_loopback_origin(tmp_path: Path) -> None:
    with LoopbackSite({}) as other:
        b_ip, b_name = other.origin, f"http://localhost:{other.port}"
        routes = {
            "/": Route(
                body=(
                    "<html><body>"
                    f'<a href="{b_ip}/secret.html">a</a> <a href="{b_name}/named.html">b</a>'
                    '<a href="/go/ip">c</a> <a href="/go/name">d</a>'
                    f'<a href="ftp://127.0.0.1:{other.port}/pub/">e</a>'
                    '<a href="/news/2024/04/12/still-crawled.html">f</a>'
                    "</body></html>"
                )
            ),
            "/go/ip": Route(status=302, headers={"Location": f"{b_ip}/redirected.html"}),
            "/go/name": Route(status=302, headers={"Location": f"{b_name}/redirected.html"}),
            "/news/2024/04/12/still-crawled.html": Route(body=article_page("Still crawled")),
            "/robots.txt": Route(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
        }
        with LoopbackSite(routes) as seed:
            seeds = f"{seed.url('/')},http://localhost:{seed.port}/"
            result = run_crawl(tmp_path, "-a", f"start_urls={seeds}")
        assert other.paths() == []
    assert result.returncode == 0, result.log[-3000:]
    # Both seed origins serve the article; dedup keeps whichever copy came first.
    path = "/news/2024/04/12/still-crawled.html"
    assert [r["url"] for r in result.records] in (
        [seed.url(path)],
        [f"http://localhost:{seed.port}{path}"],
    )
    stats = result.stats
    assert stats["newscrawler/ssrf/refused/loopback"] >= 4  # 2 links + 2 redirects
    # The ftp: link is not even requested: the spider follows http(s) links only (the guard's
    # own scheme check is tested above).
    assert "newscrawler/ssrf/refused/scheme" not in stats
    warnings = [line for line in result.log.splitlines() if "(SSRF guard)" in line]
    assert any(f"Refused {b_ip}/" in w and "127.0.0.1 is a loopback address" in w for w in warnings)
    named = re.compile(rf"Refused {b_name}/.*localhost resolves to (127\.0\.0\.1|::1), a loopback")
    assert any(named.search(w) for w in warnings), warnings
    assert len([w for w in warnings if "WARNING" in w and b_ip in w]) == 1  # logged once


def test_allowed_networks_setting_opens_the_guard(tmp_path: Path) -> None:
    with LoopbackSite({"/page.html": Route(body="<html><body>ok</body></html>")}) as other:
        routes = {"/": Route(body=f'<html><body><a href="{other.url("/page.html")}">x</a>')}
        with LoopbackSite(routes) as seed:
            result = run_crawl(
                tmp_path,
                "-a",
                f"start_urls={seed.url('/')}",
                settings={"NEWSCRAWLER_ALLOWED_NETWORKS": "127.0.0.0/8", "ROBOTSTXT_OBEY": "0"},
            )
        assert "/page.html" in other.paths()
    assert result.returncode == 0
    assert "newscrawler/ssrf/refused" not in result.stats
