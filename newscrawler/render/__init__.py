"""Rendering pages in a real browser (Chromium through scrapy-playwright), opt-in.

- :mod:`~newscrawler.render.browser`: finding the system Chromium, and the :class:`Renderer`
  that loads a page Scrapy fetched into it, guarded (every request the page makes passes the
  SSRF guard; images, fonts, media, WebSockets and downloads refused) and bounded (a time limit,
  a hung or crashed page closed, the browser restarted);
- :mod:`~newscrawler.render.middleware`: when a page is rendered (a site's ``render =
  "browser"``, or ``NEWSCRAWLER_RENDER=auto`` for an empty app shell that gave no record) within
  the budget of rendered pages per site and per run.
"""
