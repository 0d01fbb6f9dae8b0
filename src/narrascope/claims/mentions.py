"""Named mentions of a text (without a NER model) and the resolution of "it", "the agency" to one of them.

Proper-name chunks are found by capitalisation; their kind (ORG, GPE, PERSON, NORP, UNK) comes from the
word lists of the rules file: organisation words, place names, titles, acronyms. "Foreign Intelligence
Service (SVR)" makes "SVR" the canonical name of both spellings; a bare surname refers to the full name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from narrascope.claims.rules import ClaimRules, default_rules

_WORD = r"(?:[A-Z][\w\-.&]*\w|[A-Z])(?:[’']s)?"
_LINK = r"(?:\s+(?:of|for|on|de|and|the|of\s+the)\s+|\s+)"
_NAME = re.compile(rf"{_WORD}(?:{_LINK}{_WORD})*(?:\s*\((?P<acr>[A-Z][A-Za-z\-]{{1,12}})\))?")
_LEAD = frozenset(
    """the a an according as in on at but and this that it he she they we such while after before
    when if for with from by to of its his her their our meanwhile however also yet so""".split()
)
_POSSESSIVE = re.compile(r"[’']s\b")


@dataclass(frozen=True)
class Mention:
    start: int
    end: int
    text: str
    name: str  # canonical
    kind: str


_NOT_PERSON_WORDS = frozenset({"Agreement", "Treaty", "Accord", "Convention", "Times", "News", "Post", "Journal"})


def _kind(words: list[str], rules: ClaimRules, *, titled: bool) -> str:
    text = " ".join(words)
    if text in rules.gpe_words:
        return "GPE"
    if any(w in rules.org_words or w in _NOT_PERSON_WORDS for w in words) or rules.outlets.fullmatch(text):
        return "ORG"  # "Financial Times", "Paris Agreement": two capitalised words that are no person ("he")
    if titled:
        return "PERSON"
    if len(words) == 1 and words[0].isupper() and len(words[0]) > 1:
        return "ORG"
    if len(words) == 1 and words[0].endswith(("ian", "ese", "ish")):
        return "NORP"
    if len(words) >= 2 and all(w[:1].isupper() for w in words):
        return "PERSON"
    return "UNK"


def name_kind(name: str) -> str:
    """The kind (ORG, GPE, PERSON, NORP, UNK) the English word lists give a name read alone ("Financial Times",
    "more from the original CNN report": ORG, "Svein Tore Holsether": PERSON)."""
    rules = default_rules()
    kind = _kind(name.split(), rules, titled=False)
    if kind == "UNK" and any(rules.descriptions.get(w) == "ORG" for w in name.split() if w.islower()):
        return "ORG"  # "the original CNN report", "the ministry": an organisation's or a document's common noun
    return kind


def find_mentions(text: str, rules: ClaimRules) -> list[Mention]:
    """Name chunks of `text` in order, with canonical names (acronyms, full names for surnames)."""
    aliases: dict[str, str] = {}
    for m in _NAME.finditer(text):  # acronyms first: "The Service said ... the Service (SVR)"
        if m.group("acr"):
            full = _POSSESSIVE.split(text[m.start() : m.start("acr")].rstrip(" ("))[-1].split()
            while full and (full[0].lower() in _LEAD or full[0].rstrip(".") in rules.titles):
                full = full[1:]
            if full:
                aliases[" ".join(full)] = m.group("acr")
    found: list[Mention] = []
    for m in _NAME.finditer(text):
        acronym = m.group("acr")
        chunk_end = m.start("acr") if acronym else m.end()
        pieces = _POSSESSIVE.split(text[m.start() : chunk_end].rstrip(" ("))
        offset = m.start()
        for piece in pieces:
            _add_piece(text, offset, piece, rules, aliases, found, acronym if piece is pieces[-1] else None)
            offset += len(piece) + 2
    return found


def _add_piece(
    text: str,
    offset: int,
    piece: str,
    rules: ClaimRules,
    aliases: dict[str, str],
    found: list[Mention],
    acronym: str | None,
) -> None:
    words = piece.split()
    lead = 0
    titled = False
    while lead < len(words) and (words[lead].lower() in _LEAD or words[lead].rstrip(".") in rules.titles):
        titled = titled or words[lead].rstrip(".") in rules.titles
        lead += 1
    words = [w for w in words[lead:] if w]
    inner = [i for i, w in enumerate(words) if i > 0 and w.rstrip(".") in rules.titles]
    if inner and inner[-1] + 1 < len(words):  # "SVR Director Sergey Naryshkin"
        words, titled = words[inner[-1] + 1 :], True
    while words and words[-1].lower() in _LEAD:
        words.pop()
    if not words or not words[0][:1].isupper():
        return
    name = " ".join(words)
    start = text.find(words[0], offset)
    end = start + len(name) if text.startswith(name, start) else start + len(words[0])
    kind = _kind(words, rules, titled=titled or (offset > 0 and _preceded_by_title(text, start, rules)))
    if acronym:
        aliases[name] = acronym
        kind = "ORG" if kind == "UNK" else kind
    canonical = aliases.get(name, name)
    if canonical == name and len(words) == 1:  # a surname or a short form of an earlier full name
        for earlier in reversed(found):
            if earlier.kind == "PERSON" and earlier.name.split()[-1] == name:
                canonical, kind = earlier.name, "PERSON"
                break
    if kind == "UNK" and canonical != name:
        kind = next((f.kind for f in reversed(found) if f.name == canonical), kind)
    found.append(Mention(start, end, name, canonical, kind))
    if acronym:
        found.append(Mention(start, end, acronym, acronym, kind))


def _preceded_by_title(text: str, start: int, rules: ClaimRules) -> bool:
    before = text[max(0, start - 16) : start].split()
    return bool(before) and before[-1].rstrip(".") in rules.titles


def compatible(kind: str, wanted: frozenset[str]) -> bool:
    return kind == "UNK" or kind in wanted
