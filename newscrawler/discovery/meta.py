"""``Request.meta`` keys through which the spider tells discovery middlewares about a request."""

from __future__ import annotations

# How the request was found: "seed", "link" (an HTML link), "feed", "sitemap", "robots", "entry"
# (an article announced by a feed or sitemap), "canonical" (the article behind a variant page).
ROUTE = "newscrawler_route"
LINK = "link"
# The hints (PageHints) known before fetching an article.
HINTS = "newscrawler_hints"
# The variant URL a request was rewritten from (fetched instead if the rewritten URL fails).
VARIANT_OF = "newscrawler_variant_of"
# Set on the request for a canonical URL declared by another page: no further canonical hop.
CANONICAL_OF = "newscrawler_canonical_of"
# Remaining discovery probe paths (/feed, /rss, ... or /sitemap.xml) for a site.
PROBES = "newscrawler_probes"
