"""Default settings of the newscrawler Scrapy project.

Every ``NEWSCRAWLER_*`` setting is listed here with its default and documented in the README's
"Settings" section. Scrapy's own settings are set only where the defaults are unsafe or unfit for
crawling news sites.
"""

from __future__ import annotations

from newscrawler import __version__

BOT_NAME = "newscrawler"
SPIDER_MODULES = ["newscrawler.spiders"]
NEWSPIDER_MODULE = "newscrawler.spiders"
COMMANDS_MODULE = "newscrawler.commands"

# --- Politeness --------------------------------------------------------------------------------
ROBOTSTXT_OBEY = True
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 2.0
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
DEPTH_LIMIT = 5
DEPTH_PRIORITY = 1  # breadth-first: hubs near the seeds first
SCHEDULER_DISK_QUEUE = "scrapy.squeues.PickleFifoDiskQueue"
SCHEDULER_MEMORY_QUEUE = "scrapy.squeues.FifoMemoryQueue"

# Contact shown in the User-Agent so that site owners can reach the operator.
NEWSCRAWLER_CONTACT = "https://github.com/newscrawler/newscrawler"
USER_AGENT = f"newscrawler/{__version__} (+{NEWSCRAWLER_CONTACT})"

# --- Hardening ---------------------------------------------------------------------------------
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # also bounds decompressed bodies (compression bombs)
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
TELNETCONSOLE_ENABLED = False
DOWNLOAD_HANDLERS = {"file": None, "data": None, "ftp": None, "s3": None}
COOKIES_ENABLED = False
URLLENGTH_LIMIT = 2083

# --- Output ------------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_INDENT = None
LOG_LEVEL = "INFO"

# --- Components --------------------------------------------------------------------------------
ITEM_PIPELINES = {
    "newscrawler.pipelines.extract.ExtractionPipeline": 100,
    "newscrawler.pipelines.validate.ValidationPipeline": 800,
}

EXTENSIONS = {
    "newscrawler.extensions.statsfile.StatsFile": 500,
}

# --- newscrawler settings (documented in README, "Settings") ----------------------------------
# Spider
NEWSCRAWLER_FOLLOW_LINKS = True
NEWSCRAWLER_ALLOW_SUBDOMAINS = True
# Article classification: minimum characters of paragraph text for a page without
# article markup (JSON-LD, og:type) to be treated as an article.
NEWSCRAWLER_ARTICLE_MIN_TEXT = 400
# Extraction
NEWSCRAWLER_EXTRACTION_MIN_WORDS = 20
NEWSCRAWLER_DEFAULT_LANGUAGES: list[str] = []
# Dates more than this many seconds in the future are dropped (clock skew tolerance).
NEWSCRAWLER_DATE_FUTURE_TOLERANCE = 86400
# Dates earlier than this year are dropped as implausible.
NEWSCRAWLER_DATE_MIN_YEAR = 1990
# Write the final stats as JSON to this path at the end of a crawl (off when empty).
NEWSCRAWLER_STATS_FILE = ""
# Validation
NEWSCRAWLER_VALIDATE_SCHEMA = True

# --- Discovery: feeds, sitemaps, per-site configuration, canonical URLs, traps ------------------
# Date window: skip feed/sitemap entries older than this before fetching, drop older records
# after extraction (a date such as 2024-03-01 or an ISO datetime; "" for no window).
NEWSCRAWLER_SINCE = ""
NEWSCRAWLER_FEEDS_ENABLED = True
# Tried in order on a seed's site that declares no feed (and has none configured).
NEWSCRAWLER_FEEDS_PROBE_PATHS = ["/feed", "/rss", "/rss.xml", "/atom.xml", "/feed.xml"]
NEWSCRAWLER_FEEDS_MAX_PER_SITE = 20
NEWSCRAWLER_SITEMAPS_ENABLED = True
# Tried on a site whose robots.txt lists no sitemap (and has none configured).
NEWSCRAWLER_SITEMAPS_PROBE_PATHS = ["/sitemap.xml"]
NEWSCRAWLER_SITEMAPS_MAX_PER_SITE = 200
# Trap limits, per site; 0 turns one off. Depth is Scrapy's DEPTH_LIMIT.
NEWSCRAWLER_TRAPS_MAX_URL_LENGTH = 1024
NEWSCRAWLER_TRAPS_MAX_REPEATED_SEGMENTS = 2
NEWSCRAWLER_TRAPS_MAX_PAGINATION = 10
NEWSCRAWLER_TRAPS_MAX_QUERY_VARIANTS = 5
NEWSCRAWLER_TRAPS_MAX_ARCHIVE_PAGES = 12
NEWSCRAWLER_TRAPS_MAX_PAGES_PER_SITE = 100000
NEWSCRAWLER_TRAPS_SKIP_EXHAUSTED_LISTINGS = True
SPIDER_MIDDLEWARES = {
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "newscrawler.discovery.traps.DepthLimit": 900,
    "newscrawler.discovery.traps.UrlLengthLimit": 880,
    "newscrawler.discovery.traps.RepeatedSegmentsLimit": 870,
    "newscrawler.discovery.traps.PaginationLimit": 860,
    "newscrawler.discovery.traps.SeenFilter": 850,
    "newscrawler.discovery.traps.QueryVariantsLimit": 840,
    "newscrawler.discovery.traps.ArchiveLimit": 830,
    "newscrawler.discovery.traps.SiteBudget": 820,
}
ITEM_PIPELINES["newscrawler.pipelines.window.DateWindowPipeline"] = 150

# --- Deduplication, state and storage -----------------------------------------------------------

# --- Export and archive (WARC) -------------------------------------------------------------------

# --- Extraction worker pool ---------------------------------------------------------------------

# --- Robustness and security --------------------------------------------------------------------
