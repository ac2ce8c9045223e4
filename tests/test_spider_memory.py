"""The spider lets go of a page's parsed tree as soon as it has routed the page (when it
routes the page itself: without extraction workers)."""

from __future__ import annotations

import gc
import weakref

from scrapy.http import HtmlResponse, Request

from newscrawler import settings
from newscrawler.items import Page
from newscrawler.spiders.news import NewsSpider
from tests.conftest import callback_output, news_crawler
from tests.site.server import PAGES


def test_parsed_tree_is_released_while_the_page_waits_for_extraction() -> None:
    url = "http://news.example/world/2024/03/27/harbour-bridge-reopens.html"
    project = {k: v for k, v in vars(settings).items() if k.isupper()}
    spider = news_crawler(project, start_urls=url).spider
    assert isinstance(spider, NewsSpider)
    body = (PAGES / "en-bridge.html").read_bytes()
    response = HtmlResponse(url, body=body, encoding="utf-8", request=Request(url))
    tree = weakref.ref(response.selector)
    output = callback_output(spider.parse(response))
    # the article goes to the pipelines; the response stays alive until they are done with it
    page = next(item for item in output if isinstance(item, Page))
    gc.collect()
    assert page.body == body
    assert tree() is None
    assert "http://news.example/world/" in [r.url for r in output]  # links were extracted first
