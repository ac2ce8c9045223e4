"""A real HTTP server on loopback serving the test news site, with a request log.

Routes map a path to a :class:`Route` (a fixture file, or a callable that writes the response
itself for faults). Every request is recorded in :attr:`LoopbackSite.requests` so that tests can
assert what the crawler fetched.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlsplit

PAGES = Path(__file__).parent / "pages"

Handler = Callable[[BaseHTTPRequestHandler], None]


@dataclass
class Route:
    """How one path is answered."""

    file: str | None = None  # fixture under tests/site/pages (UTF-8 text or bytes)
    body: bytes | str | None = None
    content_type: str = "text/html; charset=utf-8"
    encoding: str = "utf-8"  # the bytes on the wire are the fixture text encoded with this
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    handler: Handler | None = None  # writes the whole response itself

    def payload(self) -> bytes:
        if self.body is not None:
            return self.body if isinstance(self.body, bytes) else self.body.encode(self.encoding)
        if self.file is not None:
            raw = (PAGES / self.file).read_bytes()
            if self.encoding.lower() in ("utf-8", "utf8") or self.file.endswith((".pdf", ".png")):
                return raw
            return raw.decode("utf-8").encode(self.encoding)
        return b""


@dataclass
class LoggedRequest:
    method: str
    path: str  # path with query string
    headers: dict[str, str]
    at: float = field(default_factory=time.monotonic)  # when the request line arrived


class LoopbackSite:
    """Serve ``routes`` on 127.0.0.1 in a background thread (use as a context manager)."""

    # Last-Modified sent for every page when ``validators`` is on.
    LAST_MODIFIED = "Wed, 27 Mar 2024 10:00:00 GMT"

    def __init__(
        self,
        routes: dict[str, Route] | None = None,
        host: str = "127.0.0.1",
        validators: bool = False,
    ) -> None:
        self.routes: dict[str, Route] = dict(routes or {})
        # send ETag/Last-Modified on 200 pages and answer 304 when the request's validators match
        self.validators = validators
        self.requests: list[LoggedRequest] = []
        self._lock = threading.Lock()
        site = self

        class _Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                site._serve(self, head=False)

            def do_HEAD(self) -> None:
                site._serve(self, head=True)

        self._server = ThreadingHTTPServer((host, 0), _Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def origin(self) -> str:
        return f"http://{self._server.server_address[0]}:{self.port}"

    def url(self, path: str) -> str:
        return self.origin + path

    def paths(self, method: str | None = None) -> list[str]:
        """Requested paths (with query), in order."""
        with self._lock:
            return [r.path for r in self.requests if method is None or r.method == method]

    def clear_log(self) -> None:
        with self._lock:
            self.requests.clear()

    def __enter__(self) -> LoopbackSite:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _serve(self, req: BaseHTTPRequestHandler, head: bool) -> None:
        with self._lock:
            self.requests.append(LoggedRequest(req.command, req.path, dict(req.headers.items())))
        route = self.routes.get(urlsplit(req.path).path)
        if route is None:
            route = Route(body="<html><body><h1>Not found</h1></body></html>", status=404)
        if route.handler is not None:
            route.handler(req)
            return
        payload = route.payload()
        if self.validators and route.status == 200:
            etag = '"' + hashlib.sha1(payload).hexdigest()[:16] + '"'
            if req.headers.get("If-None-Match") == etag or (
                "If-None-Match" not in req.headers
                and req.headers.get("If-Modified-Since") == self.LAST_MODIFIED
            ):
                req.send_response(304)
                req.send_header("ETag", etag)
                req.send_header("Content-Length", "0")
                req.end_headers()
                return
            route = Route(
                body=payload,
                content_type=route.content_type,
                headers={"ETag": etag, "Last-Modified": self.LAST_MODIFIED, **route.headers},
            )
        req.send_response(route.status)
        req.send_header("Content-Type", route.content_type)
        req.send_header("Content-Length", str(len(payload)))
        for name, value in route.headers.items():
            req.send_header(name, value)
        req.end_headers()
        if not head:
            req.wfile.write(payload)
