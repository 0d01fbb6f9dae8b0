"""What is a statement: whether a claim text can stand as a complete proposition (subject and predicate), read
with the language's word lists (`claims.speaker_lists`). `claims.speakers.tidy_claims` drops the texts that cannot;
`benchmarks/attribution.py` measures it."""

from __future__ import annotations

import re

from narrascope.claims import multilingual
from narrascope.claims.rules import default_rules
from narrascope.claims.speaker_lists import (
    BG_PARTICIPLE,
    QUESTION_ANY,
    QUESTION_FIRST,
    SUBJECTLESS_FIRST,
    TIME_ADVERBS,
    TRIM,
    VERB_FIRST_WORDS,
    WORD_EDGE,
    SpeakerLists,
    language_code,
    speaker_lists,
    words_of,
)

_PT_PURPOSE = re.compile(r"^para\s+\w+(?:ar|er|ir|ôr)\b[^,]*$", re.IGNORECASE)
# "we find,” the , “that ...", "do the not correct": an article followed by no noun is a garbled text
_EN_GARBLED = re.compile(
    r"\b(?:the|a|an)(?:\s*[,.;:]|\s+(?:not|is|are|was|were|we|we[’']re|they|of|to|and|or)\b)", re.IGNORECASE
)


def is_proposition(language: str | None, text: str, sentence: str | None = None) -> bool:
    """Whether a claim text can stand as a statement: at least three words, not starting with a conjunction or a
    verb that needs the subject left out ("é uma ...", "был расстроен", "ще подпише"), not ending on a function
    word, brackets not closed before they open. With the claim's `sentence`, also not the lower-case start of a
    sentence (the tail of a sentence cut in two: "плажа, на който имаше туристи, ..., това беше акт на война")."""
    words = words_of(text)
    if len(words) < 3:
        return False
    if sentence is not None and _cut_sentence_start(text, sentence):
        return False
    lists = speaker_lists(language_code(language))
    if lists is not None and not _sentence_shape(lists, text, words):
        return False
    if language_code(language) == "en" and (_EN_GARBLED.search(text) or _en_frame_only(words)):
        return False
    if _frame_inside(language_code(language), text) or _frame_first(language_code(language), text):
        return False
    if sentence is not None and (
        _quote_runs_on(language_code(language), lists, text, sentence)
        or _subject_before_frame(language_code(language), text, sentence)
    ):
        return False
    if lists is not None and _no_statement_first(language_code(language), lists, text, words):
        return False
    if text.rstrip(TRIM).endswith("?") and "," not in text:
        return False  # "България била ангажирана ...?": a question asks, it does not claim
    if words[1] == "ли" and language_code(language) in ("bg", "ru"):
        return False  # "Иска ли ЕС да решава ...", "Хочет ли Европа ...": the question particle, a question
    if language_code(language) == "pt" and (_PT_PURPOSE.match(text) or words[-2] in ("tendo", "sendo", "havendo")):
        return False  # "Para dar volta à situação": a purpose, no statement; "..., tendo provocado": cut mid-clause
    for opening, closing in (("(", ")"), ("[", "]")):
        opened = 0
        for ch in re.sub(r"(?<![\w(])\w\)", " ", text):  # "1) NATO powers must ...": a list, not a bracket
            opened += (ch == opening) - (ch == closing)
            if opened < 0:
                return False  # "There is a] perception ...": the text starts inside a bracket
    return True


