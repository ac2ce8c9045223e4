"""Default settings of the newscrawler Scrapy project.

Every ``NEWSCRAWLER_*`` setting is listed here with its default; docs/settings.md documents each
one (the one place: tests/test_docs.py checks that the two agree). Scrapy's own settings are set
only where the defaults are unsafe or unfit for crawling news sites.
"""

from __future__ import annotations

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
# AutoThrottle is the project's (newscrawler.extensions.throttle, in EXTENSIONS): a 304 lowers the
# delay as a 200 does, robots.txt Crawl-delay is a floor, each host's delay is kept in the state.
# Longest robots.txt Crawl-delay honoured (seconds); a longer one is cut to this; 0 ignores it.
NEWSCRAWLER_THROTTLE_MAX_CRAWL_DELAY = 60.0
# Save each host's delay (and Crawl-delay) in the crawl state; the next run starts from it.
NEWSCRAWLER_THROTTLE_SAVE_DELAYS = True
CONCURRENT_REQUESTS = 32
CONCURRENT_REQUESTS_PER_DOMAIN = 4
DOWNLOAD_DELAY = 0.0
DOWNLOAD_TIMEOUT = 30
RETRY_TIMES = 2
REDIRECT_MAX_TIMES = 10
DEPTH_LIMIT = 5
DEPTH_PRIORITY = 1  # breadth-first: hubs near the seeds first
# The frontier and duplicate filter live in the crawl database (the state file): JSON requests,
# resumed after a kill; JOBDIR is not used for them.
SCHEDULER = "newscrawler.crawldb.scheduler.CrawlScheduler"
# Pages fetched and not yet through the spider and the pipelines (extraction) at most: the
# scheduler hands out no request beyond it, so the crawl fetches no further ahead of extraction
# than this (memory, and what a kill -9 makes the next run fetch again). 0: no bound.
NEWSCRAWLER_MAX_PAGES_IN_PROCESS = 16
# Scrapy starts this many asyncio tasks for the output of every response (default 100); a page
# gives at most one item, so 16 loses no parallelism and saves ~1.5 ms of CPU a page.
CONCURRENT_ITEMS = 16

# Contact shown in the User-Agent so that site owners can reach the operator: the User-Agent is
# "newscrawler/<version> (+<contact>)", built when the crawl starts (an add-on), unless
# USER_AGENT is set.
NEWSCRAWLER_CONTACT = "https://github.com/newscrawler/newscrawler"

# --- Hardening ---------------------------------------------------------------------------------
DOWNLOAD_MAXSIZE = 8 * 1024 * 1024  # also bounds decompressed bodies (compression bombs)
DOWNLOAD_WARNSIZE = 2 * 1024 * 1024
TELNETCONSOLE_ENABLED = False
DOWNLOAD_HANDLERS = {
    "file": None,
    "data": None,
    "ftp": None,
    "s3": None,
    # one request rate per host across the workers of a distributed crawl (on one machine it
    # only hands requests to NEWSCRAWLER_HTTP_DOWNLOAD_HANDLER)
    "http": "newscrawler.middlewares.shared_rate.SharedRateDownloadHandler",
    "https": "newscrawler.middlewares.shared_rate.SharedRateDownloadHandler",
}
NEWSCRAWLER_HTTP_DOWNLOAD_HANDLER = "scrapy.core.downloader.handlers.http11.HTTP11DownloadHandler"
COOKIES_ENABLED = False

# --- Output ------------------------------------------------------------------------------------
FEED_EXPORT_ENCODING = "utf-8"
FEED_EXPORT_INDENT = None
LOG_LEVEL = "INFO"

