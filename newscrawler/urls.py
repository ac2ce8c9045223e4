"""The URL rules: one spelling per article, the site and the domain a URL belongs to.

:func:`canonical_url` drops what does not change the page (fragments, tracking parameters,
session ids, default ports) and sorts the query: it is the spelling the crawl schedules, the
record's ``canonical_url`` and the key deduplication and export compare. :func:`variant_base`
maps an AMP or print variant to the URL of the article itself. :func:`registered_domain`,
:func:`url_host`, :func:`site_name` and :func:`origin` say which site a URL belongs to;
:func:`absolute_url` resolves a link found in a page.
"""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import tldextract
from w3lib.url import canonicalize_url

# Query parameters that only say where a click came from.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|gclsrc|dclid|gbraid|wbraid|yclid|ysclid|msclkid|twclid|igshid"
    r"|mc_cid|mc_eid|_ga|_gl|_hsenc|_hsmi|mkt_tok|oly_anon_id|oly_enc_id|vero_id|vero_conv"
    r"|rb_clickid|ref_src|ref_url|cmpid|ocid|ncid|icid|s_cid|wt_mc|wt\.mc_id|at_medium"
    r"|at_campaign|at_source|xtor|itm_\w+|pk_\w+|mtm_\w+)$",
    re.I,
)
# Session ids: always dropped.
_SESSION = re.compile(
    r"^(sessionid|session_id|sessid|phpsessid|jsessionid|aspsessionid\w*|cfid|cftoken|zenid"
    r"|oscsid|sid_token)$",
    re.I,
)
# Names that are session ids on some sites and story ids on others (PHP-Nuke's ``sid=123``):
# dropped only when the value looks like a random token.
_MAYBE_SESSION = re.compile(r"^(sid|s|session|sess|token)$", re.I)
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,}")
_PATH_SESSION = re.compile(r";(jsessionid|phpsessid|sessionid|sid)=[^/?#]*", re.I)
_DEFAULT_PORTS = {"http": 80, "https": 443}

# AMP and print variants of an article page.
_VARIANT_FLAGS = frozenset({"amp", "print", "printable"})  # ?amp, ?amp=1, ?print=true
_VARIANT_VIEWS = frozenset({"outputtype", "output", "view", "format", "mode"})  # ?outputType=amp
_VARIANT_TRAILING = re.compile(r"/(?:amp|print)(/?)$", re.I)  # /slug/amp/, /slug/print
_VARIANT_AMP_SUFFIX = re.compile(r"\.amp(\.html?)?$", re.I)  # slug.amp.html, slug.amp
_VARIANT_AMP_PREFIX = re.compile(r"^/amp/", re.I)  # /amp/news/slug


def _is_token(value: str) -> bool:
    return bool(_TOKEN.fullmatch(value)) and not value.isdigit()


def _keep_param(name: str, value: str) -> bool:
    if _TRACKING.match(name) or _SESSION.match(name):
        return False
    return not (_MAYBE_SESSION.match(name) and _is_token(value))


@lru_cache(maxsize=16384)  # pages of a site share most of their links
def canonical_url(url: str) -> str:
    """``url`` without fragment, tracking parameters, session ids and default port; query sorted.

    Scheme and host are lower-cased and percent-encoding normalised (w3lib). URLs that are not
    absolute http(s) URLs are returned unchanged.
    """
    parts = urlsplit(url.strip())
    if parts.scheme.lower() not in _DEFAULT_PORTS or not parts.hostname:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if _keep_param(k, v)]
    netloc = parts.hostname
    if ":" in netloc:  # IPv6 literal
        netloc = f"[{netloc}]"
    try:
        port = parts.port
    except ValueError:
        port = None
    if port is not None and port != _DEFAULT_PORTS[parts.scheme.lower()]:
        netloc = f"{netloc}:{port}"
    path = _PATH_SESSION.sub("", parts.path) or "/"
    cleaned = urlunsplit((parts.scheme.lower(), netloc, path, urlencode(query), ""))
    return canonicalize_url(cleaned, keep_fragments=False)


def _is_variant_param(name: str, value: str) -> bool:
    name, value = name.lower(), value.lower()
    if name in _VARIANT_FLAGS:
        return value in ("", "1", "true", "yes", name)
    return name in _VARIANT_VIEWS and value in ("amp", "print", "printable")


def variant_base(url: str) -> str | None:
    """The article URL an AMP/print variant stands for, or ``None`` if ``url`` is no variant.

    Recognised: ``?amp``, ``?amp=1``, ``?outputType=amp``, ``?print=1``, ``?view=print``, a
    trailing ``/amp/`` or ``/print/`` segment, ``.amp.html`` and a leading ``/amp/`` segment.
    A leading ``/print/`` is left alone: it is the print edition on many news sites.
    """
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=True)
    kept = [(k, v) for k, v in query if not _is_variant_param(k, v)]
    path = _VARIANT_TRAILING.sub(r"\1", parts.path)
    path = _VARIANT_AMP_SUFFIX.sub(r"\1", path)
    path = _VARIANT_AMP_PREFIX.sub("/", path) or "/"
    if path == parts.path and len(kept) == len(query):
        return None
    return urlunsplit((parts.scheme, parts.netloc, path, urlencode(kept), ""))


def absolute_url(base: str, href: str | None) -> str | None:
    """``href`` resolved against ``base``; None unless it is an http(s) URL."""
    if not href:
        return None
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    try:
        url = urljoin(base, href)
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return url


# --- sites and domains ------------------------------------------------------------------------

# The bundled public suffix list snapshot: never fetched at run time.
_EXTRACT = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


@lru_cache(maxsize=4096)
def registered_domain(host: str) -> str:
    """``news.bbc.co.uk`` -> ``bbc.co.uk``; IP addresses and single labels are returned as is."""
    host = host.lower().rstrip(".")
    if _is_ip(host) or "." not in host:
        return host
    parts = _EXTRACT(host)
    return parts.top_domain_under_public_suffix or host


def url_host(url: str) -> str:
    """The lower-case host of ``url`` (``""`` when it has none)."""
    return (urlsplit(url).hostname or "").lower()


def site_name(url: str) -> str:
    """The host of ``url`` without a leading ``www.``: the record's ``site`` field."""
    host = url_host(url)
    return host[4:] if host.startswith("www.") else host


def origin(url: str) -> str:
    """``scheme://host[:port]`` of a URL, lower-cased: the unit discovery is done once for."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}".lower()
