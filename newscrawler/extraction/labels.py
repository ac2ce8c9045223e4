"""Multilingual vocabularies of the labels news pages put around an article.

Each set holds lower-case labels as they are normalised by :func:`normalise_label`: a
related-articles heading ("Читайте также", "Read more"), an attribution ("Источник", "Quelle"),
an ad label ("Реклама", "Anzeige"), a share prompt ("Поделиться"), a byline prefix ("By",
"Автор:") and the job titles that follow a name in a byline.
"""

from __future__ import annotations

import re

RELATED_LABELS = frozenset(
    {
        # ru / uk / be
        "посмотреть также",
        "смотрите также",
        "смотри также",
        "см. также",
        "читайте также",
        "читать также",
        "читайте еще",
        "читайте ещё",
        "по теме",
        "материалы по теме",
        "новости по теме",
        "еще по теме",
        "ещё по теме",
        "другие новости",
        "похожие новости",
        "похожие материалы",
        "рекомендуем",
        "вам может быть интересно",
        "читайте також",
        "дивіться також",
        "за темою",
        "по темі",
        # en
        "related",
        "related articles",
        "related stories",
        "related news",
        "related content",
        "related coverage",
        "related links",
        "read more",
        "read also",
        "also read",
        "see also",
        "more on this",
        "more on this story",
        "more on this topic",
        "more stories",
        "more news",
        "more from",
        "more like this",
        "you may also like",
        "you might also like",
        "recommended",
        "recommended for you",
        "further reading",
        # de
        "mehr zum thema",
        "lesen sie auch",
        "lesen sie mehr",
        "auch interessant",
        "das könnte sie auch interessieren",
        "weitere artikel",
        "weitere meldungen",
        "zum thema",
        "passend zum thema",
        "mehr dazu",
        # fr
        "à lire aussi",
        "a lire aussi",
        "lire aussi",
        "à lire également",
        "lire également",
        "voir aussi",
        "sur le même sujet",
        "sur le meme sujet",
        "dans la même rubrique",
        "à voir aussi",
        # es / pt
        "ver también",
        "lee también",
        "leer también",
        "lea también",
        "te puede interesar",
        "noticias relacionadas",
        "relacionado",
        "relacionados",
        "más información",
        "leia também",
        "veja também",
        "ler também",
        "saiba mais",
        "notícias relacionadas",
        # it
        "leggi anche",
        "potrebbe interessarti",
        "articoli correlati",
        "vedi anche",
        # nl / nordic / pl / cs / sk / others
        "lees ook",
        "zie ook",
        "meer over",
        "läs också",
        "läs mer",
        "les også",
        "les mer",
        "læs også",
        "læs mere",
        "lue myös",
        "czytaj też",
        "czytaj także",
        "zobacz też",
        "zobacz także",
        "przeczytaj też",
        "přečtěte si také",
        "čtěte také",
        "čítajte tiež",
        "olvassa el ezt is",
        "ayrıca okuyun",
        "bunlar da ilginizi çekebilir",
        "διαβάστε επίσης",
        "citește și",
        "прочетете още",
    }
)

SOURCE_LABELS = frozenset(
    {
        "источник",
        "источники",
        "первоисточник",
        "по материалам",
        "джерело",
        "крыніца",
        "source",
        "sources",
        "original source",
        "quelle",
        "quellen",
        "fuente",
        "fuentes",
        "fonte",
        "fonti",
        "źródło",
        "zdroj",
        "bron",
        "kilde",
        "källa",
        "lähde",
        "forrás",
        "kaynak",
        "πηγή",
        "sursa",
        "sursă",
        "via",
    }
)

AD_LABELS = frozenset(
    {
        "реклама",
        "на правах рекламы",
        "спонсорский материал",
        "партнерский материал",
        "партнёрский материал",
        "advertisement",
        "advertising",
        "advert",
        "ad",
        "ads",
        "sponsored",
        "sponsored content",
        "paid content",
        "paid post",
        "partner content",
        "promoted",
        "promoted content",
        "anzeige",
        "werbung",
        "publicité",
        "publicite",
        "publicidad",
        "publicidade",
        "pubblicità",
        "annonce",
        "annonse",
        "reklama",
        "reklame",
        "reklam",
        "advertentie",
        "mainos",
        "hirdetés",
        "διαφήμιση",
        "реклама 18+",
    }
)

