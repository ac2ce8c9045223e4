"""Hardened defaults stay hardened: this test pins them (change it only on purpose)."""

from __future__ import annotations

from pathlib import Path

import pytest
from scrapy.settings import Settings
from scrapy.utils.conf import build_component_list
from scrapy.utils.misc import load_object

from newscrawler import __version__
from tests.conftest import run_crawl
from tests.site.server import LoopbackSite, Route


@pytest.fixture(scope="module")
def settings() -> Settings:
    s = Settings()
    s.setmodule("newscrawler.settings", priority="project")
    return s


def test_robots_txt_is_obeyed(settings: Settings) -> None:
    assert settings.getbool("ROBOTSTXT_OBEY") is True


def test_consoles_are_off(settings: Settings) -> None:
    assert settings.getbool("TELNETCONSOLE_ENABLED") is False
    assert settings.getbool("REMOTE_CONTROL_ENABLED") is False  # Scrapy 2.19 code-execution server


def test_only_http_handlers_are_enabled(settings: Settings) -> None:
    handlers = settings.getdict("DOWNLOAD_HANDLERS")
    for scheme in ("file", "data", "ftp", "s3"):
        assert scheme in handlers and handlers[scheme] is None, scheme


def test_sizes_and_times_are_bounded(settings: Settings) -> None:
    assert 0 < settings.getint("DOWNLOAD_MAXSIZE") <= 16 * 1024 * 1024
    assert 0 < settings.getint("DOWNLOAD_WARNSIZE") < settings.getint("DOWNLOAD_MAXSIZE")
    assert settings.getbool("COMPRESSION_ENABLED")  # decompression is bounded by DOWNLOAD_MAXSIZE
    assert 0 < settings.getint("DOWNLOAD_TIMEOUT") <= 60
    assert 0 < settings.getint("REDIRECT_MAX_TIMES") <= 10
    assert 0 <= settings.getint("RETRY_TIMES") <= 3
    assert settings.getint("DEPTH_LIMIT") > 0
    # the one URL-length limit is ours (per site, counted in newscrawler/traps/url_length)
    assert 0 < settings.getint("NEWSCRAWLER_TRAPS_MAX_URL_LENGTH") <= 8192
    middlewares = settings.getdict("SPIDER_MIDDLEWARES")
    assert middlewares["scrapy.spidermiddlewares.urllength.UrlLengthMiddleware"] is None
    assert 0 < settings.getfloat("NEWSCRAWLER_RETRY_AFTER_MAX") <= 300


def test_user_agent_names_the_project_and_a_contact(settings: Settings) -> None:
    at_crawl_time = settings.copy()
    for addon in build_component_list(settings.getdict("ADDONS")):  # as Scrapy's AddonManager
        load_object(addon)().update_settings(at_crawl_time)
    ua = at_crawl_time.get("USER_AGENT")
    assert ua.startswith("newscrawler/")
    assert settings.get("NEWSCRAWLER_CONTACT") in ua


def test_contact_set_on_the_command_line_reaches_the_sites(tmp_path: Path) -> None:
    with LoopbackSite({"/": Route(body="<html><body><p>Home</p></body></html>")}) as site:
        contact = {"NEWSCRAWLER_CONTACT": "ops@example.org"}
        result = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", settings=contact)
        agents = {r.headers.get("User-Agent") for r in site.requests}
    assert result.returncode == 0, result.log[-2000:]
    assert agents == {f"newscrawler/{__version__} (+ops@example.org)"}


def test_a_user_agent_set_by_the_user_is_kept(tmp_path: Path) -> None:
    with LoopbackSite({"/": Route(body="<html><body><p>Home</p></body></html>")}) as site:
        mine = {"USER_AGENT": "my-bot/1.0", "NEWSCRAWLER_CONTACT": "ops@example.org"}
        result = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}", settings=mine)
        agents = {r.headers.get("User-Agent") for r in site.requests}
    assert result.returncode == 0, result.log[-2000:]
    assert agents == {"my-bot/1.0"}


def test_cookies_are_off(settings: Settings) -> None:
    assert settings.getbool("COOKIES_ENABLED") is False


def test_ssrf_guard_is_on_before_robots_txt(settings: Settings) -> None:
    assert settings.getbool("NEWSCRAWLER_SSRF_GUARD") is True
    assert settings.getlist("NEWSCRAWLER_ALLOWED_NETWORKS") == []
    mws = settings.getwithbase("DOWNLOADER_MIDDLEWARES")
    robots = mws["scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware"]
    assert mws["newscrawler.middlewares.ssrf.SsrfGuardMiddleware"] < robots
    assert settings.get("TWISTED_DNS_RESOLVER") == "newscrawler.middlewares.ssrf.PinningResolver"


def test_a_real_crawl_runs_with_the_hardened_components(tmp_path: Path) -> None:
    with LoopbackSite({"/": Route(body="<html><body>home</body></html>")}) as site:
        result = run_crawl(tmp_path, "-a", f"start_urls={site.url('/')}")
        assert {"/robots.txt", "/"} <= set(site.paths())  # through the guard and pinning resolver
    assert result.returncode == 0, result.log[-3000:]
    enabled = result.log[result.log.index("Enabled extensions") :]
    enabled = enabled[: enabled.index("Overridden settings")]
    assert "TelnetConsole" not in enabled
    assert "RemoteControl" not in enabled
    assert "Remote control HTTP server listening" not in result.log
    assert "newscrawler.middlewares.ssrf.SsrfGuardMiddleware" in result.log