# --- Components --------------------------------------------------------------------------------
# Every component of the project is registered here, in one place.
ADDONS = {
    # USER_AGENT from NEWSCRAWLER_CONTACT, built at crawl time.
    "newscrawler.extensions.useragent.ContactUserAgent": 0,
}
SPIDER_MIDDLEWARES = {
    # The crawl database: what each page gave, outermost so that it sees the final output; and
    # the known-listing stop, before the exhausted-listing rule reads the listing marks.
    "newscrawler.crawldb.outcomes.PageOutcomes": 5,
    "newscrawler.crawldb.outcomes.KnownListings": 940,
    # NEWSCRAWLER_RENDER=auto: an app shell that gave no record is requested again, to be
    # rendered; just inside the crawl database's outcomes, so no trap limit drops the request.
    "newscrawler.render.middleware.AutoRender": 10,
    # The WARC archive sits next to the spider, so it sees every Page the spider yields.
    "newscrawler.archive.middleware.WarcArchiveMiddleware": 950,
    # Trap limits (discovery): Scrapy's DepthMiddleware is replaced by a per-site one, and its
    # UrlLengthMiddleware (URLLENGTH_LIMIT) by UrlLengthLimit, counted in newscrawler/traps/.
    "scrapy.spidermiddlewares.depth.DepthMiddleware": None,
    "scrapy.spidermiddlewares.urllength.UrlLengthMiddleware": None,
    "newscrawler.discovery.traps.ExhaustedListings": 930,
    "newscrawler.discovery.traps.KnownLinks": 920,
    "newscrawler.discovery.traps.DepthLimit": 900,
    "newscrawler.discovery.traps.UrlLengthLimit": 880,
    "newscrawler.discovery.traps.RepeatedSegmentsLimit": 870,
    "newscrawler.discovery.traps.PaginationLimit": 860,
    "newscrawler.discovery.traps.SeenFilter": 850,
    "newscrawler.discovery.traps.QueryVariantsLimit": 840,
    "newscrawler.discovery.traps.ArchiveLimit": 830,
    "newscrawler.discovery.traps.SiteBudget": 820,
    "newscrawler.discovery.traps.FeedLimit": 810,
    "newscrawler.discovery.traps.SitemapLimit": 805,
}
DOWNLOADER_MIDDLEWARES: dict[str, int | None] = {
    # The crawl database: every request's final answer or refusal, outermost.
    "newscrawler.crawldb.outcomes.FetchOutcomes": 5,
    # Incremental runs: skip stored articles before robots.txt (100) is even asked.
    "newscrawler.state.middlewares.KnownArticleMiddleware": 50,
    # SSRF guard: before robots.txt, so a forbidden host is never contacted at all.
    "newscrawler.middlewares.ssrf.SsrfGuardMiddleware": 60,
    # Per-site counts for the health check, just after robots.txt (100): requests let through,
    # final answers (after retries and redirects), downloads given up.
    "newscrawler.health.middleware.SiteCountsMiddleware": 101,
    # Response path runs from high to low: redirect guard (before RedirectMiddleware, 600),
    # counted decompression (590), binary sniffing (585), Retry-After (560) and error
    # descriptions (555) before RetryMiddleware (550), robots.txt faults after it (540).
    "newscrawler.middlewares.robots.RobotsTxtFaultsMiddleware": 540,
    "newscrawler.middlewares.errors.DescribeErrorsMiddleware": 555,
    "newscrawler.middlewares.retry_after.RetryAfterMiddleware": 560,
    "newscrawler.state.middlewares.ConditionalGetMiddleware": 580,  # after decompression
    # Rendering in the browser (off by default): the page Scrapy fetched, decompressed and
    # sniffed, handed to Chromium before the retry and error middlewares see the answer.
    "newscrawler.render.middleware.RenderMiddleware": 575,
    "newscrawler.middlewares.sniff.BinaryBodyMiddleware": 585,
    "scrapy.downloadermiddlewares.httpcompression.HttpCompressionMiddleware": None,
    "newscrawler.middlewares.compression.CountingHttpCompressionMiddleware": 590,
    "newscrawler.middlewares.redirects.RedirectGuardMiddleware": 610,
}
ITEM_PIPELINES = {
    "newscrawler.pipelines.extract.ExtractionPipeline": 100,
    "newscrawler.pipelines.window.DateWindowPipeline": 150,
    "newscrawler.pipelines.validate.ValidationPipeline": 800,
    "newscrawler.pipelines.dedup.DedupPipeline": 900,  # last: only storage follows
}
EXTENSIONS = {
    # The crawl's seeds, sites, date window and seen URLs, for the spider and the middlewares.
    "newscrawler.discovery.scope.CrawlScope": 0,
    # The crawl state (incremental runs, cross-run dedup), reached by the state middlewares, the
    # dedup pipeline and the durable feed storage with crawler.get_extension(CrawlState).
    "newscrawler.state.crawlstate.CrawlState": 100,
    # AutoThrottle with 304s, robots.txt Crawl-delay and delays saved in the crawl state, in place
    # of Scrapy's; after the state (100), before the stats file (500) that holds its stats.
    "scrapy.extensions.throttle.AutoThrottle": None,
    "newscrawler.extensions.throttle.AutoThrottle": 200,
    # The health rules, the verdict and the run history, when the spider closes: before the
    # stats file (500), so that the file holds them.
    "newscrawler.health.extension.HealthCheck": 450,
    "newscrawler.extensions.statsfile.StatsFile": 500,
    # One progress line every NEWSCRAWLER_PROGRESS_INTERVAL seconds, in place of Scrapy's LogStats.
    "scrapy.extensions.logstats.LogStats": None,
    "newscrawler.extensions.progress.Progress": 510,
    # Flush the open feed files on a forced stop (second SIGINT/SIGTERM): no record lost.
    "newscrawler.extensions.forcedstop.FlushFeedsOnForcedStop": 600,
    # One JSON line for every page that gave no record, when NEWSCRAWLER_REJECTED_FILE is set.
    "newscrawler.pipelines.rejected.RejectedPages": 610,
}