SHARE_LABELS = frozenset(
    {
        "поделиться",
        "поделиться в соцсетях",
        "поделитесь",
        "поширити",
        "share",
        "share this",
        "share this article",
        "share this story",
        "share article",
        "share on facebook",
        "share on twitter",
        "share on x",
        "tweet",
        "copy link",
        "teilen",
        "artikel teilen",
        "beitrag teilen",
        "link kopieren",
        "partager",
        "partager cet article",
        "compartir",
        "compartir en facebook",
        "condividi",
        "udostępnij",
        "delen",
        "dela",
        "del",
        "jaa",
        "sdílet",
        "копировать ссылку",
    }
)

# Prefixes of a byline, longest first so that "written by" wins over "by".
AUTHOR_PREFIXES = (
    "written by",
    "reporting by",
    "story by",
    "words by",
    "posted by",
    "text by",
    "authors",
    "author",
    "by",
    "авторы",
    "автор",
    "текст",
    "автори",
    "autorin/autor",
    "autor/autorin",
    "autor/in",
    "autor*in",
    "autorinnen",
    "autorin",
    "autoren",
    "autor",
    "text von",
    "ein artikel von",
    "von",
    "text",
    "texte",
    "par",
    "auteur",
    "por",
    "a cura di",
    "autore",
    "di",
    "door",
    "av",
    "af",
)

# Job titles written after a name in a byline (matched on whole lower-case words or stems).
ROLE_WORDS = frozenset(
    {
        "журналист",
        "журналистка",
        "редактор",
        "корреспондент",
        "корреспондентка",
        "обозреватель",
        "колумнист",
        "фотограф",
        "фотокорреспондент",
        "репортер",
        "репортёр",
        "шеф-редактор",
        "главный",
        "выпускающий",
        "старший",
        "специальный",
        "собственный",
        "спецкор",
        "собкор",
        "аналитик",
        "ведущий",
        "продюсер",
        "журналіст",
        "кореспондент",
        "оглядач",
        "journalist",
        "journalistin",
        "reporter",
        "reporterin",
        "correspondent",
        "editor",
        "editors",
        "writer",
        "staff",
        "senior",
        "chief",
        "deputy",
        "managing",
        "contributing",
        "contributor",
        "columnist",
        "photographer",
        "analyst",
        "producer",
        "associate",
        "political",
        "foreign",
        "economics",
        "business",
        "science",
        "health",
        "sports",
        "culture",
        "news",
        "digital",
        "desk",
        "at",
        "large",
        "special",
        "international",
        "national",
        "investigative",
        "redakteur",
        "redakteurin",
        "korrespondent",
        "korrespondentin",
        "autor",
        "autorin",
        "fotograf",
        "fotografin",
        "volontär",
        "volontärin",
        "chefredakteur",
        "chefredakteurin",
        "rédacteur",
        "rédactrice",
        "journaliste",
        "correspondant",
        "correspondante",
        "envoyé",
        "envoyée",
        "spécial",
        "spéciale",
        "periodista",
        "corresponsal",
        "redactor",
        "redactora",
        "giornalista",
        "corrispondente",
        "redattore",
        "redattrice",
        "inviato",
        "inviata",
        "verslaggever",
        "redacteur",
        "correspondente",
        "repórter",
        "redaktor",
        "dziennikarz",
        "dziennikarka",
        "novinář",
        "novinářka",
        "기자",
        "특파원",
        "記者",
        "特派員",
        "编辑",
        "记者",
    }
)

# News agencies, as a byline or an author field names them (lower-case, whole names only). An
# agency credited next to a person ("Von Anna Weber, dpa", "Jane Doe (Reuters)") is a credit of
# its own, not a place or an affiliation to drop.
NEWS_AGENCIES = frozenset(
    {
        "dpa",
        "dpa-afx",
        "deutsche presse-agentur",
        "afp",
        "agence france-presse",
        "agence france presse",
        "reuters",
        "thomson reuters",
        "ap",
        "associated press",
        "the associated press",
        "apa",
        "austria presse agentur",
        "sda",
        "keystone-sda",
        "kna",
        "epd",
        "sid",
        "dts",
        "ddp",
        "anp",
        "belga",
        "tt",
        "ntb",
        "ritzau",
        "stt",
        "efe",
        "agencia efe",
        "europa press",
        "ansa",
        "adnkronos",
        "lusa",
        "pap",
        "čtk",
        "ctk",
        "mti",
        "tasr",
        "aap",
        "pa",
        "pa media",
        "press association",
        "pti",
        "ians",
        "upi",
        "the canadian press",
        "canadian press",
        "bernama",
        "antara",
        "anadolu",
        "anadolu agency",
        "anadolu ajansı",
        "yonhap",
        "kyodo",
        "jiji",
        "xinhua",
        "tass",
        "тасс",
        "итар-тасс",
        "риа новости",
        "интерфакс",
        "interfax",
        "укрінформ",
        "уніан",
        "unian",
        "ukrinform",
        "연합뉴스",
        "共同通信",
        "時事通信",
        "新华社",
    }
)

