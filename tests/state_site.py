"""A generated news site for state and storage tests: a home, sections and many articles.

Texts are built from a word list with a seeded generator, so that articles are distinct (no
near-duplicates by accident) and the site is large enough for incremental-run ratios.
"""

from __future__ import annotations

import html
import json
import random
import time
from http.server import BaseHTTPRequestHandler

from tests.site.server import Route

_WORD_TEXT = (
    "city council budget transport school bridge river market harbour railway strike union "
    "minister election vote mayor district street station museum library hospital doctor "
    "teacher student farmer weather storm flood summer winter spring autumn morning evening "
    "говорит город совет бюджет транспорт школа мост река рынок гавань железная дорога "
    "забастовка министр выборы мэр район улица станция музей библиотека больница врач "
    "учитель студент фермер погода буря наводнение лето зима весна осень утро вечер"
)
WORDS = _WORD_TEXT.split()


def article_text(seed: int, paragraphs: int = 4, words: int = 45) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."
        for _ in range(paragraphs)
    ]


def article_page(title: str, paragraphs: list[str], published: str, variant: int = 0) -> str:
    """An article page; ``variant`` picks one of two templates (different boilerplate)."""
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": title,
            "datePublished": published,
        },
        ensure_ascii=False,
    )
    body = "\n".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
    if variant == 0:
        return (
            f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
            f"<script type='application/ld+json'>{ld}</script></head><body>"
            "<header><nav><a href='/'>Home</a></nav></header>"
            f"<main><article><h1>{html.escape(title)}</h1>{body}</article></main>"
            "<footer><p>Daily Loopback, all rights reserved.</p></footer></body></html>"
        )
    return (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title} | Wire"
        f"</title><script type='application/ld+json'>{ld}</script></head><body>"
        "<div class='top'><a href='/'>Loopback Wire</a> | <a href='/about'>About us</a></div>"
        f"<div class='story'><h2 class='headline'>{html.escape(title)}</h2>"
        f"<div class='text'>{body}</div></div>"
        "<div class='side'><h3>Most read</h3><ul><li>Nothing today</li></ul></div>"
        "<p class='legal'>Wire copy, redistributed under licence.</p></body></html>"
    )


def hub_page(title: str, links: list[str], feed: str | None = None) -> str:
    items = "".join(f"<li><a href='{u}'>Story {i}</a></li>" for i, u in enumerate(links))
    alternate = (
        f"<link rel='alternate' type='application/rss+xml' title='News' href='{feed}'>"
        if feed
        else ""
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{title}</title>{alternate}"
        f"<meta property='og:type' content='website'></head><body><h1>{title}</h1>"
        f"<ul>{items}</ul></body></html>"
    )


def sitemap(paths: list[str], origin: str) -> str:
    urls = "".join(
        f"<url><loc>{origin}{p}</loc><lastmod>2024-03-{10 + i % 18:02d}</lastmod></url>"
        for i, p in enumerate(paths)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?>"
        f"<urlset xmlns='http://www.sitemaps.org/schemas/sitemap/0.9'>{urls}</urlset>"
    )


def rss(paths: list[str]) -> str:
    items = "".join(
        f"<item><title>Story {i}</title><link>{p}</link>"
        f"<pubDate>Sun, {10 + i % 18:02d} Mar 2024 08:00:00 GMT</pubDate></item>"
        for i, p in enumerate(paths)
    )
    return (
        "<?xml version='1.0' encoding='UTF-8'?><rss version='2.0'><channel><title>News</title>"
        f"<link>/</link><description>Latest</description>{items}</channel></rss>"
    )


def article_path(section: int, n: int) -> str:
    return f"/s{section}/2024/03/{10 + n % 18:02d}/story-number-{section}-{n}.html"


def slow(route: Route, delay: float) -> Route:
    """The same page, answered after ``delay`` seconds (to make a crawl last)."""
    payload = route.payload()

    def handler(req: BaseHTTPRequestHandler) -> None:
        time.sleep(delay)
        req.send_response(200)
        req.send_header("Content-Type", route.content_type)
        req.send_header("Content-Length", str(len(payload)))
        req.end_headers()
        req.wfile.write(payload)

    return Route(handler=handler)


def generated_site(
    sections: int = 3, per_section: int = 20, delay: float = 0.0, text_seed: int = 0
) -> dict[str, Route]:
    """Routes of a site with ``sections * per_section`` articles, an RSS feed of the latest ten
    (declared by the home page) and, once :func:`add_sitemap` is called, a sitemap of all.
    Sites of different ``text_seed`` have different article texts."""
    routes: dict[str, Route] = {
        "/robots.txt": Route(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
        "/": Route(body=hub_page("Home", [f"/s{s}/" for s in range(sections)], "/rss.xml")),
    }
    every: list[str] = []
    for s in range(sections):
        paths = [article_path(s, n) for n in range(per_section)]
        every.extend(paths)
        routes[f"/s{s}/"] = Route(body=hub_page(f"Section {s}", paths))
        for n, path in enumerate(paths):
            page = Route(
                body=article_page(
                    f"Story {s}-{n}",
                    article_text(text_seed * 100_000 + 1000 * s + n),
                    f"2024-03-{10 + n % 18:02d}",
                )
            )
            routes[path] = slow(page, delay) if delay else page
    routes["/rss.xml"] = Route(body=rss(every[:10]), content_type="application/rss+xml")
    return routes


def add_sitemap(routes: dict[str, Route], origin: str) -> None:
    """A sitemap of every article at ``/sitemap.xml`` (absolute URLs need the site's origin)."""
    routes["/sitemap.xml"] = Route(
        body=sitemap(article_paths(routes), origin), content_type="application/xml"
    )


def article_paths(routes: dict[str, Route]) -> list[str]:
    return sorted(p for p in routes if "/story-number-" in p)
