"""The User-Agent names the project and the operator's contact (``NEWSCRAWLER_CONTACT``).

An add-on, so that the User-Agent is built when the crawl starts, from the crawl's settings
(``-s NEWSCRAWLER_CONTACT=ops@example.org`` included), not when ``settings.py`` is imported.
A ``USER_AGENT`` the user sets (in the project, a spider or with ``-s``) is left alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from newscrawler import __version__

if TYPE_CHECKING:
    from scrapy.settings import BaseSettings


def user_agent(contact: str) -> str:
    """``newscrawler/<version> (+<contact>)``."""
    return f"newscrawler/{__version__} (+{contact})"


class ContactUserAgent:
    """Add-on: set ``USER_AGENT`` from ``NEWSCRAWLER_CONTACT`` unless the user set it."""

    def update_settings(self, settings: BaseSettings) -> None:
        priority = settings.getpriority("USER_AGENT")
        if priority is None or priority <= 0:  # Scrapy's default
            settings.set("USER_AGENT", user_agent(settings["NEWSCRAWLER_CONTACT"]), "addon")