def _cut_sentence_start(text: str, sentence: str) -> bool:
    """Whether `text` opens its `sentence` with a lower-case letter: no sentence starts so, the text is what is left
    of one cut in two (a quote's second half, a splitter's cut), its subject or its verb in the part before."""
    start, opening = text.lstrip(WORD_EDGE), sentence.lstrip(WORD_EDGE)
    return start[:1].islower() and opening.startswith(start[:40])


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
    if len(lower) > 2 and lower[0] in _ABOUT:
        lower = lower[1:]  # "Об этом пишет РИА Новости", "За това съобщи ...": about this, and who reports it
    if len(lower) > 3 and lower[1].isdigit() and lower[2] in _MONTHS:
        lower = lower[:1] + lower[3:]  # "Об этом 7 июля сообщила газета ...": the day it was reported
    if _ends_on_past_report(language, lower):
        return True  # "На следующий день, 2 июля, ... Мао Нин подчеркнула": who said, what was said cut off
    return (
        lower[0] in _THIS
        and any(_reporting_verb(language, w) for w in lower[1:3])
        and not any(w in _THAT for w in lower[1:])
    )


_MONTHS = frozenset(
    "января февраля марта апреля мая июня июля августа сентября октября ноября декабря януари февруари март"
    " април май юни юли август септември октомври ноември декември".split()
)
_PAST_REPORT = {"ru": re.compile(r".+(?:л|ла|ло|ли)$"), "pt": re.compile(r".+(?:ou|eu|iu|aram|eram|iram)$")}


def _ends_on_past_report(language: str, lower: list[str]) -> bool:
    """Whether a text ends on a reporting verb in the past (Russian, Portuguese: "... подчеркнула", "... afirmou"):
    the frame of a statement whose content the cut left out."""
    past = _PAST_REPORT.get(language)
    return past is not None and past.match(lower[-1]) is not None and _reporting_verb(language, lower[-1])


def _quote_runs_on(language: str, lists: SpeakerLists | None, text: str, sentence: str) -> bool:
    """Whether `text` is a quote its sentence goes on past with more of the same clause ("“... desacreditam”
    aquelas promessas, considerou o grupo": the quote is part of a statement, its object outside): a closing quote
    right after the text, then a lower-case word that is no reporting verb, adverb, conjunction or subordinator."""
    at = sentence.find(text)
    if at < 0:
        return False
    after = re.match(r"\s*[\u201d\u00bb\u201c\"]+\s*(?P<word>[^\W\d_][\w-]*)", sentence[at + len(text) :])
    if after is None or not after.group("word")[:1].islower():
        return False
    word = after.group("word").lower()
    if _reporting_verb(language, word) or word in _AND_OR:
        return False
    return lists is None or not (word in lists.adverbs or word in lists.subordinators or word in lists.lead)


_ALTHOUGH = frozenset({"въпреки че", "без да"})
_AND_OR = frozenset({"and", "or", "but", "e", "ou", "mas", "и", "а", "но", "или", "और"})


def _subject_before_frame(language: str, text: str, sentence: str) -> bool:
    """Whether a short `text` is only the subject its sentence's parenthetical frame splits from the predicate
    ("Реалният брой на смъртните случаи, отбелязва CNN, може да е по-висок": the text before the frame says nothing
    yet): the text, a comma, a reporting verb and who, a comma, and a lower-case word that goes on."""
    at = sentence.find(text)
    if at < 0 or len(words_of(text)) > 8:
        return False
    frame = re.match(r"\s*,\s*(?P<verb>[^\W\d_]+)[^,]{0,60},\s*(?P<next>[^\W\d_]+)", sentence[at + len(text) :])
    return (
        frame is not None
        and frame.group("next")[:1].islower()
        and _reporting_verb(language, frame.group("verb").lower())
    )


def _no_statement_first(language: str, lists: SpeakerLists, text: str, words: list[str]) -> bool:
    """Whether `words` open (after a conjunction, adverbs of time) as a direct question ("И кога на Запад ... ще
    разберат") or with a third-person copula whose subject is in the sentence before ("Днес все още е свързано"),
    or, in lower case, with a third-person verb ("иска да работи заедно с Франция")."""
    first = words[1] if words[0] in _AND_OR and len(words) > 1 else words[0]
    if first in QUESTION_FIRST.get(language, ()) or QUESTION_ANY.get(language, frozenset()).intersection(words):
        return True
    if " ".join(words[:2]) in _ALTHOUGH and "," not in text:
        return True  # "Въпреки че ситуацията на фронта се променя", "без да нарушават ...": no main clause
    skip = lists.adverbs | TIME_ADVERBS.get(language, frozenset())
    at = 0
    while at < len(words) - 1 and words[at] in skip:
        at += 1
    if words[at] in SUBJECTLESS_FIRST.get(language, ()):
        return True
    return not text.lstrip(WORD_EDGE)[:1].isupper() and words[at] in VERB_FIRST_WORDS.get(language, ())


