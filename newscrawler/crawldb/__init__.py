"""The crawl database: every URL's kind, status and next visit, and the crawl's frontier.

:mod:`~newscrawler.crawldb.records` names what is known of a URL, :mod:`~newscrawler.crawldb.policy`
decides when it is visited again, :mod:`~newscrawler.crawldb.database` is the backend interface
(:mod:`~newscrawler.crawldb.sqlite` keeps it in the state file), and
:mod:`~newscrawler.crawldb.scheduler` puts it behind Scrapy's ``SCHEDULER``.
"""
