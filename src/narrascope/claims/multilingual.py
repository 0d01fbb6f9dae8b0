"""Claims in Bulgarian, Hindi, Portuguese and Russian: rules over a sentence's words, no parser.

spaCy's English model is the only parser shipped, so the other languages use the shape reported speech takes
in news text, with per-language word lists (`narrascope/data/claims_languages/{bg,hi,pt,ru}.json`):

- "X заяви, че C" / "X disse que C" / "X ने कहा कि C": the source before the verb, the claim after "that";
- "«C», — заявил X" / "„C“, каза X" / "C, disse X": the claim before the verb, the source after it;
- "По словам X, C" / "Според X, C" / "Segundo X, C" / "X के अनुसार, C": the source in the phrase, the claim
  in the rest of the sentence.

A pronoun source ("он", "той", "ele", "उन्होंने") is the previous claim's speaker within two sentences, else
unknown. An outlet named in the sentence outside the claim is its relay. All offsets are clean-text offsets.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from importlib import resources

from narrascope.claims.attribution import ExtractedClaim
from narrascope.claims.rules import phrase_regex

LANGUAGES = ("bg", "hi", "pt", "ru")
_TRIM = " ,;:.—–-\u201c\u201d\u201e\"'\u2018\u2019«»"
_QUOTED = re.compile(r"[«„“\"](?P<claim>[^«»„“”\"]{12,}?)[»“”\"]\s*[,.]?\s*[—–-]*\s*(?P<rest>.+)$", re.DOTALL)
_WORD = r"[\w\u0900-\u097f]"
Span = tuple[int, int]
_CITED_BY = ("цитиран", "citad")  # "cited by X" (bg, pt): X relays the speaker named elsewhere in the sentence
_LEAD = frozenset(
    """ранее при этом также в во на по еще ещё още по-рано тогава също а и но днес вчера сегодня ontem hoje mas
    ao sem o a os as também já em no na e depois antes entretanto january february march april may june july
    august september october november december января февраля марта апреля мая июня июля августа сентября
    октября ноября декабря януари февруари март април май юни юли август септември октомври ноември декември
    janeiro fevereiro março abril maio junho julho agosto setembro outubro novembro dezembro""".split()
)


@dataclass(frozen=True)
class LanguageRules:
    verbs: re.Pattern[str]  # a reporting verb (stems match word starts)
    that: re.Pattern[str]
    according: re.Pattern[str]
    pronouns: frozenset[str]
    hedges: re.Pattern[str]
    disputes: re.Pattern[str]
    endorses: re.Pattern[str]
    outlets: re.Pattern[str]
    postposition: bool  # Hindi: "X के अनुसार" (the source before the phrase)


def _stems(words: list[str]) -> re.Pattern[str]:
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!{_WORD})(?:{body}){_WORD}*", re.IGNORECASE)


def _whole(words: list[str]) -> re.Pattern[str]:
    body = "|".join(re.escape(w).replace(r"\ ", r"\s+") for w in sorted(words, key=len, reverse=True))
    return re.compile(rf"(?<!{_WORD})(?:{body})(?!{_WORD})", re.IGNORECASE)


@cache
def language_rules(language: str) -> LanguageRules:
    path = resources.files("narrascope.data").joinpath(f"claims_languages/{language}.json")
    data = json.loads(path.read_text("utf-8"))
    return LanguageRules(
        verbs=_stems(data["verbs"]),
        that=_whole(data["that"]),
        according=_whole(data["according_to"]),
        pronouns=frozenset(p.lower() for p in data["pronouns"]),
        hedges=_stems(data["hedges"]),
        disputes=_stems(data["disputes"]),
        endorses=_stems(data["endorses"]),
        outlets=phrase_regex(data["outlets"], case=True),
        postposition=language == "hi",
    )


def extract(language: str, text: str, sentences: Sequence[Span], *, max_sentence: int = 3_000) -> list[ExtractedClaim]:
    """Claims of `text` (in `language`, one of LANGUAGES), given its sentences as clean spans."""
    rules = language_rules(language)
    claims: list[ExtractedClaim] = []
    for index, (s, e) in enumerate(sentences):
        if e - s > max_sentence:
            continue
        sentence = text[s:e]
        if not (rules.verbs.search(sentence) or rules.according.search(sentence)):
            continue
        found = _sentence_claim(rules, sentence)
        if found is None:
            continue
        (cs, ce), source, cue = found
        cs, ce = _trim(sentence, cs, ce)
        if ce - cs < 12 or len(sentence[cs:ce].split()) < 3:
            continue
        claim = ExtractedClaim(s + cs, s + ce, sentence=index, cue=(s + cue[0], s + cue[1]))
        _set_source(claim, rules, sentence, s, source, claims)
        _set_relay(claim, rules, sentence, s)
        claim.hedges = [(s + m.start(), s + m.end()) for m in rules.hedges.finditer(sentence, cs, ce)]
        claim.stance, claim.stance_score = _stance(rules, sentence, claim)
        claim.score = 0.8 if claim.source else 0.5
        claims.append(claim)
    return claims


def _sentence_claim(rules: LanguageRules, sentence: str) -> tuple[Span, Span | None, Span] | None:
    """(claim span, source span or None, cue span) in sentence offsets."""
    quoted = _QUOTED.match(sentence.strip()) if sentence.lstrip()[:1] in '«„“"' else None
    if quoted is not None:  # «C», — заявил X.
        lead = len(sentence) - len(sentence.lstrip())
        verb = rules.verbs.search(quoted.group("rest"))
        if verb is not None and verb.start() < 40:
            rest_at = lead + quoted.start("rest")
            after = (rest_at + verb.end(), len(sentence))
            return (
                (lead + quoted.start("claim"), lead + quoted.end("claim")),
                after,
                (rest_at + verb.start(), rest_at + verb.end()),
            )
    according = rules.according.search(sentence)
    if according is not None and according.group().lower().startswith(_CITED_BY):
        according = None  # "..., пише The Washington Post, цитиран от Фокус": the outlet relays, it does not speak
    if according is not None:
        comma = sentence.find(",", according.end())
        if rules.postposition:  # "X के अनुसार, C"
            start = max(sentence.rfind(",", 0, according.start()) + 1, 0)
            if according.end() < len(sentence) - 10:
                return (according.end(), len(sentence)), (start, according.start()), according.span()
        elif according.start() <= 3 and comma > 0:  # "По словам X, C"
            return (comma + 1, len(sentence)), (according.end(), comma), according.span()
        elif according.start() > 10:  # "C, segundo X"
            return (0, according.start()), (according.end(), len(sentence)), according.span()
    for verb in rules.verbs.finditer(sentence):
        that = rules.that.search(sentence, verb.end(), verb.end() + 60)
        if that is not None and verb.start() > 0:  # X заяви, че C
            left = sentence[: verb.start()].rstrip(" ,")  # "O porta-voz do Kremlin, Dmitry Peskov, disse"
            head = left.rfind(",")
            source_start = head + 1 if head > 0 and len(left) - head < 80 else 0
            return (that.end(), len(sentence)), (source_start, verb.start()), verb.span()
        comma = sentence.rfind(",", 0, verb.start())
        if comma > 10 and verb.start() - comma <= 4:  # C, disse X.  /  C, сообщили в Минобороны РФ.
            return (0, comma), (verb.end(), len(sentence)), verb.span()
    return None


def _trim(sentence: str, start: int, end: int) -> Span:
    while start < end and sentence[start] in _TRIM:
        start += 1
    while end > start and sentence[end - 1] in _TRIM + "।":
        end -= 1
    for opening, closing in (("(", ")"), ("«", "»"), ("„", "“"), ("“", "”")):
        text = sentence[start:end]
        if text.count(opening) > text.count(closing) and sentence[end : end + 1] == closing:
            end += 1  # keep a bracket or quote the claim opened
    return start, end


def _set_source(
    claim: ExtractedClaim,
    rules: LanguageRules,
    sentence: str,
    base: int,
    span: Span | None,
    earlier: list[ExtractedClaim],
) -> None:
    if span is None:
        return
    start, end = _trim(sentence, *span)
    while True:  # "Ранее", "При этом", "в Минобороны", "На 6 юни": the source starts after them
        word = re.match(r"\S+\s*", sentence[start:end])
        if word is None or not (word.group().strip(",").lower() in _LEAD or any(ch.isdigit() for ch in word.group())):
            break
        start += word.end()
    tail = re.search(r"\s+(?:ने|का|की|के|को)$", sentence[start:end])  # Hindi case markers: "पीएम ने"
    if tail is not None:
        end = start + tail.start()
    phrase = sentence[start:end]
    words = phrase.split()
    if not words or len(words) > 12 or len(phrase) < 3:
        return
    if phrase.lower() in rules.pronouns or words[0].lower() in rules.pronouns:
        previous = earlier[-1] if earlier else None
        if previous is not None and previous.source and previous.sentence >= claim.sentence - 2:
            claim.source, claim.source_kind = previous.source, previous.source_kind
        return
    claim.source_span = (base + start, base + end)
    claim.source = phrase
    claim.source_kind = "ORG" if rules.outlets.fullmatch(phrase) else "UNK"


def _set_relay(claim: ExtractedClaim, rules: LanguageRules, sentence: str, base: int) -> None:
    for m in rules.outlets.finditer(sentence):
        at = base + m.start()
        if claim.start <= at < claim.end:
            continue
        claim.relay, claim.relay_span = m.group(), (at, base + m.end())
        return


def _stance(rules: LanguageRules, sentence: str, claim: ExtractedClaim) -> tuple[str, float]:
    if rules.disputes.search(sentence):
        return "disputes", 0.7
    if rules.endorses.search(sentence):
        return "endorses", 0.7
    return "reports", 0.6
