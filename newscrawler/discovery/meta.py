"""``Request.meta`` keys through which the spider tells discovery middlewares about a request."""

from __future__ import annotations

# How the request was found: "seed", "link" (an HTML link), "feed", "sitemap", "robots", "entry"
# (an article announced by a feed or sitemap), "canonical" (the article behind a variant page).
ROUTE = "newscrawler_route"
LINK = "link"
ENTRY = "entry"
# The hints (PageHints) known before fetching an article.
HINTS = "newscrawler_hints"
# The variant URL a request was rewritten from (fetched instead if the rewritten URL fails).
VARIANT_OF = "newscrawler_variant_of"
# Set on the request for a canonical URL declared by another page: no further canonical hop.
CANONICAL_OF = "newscrawler_canonical_of"
# ISO 8601 date a feed or sitemap gives an announced article (its update time when known): a
# stored article is fetched again when this is later than the time it was stored.
LASTMOD = "newscrawler_lastmod"
# Remaining discovery probe paths (/feed, /rss, ... or /sitemap.xml) for a site.
PROBES = "newscrawler_probes"
# A next listing page (pagination, previous archive month): same depth as the page linking to
# it, since the pagination and archive limits bound such chains instead of DEPTH_LIMIT.
SAME_DEPTH = "newscrawler_same_depth"
# The article links of the listing page a pagination/archive request was found on.
LISTING_LINKS = "newscrawler_listing_links"
# Set by the spider on the links it follows from a listing (hub) page; read and removed by the
# exhausted-listing middleware.
FROM_LISTING = "newscrawler_from_listing"
# A request whose page is to be rendered in the browser, and why ("auto": an empty app shell
# that gave no record from its plain HTML).
RENDER = "newscrawler_render"
# Set once the render middleware decided a request's page: "browser" (rendered), "over_budget",
# "failed"; a page so marked is never sent to the browser again.
RENDERED = "newscrawler_rendered"
