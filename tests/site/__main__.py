"""Serve the test news site by hand: ``python -m tests.site`` (prints the origin, Ctrl-C stops)."""

from __future__ import annotations

import time

from tests.site.routes import news_site_routes
from tests.site.server import LoopbackSite

if __name__ == "__main__":
    with LoopbackSite(news_site_routes()) as site:
        print(site.origin, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
