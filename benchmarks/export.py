"""Benchmark ``scrapy export``: speed (records/s) and peak memory (RSS) on a synthetic dataset.

    python benchmarks/export.py                  # 1,000,000 records (2.4 GB in a temp folder)
    python benchmarks/export.py --records 100000 --formats jsonl,parquet --data /tmp/bench

Writes a synthetic crawl of N records (250 words each) as seven daily JSONL runs (5% of each run
repeats the previous day's records, as scheduled runs do), then runs, each in its own process:
the baseline (a plain ``json.loads`` loop over the same files), and ``scrapy export`` to JSONL,
JSONL.zst, Parquet, Parquet partitioned by date, and CSV. Prints records/s and peak RSS, with
ratios against the baseline, and the peak RSS of the JSONL export over one run file against all
seven, to show that memory stays flat.
"""

from __future__ import annotations

import argparse
import hashlib
import itertools
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent


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


def _record_id() -> Any:
    sys.path.insert(0, str(REPO))
    from newscrawler.dedup.fingerprint import record_id

    return record_id


def synthetic_record(i: int, words: int) -> dict[str, object]:
    text = " ".join(RNG.choices(WORDS, cum_weights=CUM_WEIGHTS, k=words)) + f" #{i}"
    site = SITES[i % len(SITES)]
    url = f"https://{site}/news/{i}.html"
    fingerprint = hashlib.sha1(text.encode()).hexdigest()  # as unique as text_fingerprint
    record_id = _record_id()
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


def peak_rss(pid: int) -> int:
    """Peak RSS of a running process since its exec (VmHWM), in bytes; 0 once it has gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def measure(cmd: list[str], cwd: Path) -> tuple[float, int, str]:
    """Run ``cmd``; return (seconds, peak RSS in bytes, stdout).

    Peak RSS is the child's VmHWM sampled every 50 ms: unlike ``ru_maxrss`` it does not count
    the memory of the forking parent.
    """
    env = dict(os.environ, PYTHONPATH=str(REPO), SCRAPY_SETTINGS_MODULE="newscrawler.settings")
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=out, stderr=err, text=True)
        rss = 0
        while proc.poll() is None:
            rss = max(rss, peak_rss(proc.pid))
            time.sleep(0.05)
        seconds = time.perf_counter() - start
        out.seek(0)
        err.seek(0)
        if proc.returncode:
            raise SystemExit(f"{' '.join(cmd)} failed ({proc.returncode}):\n{err.read()[-2000:]}")
        return seconds, rss, out.read()


def size(path: Path) -> int:
    if path.is_dir():
        return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())
    return path.stat().st_size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--words", type=int, default=250, help="words of text per record")
    parser.add_argument(
        "--data", help="keep the generated data in this folder (reused when it is there)"
    )
    parser.add_argument(
        "--formats",
        default=",".join(name for name, _ in CASES),
        help="comma-separated subset of: " + ", ".join(name for name, _ in CASES),
    )
    parser.add_argument("--generate", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.generate:
        generate(Path(args.generate), args.records, args.words)
        return
    with tempfile.TemporaryDirectory(prefix="newscrawler-bench-") as tmp:
        work = Path(args.data or tmp)
        cases = [(n, a) for n, a in CASES if n in args.formats.split(",")]
        run(work, args.records, args.words, cases)


CASES = [
    ("jsonl", ["-o", "out.jsonl"]),
    ("jsonl.zst", ["-o", "out.jsonl.zst"]),
    ("parquet", ["-o", "out.parquet"]),
    ("parquet-by-date", ["-o", "by-date", "--partition-by", "date"]),
    ("csv", ["-o", "out.csv"]),
]


def remove(path: Path) -> None:
    if path.is_dir():
        shutil.rmtree(path)
    else:
        path.unlink(missing_ok=True)


def run(work: Path, records: int, words: int, cases: list[tuple[str, list[str]]]) -> None:
    scrapy = [sys.executable, "-m", "scrapy", "export"]
    runs = work / "runs"
    if not runs.is_dir() or not any(runs.iterdir()):
        runs.mkdir(parents=True, exist_ok=True)
        # In a child process: this one stays small, and so do the children it forks.
        generator = [sys.executable, __file__, "--generate", str(runs)]
        seconds, _, _ = measure(
            [*generator, "--records", str(records), "--words", str(words)], work
        )
        print(f"generated {records:,} records: {size(runs) / 1e9:.2f} GB, {seconds:.0f} s")
    files = sorted(runs.iterdir())
    base_s, base_rss, out = measure([sys.executable, "-c", BASELINE, *map(str, files)], work)
    records = int(out)
    base_rate = records / base_s
    print(f"{records:,} records in {len(files)} files, {size(runs) / 1e9:.2f} GB\n")
    print(
        f"{'run':<28} {'records/s':>10} {'× base':>7} {'peak RSS':>9} {'× base':>7} {'output':>8}"
    )
    print(
        f"{'json.loads loop (baseline)':<28} {base_rate:>10,.0f} {1:>7.2f} "
        f"{base_rss / 2**20:>7.0f}MB {1:>7.2f} {'-':>8}"
    )
    jsonl_rss = 0
    for name, extra in cases:
        label = f"export → {name}"
        output = work / extra[1]
        remove(output)
        seconds, rss, _ = measure([*scrapy, "runs", *extra], work)
        rate = records / seconds
        jsonl_rss = rss if name == "jsonl" else jsonl_rss
        print(
            f"{label:<28} {rate:>10,.0f} {rate / base_rate:>7.2f} {rss / 2**20:>7.0f}MB "
            f"{rss / base_rss:>7.2f} {size(output) / 2**20:>6.0f}MB"
        )
        remove(output)
    if not jsonl_rss:
        return
    # Flat memory: the same export over the first run only (a seventh of the records).
    small = work / "small.jsonl"
    _, small_rss, _ = measure([*scrapy, str(files[0]), "-o", small.name], work)
    remove(small)
    print(
        f"\npeak RSS of export → jsonl: {small_rss / 2**20:.0f} MB on one run file, "
        f"{jsonl_rss / 2**20:.0f} MB on all {len(files)}"
    )


if __name__ == "__main__":
    main()
