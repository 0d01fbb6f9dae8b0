"""What is a statement: whether a claim text can stand as a complete proposition (subject and predicate), read
with the language's word lists (`claims.speaker_lists`). `claims.speakers.tidy_claims` drops the texts that cannot;
`benchmarks/attribution.py` measures it."""

from __future__ import annotations

import re

from narrascope.claims import multilingual
from narrascope.claims.rules import default_rules
from narrascope.claims.speaker_lists import TRIM, WORD_EDGE, SpeakerLists, language_code, speaker_lists, words_of

_PT_PURPOSE = re.compile(r"^para\s+\w+(?:ar|er|ir|ôr)\b[^,]*$", re.IGNORECASE)
# "we find,” the , “that ...", "do the not correct": an article followed by no noun is a garbled text
_EN_GARBLED = re.compile(
    r"\b(?:the|a|an)(?:\s*[,.;:]|\s+(?:not|is|are|was|were|we|we[’']re|they|of|to|and|or)\b)", re.IGNORECASE
)


def is_proposition(language: str | None, text: str) -> bool:
    """Whether a claim text can stand as a statement: at least three words, not starting with a conjunction or a
    verb that needs the subject left out ("é uma ...", "был расстроен", "ще подпише"), not ending on a function
    word, brackets not closed before they open."""
    words = words_of(text)
    if len(words) < 3:
        return False
    lists = speaker_lists(language_code(language))
    if lists is not None and not _sentence_shape(lists, text, words):
        return False
    if language_code(language) == "en" and (_EN_GARBLED.search(text) or _en_frame_only(words)):
        return False
    if _frame_inside(language_code(language), text) or _frame_first(language_code(language), text):
        return False
    if text.rstrip(TRIM).endswith("?") and "," not in text:
        return False  # "България била ангажирана ...?": a question asks, it does not claim
    if language_code(language) == "pt" and (_PT_PURPOSE.match(text) or words[-2] in ("tendo", "sendo", "havendo")):
        return False  # "Para dar volta à situação": a purpose, no statement; "..., tendo provocado": cut mid-clause
    for opening, closing in (("(", ")"), ("[", "]")):
        opened = 0
        for ch in re.sub(r"(?<![\w(])\w\)", " ", text):  # "1) NATO powers must ...": a list, not a bracket
            opened += (ch == opening) - (ch == closing)
            if opened < 0:
                return False  # "There is a] perception ...": the text starts inside a bracket
    return True


_CLOSING = {"en": '\u201d"', "pt": '\u201d"\u00bb', "hi": '\u201d"'}  # elsewhere » and the low-high pair's “


def _frame_inside(language: str, text: str) -> bool:
    """Whether `text` runs out of its quote into the words that frame it ("... года », – подчеркнул политолог",
    "... в правилната посока“, каза той пред журналисти", "... create it,” RIA Novosti reports"): the quote is a
    claim, its frame is not part of it."""
    closing = _CLOSING.get(language, '\u00bb\u201c"')
    at = max(text.rfind(q) for q in closing)
    if at <= 0 or (text[at] == '"' and text[at - 1].isspace()):
        return False
    rest = text[at + 1 :].strip(TRIM)
    words = rest.split()
    if not words or len(words) > 8 or not re.match(r"\s*,?\s*[—–-]*\s*\S", text[at + 1 :]):
        return False
    if text[at + 1 :].lstrip()[:1] not in ",—–-" and language != "en":
        return False
    if language == "en":
        return any(w.strip(WORD_EDGE).lower() in default_rules().verb_forms for w in words)
    return language in multilingual.LANGUAGES and multilingual.language_rules(language).verbs.search(rest) is not None


_EN_FINITE = frozenset("is are was were has have had will would can could should must may might do does did".split())


def _en_frame_only(words: list[str]) -> bool:
    """Whether an English text is only a reporting frame, its content cut off: it ends on a reporting verb and
    holds no other verb ("... Chairman Michael McCaul, says", "She thus acknowledges"; not "Ukrainian forces
    shelled the plant, RIA Novosti reported")."""
    forms = default_rules().verb_forms
    if words[-1] not in forms:
        return False
    return not any(w in forms or w in _EN_FINITE or w.endswith("ed") for w in words[:-1])


