"""Rendering pages in a browser: off by default, per site or for app shells, bounded, guarded.

The crawls run the real Chromium against the loopback app site (tests/site/render_routes.py);
they skip, saying why, where no Chromium is found.
"""

from __future__ import annotations

import importlib.util
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import lxml.html
import pytest

from newscrawler.discovery.appshell import looks_like_app_shell
from newscrawler.discovery.sites import SitesConfigError, parse_sites
from newscrawler.render.chromium import find_browser
from newscrawler.render.middleware import RenderBudget
from tests.conftest import CrawlResult, run_crawl
from tests.site import render_routes as app
from tests.site.server import LoopbackSite, Route

CHROMIUM = find_browser()
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None or importlib.util.find_spec("scrapy_playwright") is None,
    reason="no Chromium on PATH (apt-get install chromium) or no scrapy-playwright",
)
# A page gets this long in the browser: the looping page is cut after it.
TIMEOUT = "4"


def root(html: str) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(html)


# --- the app-shell signal ------------------------------------------------------------------------


def test_an_empty_app_mount_point_with_a_bundle_is_a_shell() -> None:
    assert looks_like_app_shell(root(app.shell(app.SCRIPTED, "/static/app.js")))
    react = "<html><body><div data-reactroot></div><script type=module>go()</script></body></html>"
    assert looks_like_app_shell(root(react))


def test_a_server_rendered_app_page_is_no_shell() -> None:
    text = "".join(f"<p>{p}</p>" for p in app.TEXTS[app.PLAIN])
    page = f"<html><body><div id='__next'>{text}</div><script src='/a.js'></script></body></html>"
    assert not looks_like_app_shell(root(page))


def test_a_short_page_without_app_or_scripts_is_no_shell() -> None:
    assert not looks_like_app_shell(root("<html><body><div id='root'>Hello</div></body></html>"))
    assert not looks_like_app_shell(root("<html><body><script src='/a.js'></script></body></html>"))


def test_script_and_noscript_text_is_not_visible_text() -> None:
    words = " ".join(["word"] * 200)
    page = (
        f"<html><body><div id='app'></div><noscript>{words}</noscript>"
        f"<script src='/a.js'></script><script>var t = '{words}';</script></body></html>"
    )
    assert looks_like_app_shell(root(page))


# --- budget, configuration ------------------------------------------------------------------------


def test_budget_bounds_pages_per_site_and_per_run() -> None:
    budget = RenderBudget(per_run=3, per_site=2)
    for site in ("a", "a", "b"):
        assert budget.refusal(site) is None
        budget.take(site)
    assert budget.refusal("b") == "run"
    assert RenderBudget(per_run=0, per_site=1).refusal("a") is None


def test_site_over_its_budget_is_refused_before_the_run_is() -> None:
    budget = RenderBudget(per_run=10, per_site=1)
    budget.take("a")
    assert budget.refusal("a") == "site"
    assert budget.refusal("b") is None


def test_browser_path_must_be_an_executable_file(tmp_path: Path) -> None:
    browser = tmp_path / "chrome"
    browser.write_text("#!/bin/sh\n", encoding="utf-8")
    assert find_browser(str(browser)) is None
    browser.chmod(0o755)
    assert find_browser(str(browser)) == str(browser)


def test_site_render_field_is_browser_or_plain() -> None:
    sites = parse_sites('[sites.a]\nstart_urls = ["https://a.example/"]\nrender = "browser"\n')
    assert sites[0].render == "browser"
    with pytest.raises(SitesConfigError, match="field 'render': expected one of 'browser'"):
        parse_sites('[sites.a]\nstart_urls = ["https://a.example/"]\nrender = "chrome"\n')


def test_unknown_render_mode_is_a_usage_error(tmp_path: Path) -> None:
    result = run_crawl(
        tmp_path, "-a", "start_urls=http://127.0.0.1:9/", settings={"NEWSCRAWLER_RENDER": "always"}
    )
    assert result.returncode == 2
    assert "NEWSCRAWLER_RENDER='always': expected one of off, auto" in result.log


def test_rendering_without_a_browser_is_a_usage_error_naming_the_setting(tmp_path: Path) -> None:
    settings = {"NEWSCRAWLER_RENDER": "auto", "NEWSCRAWLER_BROWSER_PATH": str(tmp_path / "none")}
    result = run_crawl(tmp_path, "-a", "start_urls=http://127.0.0.1:9/", settings=settings)
    assert result.returncode == 2
    assert "rendering pages needs Chromium" in result.log
    assert "NEWSCRAWLER_BROWSER_PATH=" in result.log


# --- crawls ---------------------------------------------------------------------------------


