"""Load the language model and the date-parser data once, at import.

Imported by the extraction pool's fork server (``PRELOAD_MODULES``) so that every worker forked
from it starts with py3langid's model and dateparser's locale data already in memory: otherwise
the first page of each worker pays one to two seconds for them, more than a tight
``NEWSCRAWLER_EXTRACTION_TIMEOUT`` allows.
"""

from __future__ import annotations

from newscrawler.extraction.dates import preload_dates
from newscrawler.extraction.metadata import preload_language_model

# Languages whose date parsers are built ahead (others are built on first use and cached).
PRELOADED_LANGUAGES = ("en", "ru", "de", "fr", "es", "it", "pt", "uk", "pl", "nl")

preload_language_model()
preload_dates(PRELOADED_LANGUAGES)
