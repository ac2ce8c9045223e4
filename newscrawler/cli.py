"""``newscrawler`` console script: ``scrapy`` with this project's settings, from any folder."""

from __future__ import annotations

import os

from scrapy.cmdline import execute


def main() -> None:
    os.environ.setdefault("SCRAPY_SETTINGS_MODULE", "newscrawler.settings")
    execute()


if __name__ == "__main__":
    main()
