"""Authors: split a byline into names and roles, tidy the names, drop organisations.

``"АВТОР: БОРИСЛАВ ПРОТЧЕНКО, ЖУРНАЛИСТ, РЕДАКТОР"`` gives the name ``Борислав Протченко`` with
the roles ``журналист`` and ``редактор``; ``"By Jane Porter and Tom Reilly"`` gives two names.

Rules that hold in every language:

- a news agency named in a byline (``"Von Anna Weber, dpa"``, ``"Jane Doe (Reuters)"``) is a
  credit of its own; any other single word after a comma is a place or a desk and is dropped
  (``"Von Klaus Becker, Berlin"``);
- a newsroom credited as such (``"BR24 Redaktion"``, ``"MND Staff"``) is kept whole, not cut to
  its first word with the rest read as a job title;
- names declared in structured data (JSON-LD ``Person``, ``<meta name="author">``) are taken as
  written, lower case included (``"dpa"``, ``"viktor hedlund"``); names read from the page's
  text must look like names (capitalised words, no digits).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

from newscrawler.text import normalise_text
from newscrawler.vocabulary import (
    AGENCY_WORDS,
    AUTHOR_JOINERS,
    BYLINE_OPENERS,
    BYLINE_STOP_WORDS,
    DATE_LABELS,
    DESK_WORDS,
    NAME_PARTICLES,
    NEWS_AGENCIES,
    ROLE_FILLERS,
    ROLE_STEMS,
    ROLE_WORDS,
    split_author_prefix,
)

_JOINERS = "|".join(re.escape(j) for j in AUTHOR_JOINERS)
_SPLIT_NAMES = re.compile(rf"\s*(?:[,;]\s*(?:(?:{_JOINERS})\s+)?|\s(?:{_JOINERS})\s)\s*", re.I)
_HARD_SEPARATORS = re.compile(r"\s*(?:[|•·\n]|\s[-–—]\s)\s*")
_PARENS = re.compile(r"\([^)]*\)|\[[^\]]*\]")
_NOT_A_NAME = re.compile(r"\d|@|https?:|www\.|\.(?:com|org|net|ru|de)\b|/", re.I)
# Never in a name, even a declared one: e-mail addresses, URLs, numbers, sentence punctuation.
_NEVER_A_NAME = re.compile(r"@|https?:|www\.|/|(?:^|\s)\d+(?:\s|$)|[、，。：；！？（）「」]")
# A byline ends where its date or time begins ("By Jane Doe 30 August 2023 • 4:45pm"); digits
# glued to letters belong to a word ("BR24 Redaktion").
_DATE_START = re.compile(r"\s*[,|·•(]?\s*(?<!\w)\d.*$", re.S)
# A date's label left at the end of a byline once the date is cut ("Von Jane Doe Stand: …").
_DATE_LABEL_END = re.compile(
    rf"(?:^|\s)(?:{'|'.join(re.escape(w) for w in DATE_LABELS)})"
    r"(?:\s+(?:am|on|at|le|el|il|op|den))?\s*:?\s*$",
    re.I,
)


@dataclass
class AuthorRole:
    """A name from a byline and the job titles written after it."""

    name: str
    roles: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {"name": self.name, "roles": list(self.roles)}


def title_case_name(name: str) -> str:
    """``БОРИСЛАВ ПРОТЧЕНКО`` → ``Борислав Протченко``; mixed-case names and one-word
    capitals (agencies such as ``AFP``) are kept as written."""
    letters = [c for c in name if c.isalpha()]
    if not letters or not all(c.isupper() for c in letters) or len(name.split()) < 2:
        return name
    return re.sub(r"[^\W\d_]+", lambda m: m.group(0)[0] + m.group(0)[1:].lower(), name)


def is_agency(text: str) -> bool:
    """Whether ``text`` as a whole names a news agency (``dpa``, ``AFP``, ``Associated Press``)."""
    return " ".join(text.split()).strip(" .").casefold() in NEWS_AGENCIES


def is_desk(text: str, *, declared: bool = False) -> bool:
    """Whether ``text`` credits a newsroom: a desk word and one other word (``BR24 Redaktion``,
    ``MND Staff``, ``Guardian staff reporter``, ``MM-Redaktion``)."""
    words = re.findall(r"[^\W_]+(?:[.'][^\W_]+)*", text)
    if not 2 <= len(words) <= 4 or not any(w.casefold() in DESK_WORDS for w in words):
        return False
    other = [w for w in words if not (w.casefold() in DESK_WORDS or is_role(w))]
    if len(other) != 1 or other[0].casefold() in ROLE_FILLERS:
        return False
    first = other[0][0]
    return declared or first.isupper() or first.isdigit() or not first.isalpha()


def is_newsroom_credit(text: str) -> bool:
    """Whether ``text`` credits a desk together with the news agencies (``Staff and agencies``,
    ``Guardian staff and agencies``, ``Redaktion und Agenturen``): a credit kept whole."""
    words = re.findall(r"[^\W_]+(?:[.'-][^\W_]+)*", text)
    if not 3 <= len(words) <= 5 or words[-1].casefold() not in AGENCY_WORDS:
        return False
    if words[-2].casefold() not in AUTHOR_JOINERS:
        return False
    desk = words[:-2]
    if len(desk) == 1:
        return desk[0].casefold() in DESK_WORDS
    return is_desk(" ".join(desk))


def is_role(text: str) -> bool:
    """Whether ``text`` is a job title (``Staff Writer``, ``ЖУРНАЛИСТ``, ``Redakteurin``)."""
    words = re.findall(r"[^\W\d_]+(?:-[^\W\d_]+)*", text.lower())
    if not words or len(words) > 6:
        return False
    strong = False
    for word in words:
        if word in ROLE_WORDS or any(stem in word for stem in ROLE_STEMS):
            strong = strong or word not in {"at", "large", "news", "desk"}
            continue
        if word in ROLE_FILLERS:
            continue
        return False
    return strong


def _role_text(text: str) -> str:
    text = " ".join(text.split()).strip(" .")
    return text.lower() if text.isupper() else text


def looks_like_name(text: str, *, declared: bool = False) -> bool:
    """A plausible person's (or desk's) name: 1-6 capitalised words, no digits/URLs/e-mails.

    A ``declared`` name (from structured data) may be in lower case and hold digits.
    """
    if not text or len(text) > 60 or _NEVER_A_NAME.search(text):
        return False
    words = text.split()
    if not 1 <= len(words) <= 6 or not any(c.isalpha() for c in text):
        return False
    if declared:
        return True
    if _NOT_A_NAME.search(text):
        return False
    for word in words:
        first = next((c for c in word if c.isalpha()), "")
        if first.islower() and word.lower() not in NAME_PARTICLES:
            return False
    return True


def _split_trailing_role(token: str) -> tuple[str, str | None]:
    """``신현주 기자`` → (``신현주``, ``기자``); ``Jane Doe`` → (``Jane Doe``, None)."""
    words = token.split()
    for n in (3, 2, 1):
        if len(words) > n and is_role(" ".join(words[-n:])):
            return " ".join(words[:-n]), " ".join(words[-n:])
    return token, None


def _cut_at_date(text: str) -> str:
    """Cut a byline where a date starts, by digits or by a month name (``June 19``)."""
    months = _month_words()
    for match in re.finditer(r"(?=(?:^|(?<=\s)|(?<=[^\W\d_]))([^\W\d_]+)\.?\s+\d)", text):
        word, start = match[1], match.start()
        if word.lower() not in months:
            continue
        before = text[start - 1] if start else " "
        if before.isspace() or (before.islower() and word[0].isupper()):
            text = text[:start]
            break
    return _DATE_LABEL_END.sub("", _DATE_START.sub("", text))


@lru_cache(maxsize=1)
def _month_words() -> frozenset[str]:
    from newscrawler.extraction.dates import month_names

    return frozenset(w for w in month_names(_MONTH_LANGUAGES) if len(w) >= 3)


_MONTH_LANGUAGES = ("en", "de", "fr", "es", "it", "pt", "nl", "ru", "uk", "pl")


def _name_case(name: str, declared: bool) -> str:
    """Capitals title-cased; a declared name in lower case (``viktor hedlund``) too."""
    words = name.split()
    if declared and len(words) >= 2 and name.islower():
        return " ".join(
            w if i and w in NAME_PARTICLES else w[:1].upper() + w[1:] for i, w in enumerate(words)
        )
    return title_case_name(name)


def parse_byline(text: str, *, strict: bool = False, declared: bool = False) -> list[AuthorRole]:
    """Names and their roles from a visible byline or an author field.

    ``strict`` (for bylines recognised by their wording only, not by markup) accepts a
    single-word name only when it is written in capitals (an agency such as ``AFP``) or is a
    known agency. ``declared`` (for structured data: JSON-LD, meta tags) takes names as written.
    """
    _prefix, rest = split_author_prefix(text)
    agencies = [m[1:-1].strip() for m in _PARENS.findall(rest) if is_agency(m[1:-1])]
    rest = _PARENS.sub(" ", rest)
    people: list[AuthorRole] = []
    pieces = [_cut_at_date(p).strip(" ,;:.") for p in _HARD_SEPARATORS.split(rest)]
    labelled = [p for p in pieces if split_author_prefix(p)[0]]
    if labelled and not _prefix:
        pieces = labelled  # "12.03.2024 · Von Jonas Weber · Aktualisiert …": the labelled part
    for piece in pieces:
        if not piece:
            continue
        _p, piece = split_author_prefix(piece)
        if is_newsroom_credit(piece):
            people.append(AuthorRole(piece[:1].upper() + piece[1:]))
            continue
        current: AuthorRole | None = None
        for token, after_comma in _tokens(piece):
            if is_agency(token):
                current = AuthorRole(token)
                people.append(current)
                continue
            if not (after_comma and current is not None) and is_desk(token, declared=declared):
                current = AuthorRole(token)
                people.append(current)
                continue
            if token.casefold() in AGENCY_WORDS:  # "Jane Doe and agencies": no one's name
                current = None
                continue
            if is_role(token) or (current is not None and _ends_with_role(token)):
                if current is not None:
                    current.roles.append(_role_text(token))
                continue
            if token.split()[0].lower() in BYLINE_STOP_WORDS:
                break
            token = _cut_at_stop_word(token)  # "Julian Borger in Washington"
            token, role = _split_trailing_role(token)
            if not looks_like_name(token, declared=declared):
                current = None
                continue
            if after_comma and current is not None and len(token.split()) == 1:
                continue  # "Klaus Becker, Berlin": a place or a desk, not a second author
            if strict and len(token.split()) == 1 and not token.isupper():
                continue
            current = AuthorRole(_name_case(token, declared))
            if role:
                current.roles.append(_role_text(role))
            people.append(current)
    known = {_key(p.name) for p in people}
    people.extend(AuthorRole(a) for a in agencies if _key(a) not in known)
    return people


_BYLINE_OPENER = re.compile(rf"(?:^|\s)({'|'.join(BYLINE_OPENERS)})\s+(?=\w)", re.I)


def byline_after_label(text: str) -> str:
    """A byline with words before its label cut off (``capital von Jemima Kelly`` → ``von …``)."""
    prefix, _rest = split_author_prefix(text)
    if prefix:
        return text
    match = _BYLINE_OPENER.search(text)
    if match and match.start() < 40:
        return text[match.start() :].strip()
    return text


def _tokens(piece: str) -> list[tuple[str, bool]]:
    """Parts of a byline piece, each with whether a comma (not "and") preceded it."""
    out: list[tuple[str, bool]] = []
    pos = 0
    after_comma = False
    for sep in _SPLIT_NAMES.finditer(piece):
        out.append((piece[pos : sep.start()], after_comma))
        after_comma = "," in sep.group(0)
        pos = sep.end()
    out.append((piece[pos:], after_comma))
    return [(t.strip(" .,:;-–—\"'«»“”"), c) for t, c in out if t.strip(" .,:;-–—\"'«»“”")]


def _cut_at_stop_word(token: str) -> str:
    """``Jane Doe in Washington`` → ``Jane Doe``: a name ends where a place or outlet begins."""
    words = token.split()
    for i, word in enumerate(words[1:], 1):
        if word in BYLINE_STOP_WORDS:
            return " ".join(words[:i])
    return token


def _ends_with_role(token: str) -> bool:
    words = token.split()
    return len(words) > 1 and any(is_role(" ".join(words[-n:])) for n in (1, 2))


def merge_authors(
    groups: Iterable[Iterable[AuthorRole]],
    organisations: Iterable[str] = (),
    *,
    acronyms: Iterable[str] = (),
) -> list[AuthorRole]:
    """Concatenate ``groups``, dropping organisations and duplicates (roles are merged).

    A name equal to an organisation or starting with one (``Midday Herald Staff``) is dropped;
    ``acronyms`` derived from organisations' names drop only equal names (``LTO``, but not
    ``MM-Redaktion``).
    """
    orgs = {_key(o) for o in organisations if o}
    orgs.discard("")
    prefixes = tuple(f"{o} " for o in orgs)
    orgs |= {_key(a) for a in acronyms if a}
    out: dict[str, AuthorRole] = {}
    for group in groups:
        for person in group:
            key = _key(person.name)
            if not key or key in orgs or key.startswith(prefixes):
                continue
            if key in out:
                for role in person.roles:
                    if role not in out[key].roles:
                        out[key].roles.append(role)
            else:
                out[key] = AuthorRole(person.name, list(person.roles))
    return list(out.values())


def _key(name: str) -> str:
    return normalise_text(name)
