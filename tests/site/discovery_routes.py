"""A generated news site with feeds, sitemaps and crawler traps, on top of the basic test site.

:func:`discovery_site` builds the routes for a given origin (robots.txt and sitemaps need
absolute URLs) and says which paths are what, so that tests and the benchmark can judge the
server's request log:

- ``/robots.txt`` disallows ``/private/`` and names the sitemap index;
- ``/sitemaps/index.xml`` lists a gzip Google News sitemap and a plain archive sitemap;
- ``/rss.xml`` (declared on the home page) lists the newest articles with dates and titles;
- ``/news/`` paginates (``?page=N``) over the hub-only articles and never ends;
- ``/archive/<yyyy>/<mm>/`` links to the month before, forever (calendar trap);
- ``/news/more/`` links to ``more/`` relatively, forever (repeated segments);
- the home page and articles carry links with ``?sessionid=<random>``, ``utm_*``, AMP variants,
  a ``?visit=<random>`` session parameter of unknown name, and an over-long URL.
"""

from __future__ import annotations

import gzip
import html
import json
import re
import secrets
from dataclasses import dataclass, field
from datetime import date, timedelta
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlsplit

from tests.site.routes import ARTICLES as BASIC_ARTICLES
from tests.site.server import Route
from tests.site.text import story_paragraphs

TODAY = date(2024, 3, 28)

_WORDS = {
    "ru": (
        "Городской совет обсудил новый план развития транспорта и пообещал жителям больше "
        "автобусов на окраинах. Депутаты спорили о стоимости проекта почти четыре часа, но "
        "в итоге большинство поддержало предложение мэрии. Жители соседних районов говорят, "
        "что ждали этих изменений много лет и надеются увидеть первые результаты уже летом."
    ),
    "en": (
        "The regional council approved a new transport plan after a long debate that lasted "
        "well into the evening. Residents of the outer districts have waited years for more "
        "frequent buses, and several speakers said the money would be better spent on repairs "
        "to the old bridge. The first routes are expected to open before the summer holidays."
    ),
    "de": (
        "Der Stadtrat hat nach langer Debatte einen neuen Verkehrsplan beschlossen. Die "
        "Bewohner der Außenbezirke warten seit Jahren auf häufigere Busse, und mehrere Redner "
        "forderten, das Geld lieber in die Sanierung der alten Brücke zu stecken. Die ersten "
        "neuen Linien sollen noch vor den Sommerferien in Betrieb gehen."
    ),
}
_TITLES = {
    "ru": "Совет утвердил план транспорта",
    "en": "Council approves transport plan",
    "de": "Stadtrat beschließt Verkehrsplan",
}


@dataclass(frozen=True)
class Article:
    path: str
    title: str
    language: str
    published: date
    announced_in: str  # "feed", "sitemap", "both", "hub", "archive", "old_sitemap", "mobile"


@dataclass
class DiscoverySite:
    """The routes of the site and what each path is."""

    routes: dict[str, Route]
    articles: list[Article]
    since: str = "2024-03-01"
    listing_pages: int = 1  # real /news/?page=N pages (the rest are the pagination trap)
    archive_months: set[str] = field(default_factory=set)  # /archive/yyyy/mm/ with articles

    @property
    def current(self) -> list[Article]:
        return [a for a in self.articles if a.published >= date.fromisoformat(self.since)]

    @property
    def old(self) -> list[Article]:
        return [a for a in self.articles if a.published < date.fromisoformat(self.since)]


class DynamicRoutes(dict[str, Route]):
    """Exact routes, then patterns matched against the path (for trap pages without end)."""

    def __init__(self, routes: dict[str, Route], patterns: list[tuple[str, Route]]) -> None:
        super().__init__(routes)
        self.patterns = [(re.compile(p), r) for p, r in patterns]

    def get(self, key: str, default: Route | None = None) -> Route | None:  # type: ignore[override]
        route = super().get(key)
        if route is not None:
            return route
        for pattern, candidate in self.patterns:
            if pattern.fullmatch(key):
                return candidate
        return default


def _send(req: BaseHTTPRequestHandler, body: str | bytes, content_type: str) -> None:
    payload = body.encode("utf-8") if isinstance(body, str) else body
    req.send_response(200)
    req.send_header("Content-Type", content_type)
    req.send_header("Content-Length", str(len(payload)))
    req.end_headers()
    if req.command != "HEAD":
        req.wfile.write(payload)