def _frame_first(language: str, text: str) -> bool:
    """Whether `text` is its frame, not the claim: a lower-case reporting verb first ("пише изданието по повод ...",
    "says the website of ..."), or "this" and a reporting verb with no clause after it ("Това съобщава Bloomberg",
    "Это заявил Песков в интервью")."""
    words = [w for w in (w.strip(WORD_EDGE) for w in text.split()) if w]
    if not words:
        return False
    if words[0][:1].islower() and _reporting_verb(language, words[0]):
        return True
    lower = [w.lower() for w in words]
    return (
        lower[0] in _THIS
        and any(_reporting_verb(language, w) for w in lower[1:3])
        and not any(w in _THAT for w in lower[1:])
    )


_THIS = frozenset({"this", "това", "такова", "это", "такое", "такую", "isto", "isso", "tal"})
_THAT = frozenset({"that", "че", "что", "que", "как", "como"})


def _reporting_verb(language: str, word: str) -> bool:
    if language == "en":
        return word in default_rules().verb_forms
    return (
        language in multilingual.LANGUAGES and multilingual.language_rules(language).verbs.fullmatch(word) is not None
    )


def _full_name(text: str) -> bool:
    """Whether `text` is a person's full name: two or three capitalised words, no acronym ("Vladimir Putin")."""
    words = text.split()
    return 2 <= len(words) <= 3 and all(w[:1].isupper() and w[1:].islower() and w.isalpha() for w in words)


def _title_case(text: str) -> bool:
    """Whether most words after the first are capitalised: a headline ("96% of U.S Climate Data Is Corrupted, Study
    Shows")."""
    words = [w for w in text.split()[1:] if w[:1].isalpha()]
    return bool(words) and sum(w[:1].isupper() for w in words) * 2 > len(words)


def _starts_with(lower: str, phrases: tuple[str, ...]) -> bool:
    return any(lower == phrase or lower.startswith(phrase + " ") for phrase in phrases)


def _outside_relatives(lists: SpeakerLists, text: str) -> list[str]:
    """The words of `text` outside its relative clauses (from ", за который" / ", que" to the next comma): a verb
    there belongs to the clause, not to the statement ("Беженцы, эвакуированные ..., за который ведутся бои")."""
    kept: list[str] = []
    for k, part in enumerate(text.split(",")):
        words = words_of(part)
        head = words[:2] if words and len(words[0]) <= 3 else words[:1]
        if k > 0 and any(w in lists.clause_relatives for w in head):
            continue
        kept += words
    return kept


def _sentence_shape(lists: SpeakerLists, text: str, words: list[str]) -> bool:
    """Whether `text`'s words, read with the language's lists, have the shape of a statement."""
    verbs = [w for w in _outside_relatives(lists, text) if w not in lists.not_verbs]
    verbs += [d for d in ("—", "–") if f" {d} " in text]
    if lists.verb is not None and not any(lists.verb.match(w) for w in verbs):
        return False  # "O ex-presidente da Rússia, Dmitri Medvedev", "Desde a retirada de Avdiivka": no predicate
    if lists.short_verb is not None and len(words) <= 4 and not any(lists.short_verb.match(w) for w in verbs):
        return False  # "В този случай", "Кристал на растежа": a few words, none a verb
    if words[0] in lists.subordinators and not re.search(r",(?!\s*\d)", text):
        return False  # "Ако трябваше да избирам", "While the population reached 8bn on November 15, 2022"
    lower = " ".join(words)
    if words[0] in lists.relatives or (len(words[0]) <= 3 and words[1] in lists.relatives):
        return False  # "с която да посрещне ...", "in which ...": a relative clause
    if words[-1] in lists.fragment_end and words[-1] in lists.not_end:
        return False  # "... incluindo crianças, e", "All backed, of course, by": a function word last
    if "," in text and _full_name(text.rsplit(",", 1)[1].strip(TRIM)) and not _title_case(text):
        return False  # "No dia 29 do mesmo mês, o presidente da Rússia, Vladimir Putin": the subject, no predicate
    if not text.lstrip(WORD_EDGE)[:1].isupper():  # "And that's when ...", "И они получили": a quoted sentence
        if _starts_with(lower, lists.fragment_start) or words[-1] in lists.fragment_end:
            return False
        if len(words[0]) > 4 and words[0].endswith(lists.verb_first or ("\x00",)) and words[0] not in lists.not_verbs:
            return False  # "funcionam e corrigir as que não funcionam": the verb, its subject left behind
    return True
