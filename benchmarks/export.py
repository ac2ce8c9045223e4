"""Benchmark ``scrapy export``: speed (records/s) and peak memory (RSS) on a synthetic dataset.

    python benchmarks/export.py                  # 1,000,000 records (about 2 GB in a temp folder)
    python benchmarks/export.py --records 100000

Writes a synthetic crawl of N records as seven daily JSONL runs (5% of each run repeats the
previous day's records, as scheduled runs do), then runs, each in its own process:
the baseline (a plain ``json.loads`` loop over the same files), and ``scrapy export`` to JSONL,
JSONL.zst, Parquet, Parquet partitioned by date, and CSV. Prints records/s and peak RSS, with
ratios against the baseline, and peak RSS of the JSONL export at a tenth of the records, to show
that memory stays flat.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from newscrawler.fingerprints import record_id  # noqa: E402

# A vocabulary of made-up words with a skewed frequency, so that text compresses like prose.
_SYLLABLES = ["ka", "lo", "mi", "ne", "ru", "sa", "to", "vi", "da", "pe", "zo", "gu"]
WORDS = [a + b + c for a in _SYLLABLES for b in _SYLLABLES for c in ["", "n", "s", "ta"]]
RNG = random.Random(20240301)
CUM_WEIGHTS = list(itertools.accumulate(1 / (rank + 1) for rank in range(len(WORDS))))
SITES = [f"site{i}.example" for i in range(40)]
LANGUAGES = ["en", "de", "fr", "ru", "es"]

BASELINE = """
import json, sys
n = 0
for path in sys.argv[1:]:
    with open(path, "rb") as fh:
        for line in fh:
            json.loads(line)
            n += 1
print(n)
"""


def synthetic_record(i: int, words: int) -> dict[str, object]:
    text = " ".join(RNG.choices(WORDS, cum_weights=CUM_WEIGHTS, k=words)) + f" #{i}"
    site = SITES[i % len(SITES)]
    url = f"https://{site}/news/{i}.html"
    fingerprint = hashlib.sha1(text.encode()).hexdigest()  # as unique as text_fingerprint
    day = 1 + i % 28
    return {
        "id": record_id(url, fingerprint),
        "url": url,
        "canonical_url": url,
        "site": site,
        "title": f"Story number {i}",
        "text": text,
        "description": None if i % 3 else "A short summary.",
        "authors": [f"Author {i % 97}"],
        "author_roles": [{"name": f"Author {i % 97}", "roles": ["author"]}],
        "published": f"2024-03-{day:02d}T{i % 24:02d}:00:00+01:00",
        "published_raw": f"{day} March 2024",
        "published_method": "jsonld",
        "modified": None,
        "modified_raw": None,
        "modified_method": None,
        "language": LANGUAGES[i % len(LANGUAGES)],
        "source": None,
        "related": [
            {
                "title": f"Story number {i - 1}",
                "url": f"https://{site}/news/{i - 1}.html",
                "published": None,
                "authors": [],
                "excerpt": None,
            }
        ],
        "tags": ["news", site.split(".")[0]],
        "image": None,
        "word_count": words + 1,
        "fingerprint": fingerprint,
        "fetched_at": f"2024-03-{day:02d}T12:00:00+00:00",
        "duplicate_of": None,
        "version_of": None,
    }


def generate(folder: Path, records: int, words: int, runs: int = 7) -> list[Path]:
    """``records`` lines in ``runs`` files; each run after the first starts with 5% of the
    previous run's records again (repeats the export drops)."""
    files = []
    per_run = records // runs
    previous: list[str] = []  # the first lines of the previous run, repeated in the next
    i = 0
    for run in range(runs):
        path = folder / f"2024-03-{run + 1:02d}.jsonl"
        count = per_run if run < runs - 1 else records - per_run * (runs - 1)
        repeats = previous[: count // 20]
        first: list[str] = []
        with path.open("w", encoding="utf-8") as fh:
            fh.writelines(repeats)
            for _ in range(count - len(repeats)):
                line = json.dumps(synthetic_record(i, words), ensure_ascii=False) + "\n"
                fh.write(line)
                if len(first) < per_run // 20:
                    first.append(line)
                i += 1
        previous = first
        files.append(path)
    return files


def measure(cmd: list[str], cwd: Path) -> tuple[float, int, str]:
    """Run ``cmd``; return (seconds, peak RSS in bytes, stdout)."""
    env = dict(os.environ, PYTHONPATH=str(REPO), SCRAPY_SETTINGS_MODULE="newscrawler.settings")
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    out, err = proc.communicate()
    seconds = time.perf_counter() - start
    # ru_maxrss of the child that just ended (kilobytes on Linux).
    rss = _child_rss(proc.pid)
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err[-2000:]}")
    return seconds, rss, out