def _page(title: str, body: str, head: str = "", lang: str = "en", amp: bool = False) -> str:
    flag = " amp" if amp else ""
    return (
        f'<!DOCTYPE html>\n<html lang="{lang}"{flag}><head><meta charset="utf-8">'
        f"<title>{html.escape(title)}</title>{head}</head><body>{body}</body></html>"
    )


def _hub(title: str, links: list[tuple[str, str]], extra: str = "") -> str:
    items = "".join(f'<li><a href="{html.escape(h)}">{html.escape(t)}</a></li>' for h, t in links)
    return _page(
        title,
        f'<nav><a href="/">Home</a> <a href="/news/">News</a></nav><h1>{html.escape(title)}</h1>'
        f"<ul>{items}</ul>{extra}",
        '<meta property="og:type" content="website">',
    )


def article_html(
    article: Article,
    origin: str,
    related: list[Article],
    amp: bool = False,
    unknown_session_links: bool = True,
) -> str:
    canonical = origin + article.path
    jsonld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": article.title,
            "datePublished": f"{article.published.isoformat()}T09:00:00+00:00",
            "inLanguage": article.language,
        },
        ensure_ascii=False,
    )
    head = (
        f'<link rel="canonical" href="{canonical}">'
        f'<meta property="og:type" content="article">'
        f'<meta property="article:published_time" content="{article.published.isoformat()}">'
        f'<script type="application/ld+json">{jsonld}</script>'
    )
    if not amp:
        head += f'<link rel="amphtml" href="{canonical}?amp=1">'
    links = "".join(
        f'<li><a href="{r.path}?utm_source=related&amp;utm_medium=web">{html.escape(r.title)}</a>'
        f'</li><li><a href="{r.path}?sessionid={secrets.token_hex(12)}">{html.escape(r.title)}</a>'
        f"</li>"
        for r in related
    )
    text = _WORDS[article.language]
    story = story_paragraphs(article.path, article.language)  # a body of its own: no dedup
    search = (
        f'<a href="/search?visit={secrets.token_hex(10)}">Search</a>'
        if unknown_session_links
        else ""
    )
    body = (
        '<nav><a href="/">Home</a> <a href="/news/">News</a></nav>'
        f"<article><h1>{html.escape(article.title)}</h1>"
        f'<time datetime="{article.published.isoformat()}">{article.published.isoformat()}</time>'
        f"<p>{text}</p>{''.join(f'<p>{p}</p>' for p in story)}</article>"
        f'<aside><ul class="related">{links}</ul>{search}</aside>'
    )
    return _page(article.title, body, head, article.language, amp=amp)


def rss_feed(origin: str, articles: list[Article]) -> str:
    items = "".join(
        f"<item><title>{html.escape(a.title)}</title><link>{origin}{a.path}</link>"
        f"<guid>{origin}{a.path}</guid>"
        f"<pubDate>{a.published.strftime('%a, %d %b %Y')} 09:00:00 +0000</pubDate></item>"
        for a in articles
    )
    return (
        '<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel>'
        f"<title>Vestnik</title><link>{origin}/</link><description>News</description>"
        f"{items}</channel></rss>"
    )


def news_sitemap(origin: str, articles: list[Article]) -> bytes:
    urls = "".join(
        f"<url><loc>{origin}{a.path}</loc><news:news><news:publication><news:name>Vestnik"
        f"</news:name><news:language>{a.language}</news:language></news:publication>"
        f"<news:publication_date>{a.published.isoformat()}T09:00:00+00:00</news:publication_date>"
        f"<news:title>{html.escape(a.title)}</news:title></news:news></url>"
        for a in articles
    )
    text = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">'
        f"{urls}</urlset>"
    )
    return gzip.compress(text.encode("utf-8"))


def plain_sitemap(origin: str, paths: list[tuple[str, date]]) -> str:
    urls = "".join(
        f"<url><loc>{origin}{p}</loc><lastmod>{d.isoformat()}</lastmod></url>" for p, d in paths
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{urls}</urlset>'
    )


def sitemap_index(origin: str, paths: list[str]) -> str:
    items = "".join(
        f"<sitemap><loc>{origin}{p}</loc><lastmod>{TODAY.isoformat()}</lastmod></sitemap>"
        for p in paths
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>'
        f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{items}</sitemapindex>'
    )