_THIS = frozenset({"this", "това", "такова", "это", "этом", "такое", "такую", "isto", "isso", "tal"})
_ABOUT = frozenset({"об", "о", "за", "about", "sobre"})
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
    # "tornou-se depósito", "abstiveram-se": the verb and its clitic; not last ("baseiam-se" [em ...]: cut before
    # its complement)
    verbs += [w.split("-")[0] for w in verbs if "-" in w and w != words[-1]]
    verbs += [d for d in ("—", "–") if f" {d} " in text]
    if lists.verb is not None and not any(lists.verb.match(w) for w in verbs):
        return False  # "O ex-presidente da Rússia, Dmitri Medvedev", "Desde a retirada de Avdiivka": no predicate
    if lists.short_verb is not None and len(words) <= 4 and not any(lists.short_verb.match(w) for w in verbs):
        return False  # "В този случай", "Кристал на растежа": a few words, none a verb
    if words[0] in lists.subordinators and not re.search(r",(?!\s*\d)", text):
        return False  # "Ако трябваше да избирам", "While the population reached 8bn on November 15, 2022"
    lower = " ".join(words)
    verb_first = lists.verb is not None and lists.verb.match(words[0]) is not None  # "É que ...": emphasis
    if words[0] in lists.relatives or (len(words[0]) <= 3 and words[1] in lists.relatives and not verb_first):
        return False  # "с която да посрещне ...", "in which ...": a relative clause
    if words[-1] in lists.fragment_end and words[-1] in lists.not_end:
        return False  # "... incluindo crianças, e", "All backed, of course, by": a function word last
    if _name_and_relative(lists, text):
        return False  # "Уолц, който е ветеран от войната в Афганистан": who, and a clause about them; no predicate
    if lists.verb is None and _name_and_apposition(lists, text):
        return False  # "Съавторът д-р Юнис Ло, научен сътрудник ... в Университета на Бристол": who, no predicate
    if "," in text and _full_name(text.rsplit(",", 1)[1].strip(TRIM)) and not _title_case(text):
        return False  # "No dia 29 do mesmo mês, o presidente da Rússia, Vladimir Putin": the subject, no predicate
    if not text.lstrip(WORD_EDGE)[:1].isupper():  # "And that's when ...", "И они получили": a quoted sentence
        if _starts_with(lower, lists.fragment_start) and not _condition_then_subject(lists, text, words):
            return False
        if words[-1] in lists.fragment_end or _PT_CLITIC_VERB.match(lower) or BG_PARTICIPLE.match(words[0]):
            return False  # "a escutavam em Glasgow", "подходящи за изпратените ... боеприпаси": no subject
        if _verb_after_aside(lists, text):
            return False  # "por sua iniciativa, contactou o administrador ...": an aside, then the verb
        first, rest = _after_adverbs(lists, words)
        if rest is not words and _starts_with(" ".join(rest), lists.fragment_start):
            return False  # "ainda não ...", "também é ...": adverbs, then what the subject left behind said
        if (
            len(first) > 4
            and first.endswith(lists.verb_first or ("\x00",))
            and first not in lists.not_verbs
            and not _subject_first(lists, first, rest)
        ):
            return False  # "funcionam e corrigir ...", "apenas prolongam o conflito": the verb, its subject left behind
    return True


