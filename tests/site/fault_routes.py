"""A misbehaving news site: every fault a crawler meets on the open web, linked from one home page.

:func:`fault_site_routes` is the basic news site (its healthy articles included) plus one route
per fault; its home page links every fault, so one crawl exercises them all. :data:`FAULTS` says,
for each fault, what a user must see after that crawl: the stat counted, the log line naming the
URL and the reason, and the record stored (for faults the crawler recovers from).

The pages are written for these tests (no third-party HTML).
"""

from __future__ import annotations

import gzip
import json
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from functools import cache
from http.server import BaseHTTPRequestHandler
from random import Random

import brotli

from tests.site.routes import news_site_routes
from tests.site.server import Route
from tests.site.text import story_paragraphs

# Settings of the fault crawl: short timeouts and one retry keep it fast.
FAULT_CRAWL_SETTINGS = {
    "DOWNLOAD_TIMEOUT": "4",
    "RETRY_TIMES": "1",
    "LOG_LEVEL": "DEBUG",
    # The sitemap faults are announced in robots.txt: sitemap discovery must be on.
    "NEWSCRAWLER_SITEMAPS_ENABLED": "1",
}
STALL_SECONDS = 10.0  # longer than DOWNLOAD_TIMEOUT above
RETRY_AFTER_SECONDS = 1
BOMB_SIZE = 16 * 1024 * 1024  # decompressed; twice DOWNLOAD_MAXSIZE (8 MiB)
OVERSIZE = 9 * 1024 * 1024  # above DOWNLOAD_MAXSIZE


# --- pages -------------------------------------------------------------------------------------

EN_PARAGRAPHS = [
    "The city council approved a plan on Tuesday to replace the ageing tram fleet with forty "
    "low-floor vehicles, the largest transport purchase in the history of the region.",
    "Council members said the new trams would be built over five years and that the first "
    "ones would run on the northern line, where breakdowns have been most frequent since 2019.",
    "Passenger groups welcomed the decision but asked the council to publish the full contract "
    "so that residents can see how the cost of maintenance will be shared with the supplier.",
]
RU_PARAGRAPHS = [
    "Городская дума в четверг утвердила план ремонта набережной, который обсуждали почти три "
    "года. Работы начнутся весной и займут два сезона, сообщили в комитете по благоустройству.",
    "Жители прибрежных кварталов просили сохранить старые фонари и липовую аллею. Архитекторы "
    "пообещали учесть эти пожелания и показать обновлённый проект на открытых слушаниях.",
    "По словам депутатов, движение транспорта перекроют только на время укладки новой плитки, "
    "а пешеходные переходы будут работать всё время ремонта.",
]
RU_MARKER = "утвердила план ремонта набережной"


def article_page(
    title: str,
    paragraphs: list[str] | None = None,
    *,
    lang: str = "en",
    head: str = "",
    charset_meta: bool = True,
) -> str:
    """An article page (``og:type`` article) with a title, a heading and paragraphs."""
    # The shared paragraphs plus text of the page's own: dedup must not take pages for copies.
    paras = paragraphs or [
        *(RU_PARAGRAPHS if lang == "ru" else EN_PARAGRAPHS),
        *story_paragraphs(title, lang),
    ]
    meta = '<meta charset="utf-8">' if charset_meta else ""
    body = "\n".join(f"<p>{p}</p>" for p in paras)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}">\n<head>{meta}<title>{title}</title>\n'
        f'<meta property="og:type" content="article">\n{head}</head>\n<body>\n'
        f'<nav><a href="/">Home</a></nav>\n<article>\n<h1>{title}</h1>\n{body}\n</article>\n'
        "</body></html>\n"
    )


# --- raw handlers ------------------------------------------------------------------------------

Handler = Callable[[BaseHTTPRequestHandler], None]


def send_head(
    req: BaseHTTPRequestHandler,
    status: int = 200,
    headers: dict[str, str] | None = None,
) -> None:
    req.send_response(status)
    for name, value in (headers or {}).items():
        req.send_header(name, value)
    req.end_headers()


def write_quietly(req: BaseHTTPRequestHandler, data: bytes) -> bool:
    """Write ``data``; a client that hung up (as it should on a fault) is not an error here."""
    try:
        req.wfile.write(data)
        req.wfile.flush()
    except OSError:
        req.close_connection = True
        return False
    return True