def _make_articles(per_kind: int, old: int) -> list[Article]:
    languages = ["ru", "en", "de"]
    articles = []
    kinds = ["feed", "sitemap", "both", "hub"]
    n = 0
    for kind in kinds:
        for _ in range(per_kind):
            lang = languages[n % 3]
            day = TODAY - timedelta(days=n % 27)
            path = f"/news/{day:%Y/%m/%d}/{kind}-story-{n}.html"
            articles.append(Article(path, f"{_TITLES[lang]} ({n})", lang, day, kind))
            n += 1
    articles += [
        Article(
            "/news/2024/03/03/archive-only.html", "Archive only", "en", date(2024, 3, 3), "archive"
        ),
        Article(
            "/news/2024/03/02/mobile-only.html", "Mobile only", "ru", date(2024, 3, 2), "mobile"
        ),
        # Published before the window and found through the archive pages only.
        Article(
            "/news/2024/02/10/old-hub-story.html", "Old story", "de", date(2024, 2, 10), "archive"
        ),
    ]
    # Published before the window and announced by the archive sitemap with their lastmod.
    for i in range(old):
        day = date(2023, 11, 1) + timedelta(days=i * 3)
        lang = languages[i % 3]
        path = f"/news/{day:%Y/%m/%d}/old-story-{i}.html"
        articles.append(Article(path, f"{_TITLES[lang]} ({2000 + i})", lang, day, "old_sitemap"))
    return articles


