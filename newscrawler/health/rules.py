"""The health rules: plain functions of one run's per-site counts and the run history.

Each rule gives findings (a site and what is wrong with it); a run with a finding is
``unhealthy`` (exit status 3), a run where no seed could be fetched ``failed`` (exit status 1).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from newscrawler.state.store import RunRecord, SiteRun

HEALTHY = "healthy"
UNHEALTHY = "unhealthy"
FAILED = "failed"
# The crawl command's exit status for each verdict (docs/operations.md#exit-codes).
VERDICT_EXIT_CODES = {HEALTHY: 0, FAILED: 1, UNHEALTHY: 3}

# The rules, as named in the stats (newscrawler/health/<rule>/<site>) and the WARNING lines.
ERROR_RATIO = "error_ratio"
EXTRACTION_FAILURES = "extraction_failures"
SITE_STOPPED = "site_stopped"
ROBOTS_DENIED = "robots_denied"
CUT_SHORT = "cut_short"
# The "site" of a finding about the whole run.
WHOLE_RUN = "all"


@dataclass(frozen=True)
class HealthConfig:
    """The thresholds (``NEWSCRAWLER_HEALTH_*`` settings)."""

    min_requests: int = 20
    error_ratio: float = 0.25
    extraction_error_ratio: float = 0.25
    site_runs: int = 2
    robots_denied_ratio: float = 0.5
    cut_short: bool = True


@dataclass
class SiteCounts:
    """What happened on one site in this run, counted while it runs."""

    requests: int = 0  # requests sent (not retries, not robots.txt or discovery probes)
    responses: int = 0  # of those, answered with a status below 400
    failures: Counter[str] = field(default_factory=Counter)  # downloads lost, by reason
    robots_denied: int = 0
    pages: int = 0  # pages that went through extraction and the pipelines
    articles: int = 0  # new articles stored
    duplicates: int = 0  # duplicates dropped
    known: int = 0  # known articles not fetched again
    extraction_failures: Counter[str] = field(default_factory=Counter)  # no record, by reason
    extraction_errors: int = 0  # of those, for an error-like reason (not a hub or short page)
    seeds_ok: int = 0
    seeds_failed: int = 0

    def history(self, site: str) -> SiteRun:
        failures = dict(self.failures)
        for reason, count in self.extraction_failures.items():
            failures[f"extraction/{reason}"] = count
        return SiteRun(
            site=site,
            requests=self.requests,
            articles=self.articles,
            duplicates=self.duplicates,
            known=self.known,
            failures=failures,
        )


@dataclass(frozen=True)
class Finding:
    rule: str
    site: str
    message: str


def site_findings(
    site: str, counts: SiteCounts, past: Sequence[RunRecord], config: HealthConfig
) -> Iterable[Finding]:
    """The per-site rules, in a fixed order."""
    failed = sum(counts.failures.values())
    if counts.requests >= config.min_requests and failed > config.error_ratio * counts.requests:
        yield Finding(
            ERROR_RATIO,
            site,
            f"{failed} of {counts.requests} requests failed"
            f" (more than {config.error_ratio:.0%}; NEWSCRAWLER_HEALTH_ERROR_RATIO)",
        )
    if (
        counts.pages >= config.min_requests
        and counts.extraction_errors > config.extraction_error_ratio * counts.pages
    ):
        reasons = ", ".join(f"{r} {n}" for r, n in counts.extraction_failures.most_common())
        yield Finding(
            EXTRACTION_FAILURES,
            site,
            f"{counts.extraction_errors} of {counts.pages} pages failed extraction ({reasons};"
            f" more than {config.extraction_error_ratio:.0%};"
            " NEWSCRAWLER_HEALTH_EXTRACTION_ERROR_RATIO)",
        )
    attempts = counts.requests + counts.robots_denied
    if counts.robots_denied and counts.robots_denied >= config.robots_denied_ratio * attempts:
        yield Finding(
            ROBOTS_DENIED,
            site,
            f"robots.txt disallows {counts.robots_denied} of {attempts} requests"
            " (NEWSCRAWLER_HEALTH_ROBOTS_DENIED_RATIO)",
        )
    # a site gave no record although pages were extracted or requests failed (a quiet site
    # whose hubs are unchanged extracts nothing and fails nothing: not a finding)
    extracted = counts.articles + counts.duplicates
    if config.site_runs > 0 and extracted == 0 and (counts.pages or failed):
        recent = [run.site(site) for run in past[-config.site_runs :]]
        if len(recent) == config.site_runs and all(
            s is not None and s.articles + s.duplicates > 0 for s in recent
        ):
            yield Finding(
                SITE_STOPPED,
                site,
                f"no articles this run after articles in each of its last {config.site_runs}"
                f" runs ({counts.pages} pages extracted, {sum(counts.failures.values())}"
                " requests failed; a changed layout or a block?"
                " NEWSCRAWLER_HEALTH_SITE_RUNS)",
            )


def run_findings(finish_reason: str, config: HealthConfig) -> Iterable[Finding]:
    """The rules about the run as a whole."""
    if config.cut_short and finish_reason.startswith("closespider_"):
        yield Finding(
            CUT_SHORT,
            WHOLE_RUN,
            f"the run was cut short ({finish_reason}: a CLOSESPIDER_* limit;"
            " NEWSCRAWLER_HEALTH_CUT_SHORT)",
        )


def crawl_failed(sites: dict[str, SiteCounts]) -> bool:
    """No seed could be fetched: every seed request failed (none was merely robots-denied)."""
    seeds_ok = sum(c.seeds_ok for c in sites.values())
    seeds_failed = sum(c.seeds_failed for c in sites.values())
    return seeds_failed > 0 and seeds_ok == 0


def verdict(failed: bool, findings: Sequence[Finding]) -> str:
    if failed:
        return FAILED
    return UNHEALTHY if findings else HEALTHY