# Words naming a newsroom rather than a person ("BR24 Redaktion", "MND Staff", "MM-Redaktion").
DESK_WORDS = frozenset(
    {
        "redaktion",
        "staff",
        "newsroom",
        "desk",
        "team",
        "redactie",
        "redacción",
        "rédaction",
        "redazione",
        "redação",
        "redaksjon",
        "redaktionen",
        "toimitus",
        "redakcja",
        "redakce",
        "редакция",
        "редакція",
    }
)

# Words joining two names in a byline.
AUTHOR_JOINERS = ("and", "и", "und", "et", "y", "e", "en", "og", "och", "ja", "i", "a", "&")

_EDGE_PUNCT = re.compile(r"^[\s:•·|>»«\-–—…!.,;]+|[\s:•·|>»«\-–—…!.,;]+$")


def normalise_label(text: str) -> str:
    """Lower-case ``text`` with whitespace collapsed and edge punctuation (``:``, ``…``) removed."""
    return _EDGE_PUNCT.sub("", " ".join(text.split())).lower()


def is_related_label(text: str) -> bool:
    """Whether ``text`` as a whole is a related-articles heading."""
    return len(text) <= 80 and normalise_label(text) in RELATED_LABELS


def related_prefix(text: str) -> str | None:
    """The rest of ``text`` when it starts with a related-articles label and a colon."""
    head, sep, rest = text.partition(":")
    if sep and normalise_label(head) in RELATED_LABELS:
        return rest.strip()
    return None


def is_ad_label(text: str) -> bool:
    """Whether ``text`` as a whole is an advertisement label."""
    return len(text) <= 40 and normalise_label(text) in AD_LABELS


def is_share_prompt(text: str) -> bool:
    """Whether ``text`` as a whole is a share prompt."""
    return len(text) <= 40 and normalise_label(text) in SHARE_LABELS


# Attribution labels read without a colon ("via Reuters", "По материалам ТАСС").
_SOURCE_LABELS_SPACED = frozenset({"via", "по материалам"})


def split_source_label(text: str) -> tuple[str, str] | None:
    """``(label, rest)`` when ``text`` is an attribution line (``Источник: ТАСС``, ``Source``)."""
    clean = " ".join(text.split())
    if len(clean) > 160:
        return None
    lowered = clean.lower()
    for label in sorted(SOURCE_LABELS, key=len, reverse=True):
        if not lowered.startswith(label):
            continue
        after = clean[len(label) :]
        if not after.strip(" :：—–-."):
            return clean[: len(label)], ""
        if after[0] in ":：" or after.lstrip()[:1] in (":", "："):
            return clean[: len(label)], after.lstrip(" :：").strip()
        if after[:2] in (" —", " –", " -") and after[2:3] == " ":
            return clean[: len(label)], after[3:].strip()
        if after[0] == " " and label in _SOURCE_LABELS_SPACED:
            return clean[: len(label)], after.strip()
        return None
    return None


def split_author_prefix(text: str) -> tuple[str | None, str]:
    """``(prefix, rest)``: a byline with its label (``АВТОР:``, ``By``) split off."""
    clean = " ".join(text.split())
    lowered = clean.lower()
    for prefix in AUTHOR_PREFIXES:
        if lowered.startswith(prefix):
            rest = clean[len(prefix) :]
            if not rest:
                return clean, ""
            if rest[0] in ":：" or (rest[0] == " " and prefix not in {"text", "texte", "di"}):
                return clean[: len(prefix)], rest.lstrip(" :：").strip()
            if rest[0] == " " and rest.lstrip().startswith(":"):
                return clean[: len(prefix)], rest.lstrip(" :：").strip()
    return None, clean