def discovery_site(
    origin: str,
    per_kind: int = 6,
    old: int = 4,
    page_size: int = 5,
    unknown_session_links: bool = True,
) -> DiscoverySite:
    """The routes of the discovery test site served at ``origin``.

    ``per_kind`` articles are announced by the feed only, by the sitemap only, by both, and by
    the paginated listing only. ``unknown_session_links`` adds a ``/search?visit=<random>`` link
    to every article (a session id whose name the crawler cannot know).
    """
    articles = _make_articles(per_kind, old)
    by_kind: dict[str, list[Article]] = {}
    for a in articles:
        by_kind.setdefault(a.announced_in, []).append(a)
    feed_items = by_kind["feed"] + by_kind["both"]
    sitemap_items = by_kind["sitemap"] + by_kind["both"]
    hub_items = by_kind["hub"]
    pages = max(1, -(-len(hub_items) // page_size))
    site = DiscoverySite(routes={}, articles=articles, listing_pages=pages)
    routes: dict[str, Route] = {}
    current = [a for a in articles if a.published >= date.fromisoformat(site.since)]
    for i, a in enumerate(articles):
        # Related links stay in the window: old articles are only announced by the sitemap
        # and the archive pages, so that tests can tell whether ``since`` kept them unfetched.
        related = [current[(i + 1) % len(current)], current[(i + 5) % len(current)]]

        def serve(
            req: BaseHTTPRequestHandler, a: Article = a, related: list[Article] = related
        ) -> None:
            amp = "amp" in parse_qs(urlsplit(req.path).query, keep_blank_values=True)
            page = article_html(a, origin, related, amp, unknown_session_links)
            _send(req, page, "text/html; charset=utf-8")

        routes[a.path] = Route(handler=serve)

        def serve_amp(req: BaseHTTPRequestHandler, a: Article = a) -> None:
            _send(req, article_html(a, origin, [], amp=True), "text/html; charset=utf-8")

        routes["/amp" + a.path] = Route(handler=serve_amp)
    mobile = by_kind["mobile"][0]
    routes["/m" + mobile.path] = Route(
        body=article_html(mobile, origin, [], amp=True), content_type="text/html; charset=utf-8"
    )
    routes["/robots.txt"] = Route(
        body=f"User-agent: *\nDisallow: /private/\n\nSitemap: {origin}/sitemaps/index.xml\n",
        content_type="text/plain",
    )
    routes["/sitemaps/index.xml"] = Route(
        body=sitemap_index(origin, ["/sitemaps/news.xml.gz", "/sitemaps/archive.xml"]),
        content_type="application/xml",
    )
    routes["/sitemaps/news.xml.gz"] = Route(
        body=news_sitemap(origin, sitemap_items), content_type="application/x-gzip"
    )
    archive_entries = [(a.path, a.published) for a in by_kind["old_sitemap"]]
    archive_entries.append(("/private/leaked-draft.html", TODAY))
    routes["/sitemaps/archive.xml"] = Route(
        body=plain_sitemap(origin, archive_entries), content_type="application/xml"
    )
    routes["/rss.xml"] = Route(
        body=rss_feed(origin, feed_items), content_type="application/rss+xml"
    )
    routes["/private/leaked-draft.html"] = Route(body=_page("Private", "<p>private</p>"))
    routes["/private/"] = Route(body=_hub("Private", []))
    routes["/search"] = Route(body=_hub("Search", []))

    first = [*feed_items[:2], *sitemap_items[:2]]
    long_path = "/tag/" + "-".join(["transport"] * 120) + "/"
    home_links = [
        ("/news/", "News"),
        ("/archive/2024/03/", "Archive"),
        ("/private/", "Staff only"),
        (long_path, "Everything about transport"),
        ("/news/more/", "More news"),
        ("/m" + mobile.path, mobile.title),
        *((f"{a.path}?sessionid={secrets.token_hex(16)}", a.title) for a in first),
        *((f"{a.path}?utm_source=home&utm_campaign=spring&fbclid=x1", a.title) for a in first),
        *((f"/amp{a.path}", a.title + " (AMP)") for a in first),
        *((f"{a.path}?amp=1", a.title + " (AMP)") for a in first),
        *((p, p) for p in BASIC_ARTICLES),
    ]
    routes["/"] = Route(
        handler=lambda req: _send(
            req,
            _hub("Vestnik", home_links).replace(
                "</title>",
                '</title><link rel="alternate" type="application/rss+xml" title="RSS" '
                'href="/rss.xml">',
            ),
            "text/html; charset=utf-8",
        )
    )
    routes.update({p: r for p, r in BASIC_ARTICLES.items()})

    def listing(req: BaseHTTPRequestHandler) -> None:
        query = parse_qs(urlsplit(req.path).query)
        page = int(query.get("page", ["1"])[0]) if query.get("page", ["1"])[0].isdigit() else 1
        chunk = hub_items[(page - 1) * page_size : page * page_size]
        links = [(a.path, a.title) for a in chunk]
        extra = f'<a href="/news/?page={page + 1}">Next page</a> <a href="more/">More</a>'
        _send(req, _hub(f"News, page {page}", links, extra), "text/html; charset=utf-8")

    routes["/news/"] = Route(handler=listing)

    def archive(req: BaseHTTPRequestHandler) -> None:
        year, month = (int(x) for x in urlsplit(req.path).path.strip("/").split("/")[1:3])
        key = f"{year:04d}/{month:02d}"
        links = [
            (a.path, a.title)
            for a in articles
            if a.announced_in == "archive" and f"{a.published:%Y/%m}" == key
        ]
        prev_year, prev_month = (year, month - 1) if month > 1 else (year - 1, 12)
        extra = f'<a href="/archive/{prev_year:04d}/{prev_month:02d}/">Previous month</a>'
        _send(req, _hub(f"Archive {key}", links, extra), "text/html; charset=utf-8")

    site.archive_months = {f"{a.published:%Y/%m}" for a in articles if a.announced_in == "archive"}

    def more(req: BaseHTTPRequestHandler) -> None:
        _send(req, _hub("More news", [], '<a href="more/">More</a>'), "text/html; charset=utf-8")

    site.routes = DynamicRoutes(
        routes,
        [
            (r"/archive/\d{4}/\d{2}/", Route(handler=archive)),
            (r"/news/(more/)+", Route(handler=more)),
        ],
    )
    return site


def request_kind(site: DiscoverySite, path: str) -> str:
    """What a requested path (with query) was: "article", "hub", "feed", "sitemap", "robots",
    "trap", "variant", "private", "other"."""
    parts = urlsplit(path)
    article_paths = {a.path for a in site.articles} | set(BASIC_ARTICLES)
    if parts.path.startswith("/private/"):
        return "private"
    if parts.path in article_paths:
        return "variant" if parts.query else "article"
    if parts.path.startswith(("/amp/", "/m/")):
        return "variant"
    if parts.path == "/robots.txt":
        return "robots"
    if parts.path.startswith("/sitemaps/"):
        return "sitemap"
    if parts.path == "/rss.xml":
        return "feed"
    if parts.path == "/news/":
        page = int(parse_qs(parts.query).get("page", ["1"])[0])
        return "hub" if page <= site.listing_pages else "trap"
    if parts.path.startswith("/archive/"):
        month = "/".join(parts.path.strip("/").split("/")[1:3])
        return "hub" if month in site.archive_months or month == "2024/03" else "trap"
    if parts.path.startswith(("/news/more/", "/search", "/tag/")):
        return "trap"
    if parts.path == "/":
        return "hub"
    return "other"
