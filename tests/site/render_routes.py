"""A news site of client-side app pages, for rendering in a browser (tests and the benchmark).

:func:`render_site` builds the routes. Every article page is an empty app shell
(``div#__next`` and a script bundle) except :data:`PLAIN`, a server-rendered article:

- :data:`SCRIPTED`: the bundle writes the article into the page (and asks for an image);
- :data:`FETCHED`: the bundle fetches the article as JSON from ``/api/...``, through a redirect;
- :data:`LOOPING`: the bundle never ends (``while (true) {}``): the page never loads;
- :data:`STUCK`: the bundle writes its article, then loops forever once the page has loaded;
- :data:`PRIVATE`: the bundle asks a private address, another loopback port (``forbidden``) and
  a path of its own site that redirects to a private address for data, then writes its article;

:func:`app_site` builds a site of N scripted articles only, for the benchmark.
"""

from __future__ import annotations

import json

from tests.site.server import Route
from tests.site.text import story_paragraphs

SCRIPTED = "/news/2024/03/27/scripted-story.html"
FETCHED = "/news/2024/03/27/fetched-story.html"
LOOPING = "/news/2024/03/27/looping-story.html"
STUCK = "/news/2024/03/27/stuck-story.html"
PRIVATE = "/news/2024/03/27/private-story.html"
PLAIN = "/news/2024/03/27/plain-story.html"

TITLES = {
    SCRIPTED: "Harbour ferry returns after repairs",
    FETCHED: "Library opens a second reading room",
    LOOPING: "Council meeting runs late again",
    STUCK: "Bridge repairs stall over the winter",
    PRIVATE: "Farmers market moves to the square",
    PLAIN: "Night trains stop at the old station",
}
# The text each article's script writes (a story of its own: dedup keeps every page).
TEXTS = {path: story_paragraphs(title, "en", count=4) for path, title in TITLES.items()}


def shell(path: str, bundle: str, title: str = "") -> str:
    """An empty app shell: a mount point, a loading line and the bundle that fills it."""
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title or 'Loading'}</title></head><body>"
        "<div id='__next'><p>Loading…</p></div>"
        f"<script src='{bundle}'></script>"
        "</body></html>"
    )


def writer(title: str, paragraphs: list[str], before: str = "") -> str:
    """A bundle that writes an article into ``#__next`` (after ``before``, a statement)."""
    article = {"title": title, "paragraphs": paragraphs}
    return (
        f"{before}\n"
        f"const story = {json.dumps(article)};\n"
        "document.getElementById('__next').innerHTML = '<article><h1>' + story.title +"
        " '</h1>' + story.paragraphs.map(p => '<p>' + p + '</p>').join('') + '</article>';\n"
    )


def script(body: str) -> Route:
    return Route(body=body, content_type="application/javascript; charset=utf-8")


def plain_article(title: str, paragraphs: list[str]) -> str:
    text = "".join(f"<p>{p}</p>" for p in paragraphs)
    return (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>{title}</title><meta property='og:type' content='article'></head><body>"
        f"<article><h1>{title}</h1>{text}</article></body></html>"
    )


def front_page(paths: list[str]) -> dict[str, Route]:
    links = "".join(f"<li><a href='{p}'>{p}</a></li>" for p in paths)
    return {
        "/": Route(body=f"<html><body><h1>Front page</h1><ul>{links}</ul></body></html>"),
        "/robots.txt": Route(body="User-agent: *\nAllow: /\n", content_type="text/plain"),
    }


def render_site(forbidden: str = "http://127.0.0.1:9") -> dict[str, Route]:
    """The routes; ``forbidden`` is the origin the private page's script also asks."""
    return {
        **front_page(list(TITLES)),
        SCRIPTED: Route(body=shell(SCRIPTED, "/static/scripted.js")),
        "/static/scripted.js": script(
            writer(
                TITLES[SCRIPTED],
                TEXTS[SCRIPTED],
                before="const img = new Image(); img.src = '/static/photo.jpg';"
                "document.body.appendChild(img);",
            )
        ),
        "/static/photo.jpg": Route(body=b"\xff\xd8\xff", content_type="image/jpeg"),
        FETCHED: Route(body=shell(FETCHED, "/static/fetched.js")),
        "/static/fetched.js": script(
            "fetch('/api/old-story').then(r => r.json()).then(story => {"
            "document.getElementById('__next').innerHTML = '<article><h1>' + story.title +"
            " '</h1>' + story.paragraphs.map(p => '<p>' + p + '</p>').join('') + '</article>';"
            "});"
        ),
        "/api/old-story": Route(status=301, headers={"Location": "/api/story"}),
        "/api/leak": Route(status=302, headers={"Location": "http://10.0.0.2/leak"}),
        "/api/story": Route(
            body=json.dumps({"title": TITLES[FETCHED], "paragraphs": TEXTS[FETCHED]}),
            content_type="application/json",
        ),
        LOOPING: Route(body=shell(LOOPING, "/static/looping.js")),
        "/static/looping.js": script("while (true) {}"),
        STUCK: Route(body=shell(STUCK, "/static/stuck.js")),
        "/static/stuck.js": script(
            writer(TITLES[STUCK], TEXTS[STUCK])
            + "window.addEventListener('load', () => setTimeout(() => { while (true) {} }, 0));"
        ),
        PRIVATE: Route(body=shell(PRIVATE, "/static/private.js")),
        "/static/private.js": script(
            writer(
                TITLES[PRIVATE],
                TEXTS[PRIVATE],
                before=(
                    "fetch('http://10.0.0.1/latest').catch(() => {});"
                    "fetch('/api/leak').catch(() => {});"
                    f"fetch('{forbidden}/admin').catch(() => {{}});"
                ),
            )
        ),
        PLAIN: Route(body=plain_article(TITLES[PLAIN], TEXTS[PLAIN])),
    }


def app_site(pages: int) -> dict[str, Route]:
    """A front page and ``pages`` articles, each an app shell that its script fills."""
    paths = [f"/news/2024/03/{1 + n % 28:02d}/app-story-{n}.html" for n in range(pages)]
    routes = front_page(paths)
    for n, path in enumerate(paths):
        title = f"App story number {n}"
        routes[path] = Route(body=shell(path, f"/static/app-{n}.js"))
        routes[f"/static/app-{n}.js"] = script(writer(title, story_paragraphs(title, "en", 4)))
    return routes
