"""Speakers, or unknown: a claim's source is who asserts it, and its text a complete proposition.

The extractors (`claims/extractor.py` on an English parse, `claims/multilingual.py` by word rules) take the words
before or after a reporting verb as the source. Those words are not always a speaker: a conjunction ("que",
"No entanto"), a clause ("Справедливият мир ще бъде обща победа"), a pronoun left unresolved ("Quando eles"),
a place in the text ("в статията"), a time or a medium around the name ("В конце июня Министерство обороны",
"Zelensky in an interview"). `speaker` tidies a source phrase to the name it holds, or says it holds none
(the claim's source is then unknown), read against the claim's sentence when it is given (a relay, a pronoun
resolved to a name it cannot stand for); `is_proposition` (`claims/propositions.py`) says whether a claim text can
stand as a statement (not "funcionam e corrigir as que não funcionam", not "Об этом в воскресенье, 7 июля"). The
word lists are per language (`narrascope/data/claims_speakers.json`, read by `claims/speaker_lists.py`);
`benchmarks/attribution.py` measures both.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from narrascope.claims import multilingual
from narrascope.claims.attribution import ExtractedClaim, Span
from narrascope.claims.mentions import name_kind
from narrascope.claims.propositions import is_proposition
from narrascope.claims.rules import default_rules
from narrascope.claims.speaker_lists import (
    ADDRESSEE,
    BG_PARTICIPLE,
    BY_PARTICIPLE,
    CONTEXT_LEAD,
    MONTH_LEAD,
    TIME_LEAD,
    TRIM,
    SpeakerLists,
    language_code,
    speaker_lists,
    words_of,
)

MAX_WORDS = 8  # a speaker phrase longer than this is a clause
_CLAUSE = re.compile(r"[;:\u201c\u201d\"]|\s[—–-]\s|\.\s")
_PREPOSITION = re.compile(r"^(?:в|във|во|от)\s+(?P<rest>.+)$", re.IGNORECASE)
_PARTICIPLE = re.compile(
    r"^[а-яё]+(?:вшие|вшиеся|ющие|ющиеся|ящие|ящиеся|вший|вшая|ющий|ющая|ящий|ящая"
    r"|ованная|ованный|ованные|ованное|ованных|ованной)$"
)
_PARTICIPLE_ANY_CASE = re.compile(  # "сделанном в преддверии визита", "находящемся": a participle in any case
    r"^[а-яё]{3,}(?:анн|вш|ющ|ящ)(?:ом|ой|ым|ых|ую|ая|ое|ые|ий|ей|его|ему|ими|ем|ая|ие)(?:ся)?$"
)
_GERUND = {"bg": re.compile(r"[а-я]{3,}йки$"), "pt": re.compile(r"[a-zà-ú]{3,}(?<!cit)(?:ando|endo|indo)$")}
_PT_PAST = re.compile(r"^[a-zà-ú]+(?:ou|iu|eu)$")
# "globalists pushing population replacement scheme": the people, then what they do (not after "the", "its";
# "citing"/"quoting" name the speaker behind a relay, so the phrase is left whole)
_EN_ING = re.compile(
    r"^(?P<who>\S+(?:\s+\S+)*?)(?<!\bthe)(?<!\ba)(?<!\ban)(?<!\bits)(?<!\btheir)"
    r"\s+(?!citing\b|quoting\b|according\b)[a-z]+ing\b.*$"
)
_PAST_VERB = re.compile(r"^[а-яё]+(?:ила|ела|ала|яла|ыла|ил|ел|ал|ял|ыл|или|ели|али|яли|ыли)$")


def _strip_lead(text: str, phrases: tuple[str, ...]) -> str:
    changed = True
    while changed and text:
        changed = False
        lower = text.lower()
        for phrase in phrases:
            if lower.startswith(phrase) and (len(lower) == len(phrase) or not lower[len(phrase)].isalnum()):
                text = text[len(phrase) :].lstrip(TRIM)
                changed = True
                break
    return text


def _strip_trail(text: str, phrases: tuple[str, ...]) -> str:
    """`text` without the lower-case `phrases` it ends with (a capitalised one is a name: "USA Today")."""
    changed = True
    while changed and text:
        changed = False
        for phrase in phrases:
            if text.endswith(phrase) and (len(text) == len(phrase) or not text[-len(phrase) - 1].isalnum()):
                text = text[: -len(phrase)].rstrip(TRIM)
                changed = True
                break
    return text


def speaker(
    language: str | None, phrase: str | None, sentence: str | None = None, written: str | None = None
) -> str | None:
    """The speaker's name `phrase` holds (tidied: no leading "However", trailing "in an interview"), or None when
    it holds none: a clause, a conjunction, a pronoun, an indefinite ("some", "many"), the text itself. With the
    claim's `sentence`, also None for a name the sentence gives only as the relay ("..., цитиран от ТАСС") and
    for a name taken from elsewhere for a pronoun it cannot stand for ("he" -> "Financial Times"). `written`: the
    words the text gives for the source, when known; a name written there ("The Russian Foreign Intelligence
    Service" for "SVR") is the sentence's own, whatever its canonical spelling."""
    name = _name(language, phrase)
    lists = speaker_lists(language_code(language))
    if name is None or sentence is None or lists is None:
        return name
    if _relayed_only(lists, name, sentence) or _gerund_object(language_code(language), phrase or "", sentence):
        return None
    if _list_tail(lists, phrase or "", sentence):
        return None
    own = written is not None and _names_someone(written)
    if not own and not _fits_sentence(language_code(language), lists, name, sentence):
        return None
    return _apposition(name, sentence) or name


_APPOSITION = re.compile(r",\s+(?P<name>(?:[^\W\d_][\w’'.-]*\s+){1,3}[^\W\d_][\w’'.-]*)\s*,")


def _apposition(name: str, sentence: str) -> str | None:
    """The person's name that follows a title in `sentence` between commas ("NATO’s Secretary-General, Jens
    Stoltenberg, has said" -> "Jens Stoltenberg"), when `name` is a lower-case role or a bare title."""
    if any(w[:1].isupper() and not w.isupper() for w in name.split()[1:]):
        return None  # "Ambassador Jakob Linulf": a name already ("глава МИД": a title)
    at = sentence.find(name)
    if at < 0:
        return None
    m = _APPOSITION.match(sentence, at + len(name))
    if m is None or not all(w[:1].isupper() for w in m.group("name").split()):
        return None
    return m.group("name")


def _without_leading_outlet(language: str | None, text: str) -> str:
    """`text` without an outlet it starts with when lower-case words follow ("РИА Новости специалист по работе с
    вооружением": "рассказал РИА Новости специалист ...", the outlet is who was told, the specialist speaks)."""
    code = language_code(language)
    if code not in multilingual.LANGUAGES:
        return text
    m = multilingual.language_rules(code).outlets.match(text)
    rest = text[m.end() :].strip(TRIM) if m is not None else ""
    return rest if rest[:1].islower() else text


_AND = frozenset({"and", "e", "и", "і", "y"})


def _list_tail(lists: SpeakerLists, phrase: str, sentence: str) -> bool:
    """Whether `sentence` gives `phrase` ("Германия и Франция") as the end of a list after a comma and another
    capitalised name ("Екипът от изследователи от Русия, Германия и Франция каза"): the list's last members, not
    whoever heads it."""
    text = " ".join(phrase.split())
    at = sentence.find(text)
    words = text.split()
    if at <= 0 or not _AND & {w.lower() for w in words} or not all(w[:1].isupper() or w in _AND for w in words):
        return False  # names joined by "and" only ("Германия и Франция"), not "a médica de família e comunidade ..."
    before = sentence[:at].rstrip()
    last = before[:-1].split()[-1:] if before.endswith(",") else []
    # "However, Raupp and Litterst say": a lead word before the comma, not another name of the list
    return bool(last) and last[0][:1].isupper() and last[0].lower().strip(TRIM) not in lists.lead


def _gerund_object(language: str, phrase: str, sentence: str) -> bool:
    """Whether `sentence` gives `phrase` right after a gerund ("..., подчертавайки сложните взаимодействия между
    ...", "sublinhando a importância de ..."): the phrase is what the gerund is about, not who speaks."""
    gerund = _GERUND.get(language)
    at = sentence.find(" ".join(phrase.split()))
    if gerund is None or at <= 0:
        return False
    before = sentence[:at].split()
    return bool(before) and gerund.fullmatch(before[-1].strip(TRIM).lower()) is not None


def _relayed_only(lists: SpeakerLists, name: str, sentence: str) -> bool:
    """Whether every place `sentence` names `name` comes right after a relay marker ("cited by", "цитиран от",
    "citado pela"): the name relays the claim, someone else in the sentence said it."""
    lower, wanted = sentence.lower(), name.lower()
    places = _places(lower, wanted)
    if not places or not lists.relay_markers:
        return False
    return all(
        any(before.endswith(marker) for marker in lists.relay_markers)
        for before in (lower[:at].rstrip(TRIM + " ") for at in places)
    )


def _places(text: str, literal: str) -> list[int]:
    """Where `literal` starts in `text`, occurrences not overlapping (`re.finditer` of the escaped literal, without
    compiling a pattern per name)."""
    if not literal:
        return list(range(len(text) + 1))
    places, at = [], text.find(literal)
    while at >= 0:
        places.append(at)
        at = text.find(literal, at + len(literal))
    return places


def _fits_sentence(language: str, lists: SpeakerLists, name: str, sentence: str) -> bool:
    """Whether a `name` its `sentence` does not hold (taken from elsewhere for a pronoun of the sentence) can be
    the sentence's speaker: not when the sentence names its own ("..., Milley said", "Der Spiegel reported"), and
    only as the pronoun allows: one person ("he", "she") is never an organisation, many ("they") never one person."""
    words = set(words_of(sentence))
    if not lists.one_person or _in_sentence(name, sentence):
        return True
    if language == "en" and _names_own_speaker(sentence):
        return False
    one, many = bool(words & lists.one_person), bool(words & lists.many)
    kind = name_kind(name) if language == "en" else _kind_by_words(language, lists, name)
    if one and not many:
        return kind != "ORG"
    if many and not one:
        return not (kind == "PERSON" and not any(w.isupper() and len(w) > 1 for w in name.split()))
    return True


def _names_someone(written: str) -> bool:
    """Whether the words a text gives for a source name someone (a capitalised word that is not the sentence's
    first word alone: "The Russian Foreign Intelligence Service", not "He" or "the agency")."""
    words = written.split()
    if any(w[:1].isupper() for w in words[1:]):
        return True
    return len(words) == 1 and words[0][:1].isupper() and words[0].lower() not in _PRONOUNS


_PRONOUNS = frozenset("he she they it we i он она они оно мы той тя те ние ele ela eles elas nós".split())


def _kind_by_words(language: str, lists: SpeakerLists, name: str) -> str:
    """ORG for an outlet of the language's list, an acronym first ("ТАСС", "МИД России") or a capitalised word and
    lower-case ones with no person's title ("Европейская правда", "Министерство обороны"); PERSON for a person's
    title first ("глава МИД") or two or more capitalised words ("Владимир Путин"); else UNK."""
    words = name.split()
    if language in multilingual.LANGUAGES and multilingual.language_rules(language).outlets.fullmatch(name):
        return "ORG"
    if words[0].isupper() and len(words[0]) > 1:
        return "ORG"
    if words[0].lower() in lists.person_titles:
        return "PERSON"
    if len(words) >= 2 and all(w[:1].isupper() for w in words):
        return "PERSON"
    if len(words) >= 2 and words[0][:1].isupper() and all(w[:1].islower() for w in words[1:]):
        return "ORG"
    return "UNK"


def _in_sentence(name: str, sentence: str) -> bool:
    """Whether `sentence` holds `name`: one of its capitalised words (all its words of four letters or more
    when none is capitalised), word starts compared so inflected forms match."""
    words = [w for w in name.split() if w[:1].isupper()] or [w for w in name.split() if len(w) >= 4]
    held = {w[:5] for w in words_of(sentence)}
    return any(w[:5] in held for w in words_of(" ".join(words)))


_NAMED_SPEAKER = re.compile(r"\b[A-Z][\w’'.-]+,?\s+(?P<verb>[a-z]+)\b")
_NOT_NAMES = frozenset({"this", "that", "these", "those", "there", "here", "one", "some", "many", "others"})


def _names_own_speaker(sentence: str) -> bool:
    """Whether a capitalised word inside `sentence` (a name, not a pronoun) comes right before a reporting verb:
    "Milley said", "Der Spiegel reported", "McCaul, says"."""
    rules = default_rules()
    for m in _NAMED_SPEAKER.finditer(sentence):
        before = m.group().split()[0].strip(",").lower()
        if (
            m.group("verb") in rules.verb_forms
            and before not in rules.pronouns
            and before not in rules.not_sources
            and before not in _NOT_NAMES
        ):
            return True
    return False


def _name(language: str | None, phrase: str | None) -> str | None:
    """`speaker` without the sentence: the name the phrase holds, or None."""
    if not phrase:
        return None
    lists = speaker_lists(language_code(language))
    text = " ".join(phrase.split()).strip(TRIM)
    if lists is None:
        return text or None
    if _CLAUSE.search(text) or "[" in text or "]" in text or any(w in lists.clause_word for w in words_of(text)):
        return None
    lower = text.lower()
    for marker in lists.cut:  # "Zelensky in an interview with ...", "जेलेंस्की ने टेलीग्राम पर"
        at = lower.find(marker)
        if at < 0 and marker.startswith(" "):  # "Сиярто (цитиран от РИА Новости)": the marker in brackets
            at = lower.find(" (" + marker[1:])
        if at > 0:
            text, lower = text[:at], lower[:at]
    if "," in text:  # "Irene Santa, do eltiempo.es": the name; "o porta-voz do Kremlin, Dmitry Peskov": the name
        parts = [p.strip(TRIM) for p in text.split(",") if p.strip(TRIM)]
        if len(parts) > 2:
            return None  # "доклад, публикуван днес в Давос, Швейцария, предаде БТА": a clause, not a titled name
        named = [p for p in parts if p[:1].isupper()]
        text = named[-1] if parts and not parts[0][:1].isupper() and named else (parts[0] if parts else "")
    text = MONTH_LEAD.sub("", TIME_LEAD.sub("", _strip_lead(text, lists.lead)))
    text = _strip_trail(_strip_lead(text, lists.lead), lists.trail).strip(TRIM)
    for opening, closing in (("(", ")"), ("«", "»"), ("„", "“")):
        if text.count(opening) > text.count(closing):
            text += closing  # "Американският петролен институт (API)": the trimming took the closing bracket
    context = CONTEXT_LEAD.match(text)
    if context is not None and (name := _last_name_run(context.group("rest"))):
        text = name  # "В интервью газете Yomiuri Йенс Столтенберг": the interview, then who gave it
    text = ADDRESSEE.sub("", text) or text
    text = _without_leading_outlet(language, text)
    parts = text.split()
    if (
        len(parts) > 1
        and _PAST_VERB.match(parts[-1])
        and parts[-1] not in lists.not_verbs  # "Пятый канал": a noun
        and any(p[:1].isupper() for p in parts[:-1])
    ):
        text = " ".join(parts[:-1])  # "Кая Каллас поспешила": the name, not the verb after it
    if language_code(language) == "en" and len(parts) > 1 and (ing := _EN_ING.match(text)) is not None:
        # "globalists pushing ..." -> "globalists"; "climate science denying group the Global Warming Policy
        # Foundation": the name after the -ing phrase is who speaks, not the words before it
        behind = _last_name_run(text[len(ing.group("who")) :]) if ing.group("who").islower() else None
        text = behind or ing.group("who")
    if len(parts) == 1 and (_PAST_VERB.match(text) or _PT_PAST.match(text)) and text.islower():
        return None  # "сделал", "tentou": a verb, no one named
    preposition = _PREPOSITION.match(text)
    if preposition is not None:  # "в СБУ" (the SBU), but "в статията" (in the article) names no one
        text = preposition.group("rest")
    words = words_of(text)
    if not words or len(words) > MAX_WORDS or len(text) < 2:
        return None
    if words[0] in lists.not_start or words[-1] in lists.not_end or any(w in lists.not_word for w in words):
        return None
    if _PARTICIPLE.match(words[0]) or (len(words[0]) >= 8 and _PARTICIPLE_ANY_CASE.match(words[0])):
        return None  # "Распространившиеся в СМИ ...": a participle's phrase, not who speaks
    if text[:1].islower() and (BG_PARTICIPLE.match(words[0]) or BY_PARTICIPLE.match(text)):
        return None  # "представляващ Флорида ...", "интервюирани от Asia Times": what someone does, or who did it
    if all(w in lists.generic for w in words) or any(ch.isdigit() for ch in text):
        return None
    if lists.titles and text[:1].islower() and words[0] not in lists.titles:
        return None  # Portuguese: a speaker starts with a name, an article or a title
    if _headline(text) or text.endswith(("’s", "'s")):
        return None  # "the tweet’s" [timing suggested]: a possessive, the name of what it owns cut off
    return text


def _last_name_run(text: str) -> str | None:
    """The last run of capitalised words of `text` in one script ("газете Yomiuri Йенс Столтенберг" -> "Йенс
    Столтенберг", "Столтенберг «успокоил» европейцев" -> "Столтенберг"), or None."""
    runs: list[list[str]] = [[]]
    for word in text.split():
        if word[:1].isupper():
            runs[-1].append(word)
        elif runs[-1]:
            runs.append([])
    run = next((r for r in reversed(runs) if r), [])
    if not run:
        return None
    cyrillic = "\u0400" <= run[-1][0] <= "\u04ff"
    kept = [w for w in run if ("\u0400" <= w[0] <= "\u04ff") == cyrillic]
    return " ".join(kept).strip(TRIM) or None


def _headline(text: str) -> bool:
    """A run of capitalised words that reads as a headline glued to a name ("Bolster Security Work Within SCO The
    Russian"): more than five words, all capitalised, or "The" inside."""
    words = text.split()
    capitalised = [w for w in words if w[:1].isupper()]
    return (len(words) > 5 and len(capitalised) == len(words)) or any(w == "The" for w in words[1:])


def tidy_claims(
    claims: list[ExtractedClaim], text: str, language: str | None, sentences: Sequence[Span] = ()
) -> list[ExtractedClaim]:
    """`claims` of `text` whose text is a proposition, each source tidied to its speaker or made unknown (its
    span then points at the speaker's name inside the phrase, or nowhere). With the text's `sentences`, each
    source is also read against its claim's sentence (a relay, a pronoun it cannot stand for)."""
    kept = []
    for claim in claims:
        sentence = text[slice(*sentences[claim.sentence])] if claim.sentence < len(sentences) else None
        if not is_proposition(language, text[claim.start : claim.end], sentence):
            continue
        if claim.source:
            s, e = claim.source_span or (0, 0)
            name = speaker(language, claim.source, sentence, text[s:e] if e > s else None)
            if name is None:
                claim.source, claim.source_span, claim.source_kind = None, None, "UNK"
            elif name != claim.source:
                claim.source = name
                if claim.source_span is not None:
                    s, e = claim.source_span
                    at = text.find(name, s, e)
                    if at < 0 and claim.sentence < len(sentences):  # a name in apposition, after the title
                        at = text.find(name, *sentences[claim.sentence])
                    claim.source_span = (at, at + len(name)) if at >= 0 else None
        kept.append(claim)
    return kept
