"""newscrawler: a news crawler built on Scrapy and trafilatura."""

__version__ = "0.1.0"
