"""Analysts' corrections as records: what a correction may say (`check` against an article and a `Vocabulary`),
the `Correction` row, which corrections are in force, and how one is anchored to the text it was made on.

The rules only; storing, listing and undoing them is `store/corrections.py`, which every caller imports (it
re-exports these names). This module reads no store, so the corrected view (`store/corrected.py`) that the
`Store` itself refreshes can use it without an import cycle.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from narrascope.errors import NarrascopeError
from narrascope.taxonomy import OTHER, Taxonomy, load_roles, load_taxonomy, load_techniques

LAYERS = ("narrative", "entity", "technique")
ACTIONS = {  # what each layer allows
    "narrative": ("accept", "reject", "add"),
    "entity": ("accept", "reject", "change", "add"),
    "technique": ("accept", "reject", "add"),
}


class CorrectionError(NarrascopeError):
    """A correction that names an unknown label, an entity or span the article lacks, or offsets outside it."""


@dataclass(frozen=True)
class Correction:
    id: int
    article_id: str
    layer: str
    action: str
    label: str | None
    entity: str | None
    start: int | None
    end: int | None
    user: str
    created_at: str
    model_said: dict[str, Any] | None
    undone_at: str | None = None
    text_hash: str | None = None
    quote: str | None = None
    stale_at: str | None = None

    def target(self) -> tuple[Any, ...]:
        """What the correction is about; the newest correction of one target is the analyst's judgment."""
        if self.layer == "narrative":
            return ("narrative", self.label)
        if self.layer == "entity":
            return ("entity", self.entity)
        return ("technique", self.start, self.end, self.label)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id, "article_id": self.article_id, "layer": self.layer, "action": self.action,
            "label": self.label, "entity": self.entity, "start": self.start, "end": self.end, "user": self.user,
            "created_at": self.created_at, "model_said": self.model_said, "undone": self.undone_at is not None,
            "stale": self.stale_at is not None, "text_hash": self.text_hash, "quote": self.quote,
        }  # fmt: skip


@dataclass(frozen=True)
class CorrectionIn:
    """A correction as an analyst or a client gives it, before it is checked against the article."""

    layer: str
    action: str
    label: str | None = None
    entity: str | None = None
    start: int | None = None
    end: int | None = None


class Vocabulary:
    """The labels a correction may use: a narrative taxonomy (the shipped one or a team's), roles, techniques."""

    def __init__(self, taxonomy: Taxonomy | None = None) -> None:
        self.taxonomy = taxonomy or load_taxonomy()
        roles = load_roles()
        self.main_roles = tuple(roles)
        self.fine_to_main = {fine: main for main, fines in roles.items() for fine in fines}
        self.techniques = load_techniques()

    def narrative_level(self, label: str) -> str | None:
        if label == OTHER or label in self.taxonomy.narratives:
            return "narrative"
        return "subnarrative" if label in self.taxonomy.subnarratives else None

    def role(self, label: str) -> tuple[str, tuple[str, ...]] | None:
        """(main role, fine roles) of a role label: a main role alone, or a fine role (its main role implied)."""
        if label in self.main_roles:
            return label, ()
        main = self.fine_to_main.get(label)
        return (main, (label,)) if main else None


def _fail(message: str) -> CorrectionError:
    return CorrectionError(message)


def check(document: dict[str, Any], given: CorrectionIn, vocabulary: Vocabulary) -> dict[str, Any] | None:
    """Raise a CorrectionError saying what is wrong, or return what the model had said about the target."""
    if given.layer not in LAYERS:
        raise _fail(f"layer: expected one of {', '.join(LAYERS)}, found {given.layer!r}")
    if given.action not in ACTIONS[given.layer]:
        allowed = ", ".join(ACTIONS[given.layer])
        raise _fail(f"action: a {given.layer} correction is one of {allowed}, found {given.action!r}")
    raw = str(document.get("raw_text", ""))
    if (given.start is None) != (given.end is None):
        raise _fail("start and end: give both offsets or neither")
    if given.start is not None and given.end is not None and not 0 <= given.start < given.end <= len(raw):
        raise _fail(f"start {given.start}, end {given.end}: expected 0 <= start < end <= {len(raw)} (raw text)")
    if given.layer == "narrative":
        return _check_narrative(document, given, vocabulary)
    if given.layer == "entity":
        return _check_entity(document, given, vocabulary)
    return _check_technique(document, given, vocabulary)


