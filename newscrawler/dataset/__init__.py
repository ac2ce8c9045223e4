"""Datasets made of crawl output: read, validate, deduplicate, filter, write, summarise.

The plain modules behind ``scrapy export`` and ``scrapy report``: ``readers`` (JSONL plain/gz/zst
and Parquet inputs), ``validation`` (the record schema, fast), ``dedup`` (cross-run duplicates),
``filters``, ``schema`` (Arrow schema of a record), ``writers`` (JSONL, Parquet, CSV),
``export`` (the orchestration), ``report`` and ``card``.
"""