@dataclass
class AppCrawl:
    result: CrawlResult
    site: LoopbackSite
    other: LoopbackSite  # the loopback origin the private page's script asks

    def record(self, path: str) -> dict[str, object] | None:
        return next((r for r in self.result.records if r["url"] == self.site.url(path)), None)


@contextmanager
def crawl_app(
    workdir: Path, *, sites_render: str | None = None, **settings: str
) -> Iterator[AppCrawl]:
    """Crawl the app site (its servers kept up until the block ends)."""
    with LoopbackSite({}) as other, LoopbackSite(app.render_site(other.origin)) as site:
        if sites_render is not None:
            sites = f'[sites.app]\nstart_urls = ["{site.url("/")}"]\nrender = "{sites_render}"\n'
            (workdir / "sites.toml").write_text(sites, encoding="utf-8")
            args = ["-a", "sites=sites.toml"]
        else:
            args = ["-a", f"start_urls={site.url('/')}"]
        result = run_crawl(
            workdir, *args, settings={"NEWSCRAWLER_RENDER_TIMEOUT": TIMEOUT, **settings}
        )
        yield AppCrawl(result, site, other)


@pytest.fixture(scope="module")
def plain_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppCrawl]:
    with crawl_app(tmp_path_factory.mktemp("plain")) as crawl:
        yield crawl


@pytest.fixture(scope="module")
def site_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppCrawl]:
    if CHROMIUM is None:
        pytest.skip("no Chromium on PATH (apt-get install chromium)")
    with crawl_app(tmp_path_factory.mktemp("site"), sites_render="browser") as crawl:
        yield crawl


@pytest.fixture(scope="module")
def auto_crawl(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AppCrawl]:
    if CHROMIUM is None:
        pytest.skip("no Chromium on PATH (apt-get install chromium)")
    with crawl_app(tmp_path_factory.mktemp("auto"), NEWSCRAWLER_RENDER="auto") as crawl:
        yield crawl


def test_rendering_is_off_by_default_and_no_browser_is_started(plain_crawl: AppCrawl) -> None:
    result = plain_crawl.result
    assert result.returncode == 0, result.log[-3000:]
    assert not [key for key in result.stats if "render" in key or "playwright" in key]
    assert "Rendering pages in a browser" not in result.log
    assert "newscrawler.render" not in result.log  # not even a "Disabled …" warning
    # the server-rendered article is stored, the app shells give no record
    assert [r["url"] for r in result.records] == [plain_crawl.site.url(app.PLAIN)]
    assert result.stats["newscrawler/pages/rejected/no_text"] == 5
    assert "/static/scripted.js" not in plain_crawl.site.paths()


@needs_chromium
def test_site_rendered_in_the_browser_gives_the_text_its_scripts_write(
    site_crawl: AppCrawl,
) -> None:
    result = site_crawl.result
    assert result.returncode == 0, result.log[-3000:]
    for path in (app.SCRIPTED, app.FETCHED, app.PRIVATE, app.PLAIN):
        record = site_crawl.record(path)
        assert record is not None, (path, [r["url"] for r in result.records])
        assert record["title"] == app.TITLES[path]
        assert app.TEXTS[path][0] in str(record["text"])
        assert app.TEXTS[path][-1] in str(record["text"])
    stats = result.stats
    assert stats["newscrawler/render/browser_launches"] == 1
    assert stats["newscrawler/render/requested/site"] == 7  # the front page and 6 articles
    assert stats["newscrawler/render/pages"] == 5
    # the fetched story came through a redirect, each hop asked and served
    assert {"/api/old-story", "/api/story"} <= set(site_crawl.site.paths())


@needs_chromium
def test_pages_whose_script_never_ends_are_counted_and_skipped(site_crawl: AppCrawl) -> None:
    result = site_crawl.result
    # one never loads, one hangs once loaded: both closed after their time
    assert result.stats["newscrawler/render/failed/timeout"] == 2
    assert site_crawl.record(app.LOOPING) is None and site_crawl.record(app.STUCK) is None
    warnings = [line for line in result.log.splitlines() if "WARNING: Not rendered:" in line]
    assert len(warnings) == 1 and "(timeout)" in warnings[0]  # once for the site and reason
    assert app.LOOPING in warnings[0] or app.STUCK in warnings[0]
    assert result.stats["finish_reason"] == "finished"


