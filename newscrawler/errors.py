"""The one exception for configuration and usage errors (bottom layer: imports nothing)."""

from __future__ import annotations


class ConfigError(ValueError):
    """A setting, spider argument or configuration file is wrong; the message says which and why.

    Raised by any component; the ``crawl`` command (and the ``newscrawler`` console script)
    prints the message on one line and exits with status 2.
    """


class StateLocked(RuntimeError):
    """Another run holds the crawl state's lock; the message names its PID and start time.

    Raised when the crawl state opens, before anything is fetched; the ``crawl`` command prints
    the message on one line and exits with status 75 (``EX_TEMPFAIL``: try again later).
    """
