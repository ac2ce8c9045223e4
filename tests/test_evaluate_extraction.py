"""Scoring functions and command of ``benchmarks/evaluate_extraction.py`` on synthetic data."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from benchmarks.evaluate_extraction import (
    authors_match,
    body_scores,
    day_match,
    f1,
    half_of,
    language_match,
    main,
    shingles,
    split_authors,
    split_of,
    title_match,
    truth_authors,
)


def test_shingles_are_lower_cased_four_word_multisets() -> None:
    counts = shingles("One two three four. ONE two three four!")
    assert counts[("one", "two", "three", "four")] == 2
    assert sum(counts.values()) == 5


def test_body_scores_count_shared_shingles() -> None:
    truth = "a b c d e f g h"  # 5 shingles
    assert body_scores(truth, truth) == (1.0, 1.0)
    precision, recall = body_scores("a b c d e x y z w v", truth)  # 7 predicted, 2 shared
    assert precision == pytest.approx(2 / 7)
    assert recall == pytest.approx(2 / 5)


def test_empty_prediction_has_precision_one_recall_zero() -> None:
    assert body_scores(None, "a b c d e") == (1.0, 0.0)
    assert body_scores("", "a b c d e") == (1.0, 0.0)


def test_f1_is_harmonic_mean() -> None:
    assert f1(1.0, 0.5) == pytest.approx(2 / 3)
    assert f1(0.0, 0.0) == 0.0


def test_title_match_ignores_case_punctuation_and_quotes() -> None:
    assert title_match(
        "«Nach Kalifat-Rufen»: sind wir zu sanft?", "Nach Kalifat Rufen: Sind wir zu sanft"
    )
    assert not title_match("Nach Kalifat-Rufen | DER STANDARD", "Nach Kalifat-Rufen")
    assert not title_match(None, "Title")


def test_title_match_ignores_invisible_format_characters() -> None:
    # a soft hyphen (or a zero-width space) in the truth splits no word of the title
    assert title_match("Trump plant Helikopterlandeplatz", "Trump plant Helikopter\u00adlandeplatz")
    assert title_match("Ein Zeitungs\u200bartikel", "Ein Zeitungsartikel")
    assert not title_match("Trump plant Helikopter landeplatz", "Trump plant Helikopterlandeplatz")


def test_authors_match_compares_normalised_sets() -> None:
    assert authors_match(["jan  marchart", "Birgit Baumann"], ["Birgit Baumann", "Jan Marchart"])
    assert not authors_match(["Birgit Baumann"], ["Birgit Baumann", "Jan Marchart"])
    assert authors_match([], [])


def test_day_match_uses_the_dates_own_offset() -> None:
    assert day_match("2024-05-03T23:30:00-05:00", "2024-05-03T15:47:42+00:00")
    assert day_match("2024-05-03", "2024-05-03T15:47:42+00:00")
    assert not day_match("2024-05-04T01:00:00+02:00", "2024-05-03T23:00:00+00:00")
    assert not day_match(None, "2024-05-03T15:47:42+00:00")


def test_language_match_compares_primary_subtags() -> None:
    assert language_match("de-AT", "de")
    assert language_match("ru_RU", "ru")
    assert not language_match(None, "ru")
    assert not language_match("uk", "ru")


def test_halves_are_deterministic_and_both_used() -> None:
    ids = [f"page-{n}" for n in range(40)]
    halves = [half_of(i) for i in ids]
    assert halves == [half_of(i) for i in ids]
    assert {"even", "odd"} == set(halves)


def test_author_strings_are_split_on_commas_and_and() -> None:
    assert split_authors("Danielle DeSiato, Donna Enzmann, and Natalie Nguyen") == [
        "Danielle DeSiato",
        "Donna Enzmann",
        "Natalie Nguyen",
    ]
    assert split_authors("Maria & Katerina") == ["Maria", "Katerina"]
    assert split_authors("Alexandra Landers") == ["Alexandra Landers"]
    assert truth_authors({"author": "A. Writer and B. Writer"}) == ["A. Writer", "B. Writer"]
    assert truth_authors({"authors": ["One"], "author": "One, Two"}) == ["One"]
    assert truth_authors({"author": None}) is None


def test_splits_follow_the_halves() -> None:
    ids = [f"page-{n}" for n in range(40)]
    assert {split_of(i) for i in ids} == {"A", "B"}
    assert all(split_of(i) == {"even": "A", "odd": "B"}[half_of(i)] for i in ids)


def test_missing_corpus_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--corpus", str(tmp_path / "absent")]) == 2
    assert "corpus not found" in capsys.readouterr().err


def test_runs_both_systems_on_a_tiny_corpus(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = tmp_path / "tiny"
    (corpus / "pages").mkdir(parents=True)
    fixture = Path(__file__).parent / "fixtures" / "body" / "en_article.html"
    (corpus / "pages" / "p1.html").write_bytes(fixture.read_bytes())
    truth = {
        "id": "p1",
        "url": "https://news.example/library",
        "title": "River town opens a floating library",
        "text": "The town of Eastwick Ferry opened a library on a converted cargo barge",
        "authors": ["Mara Lindqvist"],
        "date": "2024-05-03T10:00:00+01:00",
        "language": "en",
    }
    (corpus / "truth.jsonl").write_text(json.dumps(truth) + "\n", encoding="utf-8")
    assert main(["--corpus", str(corpus), "--jobs", "1", "--worst", "1"]) == 0
    out = capsys.readouterr().out
    assert "tiny all" in out
    assert "ours / trafilatura median time" in out
    assert "tiny/p1" in out


def _tiny_corpus(root: Path, name: str, rows: list[tuple[str, str, dict[str, object]]]) -> Path:
    corpus = root / name
    (corpus / "pages").mkdir(parents=True)
    with (corpus / "truth.jsonl").open("w", encoding="utf-8") as truth:
        for page_id, html, fields in rows:
            (corpus / "pages" / f"{page_id}.html").write_text(html, encoding="utf-8")
            truth.write(json.dumps({"id": page_id, **fields}) + "\n")
    return corpus


def test_split_runs_one_half_and_reports_records_and_pages_stored_by_mistake(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    article = (Path(__file__).parent / "fixtures" / "body" / "en_article.html").read_text("utf-8")
    listing = "<html><head><title>Shop</title></head><body><h1>Shop</h1><ul>" + "".join(
        f"<li><a href='/p/{n}'>Product {n}</a></li>" for n in range(30)
    )
    listing += "</ul></body></html>"
    ids = [f"p{n}" for n in range(8)]
    articles = _tiny_corpus(
        tmp_path,
        "articles",
        [(i, article, {"url": f"https://news.example/2024/05/03/{i}-library"}) for i in ids],
    )
    hubs = _tiny_corpus(
        tmp_path,
        "hubs",
        [(i, listing, {"url": f"https://shop.example/{i}", "page_type": "listing"}) for i in ids],
    )
    args = ["--corpus", str(articles), str(hubs), "--jobs", "1", "--worst", "0", "--split", "B"]
    assert main(args) == 0
    out = capsys.readouterr().out
    in_b = sum(split_of(i) == "B" for i in ids)
    assert f"== articles: {in_b} pages" in out
    assert f"== hubs: {in_b} pages  (pages that are not articles: should be 0)" in out
    records = next(line for line in out.splitlines() if line.strip().startswith("records"))
    assert records.split()[1:3] == ["1.000", "1.000"]  # ours, trafilatura
    stored = next(line for line in out.splitlines() if "stored as articles" in line)
    assert stored.split()[3] == "0.000"  # ours stores none of the listing pages
    assert "ours, no record: hub/" in out
