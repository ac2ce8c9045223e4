"""The per-site configuration file: loading, every override, and every error message."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import HtmlResponse

import newscrawler.settings as project_settings
from newscrawler.discovery import meta
from newscrawler.discovery.sites import SitesConfigError, load_sites, parse_sites
from newscrawler.items import Page
from newscrawler.spiders.news import NewsSpider
from tests.conftest import REPO, callback_output, news_crawler, run_crawl
from tests.site.server import LoopbackSite
from tests.test_discovery_crawl import DISCOVERY

EXAMPLE = REPO / "examples" / "sites.toml"

SITE = """
[sites.vestnik]
start_urls = ["https://vestnik.example/"]
feeds = ["https://vestnik.example/rss.xml"]
sitemaps = ["https://vestnik.example/sitemap-news.xml"]
domains = ["vestnik.example"]
allow = ['/news/']
deny = ['/news/video/']
article_pattern = '/news/\\d+\\.html$'
language = "ru"
timezone = "Europe/Moscow"
page_budget = 10
follow_links = false

[sites.vestnik.selectors]
title = "h1.headline"
published = "//time/@datetime"
"""

ARTICLE_TEXT = "<p>" + "Городской совет обсудил новый план развития транспорта. " * 12 + "</p>"


def spider_for(tmp_path: Path, toml: str = SITE, **kwargs: Any) -> NewsSpider:
    path = tmp_path / "sites.toml"
    path.write_text(toml, encoding="utf-8")
    settings = {k: getattr(project_settings, k) for k in dir(project_settings) if k.isupper()}
    settings["NEWSCRAWLER_STATE_ENABLED"] = False  # no crawl state opened in the current folder
    spider = news_crawler(settings, sites=str(path), **kwargs).spider
    assert isinstance(spider, NewsSpider)
    return spider


def html(url: str, body: str, head: str = "") -> HtmlResponse:
    text = f"<html><head>{head}</head><body>{body}</body></html>"
    return HtmlResponse(url, body=text.encode(), encoding="utf-8", request=Request(url))


def test_example_file_loads() -> None:
    sites = load_sites(EXAMPLE)
    assert [s.name for s in sites] == ["vestnik", "herald"]
    vestnik, herald = sites
    assert set(vestnik.selectors) == {"title", "body", "published", "authors", "related", "source"}
    assert herald.domains == ("herald.example",) and herald.follow_links is False


def test_start_urls_feeds_and_sitemaps_are_scheduled(tmp_path: Path) -> None:
    spider = spider_for(tmp_path)

    async def collect() -> list[Request]:
        return [r async for r in spider.start()]

    requests = asyncio.run(collect())
    assert [(r.url, r.meta[meta.ROUTE]) for r in requests] == [
        ("https://vestnik.example/", "seed"),
        ("https://vestnik.example/rss.xml", "feed"),
        ("https://vestnik.example/sitemap-news.xml", "sitemap"),
    ]
    assert spider.allowed_domains == ["vestnik.example"]


def test_domains_cover_subdomains(tmp_path: Path) -> None:
    spider = spider_for(tmp_path)
    site = spider.scope.sites.for_url("https://m.vestnik.example/news/1.html")
    assert site is not None and site.name == "vestnik"
    assert spider.scope.sites.for_url("https://other.example/") is None


def test_allow_and_deny_patterns(tmp_path: Path) -> None:
    spider = spider_for(tmp_path)
    assert spider.link_request("https://vestnik.example/news/1.html", "link", spider.parse)
    assert spider.link_request("https://vestnik.example/sport/1.html", "link", spider.parse) is None
    assert (
        spider.link_request("https://vestnik.example/news/video/2.html", "link", spider.parse)
        is None
    )
    assert spider.crawler.stats.get_value("newscrawler/sites/filtered") == 2


def test_article_pattern_decides_what_is_an_article(tmp_path: Path) -> None:
    spider = spider_for(tmp_path)
    article = html("https://vestnik.example/news/17.html", "<h1>Plan</h1>" + ARTICLE_TEXT)
    assert [x for x in callback_output(spider.parse(article)) if isinstance(x, Page)]
    hub = html("https://vestnik.example/news/plan-of-the-year/", "<h1>Plan</h1>" + ARTICLE_TEXT)
    assert not [x for x in callback_output(spider.parse(hub)) if isinstance(x, Page)]
    assert spider.crawler.stats.get_value("newscrawler/pages/hub/site_pattern") == 1


def test_language_timezone_and_selectors_reach_the_page_hints(tmp_path: Path) -> None:
    spider = spider_for(tmp_path)
    response = html("https://vestnik.example/news/17.html", ARTICLE_TEXT)
    (page,) = [x for x in callback_output(spider.parse(response)) if isinstance(x, Page)]
    assert page.hints.site == "vestnik"
    assert page.hints.language == "ru"
    assert page.hints.timezone == "Europe/Moscow"
    assert page.hints.selectors == {"title": "h1.headline", "published": "//time/@datetime"}


def link_urls(output: list[Any]) -> list[str]:
    return [x.url for x in output if isinstance(x, Request) and x.meta[meta.ROUTE] == "link"]


def test_follow_links_off(tmp_path: Path) -> None:
    body = '<a href="/news/18.html">next</a>' + ARTICLE_TEXT
    response = html("https://vestnik.example/news/17.html", body)
    off = spider_for(tmp_path)
    assert not link_urls(callback_output(off.parse(response)))
    on = spider_for(tmp_path, SITE.replace("follow_links = false", "follow_links = true"))
    links = link_urls(callback_output(on.parse(response)))
    assert links == ["https://vestnik.example/news/18.html"]


def test_page_budget_is_read(tmp_path: Path) -> None:
    spider = spider_for(tmp_path)
    site = spider.scope.sites.for_url("https://vestnik.example/")
    assert site is not None and site.page_budget == 10


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        ("[sites.a]\nstart_urls = [", "sites.toml: not valid TOML"),
        ("[site.a]\nstart_urls = []", "unknown top-level key 'site'"),
        ("", "no sites: add at least one [sites.NAME] table"),
        (
            "[sites.a]\nstart_url = ['https://a.example/']",
            "site 'a', field 'start_url': unknown field (did you mean 'start_urls'?)",
        ),
        (
            "[sites.a]\nlanguage = 'ru'",
            "site 'a', field 'start_urls': a site needs at least one of",
        ),
        (
            "[sites.a]\nstart_urls = 'ftp://a.example/'",
            "site 'a', field 'start_urls[0]': not an absolute http(s) URL",
        ),
        (
            "[sites.a]\nstart_urls = [1]",
            "site 'a', field 'start_urls[0]': expected a non-empty string, got an integer",
        ),
        (
            "[sites.a]\nfeeds = ['/rss.xml']",
            "site 'a', field 'feeds[0]': not an absolute http(s) URL",
        ),
        (
            "[sites.a]\nsitemaps = {x = 1}",
            "site 'a', field 'sitemaps': expected a list of strings, got a table",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\ndomains = ['https://a.example/']",
            "site 'a', field 'domains[0]': expected a host name",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\nallow = ['(news']",
            "site 'a', field 'allow[0]': bad regular expression '(news'",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\ndeny = ['[a-']",
            "site 'a', field 'deny[0]': bad regular expression",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\narticle_pattern = '*.html'",
            "site 'a', field 'article_pattern': bad regular expression",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\nlanguage = 'Russian'",
            "site 'a', field 'language': not a language code",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\ntimezone = 'Mars/Olympus'",
            "site 'a', field 'timezone': unknown time zone 'Mars/Olympus'",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\npage_budget = 0",
            "site 'a', field 'page_budget': expected a positive integer, got 0",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\npage_budget = true",
            "site 'a', field 'page_budget': expected a positive integer, got True",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\nfollow_links = 'yes'",
            "site 'a', field 'follow_links': expected true or false, got 'yes'",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\nselectors = 'h1'",
            "site 'a', field 'selectors': expected a table, got a string",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\n[sites.a.selectors]\nheadline = 'h1'",
            "site 'a', field 'selectors.headline': unknown selector",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\n[sites.a.selectors]\ntitle = 'h1[['",
            "site 'a', field 'selectors.title': bad CSS selector 'h1[['",
        ),
        (
            "[sites.a]\nstart_urls = ['https://a.example/']\n[sites.a.selectors]\nbody = '//div[@'",
            "site 'a', field 'selectors.body': bad XPath '//div[@'",
        ),
        ("[sites.'a b']\nstart_urls = ['https://a.example/']", "site 'a b': name must be letters"),
        ("sites = 3", "no sites"),
        ("[sites]\na = 3", "site 'a': expected a table, got an integer"),
    ],
)
def test_errors_name_the_site_and_field(toml: str, message: str) -> None:
    with pytest.raises(SitesConfigError) as error:
        parse_sites(toml, "sites.toml")
    assert message in str(error.value)


def test_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(SitesConfigError, match="cannot read the sites file"):
        load_sites(tmp_path / "missing.toml")


def test_bad_file_stops_the_crawl_before_it_starts(tmp_path: Path) -> None:
    bad = tmp_path / "sites.toml"
    bad.write_text("[sites.vestnik]\nstart_urls = ['https://vestnik.example/']\nfeed = 'x'\n")
    result = run_crawl(tmp_path, "-a", f"sites={bad}")
    assert result.returncode != 0
    assert "site 'vestnik', field 'feed': unknown field (did you mean 'feeds'?)" in result.log
    assert result.records == []


def test_crawl_from_a_sites_file_alone(news_site: LoopbackSite, tmp_path: Path) -> None:
    sites = tmp_path / "sites.toml"
    sites.write_text(
        f"""[sites.local]
start_urls = ["{news_site.url("/")}"]
deny = ['/world/']
language = "ru"
page_budget = 12
""",
        encoding="utf-8",
    )
    result = run_crawl(tmp_path, "-a", f"sites={sites}", settings=DISCOVERY)
    assert result.returncode == 0, result.log[-2000:]
    paths = news_site.paths()
    assert not [p for p in paths if p.startswith("/world/")]
    assert len([p for p in paths if p != "/robots.txt"]) == 12
    assert result.stats["newscrawler/traps/budget"] >= 1
    assert result.records