def _check_narrative(document: dict[str, Any], given: CorrectionIn, vocabulary: Vocabulary) -> dict[str, Any] | None:
    if not given.label:
        raise _fail("label: a narrative correction needs the narrative or subnarrative label")
    if vocabulary.narrative_level(given.label) is None:
        raise _fail(f"label: {given.label!r} is neither a narrative nor a subnarrative of the taxonomy")
    hit = next((h for h in document.get("narratives", []) if h["label"] == given.label), None)
    if hit is None and given.action in ("accept", "reject"):
        raise _fail(f"label: the model did not find {given.label!r} in this article; to assert it, use add")
    return {"label": hit["label"], "level": hit["level"], "score": hit["score"]} if hit else None


def _check_entity(document: dict[str, Any], given: CorrectionIn, vocabulary: Vocabulary) -> dict[str, Any] | None:
    if not given.entity:
        raise _fail("entity: an entity correction needs the entity's name")
    found = next((e for e in document.get("entities", []) if e["entity"] == given.entity), None)
    if given.action in ("accept", "reject", "change") and found is None:
        raise _fail(f"entity: no entity {given.entity!r} in this article; to add one, use add with its offsets")
    if given.action in ("change", "add"):
        if not given.label or vocabulary.role(given.label) is None:
            roles = ", ".join(vocabulary.main_roles)
            raise _fail(f"label: {given.label!r} is not a role ({roles} or one of their fine roles)")
    elif given.label and vocabulary.role(given.label) is None:
        raise _fail(f"label: {given.label!r} is not a role")
    if given.action == "add" and given.start is None:
        raise _fail("start and end: an added entity needs the raw offsets of one mention")
    if found is None:
        return None
    return {"main_role": found["main_role"], "fine_roles": list(found.get("fine_roles", [])),
            "score": found["score"], "candidate_role": found.get("candidate_role")}  # fmt: skip


def _check_technique(document: dict[str, Any], given: CorrectionIn, vocabulary: Vocabulary) -> dict[str, Any] | None:
    if given.start is None or given.end is None:
        raise _fail("start and end: a technique correction needs the span's raw offsets")
    spans = [t for t in document.get("techniques", []) if (t["start"], t["end"]) == (given.start, given.end)]
    if given.label is not None and given.label not in vocabulary.techniques:
        raise _fail(f"label: {given.label!r} is not one of the {len(vocabulary.techniques)} technique classes")
    if given.action == "add":
        if given.label is None:
            raise _fail("label: an added technique span needs its technique")
        return None
    match = [t for t in spans if given.label in (None, t["technique"])]
    if not match:
        raise _fail(f"start {given.start}, end {given.end}: the model found no such technique span; use add")
    return {"technique": match[0]["technique"], "score": match[0]["score"], "asserted": match[0].get("asserted", True)}


def text_hash(raw_text: str) -> str:
    """The hash a correction records of the raw text it was made on."""
    return hashlib.sha256(raw_text.encode("utf-8", "surrogatepass")).hexdigest()


def correction_row(row: Any) -> Correction:
    said = json.loads(row["model_said"]) if row["model_said"] else None
    return Correction(row["id"], row["article_id"], row["layer"], row["action"], row["label"], row["entity"],
                      row["start"], row["end"], row["user"], row["created_at"], said, row["undone_at"],
                      row["text_hash"], row["quote"], row["stale_at"])  # fmt: skip


def in_force(corrections: list[Correction]) -> dict[tuple[Any, ...], Correction]:
    """The newest correction of each target (corrections in the order they were made); stale ones never count."""
    latest: dict[tuple[Any, ...], Correction] = {}
    for correction in corrections:
        if correction.undone_at is None and correction.stale_at is None:
            latest[correction.target()] = correction
    return latest


def reanchored(correction: Correction, raw_text: str) -> tuple[int, int] | None:
    """The offsets of the correction's words in `raw_text`: where they were if the text there is the same,
    else their occurrence nearest the old place; None when the words are not in the text."""
    start, end, quote = correction.start, correction.end, correction.quote
    if start is None or end is None or not quote:
        return None
    if raw_text[start:end] == quote:
        return start, end
    found, at = [], raw_text.find(quote)
    while at >= 0:
        found.append(at)
        at = raw_text.find(quote, at + 1)
    if not found:
        return None
    best = min(found, key=lambda p: abs(p - start))
    return best, best + len(quote)