# a Portuguese object pronoun and a past verb first: a relative clause's tail ("que a escutavam em Glasgow")
_PT_CLITIC_VERB = re.compile(r"^(?:a|o|as|os|lhe|lhes|me|te|nos|vos)\s+\w{2,}(?:avam|iam|aram|eram|iram|ou|iu)\b")


def _condition_then_subject(lists: SpeakerLists, text: str, words: list[str]) -> bool:
    """Whether a lower-case text opening with a subordinator has a main clause with its own subject after the
    condition ("ако Владимир Путин постигне целите си, Русия ще се насочи ..."): a capitalised word after a comma."""
    return (
        words[0] in lists.subordinators
        and re.search(r",\s*[\"«„“]?[^\W\d_]", text) is not None
        and any(part.strip().lstrip('"«„“')[:1].isupper() for part in text.split(",")[1:])
    )


def _verb_after_aside(lists: SpeakerLists, text: str) -> bool:
    """Whether a lower-case text opens with a short aside and a comma, then a verb whose subject was left out ("por
    sua iniciativa, contactou o administrador ..."; not "imediatamente após o ataque, os meios ... organizaram")."""
    if "," not in text or lists.verb is None or not lists.verb_first:
        return False
    aside, rest = text.split(",", 1)
    aside_words, rest_words = words_of(aside), words_of(rest)
    if not rest_words or len(aside_words) > 5 or any(lists.verb.match(w) for w in aside_words):
        return False
    first = rest_words[0]
    return (
        len(first) > 4
        and first.endswith(lists.verb_first)
        and first not in lists.not_verbs
        and not _subject_first(lists, first, rest_words)
    )


def _subject_first(lists: SpeakerLists, first: str, words: list[str]) -> bool:
    """Whether a first word ending like a present verb ("-a", "-e") is a noun, the subject of a finite verb right
    after it ("frota global pode atingir ...", "procura será impulsionada ...": a headline's subject without its
    article), not a verb itself ("confessa ter desistido", "afirma que é ...")."""
    if lists.verb is None or not first.endswith(("a", "e")):
        return False
    for word in words[1:3]:
        if word in lists.relatives or word in _THAT:
            return False
        if lists.verb.match(word) and not word.endswith(("ar", "er", "ir", "ndo")) and word not in lists.not_verbs:
            return True
    return False


def _after_adverbs(lists: SpeakerLists, words: list[str]) -> tuple[str, list[str]]:
    """The first word of `words` that is not one of the language's adverbs ("apenas", "já", a word in -mente: not a
    verb, though it ends like one), and the words from there."""
    if not lists.adverbs:
        return words[0], words
    at = 0
    while at < len(words) - 1 and (words[at] in lists.adverbs or words[at].endswith("mente")):
        at += 1
    return words[at], words[at:] if at else words


def _name_and_apposition(lists: SpeakerLists, text: str) -> bool:
    """Whether `text` is only a name and a lower-case apposition after one comma, with no auxiliary, copula or
    modal anywhere (Bulgarian, where no verb list is kept: "Съавторът д-р Юнис Ло, научен сътрудник ...")."""
    parts = [p.strip(TRIM) for p in text.split(",")]
    if len(parts) != 2 or not lists.auxiliaries or not parts[1][:1].islower():
        return False
    head = parts[0].split()
    if len(head) < 2 or not all(w[:1].isupper() for w in head[-2:]):
        return False
    return not any(w in lists.auxiliaries for w in words_of(text))


def _name_and_relative(lists: SpeakerLists, text: str) -> bool:
    """Whether `text` is only a name and a relative clause about it ("Уолц, който е ветеран от войната в
    Афганистан", "Stoltenberg, who ..."): one to three capitalised words, a comma, a relative pronoun to the end."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 2 or not lists.clause_relatives:
        return False
    head, clause = parts[0].split(), words_of(parts[1])
    return (
        1 <= len(head) <= 3
        and all(w[:1].isupper() for w in head)
        and bool(clause)
        and (clause[0] in lists.clause_relatives)
    )
