"""Per-site configuration: a TOML file with one ``[sites.NAME]`` table per site.

:func:`load_sites` validates the whole file strictly and raises :class:`SitesConfigError` naming
the site and the field at the first problem, so that a bad file stops the crawl before it starts.
:class:`SiteRegistry` answers "which configured site does this URL belong to?".
"""

from __future__ import annotations

import difflib
import re
import sys
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from parsel import Selector

from newscrawler.errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - Python 3.10
    import tomli as tomllib

# A site's ``render``: its HTML pages rendered in a browser, or never.
RENDER_CHOICES = ("browser", "plain")
SELECTOR_FIELDS = ("title", "body", "published", "authors", "related", "source")
_LANGUAGE = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})*")
_SITE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


class SitesConfigError(ConfigError):
    """The per-site configuration file is invalid; the message names the site and field."""


@dataclass(frozen=True)
class SiteConfig:
    """What the crawl knows about one site beyond its seed URLs."""

    name: str
    start_urls: tuple[str, ...] = ()
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()  # hosts covered (subdomains included); default: of the URLs
    allow: tuple[re.Pattern[str], ...] = ()  # follow only URLs matching one of these
    deny: tuple[re.Pattern[str], ...] = ()  # never follow URLs matching one of these
    article_pattern: re.Pattern[str] | None = None  # pages whose URL matches are the articles
    language: str | None = None
    timezone: str | None = None
    page_budget: int | None = None  # requests to this site at most
    follow_links: bool | None = None  # None: the NEWSCRAWLER_FOLLOW_LINKS setting decides
    # "browser": render the site's HTML pages in Chromium; "plain": never (not even with
    # NEWSCRAWLER_RENDER=auto); None: the NEWSCRAWLER_RENDER setting decides
    render: str | None = None
    selectors: Mapping[str, str] = field(default_factory=dict)

    def allows(self, url: str) -> bool:
        """Whether ``url`` passes this site's allow and deny patterns."""
        if any(p.search(url) for p in self.deny):
            return False
        return not self.allow or any(p.search(url) for p in self.allow)

    def is_article_url(self, url: str) -> bool | None:
        """``True``/``False`` when an article URL pattern decides, ``None`` when none is set."""
        if self.article_pattern is None:
            return None
        return bool(self.article_pattern.search(url))


