"""The routes of the test news site: the pages under ``pages/`` at the paths a crawler finds."""

from __future__ import annotations

from tests.site.server import Route

ARTICLES = {
    "/news/2024/03/27/lukashenko-rostov.html": Route("ru-seed.html"),
    "/news/2024/03/27/shifa-hamas.html": Route(
        "ru-shifa-cp1251.html", content_type="text/html", encoding="cp1251"
    ),
    "/news/2024/03/26/vesennij-rynok.html": Route(
        "ru-moscow-cp1251.html", content_type="text/html; charset=windows-1251", encoding="cp1251"
    ),
    "/world/2024/03/27/harbour-bridge-reopens.html": Route("en-bridge.html"),
    "/world/2024/03/05/council-budget.html": Route("en-council.html"),
    "/de/2024/03/22/bahnstreik.html": Route("de-streik.html"),
    "/fr/2024/03/21/greve-transports.html": Route("fr-greve.html"),
}

HUBS = {
    "/": Route("home.html"),
    "/news/": Route("section-news.html"),
    "/world/": Route("section-world.html"),
    "/tag/transport/": Route("tag-transport.html"),
}

OTHER = {
    "/about.html": Route("about.html"),
    "/files/annual-report.pdf": Route("annual-report.pdf", content_type="application/pdf"),
    "/data/latest": Route(body=bytes(range(256)) * 8, content_type="application/octet-stream"),
    "/robots.txt": Route(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
}


def news_site_routes() -> dict[str, Route]:
    """All routes of the basic news site (a fresh dict: tests may add their own)."""
    return {**HUBS, **ARTICLES, **OTHER}
