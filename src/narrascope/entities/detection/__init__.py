"""Finding the mentions of actors in an article, per language.

English: spaCy's NER (`english.py`). Bulgarian, Portuguese, Russian: capitalised names (`capitals.py`) and the
gazetteer of names SemEval annotators marked as framed, matched in any inflected form (`gazetteer.py`); Russian
also natasha's NER (`russian.py`), which the `fast` profile leaves out. Hindi has no capitals: the gazetteer only.
Candidates are merged in order of
trust — gazetteer, NER, capitalised runs — each source's longest first; a span that overlaps a kept one is cut to
what lies outside it ("Според Захарова Западът": the run loses the gazetteer's "Западът" and keeps "Захарова").
The label (PERSON, ORG, GPE) is the NER model's where there is one, else read off
the name's shape (an acronym is an ORG, two or more capitalised words a PERSON, anything else a GPE).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from narrascope.entities.detection.boundaries import tidy
from narrascope.entities.detection.capitals import capitalised_spans
from narrascope.entities.detection.english import english_mentions, english_mentions_many
from narrascope.entities.detection.gazetteer import Gazetteer, Token, shipped_gazetteer, tokenize
from narrascope.entities.detection.russian import russian_mentions
from narrascope.entities.detection.words import WORD, is_acronym

LANGUAGES = ("bg", "en", "hi", "pt", "ru")
CAPITALISING = frozenset({"bg", "pt", "ru"})
Mention = tuple[int, int, str]


def shape_label(name: str) -> str:
    words = WORD.findall(name)
    if len(words) == 1 and is_acronym(words[0]):
        return "ORG"
    if len(words) >= 2 and all(w[:1].isupper() for w in words):
        return "PERSON"
    return "GPE"


class MentionDetector:
    """Mentions of one language's text; `gazetteers` (language -> Gazetteer) default to the shipped ones.
    `use_ner` adds natasha's NER in Russian (~25 ms a Russian article; the `fast` profile leaves it out)."""

    def __init__(self, gazetteers: Mapping[str, Gazetteer] | None = None, *, use_ner: bool = True) -> None:
        self.gazetteers = gazetteers
        self.use_ner = use_ner

    def gazetteer(self, language: str) -> Gazetteer | None:
        return self.gazetteers.get(language) if self.gazetteers is not None else shipped_gazetteer(language)

    def warm_up(self) -> None:
        """Load every language's models now (spaCy's, natasha's, the gazetteers), not on their first article."""
        english_mentions("The West.")
        if self.use_ner:
            russian_mentions("Москва.")
        for language in LANGUAGES:
            self.gazetteer(language)

    def __call__(self, text: str, language: str) -> list[Mention]:
        return self.many([(text, language)])[0]

    def many(self, items: Sequence[tuple[str, str]]) -> list[list[Mention]]:
        """The mentions of each (text, language), the English texts read by spaCy together (faster in batches)."""
        english = [number for number, (_, language) in enumerate(items) if language == "en"]
        named = dict(zip(english, english_mentions_many([items[n][0] for n in english]), strict=True))
        return [
            tidy(text, named[number]) if number in named else self._other(text, language)
            for number, (text, language) in enumerate(items)
        ]

    def _other(self, text: str, language: str) -> list[Mention]:
        if language not in LANGUAGES:
            return []
        tokens = tokenize(text)
        gazetteer = self.gazetteer(language)
        named = russian_mentions(text) if language == "ru" and self.use_ner else []
        sources = [
            gazetteer.find(text, tokens) if gazetteer is not None else [],
            [(s, e) for s, e, _ in named],
            capitalised_spans(text, tokens, language) if language in CAPITALISING else [],
        ]
        return tidy(text, merge(text, tokens, sources, named))


def merge(text: str, tokens: list[Token], sources: list[list[tuple[int, int]]], named: list[Mention]) -> list[Mention]:
    """Sources in order of trust, each longest first; a span overlapping a kept one is cut to the words outside it.
    Labelled by the NER span they overlap, or by their shape."""
    kept: list[tuple[int, int]] = []
    for spans in sources:
        for start, end in sorted(set(spans), key=lambda c: (c[0] - c[1], c[0])):
            kept += _outside(tokens, start, end, kept)
    mentions = []
    for start, end in sorted(kept):
        label = next((lab for s, e, lab in named if s < end and start < e), None)
        mentions.append((start, end, label or shape_label(text[start:end])))
    return mentions


def _outside(tokens: list[Token], start: int, end: int, kept: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The runs of the span's words that overlap no kept span (the whole span when none does)."""
    if not any(s < end and start < e for s, e in kept):
        return [(start, end)]
    pieces: list[tuple[int, int]] = []
    run: list[Token] = []
    for token in tokens:
        if token[1] <= start or token[0] >= end:
            continue
        if any(s < token[1] and token[0] < e for s, e in kept):
            if run:
                pieces.append((run[0][0], run[-1][1]))
            run = []
        else:
            run.append(token)
    if run:
        pieces.append((run[0][0], run[-1][1]))
    return [p for p in pieces if any(c.isupper() for c in text_of(tokens, p)[:1])]


def text_of(tokens: list[Token], span: tuple[int, int]) -> str:
    return next((w for s, _, w in tokens if s == span[0]), "")


DEFAULT = MentionDetector()  # the shipped gazetteers and natasha's Russian NER
PROFILES = ("ner", "fast")  # detection profiles: `fast` leaves natasha's Russian NER out


def detect_mentions(text: str, language: str = "en") -> list[Mention]:
    """(start, end, label) of actor mentions in `text` (offsets into it); [] for a language with no detector."""
    return DEFAULT(text, language)