class _Site:
    """Validation context: raises errors that name the file, the site and the field."""

    def __init__(self, source: str, name: str) -> None:
        self.source = source
        self.name = name

    def error(self, name: str, message: str) -> SitesConfigError:
        return SitesConfigError(f"{self.source}: site {self.name!r}, field {name!r}: {message}")

    def string(self, name: str, value: Any) -> str:
        if not isinstance(value, str) or not value.strip():
            raise self.error(name, f"expected a non-empty string, got {_kind(value)}")
        return value.strip()

    def strings(self, name: str, value: Any) -> list[str]:
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list):
            raise self.error(name, f"expected a list of strings, got {_kind(value)}")
        return [self.string(f"{name}[{i}]", item) for i, item in enumerate(value)]

    def urls(self, name: str, value: Any) -> tuple[str, ...]:
        urls = self.strings(name, value)
        for i, url in enumerate(urls):
            parts = urlsplit(url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise self.error(f"{name}[{i}]", f"not an absolute http(s) URL: {url!r}")
        return tuple(urls)

    def regex(self, name: str, value: Any) -> re.Pattern[str]:
        text = self.string(name, value)
        try:
            return re.compile(text)
        except re.error as exc:
            raise self.error(name, f"bad regular expression {text!r}: {exc}") from None

    def regexes(self, name: str, value: Any) -> tuple[re.Pattern[str], ...]:
        texts = self.strings(name, value)
        return tuple(self.regex(f"{name}[{i}]", text) for i, text in enumerate(texts))

    def language(self, name: str, value: Any) -> str:
        text = self.string(name, value)
        if not _LANGUAGE.fullmatch(text):
            raise self.error(name, f"not a language code such as 'ru' or 'en-GB': {text!r}")
        return text

    def timezone(self, name: str, value: Any) -> str:
        text = self.string(name, value)
        try:
            ZoneInfo(text)
        except (ZoneInfoNotFoundError, ValueError):
            message = f"unknown time zone {text!r} (use e.g. 'Europe/Moscow')"
            raise self.error(name, message) from None
        return text

    def positive_int(self, name: str, value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise self.error(name, f"expected a positive integer, got {value!r}")
        return value

    def boolean(self, name: str, value: Any) -> bool:
        if not isinstance(value, bool):
            raise self.error(name, f"expected true or false, got {value!r}")
        return value

    def choice(self, name: str, value: Any, choices: tuple[str, ...]) -> str:
        text = self.string(name, value)
        if text not in choices:
            raise self.error(name, f"expected one of {', '.join(map(repr, choices))}, got {text!r}")
        return text

    def render(self, name: str, value: Any) -> str:
        return self.choice(name, value, RENDER_CHOICES)

    def domains(self, name: str, value: Any) -> tuple[str, ...]:
        hosts = self.strings(name, value)
        for i, host in enumerate(hosts):
            if "/" in host or ":" in host or " " in host:
                message = f"expected a host name such as 'example.com': {host!r}"
                raise self.error(f"{name}[{i}]", message)
        return tuple(h.lower().rstrip(".") for h in hosts)

    def selectors(self, name: str, value: Any) -> dict[str, str]:
        if not isinstance(value, dict):
            raise self.error(name, f"expected a table, got {_kind(value)}")
        result: dict[str, str] = {}
        for key, expr in value.items():
            where = f"{name}.{key}"
            if key not in SELECTOR_FIELDS:
                raise self.error(where, f"unknown selector{_suggest(key, SELECTOR_FIELDS)}")
            result[key] = self.selector(where, expr)
        return result

    def selector(self, name: str, value: Any) -> str:
        expr = self.string(name, value)
        probe = Selector(text="<html><body></body></html>")
        try:
            if is_xpath(expr):
                probe.xpath(expr)
            else:
                probe.css(expr)
        except Exception as exc:  # parsel raises ValueError, cssselect its own errors
            kind = "XPath" if is_xpath(expr) else "CSS selector"
            raise self.error(name, f"bad {kind} {expr!r}: {exc}") from None
        return expr


def is_xpath(expr: str) -> bool:
    """Selectors starting with ``/`` or ``(`` are XPath, all others CSS."""
    return expr.lstrip().startswith(("/", "("))


def _kind(value: Any) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "a table",
    }.get(type(value), type(value).__name__)


def _suggest(name: str, choices: Iterable[str]) -> str:
    close = difflib.get_close_matches(name, list(choices), n=1)
    return f" (did you mean {close[0]!r}?)" if close else f" (known: {', '.join(sorted(choices))})"


_FIELDS: dict[str, Callable[[_Site, str, Any], Any]] = {
    "start_urls": _Site.urls,
    "feeds": _Site.urls,
    "sitemaps": _Site.urls,
    "domains": _Site.domains,
    "allow": _Site.regexes,
    "deny": _Site.regexes,
    "article_pattern": _Site.regex,
    "language": _Site.language,
    "timezone": _Site.timezone,
    "page_budget": _Site.positive_int,
    "follow_links": _Site.boolean,
    "render": _Site.render,
    "selectors": _Site.selectors,
}


def _default_domains(urls: Iterable[str]) -> tuple[str, ...]:
    hosts = []
    for url in urls:
        host = (urlsplit(url).hostname or "").lower()
        hosts.append(host[4:] if host.startswith("www.") else host)
    return tuple(dict.fromkeys(hosts))


def site_from_table(source: str, name: str, table: Any) -> SiteConfig:
    """Validate one ``[sites.NAME]`` table."""
    ctx = _Site(source, name)
    if not _SITE_NAME.fullmatch(name):
        message = "name must be letters, digits, '_', '-', '.'"
        raise SitesConfigError(f"{source}: site {name!r}: {message}")
    if not isinstance(table, dict):
        raise SitesConfigError(f"{source}: site {name!r}: expected a table, got {_kind(table)}")
    values: dict[str, Any] = {}
    for key, value in table.items():
        check = _FIELDS.get(key)
        if check is None:
            raise ctx.error(key, f"unknown field{_suggest(key, _FIELDS)}")
        values[key] = check(ctx, key, value)
    urls = [*values.get("start_urls", ()), *values.get("feeds", ()), *values.get("sitemaps", ())]
    if not urls:
        raise ctx.error("start_urls", "a site needs at least one of start_urls, feeds, sitemaps")
    values.setdefault("domains", _default_domains(urls))
    return SiteConfig(name=name, **values)


def parse_sites(text: str, source: str = "<sites>") -> list[SiteConfig]:
    """Validate the TOML text of a sites file."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SitesConfigError(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"sites"})
    if unknown:
        raise SitesConfigError(
            f"{source}: unknown top-level key {unknown[0]!r}: sites go in [sites.NAME] tables"
        )
    sites = data.get("sites")
    if not isinstance(sites, dict) or not sites:
        raise SitesConfigError(f"{source}: no sites: add at least one [sites.NAME] table")
    return [site_from_table(source, name, table) for name, table in sites.items()]


def load_sites(path: str | Path) -> list[SiteConfig]:
    """Read and validate a sites file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SitesConfigError(f"{path}: cannot read the sites file: {exc}") from None
    return parse_sites(text, str(path))


class SiteRegistry:
    """Find the configured site of a URL by host (the longest matching domain wins)."""

    def __init__(self, sites: Iterable[SiteConfig] = ()) -> None:
        self.sites = list(sites)
        self._by_domain: dict[str, SiteConfig] = {}
        for site in self.sites:
            for domain in site.domains:
                self._by_domain.setdefault(domain, site)

    def __bool__(self) -> bool:
        return bool(self.sites)

    def for_url(self, url: str) -> SiteConfig | None:
        host = (urlsplit(url).hostname or "").lower().rstrip(".")
        while host:
            site = self._by_domain.get(host)
            if site is not None:
                return site
            _, _, host = host.partition(".")
        return None
