"""WARC archive of fetched article pages, and re-extraction from it.

``warc`` writes captures to rotated, gzipped WARC files; ``middleware`` feeds it every article
page the spider yields; ``reextract`` rebuilds records from the archive without the network.
"""