# --- newscrawler settings (documented in docs/settings.md) -------------------------------------
# Spider. Its arguments set the first three: -a start_urls=URL[,URL...], -a urls_file=FILE
# (one URL a line, # comments), -a sites=FILE (per-site TOML); -a since= sets NEWSCRAWLER_SINCE.
NEWSCRAWLER_START_URLS: list[str] = []
NEWSCRAWLER_URLS_FILE = ""
NEWSCRAWLER_SITES_FILE = ""
NEWSCRAWLER_FOLLOW_LINKS = True
# Pages sent to extraction that give no record: the first this many of each reason and site are
# logged at INFO with their URL (the others at DEBUG); every one is appended, with its reason and
# evidence, as a JSON line to NEWSCRAWLER_REJECTED_FILE (off when empty).
NEWSCRAWLER_REJECTED_LOG_FIRST = 3
NEWSCRAWLER_REJECTED_FILE = ""
# Extraction
NEWSCRAWLER_EXTRACTION_MIN_WORDS = 20
NEWSCRAWLER_DEFAULT_LANGUAGES: list[str] = []
# Dates more than this many seconds in the future are dropped (clock skew tolerance).
NEWSCRAWLER_DATE_FUTURE_TOLERANCE = 86400
# Dates earlier than this year are dropped as implausible.
NEWSCRAWLER_DATE_MIN_YEAR = 1990
# Write the stats as JSON to this path at the start (status running) and the end (off when empty).
NEWSCRAWLER_STATS_FILE = ""
# Seconds between two progress lines (pages, articles new/known, rate, queue, failures); 0 = off.
NEWSCRAWLER_PROGRESS_INTERVAL = 60.0
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

