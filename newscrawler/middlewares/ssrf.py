"""SSRF guard: never fetch a URL that resolves into the operator's own networks.

A page (or a redirect) may point the crawler at ``http://169.254.169.254/`` (cloud metadata),
``http://localhost:8080/admin`` or a name whose DNS record says ``10.0.0.5``. The
:class:`SsrfGuardMiddleware` resolves every request's host itself and refuses the request when
any of its addresses is loopback, private, link-local, CGNAT, IPv6 ULA/link-local, unspecified,
multicast or reserved, unless the request goes to one of the operator's seed origins (scheme,
host, port) or the address is in ``NEWSCRAWLER_ALLOWED_NETWORKS``. Only ``http`` and ``https``
URLs are fetched.

Checking a name and then letting Twisted resolve it again would leave a gap (DNS rebinding:
the second answer may differ). The :class:`PinningResolver` closes it: installed as
``TWISTED_DNS_RESOLVER``, it answers a name with the address the guard checked, and refuses a
forbidden answer for any name the guard has not pinned. The pins belong to each crawler's guard
(:class:`PinnedAddresses`); Scrapy builds the one resolver of the reactor with the crawler
process, and the resolver reads the pins of the guards of the crawlers it runs.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any, NoReturn
from urllib.parse import urlsplit

from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Request
from scrapy.resolver import CachingThreadedResolver
from scrapy.utils.asyncio import run_in_thread
from scrapy.utils.datatypes import LocalCache
from twisted.internet import defer
from twisted.internet.error import DNSLookupError

from newscrawler.discovery.scope import crawl_scope

if TYPE_CHECKING:
    from collections.abc import Sequence

    from scrapy.crawler import Crawler
    from scrapy.settings import BaseSettings
    from scrapy.statscollectors import StatsCollector
    from twisted.internet.base import ReactorBase

logger = logging.getLogger(__name__)

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
Origin = tuple[str, str, int]

FETCHED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}

# Networks a crawler of the public web has no business reaching, by refusal reason.
FORBIDDEN_NETWORKS: dict[str, tuple[IPNetwork, ...]] = {
    "loopback": (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128")),
    "private": (
        ipaddress.ip_network("10.0.0.0/8"),
        ipaddress.ip_network("172.16.0.0/12"),
        ipaddress.ip_network("192.168.0.0/16"),
    ),
    "link_local": (ipaddress.ip_network("169.254.0.0/16"), ipaddress.ip_network("fe80::/10")),
    "cgnat": (ipaddress.ip_network("100.64.0.0/10"),),
    "ula": (ipaddress.ip_network("fc00::/7"),),
    "unspecified": (ipaddress.ip_network("0.0.0.0/8"), ipaddress.ip_network("::/128")),
    "multicast": (ipaddress.ip_network("224.0.0.0/4"), ipaddress.ip_network("ff00::/8")),
    "reserved": (
        ipaddress.ip_network("192.0.0.0/24"),  # IETF protocol assignments
        ipaddress.ip_network("198.18.0.0/15"),  # benchmarking
        ipaddress.ip_network("240.0.0.0/4"),  # reserved, broadcast
        ipaddress.ip_network("fec0::/10"),  # deprecated site-local
    ),
}
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


class PinnedAddresses:
    """Addresses a guard checked, by host name: what the resolver answers (one IPv4 address,
    as Twisted's simple resolver API expects)."""

    def __init__(self, size: int = 10_000) -> None:
        self._pins: LocalCache[str, str] = LocalCache(size)

    def pin(self, host: str, address: str) -> None:
        self._pins[host] = address

    def get(self, host: str) -> str | None:
        return self._pins.get(host)

    def __getitem__(self, host: str) -> str:
        return self._pins[host]


def embedded_ipv4(address: IPAddress) -> ipaddress.IPv4Address | None:
    """The IPv4 address inside an IPv4-mapped, NAT64 or 6to4 IPv6 address, if any."""
    if isinstance(address, ipaddress.IPv4Address):
        return None
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64:
        return ipaddress.IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def parse_networks(values: Iterable[str]) -> tuple[IPNetwork, ...]:
    """CIDR strings (``10.1.0.0/16``, ``fd00::/8``, a bare address) as networks."""
    networks = []
    for value in values:
        try:
            networks.append(ipaddress.ip_network(value.strip(), strict=False))
        except ValueError as exc:
            raise ValueError(f"NEWSCRAWLER_ALLOWED_NETWORKS: {exc}") from None
    return tuple(networks)


class AddressPolicy:
    """Which resolved addresses may be fetched."""

    def __init__(self, allowed_networks: Iterable[IPNetwork] = ()) -> None:
        self.allowed_networks = tuple(allowed_networks)

    @classmethod
    def from_settings(cls, settings: BaseSettings) -> AddressPolicy:
        return cls(parse_networks(settings.getlist("NEWSCRAWLER_ALLOWED_NETWORKS")))

    def refusal(self, address: str | IPAddress) -> str | None:
        """Why ``address`` must not be fetched (``"loopback"``, ``"private"``, ...), or None."""
        ip = ipaddress.ip_address(address) if isinstance(address, str) else address
        if isinstance(ip, ipaddress.IPv6Address) and ip.scope_id:
            ip = ipaddress.IPv6Address(str(ip).split("%", 1)[0])
        if any(ip.version == net.version and ip in net for net in self.allowed_networks):
            return None
        inner = embedded_ipv4(ip)
        if inner is not None:
            return self.refusal(inner)
        for reason, networks in FORBIDDEN_NETWORKS.items():
            if any(ip.version == net.version and ip in net for net in networks):
                return reason
        return None


def origin_of(url: str) -> Origin | None:
    """``(scheme, host, port)`` of an http(s) URL, the port made explicit."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in FETCHED_SCHEMES or not parts.hostname:
        return None
    try:
        port = parts.port or DEFAULT_PORTS[scheme]
    except ValueError:
        return None
    return scheme, parts.hostname.lower().rstrip("."), port


def literal_address(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None


def resolve_host(host: str) -> list[str]:
    """Every address ``host`` resolves to (IPv4 and IPv6), as the system resolver answers."""
    infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


class SsrfRefused(IgnoreRequest):
    """The request would reach a forbidden address or use a scheme other than http(s)."""


class SsrfGuardMiddleware:
    """Refuse requests to internal addresses and non-HTTP schemes (see the module docstring)."""

    def __init__(self, stats: StatsCollector, policy: AddressPolicy) -> None:
        self.stats = stats
        self.policy = policy
        self.seed_origins: set[Origin] = set()
        self.pins = PinnedAddresses()  # read by the PinningResolver
        self._addresses: LocalCache[str, tuple[str, ...]] = LocalCache(10_000)
        self._logged: set[tuple[str, str]] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> SsrfGuardMiddleware:
        if not crawler.settings.getbool("NEWSCRAWLER_SSRF_GUARD"):
            raise NotConfigured  # off, without a warning: NEWSCRAWLER_SSRF_GUARD is off
        assert crawler.stats is not None
        mw = cls(crawler.stats, AddressPolicy.from_settings(crawler.settings))
        mw.seed_origins = {o for o in map(origin_of, crawl_scope(crawler).seeds) if o is not None}
        return mw

    def add_seeds(self, urls: Iterable[str]) -> None:
        """Seeds that arrive during the crawl: their origins are the operator's too."""
        self.seed_origins |= {o for o in map(origin_of, urls) if o is not None}

    async def process_request(self, request: Request) -> None:
        refusal = await self.refusal(request.url)
        if refusal is not None:
            self.refuse(request, *refusal)

    async def refusal(self, url: str) -> tuple[str, str] | None:
        """Why ``url`` must not be fetched, as ``(reason, detail)``, or None; pins the checked
        address of an allowed host. Also asked by the browser for every request it makes
        (:mod:`newscrawler.render.browser`)."""
        scheme = urlsplit(url).scheme.lower()
        if scheme not in FETCHED_SCHEMES:
            return "scheme", f"{scheme}: URLs are not fetched"
        origin = origin_of(url)
        if origin is None:
            return "scheme", "no host"
        host = origin[1]
        addresses = await self.addresses(host)
        if not addresses:
            return None  # unresolvable: the download fails as usual (and the resolver refuses too)
        if origin not in self.seed_origins:
            for address in addresses:
                reason = self.policy.refusal(address)
                if reason is not None:
                    where = f"{host} is" if host == address else f"{host} resolves to {address},"
                    return reason, f"{where} a {reason} address"
        pinned = next((a for a in addresses if ":" not in a), None)
        if pinned is not None:
            self.pins.pin(host, pinned)  # Twisted looks up IPv4 literals too
        return None

    async def addresses(self, host: str) -> tuple[str, ...]:
        """The host's addresses: the literal itself, else resolved (in a thread) and cached."""
        literal = literal_address(host)
        if literal is not None:
            return (str(literal),)
        cached = self._addresses.get(host)
        if cached is not None:
            return cached
        try:
            resolved = tuple(await run_in_thread(resolve_host, host))
        except (OSError, UnicodeError):
            return ()
        self._addresses[host] = resolved
        return resolved

    def refuse(self, request: Request, reason: str, detail: str) -> NoReturn:
        self.stats.inc_value("newscrawler/ssrf/refused")
        self.stats.inc_value(f"newscrawler/ssrf/refused/{reason}")
        key = (urlsplit(request.url).netloc, reason)
        level = logging.DEBUG if key in self._logged else logging.WARNING
        self._logged.add(key)
        logger.log(level, "Refused %s (SSRF guard): %s", request.url, detail)
        raise SsrfRefused(f"SSRF guard: {detail}")


class PinningResolver(CachingThreadedResolver):
    """Scrapy's caching resolver, answering with the addresses the SSRF guard checked.

    A name the guard pinned resolves to the pinned address, never to a fresh (possibly
    rebound) answer. Any other name is resolved as usual, and refused when the answer is a
    forbidden address outside ``NEWSCRAWLER_ALLOWED_NETWORKS``.

    ``pins`` gives the pin stores to read: those of the guards of the running crawlers. (A
    reactor has one resolver, and a lookup does not say which crawler asks: with several
    crawlers in one process, a name pinned by any of them is answered with that pin.)
    """

    def __init__(
        self,
        reactor: ReactorBase,
        cache_size: int,
        timeout: float,
        policy: AddressPolicy | None = None,
        pins: Callable[[], Iterable[PinnedAddresses]] = tuple,
    ) -> None:
        super().__init__(reactor, cache_size, timeout)
        self.policy = policy
        self.pins = pins

    @classmethod
    def from_crawler(cls, crawler: Any, reactor: ReactorBase) -> PinningResolver:
        """Built by Scrapy with the crawler process (``crawlers``), or with one crawler."""
        settings = crawler.settings
        cache_size = settings.getint("DNSCACHE_SIZE") if settings.getbool("DNSCACHE_ENABLED") else 0
        policy = (
            AddressPolicy.from_settings(settings)
            if settings.getbool("NEWSCRAWLER_SSRF_GUARD")
            else None
        )
        crawlers: Callable[[], Iterable[Crawler]]
        if hasattr(crawler, "crawlers"):  # CrawlerProcess / CrawlerRunner
            crawlers = lambda: list(crawler.crawlers)  # noqa: E731
        else:
            crawlers = lambda: [crawler]  # noqa: E731
        return cls(
            reactor,
            cache_size,
            settings.getfloat("DNS_TIMEOUT"),
            policy,
            lambda: guard_pins(crawlers()),
        )

    def pinned(self, name: str) -> str | None:
        """The address a guard checked for ``name``, if one did."""
        for pins in self.pins():
            address = pins.get(name)
            if address is not None:
                return address
        return None

    def getHostByName(self, name: str, timeout: Sequence[int] = ()) -> defer.Deferred[str]:
        pinned = self.pinned(name) if self.policy is not None else None
        if pinned is not None:
            return defer.succeed(pinned)
        d = super().getHostByName(name, timeout)
        if self.policy is not None:
            d.addCallback(self.vet, name)
        return d

    def vet(self, address: str, name: str) -> str:
        """``address`` if the policy allows it, else a DNS lookup error."""
        assert self.policy is not None
        reason = self.policy.refusal(address)
        if reason is not None:
            raise DNSLookupError(f"{name} resolves to {address}, a {reason} address (SSRF guard)")
        return address


def guard_pins(crawlers: Iterable[Crawler]) -> Iterator[PinnedAddresses]:
    """The pin stores of the SSRF guards of ``crawlers`` (those whose engine is running)."""
    for crawler in crawlers:
        try:
            guard = crawler.get_downloader_middleware(SsrfGuardMiddleware)
        except RuntimeError:  # no engine yet: nothing downloaded, nothing pinned
            continue
        if guard is not None:
            yield guard.pins
