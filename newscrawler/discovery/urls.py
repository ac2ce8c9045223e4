"""URL helpers: registered domains and the site a URL belongs to."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from urllib.parse import urlsplit

import tldextract

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
    return (urlsplit(url).hostname or "").lower()


def site_name(url: str) -> str:
    """The host of ``url`` without a leading ``www.``: the record's ``site`` field."""
    host = url_host(url)
    return host[4:] if host.startswith("www.") else host
