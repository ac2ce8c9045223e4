"""The exceptions that end a crawl before it starts, each with its exit code (bottom layer:
imports nothing; the codes are in ``newscrawler.commands.crawl.EXIT_CODES``)."""

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


class CrawlFailed(RuntimeError):
    """The crawl cannot do its job: its output or its state cannot be written.

    Raised while the crawl starts, before anything is fetched, by the component that knows (the
    durable feed storage, the crawl state); the ``crawl`` command prints the message on one line
    and exits with status 1.
    """
