"""Distinct, deterministic article text for generated test pages.

The dedup pipeline drops pages whose bodies are the same, so every generated article needs a
body of its own: sentences drawn from small vocabularies with a generator seeded by the page.
"""

from __future__ import annotations

import hashlib
import random

_VOCABULARY = {
    "en": {
        "subject": [
            "The city council",
            "A group of residents",
            "The regional transport office",
            "The harbour authority",
            "Local shop owners",
            "The school board",
            "Hospital managers",
            "The fire brigade",
            "A team of engineers",
            "The mayor's office",
            "Farmers from the valley",
            "The university library",
        ],
        "verb": [
            "approved",
            "rejected",
            "postponed",
            "questioned",
            "published",
            "welcomed",
            "criticised",
            "funded",
            "reviewed",
            "announced",
            "tested",
            "extended",
        ],
        "object": [
            "a plan for new cycle lanes",
            "the budget for street lighting",
            "a study of river pollution",
            "the timetable for night buses",
            "repairs to the old stone bridge",
            "a scheme for cheaper school meals",
            "the rules for market stalls",
            "a contract for snow clearing",
            "the design of the new library",
            "a survey of empty houses",
            "the opening hours of the pools",
            "a fund for small theatres",
        ],
        "when": [
            "on Monday",
            "last week",
            "after a long debate",
            "before the summer",
            "at a public meeting",
            "earlier this month",
            "late on Thursday",
            "in March",
        ],
        "tail": [
            "officials said",
            "according to the minutes",
            "the local paper reported",
            "a spokeswoman confirmed",
            "residents were told",
            "the report shows",
        ],
    },
    "ru": {
        "subject": [
            "Городская дума",
            "Жители микрорайона",
            "Областной департамент транспорта",
            "Управление порта",
            "Владельцы магазинов",
            "Совет школы",
            "Руководство больницы",
            "Пожарная часть",
            "Группа инженеров",
            "Мэрия",
            "Фермеры из долины",
            "Университетская библиотека",
        ],
        "verb": [
            "одобрили",
            "отклонили",
            "отложили",
            "оспорили",
            "опубликовали",
            "поддержали",
            "раскритиковали",
            "профинансировали",
            "проверили",
            "объявили",
            "испытали",
            "продлили",
        ],
        "object": [
            "план новых велодорожек",
            "бюджет на уличное освещение",
            "исследование загрязнения реки",
            "расписание ночных автобусов",
            "ремонт старого каменного моста",
            "программу дешёвых школьных обедов",
            "правила торговли на рынке",
            "договор на уборку снега",
            "проект новой библиотеки",
            "перепись пустующих домов",
            "часы работы бассейнов",
            "фонд поддержки малых театров",
        ],
        "when": [
            "в понедельник",
            "на прошлой неделе",
            "после долгого спора",
            "до начала лета",
            "на открытом заседании",
            "в начале месяца",
            "поздно вечером в четверг",
            "в марте",
        ],
        "tail": [
            "сообщили чиновники",
            "следует из протокола",
            "пишет местная газета",
            "подтвердила пресс-служба",
            "рассказали жителям",
            "говорится в отчёте",
        ],
    },
}


def story_paragraphs(seed: str, lang: str = "en", count: int = 3, sentences: int = 4) -> list[str]:
    """``count`` paragraphs of text that is the same for the same ``seed`` and differs otherwise."""
    words = _VOCABULARY.get(lang, _VOCABULARY["en"])
    rng = random.Random(hashlib.sha256(f"{lang}:{seed}".encode()).digest())
    paragraphs = []
    for _ in range(count):
        parts = []
        for _ in range(sentences):
            parts.append(
                f"{rng.choice(words['subject'])} {rng.choice(words['verb'])} "
                f"{rng.choice(words['object'])} {rng.choice(words['when'])}, "
                f"{rng.choice(words['tail'])}."
            )
        paragraphs.append(" ".join(parts))
    return paragraphs
