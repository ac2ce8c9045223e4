"""Run health: per-site counts during the crawl, the health rules and the verdict at its end.

:mod:`~newscrawler.health.rules` holds the rules as plain functions of a run's counts and the
run history; :class:`~newscrawler.health.extension.HealthCheck` counts, applies them when the
spider closes and records the run in the state;
:class:`~newscrawler.health.middleware.SiteCountsMiddleware` counts the downloads.
"""