@needs_chromium
def test_browser_requests_to_private_and_other_loopback_addresses_are_refused(
    site_crawl: AppCrawl,
) -> None:
    stats = site_crawl.result.stats
    # 10.0.0.1 asked by the script, 10.0.0.2 behind a redirect of the site's own /api/leak
    assert stats["newscrawler/render/refused/private"] == 2
    assert stats["newscrawler/render/refused/loopback"] == 1
    assert stats["newscrawler/render/refused"] == 3
    assert site_crawl.other.paths() == []  # the other loopback port was never reached
    refused = [line for line in site_crawl.result.log.splitlines() if "request refused" in line]
    assert any("http://10.0.0.1/latest (10.0.0.1 is a private address)" in r for r in refused)
    assert any("http://10.0.0.2/leak" in r for r in refused)
    assert any(f"{site_crawl.other.origin}/admin" in r for r in refused)


@needs_chromium
def test_images_are_blocked_in_the_browser(site_crawl: AppCrawl) -> None:
    assert site_crawl.result.stats["newscrawler/render/blocked/image"] == 1
    assert "/static/photo.jpg" not in site_crawl.site.paths()


@needs_chromium
def test_auto_renders_only_app_shells_that_gave_no_record(auto_crawl: AppCrawl) -> None:
    result = auto_crawl.result
    assert result.returncode == 0, result.log[-3000:]
    stats = result.stats
    assert stats["newscrawler/render/shells"] == 5  # the plain article and the front page: none
    assert stats["newscrawler/render/requested/auto"] == 5
    assert stats["newscrawler/render/pages"] == 3
    assert stats["newscrawler/render/failed/timeout"] == 2
    for path in (app.SCRIPTED, app.FETCHED, app.PRIVATE, app.PLAIN):
        record = auto_crawl.record(path)
        assert record is not None and app.TEXTS[path][0] in str(record["text"])
    # each shell fetched twice (plain, then to render), never a third time: no loop
    paths = auto_crawl.site.paths()
    assert paths.count(app.SCRIPTED) == 2 and paths.count(app.LOOPING) == 2
    assert paths.count(app.PLAIN) == 1


@needs_chromium
def test_pages_over_the_render_budget_are_counted_and_logged_once(tmp_path: Path) -> None:
    with crawl_app(tmp_path, sites_render="browser", NEWSCRAWLER_RENDER_MAX_PAGES="2") as crawl:
        pass
    stats = crawl.result.stats
    assert crawl.result.returncode == 0, crawl.result.log[-3000:]
    assert stats["newscrawler/render/requested/site"] == 2
    assert stats["newscrawler/render/over_budget/run"] == 5
    lines = [line for line in crawl.result.log.splitlines() if "Render budget" in line]
    assert len(lines) == 1 and "Render budget of the run reached" in lines[0]
    # over the budget, the plain page goes on: the server-rendered article is stored still
    assert crawl.record(app.PLAIN) is not None


def kill_browser_of(workdir: Path) -> None:
    """Kill the Chromium browser process launched by a crawl run in ``workdir``."""
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().split(b"\0")
            cwd = os.readlink(entry / "cwd")
        except OSError:
            continue
        is_browser = b"--remote-debugging-pipe" in cmdline and not any(
            arg.startswith(b"--type=") for arg in cmdline
        )
        if is_browser and Path(cwd) == workdir:
            os.kill(int(entry.name), signal.SIGKILL)


@needs_chromium
def test_browser_that_dies_is_counted_and_launched_again(tmp_path: Path) -> None:
    def crash(request: BaseHTTPRequestHandler) -> None:
        kill_browser_of(tmp_path)
        request.send_response(200)
        request.send_header("Content-Type", "application/javascript")
        request.send_header("Content-Length", "0")
        request.end_headers()

    crasher = "/news/2024/03/27/crashing-story.html"
    routes = app.render_site()
    routes[crasher] = Route(body=app.shell(crasher, "/static/crash.js"))
    routes["/static/crash.js"] = Route(handler=crash)
    with LoopbackSite(routes) as site:
        sites = (
            f'[sites.app]\nstart_urls = ["{site.url(crasher)}", "{site.url("/")}"]\n'
            'render = "browser"\n'
        )
        (tmp_path / "sites.toml").write_text(sites, encoding="utf-8")
        result = run_crawl(
            tmp_path,
            "-a",
            "sites=sites.toml",
            settings={"NEWSCRAWLER_RENDER_TIMEOUT": TIMEOUT, "NEWSCRAWLER_RENDER_CONCURRENCY": "1"},
        )
    assert result.returncode == 0, result.log[-3000:]
    stats = result.stats
    assert stats["newscrawler/render/failed/crashed"] >= 1
    assert stats["newscrawler/render/browser_lost"] == 1
    assert stats["newscrawler/render/browser_launches"] == 2
    assert "Browser launched again" in result.log
    urls = {r["url"] for r in result.records}
    assert site.url(app.SCRIPTED) in urls and site.url(app.FETCHED) in urls
