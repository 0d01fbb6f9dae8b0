"""The word lists of the claims component, loaded from `narrascope/data/claims.json`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from narrascope.errors import NarrascopeError


def _inflect(lemma: str) -> set[str]:
    stem = lemma[:-1] if lemma.endswith("e") else lemma
    return {lemma, lemma + "s", stem + "ed", stem + "ing"}


def phrase_regex(phrases: list[str], *, case: bool = False) -> re.Pattern[str]:
    """One regex matching any of `phrases` as whole words, longest first."""
    ordered = sorted(set(phrases), key=len, reverse=True)
    body = "|".join(re.escape(p).replace(r"\ ", r"\s+") for p in ordered)
    return re.compile(rf"(?<![\w-])(?:{body})(?![\w-])", 0 if case else re.IGNORECASE)


@dataclass(frozen=True)
class ClaimRules:
    verb_forms: dict[str, str]  # inflected form -> lemma
    hedged_verbs: frozenset[str]
    denial_verbs: frozenset[str]
    report_nouns: frozenset[str]
    citing_words: frozenset[str]
    hedges: re.Pattern[str]
    disputes: re.Pattern[str]
    endorses: re.Pattern[str]
    outlets: re.Pattern[str]
    outlet_names: dict[str, str]  # lower-case -> spelling in the list
    descriptions: dict[str, str]  # word -> kind (ORG, PERSON, GPE)
    pronouns: dict[str, frozenset[str]]
    continuation_sources: frozenset[str]
    org_words: frozenset[str]
    gpe_words: frozenset[str]
    titles: frozenset[str]
    not_sources: frozenset[str]
    cue_filter: re.Pattern[str]  # a cheap test for sentences worth parsing
    synonyms: dict[str, str]  # word or phrase -> the first word of its synonym set (for grouping)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ClaimRules:
        try:
            forms: dict[str, str] = {}
            irregular = data.get("irregular_forms", {})
            for lemma in data["reporting_verbs"]:
                for form in _inflect(lemma) | set(irregular.get(lemma, [])):
                    forms[form.lower()] = lemma
            descriptions = {w.lower(): kind for kind, words in data["descriptions"].items() for w in words}
            outlets = list(data["outlets"])
            need_that = set(data.get("filter_need_that", []))
            cue_words = [f for f in forms if f not in need_that] + [f"{f} that" for f in need_that]
            cue_words += list(data["according_to"]) + [p.capitalize() for p in data["according_to"]]
            cue_words += outlets + list(data["citing_words"])
            return cls(
                verb_forms=forms,
                hedged_verbs=frozenset(data["hedged_verbs"]),
                denial_verbs=frozenset(data["denial_verbs"]),
                report_nouns=frozenset(w.lower() for w in data["report_nouns"]),
                citing_words=frozenset(data["citing_words"]),
                hedges=phrase_regex(data["hedges"]),
                disputes=phrase_regex(data["stance"]["disputes"]),
                endorses=phrase_regex(data["stance"]["endorses"]),
                outlets=phrase_regex(outlets, case=True),
                outlet_names={o.lower(): o for o in reversed(outlets)},
                descriptions=descriptions,
                pronouns={p: frozenset(k) for p, k in data["pronouns"].items()},
                continuation_sources=frozenset(w.lower() for w in data["continuation_sources"]),
                org_words=frozenset(data["org_words"]),
                gpe_words=frozenset(data["gpe_words"]),
                titles=frozenset(data["titles"]),
                not_sources=frozenset(data["not_sources"]),
                cue_filter=phrase_regex(cue_words, case=True),  # outlets too: "TASS reported"
                synonyms={w.lower(): ws[0] for ws in data.get("synonyms", []) for w in ws},
            )
        except (KeyError, TypeError, AttributeError) as exc:
            raise NarrascopeError(f"claims rules file is malformed: missing or bad field {exc}") from None

    @classmethod
    def load(cls, path: str | Path | None = None) -> ClaimRules:
        if path is None:
            return default_rules()
        return cls.from_dict(json.loads(Path(path).read_text("utf-8")))


@cache
def default_rules() -> ClaimRules:
    text = resources.files("narrascope.data").joinpath("claims.json").read_text("utf-8")
    return ClaimRules.from_dict(json.loads(text))
