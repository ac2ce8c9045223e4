"""The system Chromium: where it is, how it is launched (no Playwright import here: the
``scrapy-playwright`` package is needed only when rendering is on)."""

from __future__ import annotations

import os
import shutil
from typing import Any

# Looked up on PATH, in this order, when NEWSCRAWLER_BROWSER_PATH is empty.
BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome")
# Headless, and quiet: without the background-networking flags Chromium calls Google's hosts;
# WebRTC sends no UDP (it is not routed through the page's requests, so not guarded).
CHROMIUM_ARGS = (
    "--headless",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--force-webrtc-ip-handling-policy=disable_non_proxied_udp",
)


def find_browser(path: str = "") -> str | None:
    """The Chromium executable to launch: ``path`` when given (None unless it is an executable
    file), else the first of :data:`BROWSER_NAMES` found on ``PATH``."""
    if path:
        return path if os.path.isfile(path) and os.access(path, os.X_OK) else None
    for name in BROWSER_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def launch_options(executable: str) -> dict[str, Any]:
    """Playwright's launch options for the system Chromium (the sandbox needs a non-root user);
    Scrapy, not Playwright, handles the crawl's signals."""
    return {
        "executable_path": executable,
        "headless": True,
        "args": list(CHROMIUM_ARGS),
        "chromium_sandbox": os.geteuid() != 0,
        "handle_sigint": False,
        "handle_sigterm": False,
        "handle_sighup": False,
    }


class RenderFailed(Exception):
    """The browser gave no page: :attr:`reason` is ``timeout``, ``crashed`` or ``error``."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(f"rendering failed ({reason}): {detail}")
        self.reason = reason
