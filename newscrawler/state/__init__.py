"""Incremental runs: the persistent crawl state and the Scrapy components that use it.

- :mod:`~newscrawler.state.store`: the :class:`StateStore` protocol and its SQLite implementation;
- :mod:`~newscrawler.state.crawlstate`: the :class:`CrawlState` extension (dedup decisions over
  the store, pending records committed once durable, reconciliation, the ``-O`` refusal);
- :mod:`~newscrawler.state.middlewares`: skip stored articles, revalidate hubs (conditional GET);
- :mod:`~newscrawler.state.feed`: the durable JSONL feed storage and exporter (``-o``/``-O``).
"""
