"""The pure deduplication logic: signatures, banding and the verdict for each record."""

from __future__ import annotations

from typing import Any

from newscrawler.dedup.config import DedupConfig, lsh_params
from newscrawler.dedup.decision import Candidate, Deduplicator, Verdict, annotate
from newscrawler.dedup.fingerprint import minhash_signature, record_id, text_fingerprint
from newscrawler.dedup.index import LayeredIndex, MemoryIndex
from newscrawler.dedup.minhash import band_keys, similarity

STORY = (
    "Городской совет утвердил бюджет на следующий год после долгого обсуждения. "
    "Депутаты спорили о расходах на транспорт, школы и ремонт дорог в северных районах. "
    "Мэр заявил, что новый бюджет позволит построить две станции метро и отремонтировать "
    "сорок километров улиц. Оппозиция назвала план слишком оптимистичным и потребовала "
    "независимой проверки расчётов. Голосование завершилось поздно вечером, за проект "
    "проголосовали тридцать два депутата из сорока пяти."
)
# The same story syndicated elsewhere: another lead sentence and a couple of light edits.
SYNDICATED = (
    "Как сообщает наш корреспондент, городской совет утвердил бюджет на следующий год после "
    "долгого обсуждения. Депутаты спорили о расходах на транспорт, школы и ремонт дорог в "
    "северных районах. Мэр заявил, что новый бюджет позволит построить две новые станции метро "
    "и отремонтировать сорок километров улиц. Оппозиция назвала план слишком оптимистичным и "
    "потребовала независимой проверки расчётов. Голосование завершилось поздно вечером, за проект "
    "проголосовали тридцать два депутата из сорока пяти."
)
OTHER = (
    "The harbour bridge reopened to traffic on Wednesday morning after eight months of repairs. "
    "Engineers replaced the corroded cables and resurfaced the deck, and the first buses crossed "
    "shortly after six. Commuters said the detour through the industrial district had added half "
    "an hour to every journey. The city expects the bridge to carry forty thousand vehicles a day."
)


def record(url: str, text: str, **extra: Any) -> dict[str, Any]:
    fp = text_fingerprint(text)
    return {
        "id": record_id(url, fp),
        "url": url,
        "canonical_url": url,
        "fingerprint": fp,
        "text": text,
        **extra,
    }


def test_fingerprint_ignores_markup_case_and_punctuation() -> None:
    assert text_fingerprint("Hello,  World!\n\nBye.") == text_fingerprint("hello world bye")
    assert text_fingerprint("Hello world") != text_fingerprint("Hello world again")


def test_signature_similarity_separates_syndicated_copy_from_other_story() -> None:
    a, b, c = (minhash_signature(t) for t in (STORY, SYNDICATED, OTHER))
    assert a is not None and b is not None and c is not None
    assert similarity(a, b) >= 0.6
    assert similarity(a, c) < 0.2


def test_short_text_has_no_signature() -> None:
    assert minhash_signature("Only five words are here") is None


def test_default_banding_is_documented_choice() -> None:
    assert lsh_params(0.6, 128) == (18, 7)
    sig = minhash_signature(STORY)
    assert sig is not None
    assert len(set(band_keys(sig, 18, 7))) == 18


def test_verdicts_in_order() -> None:
    dedup = Deduplicator(MemoryIndex())
    first = record("https://a.example/budget", STORY)
    verdicts = [
        dedup.process(first).verdict,
        dedup.process(dict(first)).verdict,
        dedup.process(record("https://b.example/mirror", STORY)).verdict,
        dedup.process(record("https://c.example/syndicated", SYNDICATED)).verdict,
        dedup.process(record("https://a.example/budget", STORY + " Обновлено.")).verdict,
        dedup.process(record("https://d.example/bridge", OTHER)).verdict,
    ]
    assert verdicts == [
        Verdict.NEW,
        Verdict.DUPLICATE_URL,
        Verdict.DUPLICATE_FINGERPRINT,
        Verdict.NEAR_DUPLICATE,
        Verdict.VERSION,
        Verdict.NEW,
    ]


def test_annotate_links_near_duplicate_to_first_copy_and_version_to_earlier_id() -> None:
    dedup = Deduplicator(MemoryIndex())
    first = record("https://a.example/budget", STORY)
    dedup.process(first)
    copy = record("https://c.example/syndicated", SYNDICATED)
    out = annotate(copy, dedup.process(copy))
    assert out["duplicate_of"] == "https://a.example/budget"
    # a copy of the copy still points at the first copy
    again = record("https://e.example/again", SYNDICATED + " Конец.")
    assert annotate(again, dedup.process(again))["duplicate_of"] == "https://a.example/budget"
    changed = record("https://a.example/budget", STORY + " Обновлено вечером.")
    assert annotate(changed, dedup.process(changed))["version_of"] == first["id"]


def test_levels_can_be_switched_off() -> None:
    dedup = Deduplicator(MemoryIndex(), DedupConfig(by_fingerprint=False, near=False))
    dedup.process(record("https://a.example/budget", STORY))
    assert dedup.process(record("https://b.example/mirror", STORY)).verdict is Verdict.NEW
    assert dedup.process(record("https://c.example/s", SYNDICATED)).verdict is Verdict.NEW


def test_layered_index_sees_pending_and_durable() -> None:
    durable = MemoryIndex()
    Deduplicator(durable).process(record("https://a.example/budget", STORY))
    layered = LayeredIndex(durable)
    dedup = Deduplicator(layered)
    assert (
        dedup.process(record("https://c.example/s", SYNDICATED)).verdict is Verdict.NEAR_DUPLICATE
    )
    assert len(layered.pending) == 1 and len(durable) == 1
    other = record("https://d.example/bridge", OTHER)
    dedup.process(other)
    layered.pending.pop(other["id"])
    assert dedup.process(record("https://d.example/bridge", OTHER)).verdict is Verdict.NEW


def test_a_popped_record_leaves_nothing_behind_in_the_index() -> None:
    # A crawl pops each record from its pending layer once it is durable: what stays must be
    # only the records still pending, however long the crawl.
    index = MemoryIndex()
    dedup = Deduplicator(index)
    story, copy = (
        record("https://a.example/budget", STORY),
        record("https://b.example/s", SYNDICATED),
    )
    for rec in (story, copy, record("https://d.example/bridge", OTHER)):
        dedup.process(rec)
    index.pop(story["id"])
    later = record("https://c.example/s", SYNDICATED + " Обновлено.")
    decision = dedup.check(dedup.prepare(Candidate.from_record(later)))
    assert decision.of is not None and decision.of.id == copy["id"]  # the band keys they share
    for rid in list(index.ids):
        index.pop(rid)
    assert len(index) == 0
    assert not (index.versions or index.fingerprints or index.signatures or index.keys)
    assert index.bands == {}