# --- Deduplication, state and storage -----------------------------------------------------------
FEED_STORAGES = {
    "": "newscrawler.state.feed.DurableFileFeedStorage",
    "file": "newscrawler.state.feed.DurableFileFeedStorage",
}
FEED_EXPORTERS = {
    "jsonl": "newscrawler.state.feed.DurableJsonLinesExporter",
    "jsonlines": "newscrawler.state.feed.DurableJsonLinesExporter",
    "jl": "newscrawler.state.feed.DurableJsonLinesExporter",
}
NEWSCRAWLER_STATE_ENABLED = True
# The state file; "" = <project>/.newscrawler/state.sqlite3 in a project (the folder of scrapy.cfg),
# $XDG_STATE_HOME/newscrawler/state.sqlite3 outside one; a relative path is relative to the project.
NEWSCRAWLER_STATE_PATH = ""
NEWSCRAWLER_STATE_RESET = False
NEWSCRAWLER_STATE_RETENTION_DAYS = 180.0  # 0 keeps everything
NEWSCRAWLER_STATE_REVISIT_WINDOW = 0.0  # seconds; re-fetch articles stored more recently
NEWSCRAWLER_STATE_CONDITIONAL_GET = True
# The crawl database's revisit policy (seconds): stored articles are not fetched again unless
# NEWSCRAWLER_REVISIT_ARTICLES; hubs, feeds and sitemaps on an interval halved by a visit that
# finds new links and doubled by one that finds none, within [MIN, MAX]; 404/410 retried
# RETRY_GONE_TIMES times from RETRY_GONE_AFTER (gaps x4), errors from RETRY_ERROR_AFTER (x2).
NEWSCRAWLER_REVISIT_ARTICLES = False
NEWSCRAWLER_REVISIT_MIN_INTERVAL = 300.0
NEWSCRAWLER_REVISIT_MAX_INTERVAL = 7 * 86400.0
NEWSCRAWLER_REVISIT_STOP_KNOWN_LISTINGS = True
NEWSCRAWLER_RETRY_GONE_AFTER = 86400.0
NEWSCRAWLER_RETRY_GONE_TIMES = 3
NEWSCRAWLER_RETRY_ERROR_AFTER = 600.0
NEWSCRAWLER_RETRY_ERROR_TIMES = 10
# Distributed crawling: every worker given the same Redis URL (redis://[:password@]host:port/db,
# rediss:// for TLS) shares one frontier, URL table and dedup state under the key prefix ("" = the
# spider's name). A worker's leased requests go back to the others LEASE_TIMEOUT seconds after
# its last heartbeat. ALWAYS_ON keeps workers waiting for new seeds and due revisits (checked
# every ALWAYS_ON_POLL seconds) instead of ending the crawl when the frontier is empty.
NEWSCRAWLER_REDIS_URL = ""
NEWSCRAWLER_REDIS_PREFIX = ""
NEWSCRAWLER_REDIS_LEASE_TIMEOUT = 60.0
NEWSCRAWLER_ALWAYS_ON = False
NEWSCRAWLER_ALWAYS_ON_POLL = 10.0
NEWSCRAWLER_DEDUP_ENABLED = True
NEWSCRAWLER_DEDUP_URL = True
NEWSCRAWLER_DEDUP_FINGERPRINT = True
NEWSCRAWLER_DEDUP_NEAR = True
NEWSCRAWLER_DEDUP_NEAR_THRESHOLD = 0.6
NEWSCRAWLER_DEDUP_NUM_PERM = 128
# MinHash permutations as datasketch draws them: "affine32" (datasketch 2.x) or "legacy" (1.x)
NEWSCRAWLER_DEDUP_MINHASH_SCHEME = "affine32"
NEWSCRAWLER_DEDUP_NEAR_ACTION = "link"  # or "drop"
NEWSCRAWLER_DEDUP_VERSIONS = "emit"  # or "skip"
NEWSCRAWLER_STORAGE_SYNC_ITEMS = 20
NEWSCRAWLER_STORAGE_SYNC_INTERVAL = 1.0
NEWSCRAWLER_STORAGE_LAYOUT = "day"  # for a folder feed URI (ending with /): "day" or "run"

# --- Health: the verdict of a run (exit status 0 healthy, 3 unhealthy, 1 failed) -----------------
NEWSCRAWLER_HEALTH_ENABLED = True
# Sites with fewer requests (or pages extracted) than this are not judged by the ratios.
NEWSCRAWLER_HEALTH_MIN_REQUESTS = 20
# Unhealthy when more than this share of a site's requests are lost (errors, HTTP >= 400).
NEWSCRAWLER_HEALTH_ERROR_RATIO = 0.25
# Unhealthy when more than this share of a site's pages fail extraction for an error-like
# reason (time-out, crash, undecodable; not a hub or a short page).
NEWSCRAWLER_HEALTH_EXTRACTION_ERROR_RATIO = 0.25
# Unhealthy when a site that gave articles in each of its last N runs gives none now (0: off).
NEWSCRAWLER_HEALTH_SITE_RUNS = 2
# Unhealthy when robots.txt denies at least this share of a site's requests.
NEWSCRAWLER_HEALTH_ROBOTS_DENIED_RATIO = 0.5
# Unhealthy when a CLOSESPIDER_* limit ended the run (finish_reason closespider_*).
NEWSCRAWLER_HEALTH_CUT_SHORT = True