def reset_connection(req: BaseHTTPRequestHandler) -> None:
    """Close the socket with a TCP RST (SO_LINGER 0) instead of a clean FIN."""
    req.close_connection = True
    sock: socket.socket = req.connection
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


@dataclass
class Flaky:
    """Answer the first ``failures`` requests with ``status`` (and headers), then ``page``."""

    page: str
    status: int
    failures: int = 1
    headers: dict[str, str] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)  # monotonic time of each request
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __call__(self, req: BaseHTTPRequestHandler) -> None:
        with self._lock:
            self.times.append(time.monotonic())
            failing = len(self.times) <= self.failures
        if failing:
            body = b"<html><body><h1>Try again later</h1></body></html>"
            send_head(
                req,
                self.status,
                {"Content-Type": "text/html", "Content-Length": str(len(body)), **self.headers},
            )
            write_quietly(req, body)
            return
        payload = self.page.encode("utf-8")
        send_head(
            req,
            200,
            {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(payload))},
        )
        write_quietly(req, payload)


def reset_mid_body(req: BaseHTTPRequestHandler) -> None:
    payload = article_page("Reset in the middle").encode()
    send_head(req, 200, {"Content-Type": "text/html", "Content-Length": str(len(payload))})
    write_quietly(req, payload[: len(payload) // 2])
    reset_connection(req)


def short_body(req: BaseHTTPRequestHandler) -> None:
    """Promise more bytes in Content-Length than are sent, then close cleanly."""
    payload = article_page("Content-Length lies").encode()
    send_head(req, 200, {"Content-Type": "text/html", "Content-Length": str(len(payload) * 2)})
    write_quietly(req, payload)
    req.close_connection = True


def stall(req: BaseHTTPRequestHandler) -> None:
    payload = article_page("Stalled page").encode()
    send_head(req, 200, {"Content-Type": "text/html", "Content-Length": str(len(payload))})
    write_quietly(req, payload[:100])
    time.sleep(STALL_SECONDS)
    write_quietly(req, payload[100:])


def oversize_declared(req: BaseHTTPRequestHandler) -> None:
    """A body over DOWNLOAD_MAXSIZE with an honest Content-Length."""
    send_head(req, 200, {"Content-Type": "text/html", "Content-Length": str(OVERSIZE)})
    chunk = b"<p>" + b"x" * 65530 + b"</p>\n"
    for _ in range(OVERSIZE // len(chunk) + 1):
        if not write_quietly(req, chunk):
            break
    req.close_connection = True


def oversize_streamed(req: BaseHTTPRequestHandler) -> None:
    """A body over DOWNLOAD_MAXSIZE without Content-Length (ends when the connection closes)."""
    send_head(req, 200, {"Content-Type": "text/html", "Connection": "close"})
    chunk = b"<p>" + b"y" * 65530 + b"</p>\n"
    for _ in range(OVERSIZE // len(chunk) + 1):
        if not write_quietly(req, chunk):
            break
    req.close_connection = True


@cache
def bomb(encoding: str) -> bytes:
    """``BOMB_SIZE`` bytes of HTML-looking zeros, compressed with ``encoding``."""
    raw = b"<html><body><p>" + b"0" * BOMB_SIZE + b"</p></body></html>"
    if encoding == "gzip":
        return gzip.compress(raw, compresslevel=9)
    if encoding == "deflate":
        return zlib.compress(raw, 9)
    if encoding == "br":
        return bytes(brotli.compress(raw, quality=5))
    raise ValueError(encoding)


def bomb_route(encoding: str) -> Route:
    payload = bomb(encoding)  # compressed now, not while the crawler waits
    return Route(handler=lambda req: _send_bomb(req, encoding, payload))


def _send_bomb(req: BaseHTTPRequestHandler, encoding: str, payload: bytes) -> None:
    send_head(
        req,
        200,
        {
            "Content-Type": "text/html; charset=utf-8",
            "Content-Encoding": encoding,
            "Content-Length": str(len(payload)),
        },
    )
    write_quietly(req, payload)


def redirect(location: str, status: int = 302) -> Route:
    return Route(body=b"", status=status, headers={"Location": location})


def deep_dom_page(depth: int = 100_000) -> str:
    """An article followed by ``depth`` nested ``<div>`` elements."""
    page = article_page("A page nested one hundred thousand levels deep")
    return page.replace("</article>", "</article>" + "<div>" * depth + "deep" + "</div>" * depth)


def long_line_page(size: int = 3 * 1024 * 1024) -> str:
    """An article whose whole HTML is one line, with a multi-megabyte inline JSON blob."""
    blob = json.dumps({"state": "z" * size})
    page = article_page(
        "A page on one very long line",
        head=f'<script type="application/json" id="app-state">{blob}</script>',
    )
    return page.replace("\n", " ")


def binary_bytes(size: int = 16 * 1024) -> bytes:
    rng = Random(7)
    return bytes(rng.randrange(256) for _ in range(size))


def truncated(page: str) -> str:
    """``page`` cut in the middle of its second paragraph: no closing tags at all."""
    first = page.index("</p>") + len("</p>")
    return page[: first + 20]


FUTURE = (datetime.now(timezone.utc) + timedelta(days=400)).strftime("%Y-%m-%dT%H:%M:%S+00:00")


# --- the fault table ---------------------------------------------------------------------------


@dataclass
class Fault:
    """One fault: the path linked from the home page, its routes and what a user must see."""

    name: str
    path: str  # linked from the home page
    routes: dict[str, Route]
    stat: str | None  # a stat key counted (>= 1) because of this fault
    log: str | None  # regex of the one log line naming the URL (``{url}``) and the reason
    level: str = "INFO"  # that line's level or higher
    stored: str | None = None  # path of the record's ``url`` when the crawler recovers
    text: str | None = None  # a phrase the stored record's text must contain
    absent: str | None = None  # a value that must appear in none of the record's date fields
    undated: bool = False  # the record's ``published`` must be null (no valid date on the page)
    linked: bool = True  # linked from the home page with <a>; feeds and sitemaps are declared
    head: str = ""  # markup for the home page's <head> (a feed's <link rel="alternate">)
    robots: str = ""  # a line for robots.txt (a sitemap's "Sitemap:" line)


def build_faults() -> list[Fault]:
    """A fresh fault table (stateful handlers start from zero)."""
    flaky_500 = "/faults/2024/04/01/server-error-then-ok.html"
    rate_limited = "/faults/2024/04/02/rate-limited.html"
    moved = "/faults/2024/04/03/moved-article.html"
    return [
        Fault(
            "5xx then success on retry",
            flaky_500,
            {flaky_500: Route(handler=Flaky(article_page("Flaky server"), 500))},
            stat="retry/reason_count/500 Internal Server Error",
            log=r"Retrying <GET {url}> \(failed 1 times\): 500 Internal Server Error",
            level="DEBUG",
            stored=flaky_500,
        ),
        Fault(
            "404 Not Found",
            "/faults/missing.html",
            {},  # the test site answers 404 for unknown paths
            stat="httperror/response_ignored_status_count/404",
            log=r"Ignoring response <404 {url}>: HTTP status code is not handled",
        ),
        Fault(
            "410 Gone",
            "/faults/gone.html",
            {"/faults/gone.html": Route(body="<html><body>Gone</body></html>", status=410)},
            stat="httperror/response_ignored_status_count/410",
            log=r"Ignoring response <410 {url}>: HTTP status code is not handled",
        ),
        Fault(
            "429 with Retry-After, then success",
            rate_limited,
            {
                rate_limited: Route(
                    handler=Flaky(
                        article_page("Rate limited"),
                        429,
                        headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                    )
                )
            },
            stat="newscrawler/retry_after/waited",
            log=r"Waiting 1 s \(Retry-After\) before retrying {url}",
            level="DEBUG",
            stored=rate_limited,
        ),
        Fault(
            "429 with a Retry-After over the cap",
            "/faults/rate-limited-for-an-hour.html",
            {
                "/faults/rate-limited-for-an-hour.html": Route(
                    handler=Flaky(
                        article_page("Come back in an hour"),
                        429,
                        failures=100,
                        headers={"Retry-After": "3600"},
                    )
                )
            },
            stat="newscrawler/retry_after/too_long",
            log=r"Not retrying {url}: Retry-After 3600 s exceeds",
            level="WARNING",
        ),
        Fault(
            "connection reset mid-body",
            "/faults/reset.html",
            {"/faults/reset.html": Route(handler=reset_mid_body)},
            stat="retry/max_reached",
            log=r"Gave up retrying <GET {url}> \(failed 2 times\)",
            level="ERROR",
        ),
        Fault(
            "Content-Length larger than the body",
            "/faults/short-body.html",
            {"/faults/short-body.html": Route(handler=short_body)},
            stat="retry/max_reached",
            log=r"Gave up retrying <GET {url}> \(failed 2 times\)",
            level="ERROR",
        ),
        Fault(
            "response stalls past the timeout",
            "/faults/stall.html",
            {"/faults/stall.html": Route(handler=stall)},
            stat="retry/max_reached",
            log=r"Gave up retrying <GET {url}> \(failed 2 times\).*(timeout|Timeout|took longer)",
            level="ERROR",
        ),
        Fault(
            "redirect chain to an article",
            "/faults/redirect/1",
            {
                "/faults/redirect/1": redirect("/faults/redirect/2", 301),
                "/faults/redirect/2": redirect("/faults/redirect/3", 302),
                "/faults/redirect/3": redirect(moved, 307),
                moved: Route(body=article_page("Moved article")),
            },
            stat="downloader/response_status_count/307",
            log=r"Redirecting \(307\) to <GET {origin}" + moved + r"> from <GET .*/redirect/3>",
            level="DEBUG",
            stored=moved,
        ),
        Fault(
            "redirect loop",
            "/faults/loop/a",
            {
                "/faults/loop/a": redirect("/faults/loop/b"),
                "/faults/loop/b": redirect("/faults/loop/a"),
            },
            stat="newscrawler/redirect/loop",
            log=r"Redirect loop at {origin}/faults/loop/b: {origin}/faults/loop/a was already",
        ),
        Fault(
            "endless redirect chain",
            "/faults/chain?n=0",
            {"/faults/chain": Route(handler=_endless_redirect)},
            stat="newscrawler/redirect/max_reached",
            log=r"Too many redirects from {origin}/faults/chain\?n=0",
        ),
        *[
            Fault(
                f"redirect to {scheme}",
                f"/faults/to-{scheme}",
                {f"/faults/to-{scheme}": redirect(location)},
                stat=f"newscrawler/redirect/refused_scheme/{scheme}",
                log=r"Refused redirect from {url} to a " + scheme + r": URL",
            )
            for scheme, location in [
                ("ftp", "ftp://127.0.0.1/pub/secret.html"),
                ("file", "file:///etc/passwd"),
                ("data", "data:text/html,<p>hello</p>"),
                ("javascript", "javascript:alert(1)"),
            ]
        ],
        *[
            Fault(
                f"{name} bomb",
                f"/faults/bomb.{encoding}",
                {f"/faults/bomb.{encoding}": bomb_route(encoding)},
                stat="newscrawler/compression/max_size_exceeded",
                log=r"Ignored response <200 {url}> because its body .* exceeded DOWNLOAD_MAXSIZE",
                level="WARNING",
            )
            for name, encoding in [("gzip", "gzip"), ("deflate", "deflate"), ("brotli", "br")]
        ],
        Fault(
            "body over the size limit (Content-Length)",
            "/faults/oversize.html",
            {"/faults/oversize.html": Route(handler=oversize_declared)},
            stat="downloader/exception_type_count/scrapy.exceptions.DownloadCancelledError",
            log=r"larger than download max size .* in request <GET {url}>",
            level="WARNING",
        ),
        Fault(
            "body over the size limit (streamed)",
            "/faults/oversize-streamed.html",
            {"/faults/oversize-streamed.html": Route(handler=oversize_streamed)},
            stat="downloader/exception_type_count/scrapy.exceptions.DownloadCancelledError",
            log=r"larger than download max size .* in request <GET {url}>",
            level="WARNING",
        ),
        Fault(
            "binary bytes served as text/html",
            "/faults/binary.html",
            {
                "/faults/binary.html": Route(
                    body=binary_bytes(), content_type="text/html; charset=utf-8"
                )
            },
            stat="newscrawler/sniff/binary_body",
            log=r"Ignoring {url}: binary bytes served as text/html",
        ),
        Fault(
            "empty 200",
            "/faults/empty.html",
            {"/faults/empty.html": Route(body=b"")},
            stat="newscrawler/pages/skipped/empty",
            log=r"Skipping {url}: empty body",
        ),
        Fault(
            "truncated HTML",
            "/faults/2024/04/04/truncated.html",
            {
                "/faults/2024/04/04/truncated.html": Route(
                    body=truncated(article_page("Truncated page"))
                )
            },
            stat="newscrawler/extraction/articles",
            log=None,
            stored="/faults/2024/04/04/truncated.html",
            text="approved a plan on Tuesday",
        ),
        Fault(
            "windows-1251 body labelled UTF-8",
            "/faults/2024/04/05/cp1251-labelled-utf8.html",
            {
                "/faults/2024/04/05/cp1251-labelled-utf8.html": Route(
                    body=article_page("Ремонт набережной", lang="ru", charset_meta=False).encode(
                        "cp1251"
                    ),
                    content_type="text/html; charset=utf-8",
                )
            },
            stat="newscrawler/extraction/articles",
            log=None,
            stored="/faults/2024/04/05/cp1251-labelled-utf8.html",
            text=RU_MARKER,
        ),
        Fault(
            "windows-1251 body without any charset",
            "/faults/2024/04/05/cp1251-no-charset.html",
            {
                "/faults/2024/04/05/cp1251-no-charset.html": Route(
                    body=article_page(
                        "Ремонт набережной: без кодировки", lang="ru", charset_meta=False
                    ).encode("cp1251"),
                    content_type="text/html",
                )
            },
            stat="newscrawler/extraction/articles",
            log=None,
            stored="/faults/2024/04/05/cp1251-no-charset.html",
            text=RU_MARKER,
        ),
        Fault(
            "100,000-deep DOM",
            "/faults/2024/04/06/deep-dom.html",
            {"/faults/2024/04/06/deep-dom.html": Route(body=deep_dom_page())},
            stat="newscrawler/extraction/articles",
            log=None,
            stored="/faults/2024/04/06/deep-dom.html",
            text="approved a plan on Tuesday",
        ),
        Fault(
            "multi-megabyte single line",
            "/faults/2024/04/06/long-line.html",
            {"/faults/2024/04/06/long-line.html": Route(body=long_line_page())},
            stat="newscrawler/extraction/articles",
            log=None,
            stored="/faults/2024/04/06/long-line.html",
            text="approved a plan on Tuesday",
        ),
        Fault(
            "impossible date (31 February)",
            "/faults/invalid-date-feb-31.html",
            {
                "/faults/invalid-date-feb-31.html": Route(
                    body=dated_page(
                        '<meta property="article:published_time" '
                        'content="2024-02-31T10:00:00+03:00">',
                        "31 февраля 2024",
                    )
                )
            },
            stat="newscrawler/extraction/dates/invalid",
            log=None,
            stored="/faults/invalid-date-feb-31.html",
            text=RU_MARKER,
            absent="2024-02-31",
            undated=True,
        ),
        Fault(
            "five-digit year (20244)",
            "/faults/invalid-date-year-20244.html",
            {
                "/faults/invalid-date-year-20244.html": Route(
                    body=dated_page(
                        '<script type="application/ld+json">{"@context": "https://schema.org", '
                        '"@type": "NewsArticle", "datePublished": "20244-03-01T10:00:00Z"}'
                        "</script>",
                        "1 марта 20244 года",
                    )
                )
            },
            stat="newscrawler/extraction/dates/implausible_year",
            log=None,
            stored="/faults/invalid-date-year-20244.html",
            text=RU_MARKER,
            absent="20244",
            undated=True,
        ),
        Fault(
            "date in the future",
            "/faults/future-date.html",
            {
                "/faults/future-date.html": Route(
                    body=dated_page(
                        f'<meta property="article:published_time" content="{FUTURE}">',
                        FUTURE[:10],
                    )
                )
            },
            stat="newscrawler/extraction/dates/future",
            log=None,
            stored="/faults/future-date.html",
            text=RU_MARKER,
            absent=FUTURE[:10],
            undated=True,
        ),
        Fault(
            "malformed feed",
            "/faults/feed-malformed.xml",
            {
                "/faults/feed-malformed.xml": xml_route(
                    b"<?xml version='1.0'?>\n<<<not a feed>>> &&& </"
                )
            },
            stat="newscrawler/feeds/malformed",
            log=r"Feed {url}: malformed",
            level="WARNING",
            linked=False,
            head=feed_link("/faults/feed-malformed.xml"),
        ),
        Fault(
            "feed XML bomb",
            "/faults/feed-bomb.xml",
            {
                "/faults/feed-bomb.xml": xml_route(
                    xml_bomb(b'<rss version="2.0"><channel><title>&lol9;</title></channel></rss>')
                )
            },
            stat="newscrawler/feeds/unsafe",
            log=r"Feed {url}: unsafe",
            level="WARNING",
            linked=False,
            head=feed_link("/faults/feed-bomb.xml"),
        ),
        Fault(
            "malformed sitemap",
            "/faults/sitemap-malformed.xml",
            {"/faults/sitemap-malformed.xml": xml_route(b"<?xml version='1.0'?>\n<<<urlset </")},
            stat="newscrawler/sitemaps/malformed",
            log=r"Sitemap {url}: malformed",
            level="WARNING",
            linked=False,
            robots="Sitemap: {origin}/faults/sitemap-malformed.xml",
        ),
        Fault(
            "sitemap XML bomb",
            "/faults/sitemap-bomb.xml",
            {
                "/faults/sitemap-bomb.xml": xml_route(
                    xml_bomb(
                        b'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
                        b"<url><loc>/&lol9;</loc></url></urlset>"
                    )
                )
            },
            stat="newscrawler/sitemaps/unsafe",
            log=r"Sitemap {url}: unsafe",
            level="WARNING",
            linked=False,
            robots="Sitemap: {origin}/faults/sitemap-bomb.xml",
        ),
    ]


def xml_route(body: bytes) -> Route:
    return Route(body=body, content_type="application/xml")


def xml_bomb(document: bytes) -> bytes:
    """``document`` after a "billion laughs" prolog: ``&lol9;`` expands to 10^9 "lol"s."""
    entities = b'<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10)
        for i in range(1, 10)
    )
    return b'<?xml version="1.0"?>\n<!DOCTYPE lolz [' + entities + b"]>\n" + document


def feed_link(path: str) -> str:
    return f'<link rel="alternate" type="application/rss+xml" title="News" href="{path}">'


def dated_page(head: str, visible: str) -> str:
    """A Russian article whose only date is ``head`` markup and the ``visible`` text."""
    page = article_page("Дата, которой не было", lang="ru", head=head)
    # A body of its own for each date page (the dedup pipeline drops copies).
    own = "".join(f"<p>{p}</p>" for p in story_paragraphs(head + visible, "ru"))
    return page.replace("<article>", f'<article><p class="date">{visible}</p>{own}')


def _endless_redirect(req: BaseHTTPRequestHandler) -> None:
    n = int(req.path.rsplit("=", 1)[-1]) if "=" in req.path else 0
    send_head(req, 302, {"Location": f"/faults/chain?n={n + 1}", "Content-Length": "0"})


FAULTS = build_faults()  # for parametrising tests by name


def fault_home_page(faults: list[Fault]) -> str:
    links = "\n".join(f'<li><a href="{f.path}">{f.path}</a></li>' for f in faults if f.linked)
    head = "".join(f.head for f in faults)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><title>Faults</title>'
        f'<meta property="og:type" content="website">{head}</head><body>\n'
        '<nav><a href="/news/">News</a> <a href="/world/">World</a> '
        '<a href="/tag/transport/">Transport</a></nav>\n'
        f"<ul>\n{links}\n</ul>\n</body></html>\n"
    )


def fault_site_routes(faults: list[Fault]) -> dict[str, Route]:
    """The basic news site, the routes of ``faults``, and a home page linking them all (the
    robots.txt listing sitemaps needs the site's origin: :func:`fault_robots_txt`)."""
    routes = news_site_routes()
    for fault in faults:
        routes.update(fault.routes)
    routes["/"] = Route(body=fault_home_page(faults))
    return routes


def fault_robots_txt(faults: list[Fault], origin: str) -> Route:
    """robots.txt of the fault site at ``origin``, listing the faults' sitemaps."""
    lines = "".join(f.robots.format(origin=origin) + "\n" for f in faults if f.robots)
    return Route(body=f"User-agent: *\nAllow: /\n{lines}", content_type="text/plain")