_RSS: dict[int, int] = {}


def _child_rss(pid: int) -> int:
    return _RSS.get(pid, 0)


def _install_rss_probe() -> None:
    """Collect each child's rusage at reaping time (Popen.wait reaps through os.waitpid)."""
    original = os.waitpid

    def waitpid(pid: int, options: int) -> tuple[int, int]:
        if options == 0 and pid > 0:
            got, status, usage = os.wait4(pid, 0)
            _RSS[got] = usage.ru_maxrss * 1024
            return got, status
        return original(pid, options)

    os.waitpid = waitpid  # type: ignore[assignment]


def size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--words", type=int, default=250, help="words of text per record")
    parser.add_argument("--tmp", default=None, help="folder for the temp data (default: system)")
    args = parser.parse_args()
    _install_rss_probe()
    scrapy = [sys.executable, "-m", "scrapy", "export"]
    with tempfile.TemporaryDirectory(prefix="newscrawler-bench-", dir=args.tmp) as tmp:
        work = Path(tmp)
        runs = work / "runs"
        runs.mkdir()
        t0 = time.perf_counter()
        files = generate(runs, args.records, args.words)
        print(
            f"generated {args.records:,} records in {len(files)} runs: "
            f"{size(runs) / 1e9:.2f} GB, {time.perf_counter() - t0:.0f} s"
        )
        base_s, base_rss, out = measure([sys.executable, "-c", BASELINE, *map(str, files)], work)
        base_rate = int(out) / base_s
        print(
            f"\n{'run':<28} {'records/s':>10} {'× base':>7} {'peak RSS':>10} {'× base':>7}"
            f" {'output':>9}"
        )
        print(
            f"{'baseline: json.loads loop':<28} {base_rate:>10,.0f} {1:>7.2f} "
            f"{base_rss / 2**20:>8.0f}MB {1:>7.2f} {'-':>9}"
        )
        cases = [
            ("export → jsonl", ["-o", "out.jsonl"]),
            ("export → jsonl.zst", ["-o", "out.jsonl.zst"]),
            ("export → parquet", ["-o", "out.parquet"]),
            ("export → parquet by date", ["-o", "by-date", "--partition-by", "date"]),
            ("export → csv", ["-o", "out.csv"]),
        ]
        for label, extra in cases:
            seconds, rss, _ = measure([*scrapy, "runs", *extra], work)
            rate = args.records / seconds
            out_size = size(work / extra[1])
            print(
                f"{label:<28} {rate:>10,.0f} {rate / base_rate:>7.2f} "
                f"{rss / 2**20:>8.0f}MB {rss / base_rss:>7.2f} {out_size / 2**20:>7.0f}MB"
            )
        # Memory flatness: the same export over the first run only (a seventh of the data).
        seconds, rss_small, _ = measure([*scrapy, str(files[0]), "-o", "small.jsonl"], work)
        _, rss_full, _ = measure([*scrapy, "runs", "-o", "out.jsonl", "--no-validate"], work)
        print(
            f"\npeak RSS, export → jsonl: {rss_small / 2**20:.0f} MB on "
            f"{args.records // len(files):,} records, {rss_full / 2**20:.0f} MB on "
            f"{args.records:,} (no validation)"
        )


if __name__ == "__main__":
    main()