# --- Export and archive (WARC) -------------------------------------------------------------------
# Write every fetched article page (request, response, page metadata) to gzipped WARC files in
# this folder (off when empty); `scrapy reextract` rebuilds the records from them.
NEWSCRAWLER_WARC_DIR = ""
# Start a new WARC file once the current one reaches this many bytes (compressed).
NEWSCRAWLER_WARC_MAX_SIZE = 1024 * 1024 * 1024
# WARC file names: <prefix>-<UTC timestamp>-<serial>.warc.gz
NEWSCRAWLER_WARC_PREFIX = "newscrawler"

# --- Extraction worker pool ---------------------------------------------------------------------
# Worker processes for extraction; None = the usable cores, 0 = inline in the reactor thread.
NEWSCRAWLER_EXTRACTION_WORKERS: int | None = None
# Pages in flight in the pool at most (queued + running); None = 4 per worker.
NEWSCRAWLER_EXTRACTION_MAX_PENDING: int | None = None
# Seconds one page may take in a worker before it is abandoned and the worker replaced.
NEWSCRAWLER_EXTRACTION_TIMEOUT = 60.0
# Advanced: the extraction callable (same signature as extract_article), e.g. for tests.
NEWSCRAWLER_EXTRACTION_FUNCTION = "newscrawler.extraction.extract_article"

# --- Rendering in a browser (off by default; docs/rendering.md) ----------------------------------
# "off", or "auto": render a page whose plain HTML gave no record and that looks like an empty
# app shell. A site with render = "browser" in the sites file has all its HTML pages rendered.
NEWSCRAWLER_RENDER = "off"
# The Chromium to launch; "" = the first of chromium, chromium-browser, google-chrome on PATH.
NEWSCRAWLER_BROWSER_PATH = ""
# Pages rendered at most, per run and per site (0: no bound); further ones go on unrendered.
NEWSCRAWLER_RENDER_MAX_PAGES = 1000
NEWSCRAWLER_RENDER_MAX_PAGES_PER_SITE = 200
# Seconds a page may take in the browser (loading, scripts, network); then it is closed, skipped.
NEWSCRAWLER_RENDER_TIMEOUT = 20.0
# Pages open in the browser at once (plain downloads are not counted against it).
NEWSCRAWLER_RENDER_CONCURRENCY = 2
# Seconds to wait after the page's load event for its network to go quiet, at most.
NEWSCRAWLER_RENDER_IDLE_WAIT = 1.0

# --- Robustness and security --------------------------------------------------------------------
# Scrapy 2.19 starts an HTTP server that runs Python code sent to it (for its MCP server): off.
REMOTE_CONTROL_ENABLED = False
# Refuse URLs (discovered or redirected to) that resolve to loopback, private, link-local, CGNAT,
# ULA, unspecified, multicast or reserved addresses, unless on a seed origin.
NEWSCRAWLER_SSRF_GUARD = True
# Networks (CIDR) the SSRF guard lets through, e.g. ["10.20.0.0/16"] for an intranet crawl.
NEWSCRAWLER_ALLOWED_NETWORKS: list[str] = []
# Longest Retry-After (seconds) honoured on 429/503; a longer one is not retried.
NEWSCRAWLER_RETRY_AFTER_MAX = 60
# Answers Twisted's DNS lookups with the addresses the SSRF guard checked (no DNS rebinding).
TWISTED_DNS_RESOLVER = "newscrawler.middlewares.ssrf.PinningResolver"
# One log line per lost download (the retry give-up line), not two.
LOG_FORMATTER = "newscrawler.logformatter.NewsLogFormatter"
