"""The per-language word lists of the speaker rules (`narrascope/data/claims_speakers.json`), read once, and the
small text helpers both `claims.speakers` (who speaks) and `claims.propositions` (what is a statement) use."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

TRIM = " ,;:.—–-\u201c\u201d\u201e\"'\u2018\u2019«»()[]"
WORD_EDGE = TRIM + "!?"
# a Bulgarian present active participle ("представляващ Флорида ...", "подходящи за ..."): an apposition, not who
# speaks, and no predicate when a claim text starts with it
BG_PARTICIPLE = re.compile(r"^[а-я]{3,}(?:ащ|ящ|аща|яща|ащи|ящи|ащо|ящо)$")
# where and when a source phrase was said, around who said it (`claims.speakers` strips them)
TIME_LEAD = re.compile(
    r"^(?:(?:в|во|през|на|em|in)\s+(?:\d{4}(?:\s+(?:году|г\.?|година))?|конце\s+\w+|начале\s+\w+|середине\s+\w+"
    r"|началото\s+на\s+\w+|края\s+на\s+\w+|средата\s+на\s+\w+)"
    r"|[^,]{0,60}?\s(?:के\s+बाद|के\s+बीच|के\s+दौरान))\s+",
    re.IGNORECASE,
)

MONTH_LEAD = re.compile(  # "В мае этого года Бербок", "През април друг британски политик ...": the time, then who
    r"^(?:(?:в|во)\s+(?:январе|феврале|марте|апреле|мае|июне|июле|августе|сентябре|октябре|ноябре|декабре"
    r"|прошлом\s+\w+|этом\s+\w+|понедельник|вторник|среду|четверг|пятницу|субботу|воскресенье)"
    r"(?:\s+(?:этого|прошлого|текущего)\s+(?:года|месяца))?"
    r"|(?:през|в)\s+(?:януари|февруари|март|април|май|юни|юли|август|септември|октомври|ноември|декември"
    r"|миналия\s+месец|миналата\s+(?:седмица|година)|понеделник|вторник|сряда|четвъртък|петък|събота|неделя)"
    r"(?:\s+(?:тази|миналата)\s+година)?)\s+",
    re.IGNORECASE,
)

# "адвокат агентству ТАСС", "Песков изданию ...": who speaks, then the medium they spoke to (a dative)
ADDRESSEE = re.compile(
    r"\s+(?:агентству|изданию|телеканалу|газете|порталу|радиостанции|журналу|сайту|телеграм-каналу)(?:\s.*)?$",
    re.IGNORECASE,
)

CONTEXT_LEAD = re.compile(  # "в (том же) интервью ...", "в эфире ...": where it was said, then (maybe) who said it
    r"^(?:в|во)?\s*(?:том\s+же\s+|своем\s+|своём\s+)?(?:интервью|эфире|беседе|разговоре|статье|заявлении)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)

# a Bulgarian past passive participle and "от" ("интервюирани от Asia Times"): who was asked, by whom; not who speaks
BY_PARTICIPLE = re.compile(r"^[а-я]{3,}(?:ани|ени|яни|ити|ана|ена|ян|ан|ен)\s+от\s")

# a direct question's first word (after "и"/"а"/"но"): "И кога на Запад ... ще разберат": it asks, it does not claim
# (not "колко", "какво", "кой": "Колко дълго ... могат да останат, е невъзможно ..." is a question made a subject)
QUESTION_FIRST = {"bg": frozenset({"кога", "защо"}), "ru": frozenset({"почему", "зачем"})}
# Hindi puts its question word where the answer would go ("वो कैसे इस संघर्ष को खत्म करेंगे": how will they end this
# conflict): "how" or "why" anywhere asks (not "क्योंकि", because)
QUESTION_ANY = {"hi": frozenset({"कैसे", "क्यों"})}
# a third-person copula or auxiliary first, after adverbs of time: the subject left in the sentence before ("Днес
# все още е свързано с времето"); a first or second person verb names its subject ("Все още се движим ...")
SUBJECTLESS_FIRST = {"bg": frozenset({"е", "са", "беше", "бяха", "бе", "би"})}
# a lower-case text that opens (after adverbs) on a third-person verb has left its subject in the sentence ("иска да
# работи заедно с Франция", "прави такава плашеща прогноза"): a few common Bulgarian verbs whose forms no noun has
VERB_FIRST_WORDS = {
    "bg": frozenset(
        "иска искат прави правят смята смятат твърди твърдят счита считат вярва вярват знае знаят мисли мислят"
        " планира планират имат оценява оценяват настоява настояват продължава продължават".split()
    )
}
TIME_ADVERBS = {"bg": frozenset({"днес", "сега", "вчера", "утре", "наистина", "обаче"})}


@dataclass(frozen=True)
class SpeakerLists:
    lead: tuple[str, ...]
    trail: tuple[str, ...]
    cut: tuple[str, ...]
    clause_word: frozenset[str]
    not_start: frozenset[str]
    not_word: frozenset[str]
    not_end: frozenset[str]
    generic: frozenset[str]
    titles: frozenset[str]
    fragment_start: tuple[str, ...]
    fragment_end: frozenset[str]
    subordinators: frozenset[str]
    verb: re.Pattern[str] | None  # a word that can be a verb (None: not checked)
    verb_first: tuple[str, ...]
    relatives: frozenset[str]
    not_verbs: frozenset[str]
    relay_markers: tuple[str, ...]
    one_person: frozenset[str]
    many: frozenset[str]
    clause_relatives: frozenset[str]
    short_verb: re.Pattern[str] | None  # a word that can be a verb, checked in short texts only
    person_titles: frozenset[str]
    adverbs: frozenset[str]  # words a claim text may start with before a verb whose subject was left out
    auxiliaries: frozenset[str]  # short_verb_words: copulas, auxiliaries, modals (Bulgarian)


@cache
def speaker_lists(language: str) -> SpeakerLists | None:
    data = json.loads(resources.files("narrascope.data").joinpath("claims_speakers.json").read_text("utf-8"))
    entry = data.get(language)
    if entry is None:
        return None

    def longest_first(words: list[str]) -> tuple[str, ...]:
        return tuple(sorted((w.lower() for w in words), key=len, reverse=True))

    return SpeakerLists(
        lead=longest_first(entry["lead"]),
        trail=longest_first(entry["trail"]),
        cut=tuple(c.lower() for c in entry["cut"]),
        clause_word=frozenset(w.lower() for w in entry["clause_word"]),
        not_start=frozenset(w.lower() for w in entry["not_speaker_start"]),
        not_word=frozenset(w.lower() for w in entry["not_speaker_word"]),
        not_end=frozenset(w.lower() for w in entry["not_speaker_end"]),
        generic=frozenset(w.lower() for w in entry["generic"]),
        titles=frozenset(w.lower() for w in entry["titles"]),
        fragment_start=longest_first(entry["fragment_start"]),
        fragment_end=frozenset(w.lower() for w in entry["fragment_end"]),
        subordinators=frozenset(w.lower() for w in entry["subordinators"]),
        verb=_verb_pattern(entry["verb_words"], entry["verb_endings"]),
        verb_first=tuple(entry["verb_first"]),
        relatives=frozenset(w.lower() for w in entry["relatives"]),
        not_verbs=frozenset(w.lower() for w in entry["not_verbs"]),
        relay_markers=longest_first(entry["relay_markers"]),
        one_person=frozenset(w.lower() for w in entry["one_person"]),
        many=frozenset(w.lower() for w in entry["many"]),
        clause_relatives=frozenset(w.lower() for w in entry["clause_relatives"]),
        short_verb=_verb_pattern(entry["short_verb_words"], entry["short_verb_endings"]),
        person_titles=frozenset(w.lower() for w in entry["person_titles"]),
        adverbs=frozenset(w.lower() for w in entry["adverbs"]),
        auxiliaries=frozenset(w.lower() for w in entry["short_verb_words"]),
    )


def _verb_pattern(words: list[str], endings: list[str]) -> re.Pattern[str] | None:
    if not words and not endings:
        return None
    alternatives = [re.escape(w) for w in words] + [
        rf"\w+(?:{'|'.join(map(re.escape, endings))})" for _ in [0] if endings
    ]
    return re.compile(rf"^(?:{'|'.join(alternatives)})$")


def language_code(language: str | None) -> str:
    return (language or "en").lower()[:2]


def words_of(text: str) -> list[str]:
    return [w.strip(WORD_EDGE).lower() for w in text.split() if w.strip(WORD_EDGE)]
