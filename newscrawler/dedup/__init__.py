"""Deduplication of article records: stable identifiers and the pure dedup logic.

Nothing here depends on Scrapy, on a database or on extraction: the crawl's dedup pipeline runs
:class:`~newscrawler.dedup.decision.Deduplicator` over the persistent crawl state, the export
command runs it over JSONL files with :class:`~newscrawler.dedup.index.MemoryIndex`.

Three levels, checked in this order for every record:

1. **canonical URL** already seen: the same body again is an exact duplicate; another body is a
   new *version* of the article.
2. **exact fingerprint** (sha1 of the normalised body) already seen at another URL: an exact
   duplicate.
3. **near-duplicate**: MinHash over word shingles, indexed with LSH bands. A record whose
   estimated Jaccard similarity with an earlier one reaches the threshold is a near-duplicate of
   that record's first copy (syndicated copies, light edits, another headline or boilerplate).

Modules, bottom first: :mod:`~newscrawler.dedup.minhash` (signatures equal to datasketch's),
:mod:`~newscrawler.dedup.config` (which levels, the LSH banding, the settings reader),
:mod:`~newscrawler.dedup.fingerprint` (what a body gives: sha1, record id, signature),
:mod:`~newscrawler.dedup.index` (what the deduplicator reads and writes) and
:mod:`~newscrawler.dedup.decision` (the verdict for each record).
"""
