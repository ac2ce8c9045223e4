"""The links of a page, read in one pass over the tree the response has already parsed.

Scrapy's ``LinkExtractor`` visits every element and attribute, joins, encodes and filters each
link before the spider has a chance to drop it; on a news page most links lead to other sites.
:func:`page_links` reads only ``<a href>`` and ``<area href>``, joins each distinct href once,
and lets the caller cut off-site links before canonicalisation, the costlier step.
"""

from __future__ import annotations

import os
import posixpath
from collections.abc import Callable
from urllib.parse import urljoin, urlsplit

from lxml import etree
from lxml.html import HtmlElement
from scrapy.linkextractors import IGNORED_EXTENSIONS
from w3lib.html import strip_html5_whitespace

_SCHEMES = frozenset({"http", "https"})
_IGNORED = frozenset(f".{ext}" for ext in IGNORED_EXTENSIONS)
_NOT_LINKS = ("#", "javascript:", "mailto:", "tel:", "data:", "sms:", "callto:")


# Every href of <a> and <area>, in document order, as plain strings (read in C, not in a loop).
_HREFS = etree.XPath("//a/@href | //area/@href", smart_strings=False)


def _hrefs(root: HtmlElement) -> list[str]:
    found = _HREFS(root)
    return [h for h in dict.fromkeys(found) if h] if isinstance(found, list) else []


def _absolute_host(href: str) -> str | None:
    """The host of an absolute or scheme-relative href (``None`` for a relative one)."""
    lowered = href[:8].lower()
    if lowered.startswith("https://"):
        rest = href[8:]
    elif lowered.startswith("http://"):
        rest = href[7:]
    elif href.startswith("//"):
        rest = href[2:]
    else:
        return None
    netloc = rest.split("/", 1)[0].split("?", 1)[0].split("#", 1)[0].rpartition("@")[2]
    if netloc.startswith("["):
        return netloc[1:].split("]", 1)[0].lower()
    return netloc.split(":", 1)[0].lower()


def page_links(
    root: HtmlElement, base_url: str, keep_host: Callable[[str], bool] | None = None
) -> list[str]:
    """Absolute http(s) URLs of the page's links, in document order, each once.

    Fragments are dropped; links to files Scrapy's link extractor ignores (images, media,
    archives, office documents) are left out, as are ``javascript:``, ``mailto:`` and the like.
    ``keep_host`` (a host -> bool test) drops absolute links to other sites before they are
    joined and parsed; the caller still checks the hosts of the URLs it gets.
    """
    seen_urls: set[str] = set()
    out: list[str] = []
    for raw in _hrefs(root):
        href = strip_html5_whitespace(raw)
        if not href or href.lower().startswith(_NOT_LINKS):
            continue
        if keep_host is not None:
            host = _absolute_host(href)
            if host is not None and not keep_host(host):
                continue
        try:
            url = urljoin(base_url, href)
            parts = urlsplit(url)
        except ValueError:
            continue  # a bogus link ("http://[::1"): skipped, as Scrapy does
        if parts.scheme.lower() not in _SCHEMES or not parts.netloc:
            continue
        extension = os.path.splitext(posixpath.basename(parts.path))[1].lower()
        if extension in _IGNORED:
            continue
        if parts.fragment:
            url = url.split("#", 1)[0]
        if url not in seen_urls:
            seen_urls.add(url)
            out.append(url)
    return out
