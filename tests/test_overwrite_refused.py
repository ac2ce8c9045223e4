"""``-O`` over a file the crawl state has recorded is refused before anything is touched.

Run twice, ``scrapy crawl news -O articles.jsonl`` would otherwise leave an empty file: the state
skips every known article, and ``-O`` truncates the file that held them.
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_crawl
from tests.site.routes import ARTICLES
from tests.site.server import LoopbackSite

REFUSAL = (
    "Error: Refusing to overwrite articles.jsonl (-O): the crawl state"
    " .newscrawler/state.sqlite3 holds its records and would skip those articles, leaving the"
    " file without them. Use -o to append, or pass -s NEWSCRAWLER_STATE_RESET=True (or delete"
    " the file or the state) to start over."
)


def test_second_overwrite_run_is_refused_and_the_first_file_kept(
    news_site: LoopbackSite, tmp_path: Path
) -> None:
    seed = ("-a", f"start_urls={news_site.url('/')}")
    first = run_crawl(tmp_path, *seed)
    assert first.returncode == 0, first.log[-3000:]
    assert len(first.records) == len(ARTICLES)
    stored = first.output.read_bytes()
    news_site.clear_log()

    second = run_crawl(tmp_path, *seed)
    # a usage error: one line (no traceback, run_crawl checks) and exit status 2
    assert second.returncode == 2, second.log[-3000:]
    assert REFUSAL in second.log.splitlines()
    assert news_site.paths() == []  # refused before the crawl started
    assert second.output.read_bytes() == stored

    # -o appends (nothing new here); a reset starts over and -O rewrites the file
    appended = run_crawl(tmp_path, *seed, overwrite=False)
    assert appended.returncode == 0, appended.log[-3000:]
    assert appended.output.read_bytes() == stored
    again = run_crawl(tmp_path, *seed, settings={"NEWSCRAWLER_STATE_RESET": "True"})
    assert again.returncode == 0, again.log[-3000:]
    assert sorted(r["id"] for r in again.records) == sorted(r["id"] for r in first.records)
