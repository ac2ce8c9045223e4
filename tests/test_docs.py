"""The docs agree with the code: every setting documented, links that resolve, a short README."""

from __future__ import annotations

import json
import re
from pathlib import Path

import jsonschema
import pytest

import newscrawler.settings

REPO = Path(__file__).resolve().parents[1]
SETTINGS_DOC = REPO / "docs" / "settings.md"
PAGES = sorted([REPO / "README.md", REPO / "CHANGELOG.md", *(REPO / "docs").glob("*.md")])
SETTING = re.compile(r"\bNEWSCRAWLER_[A-Z0-9_]*[A-Z0-9]\b")
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def defined_settings() -> set[str]:
    return {name for name in vars(newscrawler.settings) if name.startswith("NEWSCRAWLER_")}


def documented_settings() -> set[str]:
    """Settings with a row of their own in docs/settings.md (first column of a table)."""
    rows = re.findall(r"^\| `(NEWSCRAWLER_[A-Z0-9_]+)` \|", SETTINGS_DOC.read_text("utf-8"), re.M)
    return set(rows)


def test_every_setting_is_documented_in_settings_md() -> None:
    assert sorted(defined_settings() - documented_settings()) == []


def test_settings_md_documents_only_settings_that_exist() -> None:
    assert sorted(documented_settings() - defined_settings()) == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_settings_named_in_the_docs_exist(page: Path) -> None:
    named = set(SETTING.findall(page.read_text("utf-8")))
    assert sorted(named - defined_settings()) == []


def test_readme_is_a_short_page() -> None:
    assert (REPO / "README.md").stat().st_size < 15_000


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = re.sub(r"^```.*?^```", "", page.read_text("utf-8"), flags=re.M | re.S)
    return {slug(h) for h in re.findall(r"^#+ (.+)$", text, re.M)}


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_relative_links_resolve(page: Path) -> None:
    broken = []
    for target in LINK.findall(page.read_text("utf-8")):
        if re.match(r"[a-z]+:", target):  # https:, mailto:
            continue
        path, _, anchor = target.partition("#")
        resolved = (page.parent / path).resolve() if path else page
        if not resolved.exists() or (
            anchor and resolved.suffix == ".md" and anchor not in anchors(resolved)
        ):
            broken.append(target)
    assert broken == []


@pytest.mark.parametrize("page", PAGES, ids=lambda p: p.relative_to(REPO).as_posix())
def test_docs_speak_to_users_not_of_the_project_history(page: Path) -> None:
    text = page.read_text("utf-8")
    assert "../shared" not in text
    if page.name != "CHANGELOG.md":
        assert not re.search(r"\b(this round|targets?\b.*\b(met|missed)|issue \d)", text, re.I)


def test_readme_sample_record_matches_the_schema() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    [sample] = re.findall(r"^```json\n(.*?)^```", readme, re.M | re.S)
    schema = json.loads((REPO / "newscrawler/schemas/article.schema.json").read_text("utf-8"))
    jsonschema.validate(json.loads(sample), schema)
