"""The corrected view of an article: the model's judgments with the analysts' corrections applied and marked.

What the API, the UI, the exports and retraining read. A rejected judgment stays in the JSON with
`rejected: true` and the correction that rejected it (so a reader can see what the model said); an added
one appears with `source: "analyst"`; a changed entity role replaces the model's, which is kept under
`model_said` of the correction. The gold label sets of a corrected article (`gold_*`) leave out what was
rejected and what the model withheld (unless an analyst accepted it).
"""

from __future__ import annotations

import copy
from typing import Any

from narrascope.analysis import ASSERTED_ROLES
from narrascope.store.correction_record import Correction, Vocabulary, in_force
from narrascope.taxonomy import OTHER, other_subnarrative

ANALYST = "analyst"
ANALYST_SCORE = 1.0  # an analyst's judgment is the gold standard, not a probability


def _mark(correction: Correction) -> dict[str, Any]:
    return {"id": correction.id, "action": correction.action, "user": correction.user,
            "created_at": correction.created_at}  # fmt: skip


def apply_corrections(
    document: dict[str, Any], corrections: list[Correction], vocabulary: Vocabulary | None = None
) -> dict[str, Any]:
    """A copy of an analysis JSON with the corrections in force applied; `corrections` lists them all."""
    out = copy.deepcopy(document)
    latest = in_force(corrections)
    out["corrections"] = [c.to_dict() for c in corrections if c.undone_at is None]
    out["reviewed"] = bool(latest)
    if not latest:
        return out
    vocabulary = vocabulary or Vocabulary()
    _narratives(out, latest, vocabulary)
    _entities(out, latest, vocabulary)
    _techniques(out, latest)
    return out


def _narratives(doc: dict[str, Any], latest: dict[tuple[Any, ...], Correction], vocabulary: Vocabulary) -> None:
    hits: list[dict[str, Any]] = doc.setdefault("narratives", [])
    present = {h["label"] for h in hits}
    for hit in hits:
        found = latest.get(("narrative", hit["label"]))
        if found is not None:
            hit["correction"] = _mark(found)
            hit["rejected"] = found.action == "reject"
            if found.action == "accept":  # an analyst confirmed a withheld candidate: asserted in the corrected view
                hit["asserted"] = True
    for key, correction in latest.items():
        if key[0] != "narrative" or correction.action != "add" or correction.label in present:
            continue
        label = str(correction.label)
        level = vocabulary.narrative_level(label) or "narrative"
        added = [(label, level)]
        parent = vocabulary.taxonomy.parent.get(label) if level == "subnarrative" else None
        if parent and parent not in present:
            added.insert(0, (parent, "narrative"))
        for name, lvl in added:
            hits.append({"label": name, "level": lvl, "score": ANALYST_SCORE, "evidence": [], "source": ANALYST,
                         "asserted": True, "correction": _mark(correction), "rejected": False})  # fmt: skip
            present.add(name)
    kept = {h["label"] for h in hits if not h.get("rejected")}
    for hit in hits:  # a rejected narrative takes its subnarratives with it; `Other` goes when a narrative stays
        parent = vocabulary.taxonomy.parent.get(hit["label"])
        if hit.get("rejected"):
            continue
        if (parent and parent not in kept) or (hit["label"] == OTHER and kept - {OTHER}):
            hit["rejected"] = True


def _entities(doc: dict[str, Any], latest: dict[tuple[Any, ...], Correction], vocabulary: Vocabulary) -> None:
    entities: list[dict[str, Any]] = doc.setdefault("entities", [])
    raw = str(doc.get("raw_text", ""))
    names = {e["entity"] for e in entities}
    for entity in entities:
        found = latest.get(("entity", entity["entity"]))
        if found is None:
            continue
        entity["correction"] = _mark(found)
        entity["rejected"] = found.action == "reject"
        role = vocabulary.role(found.label) if found.label else None
        if found.action == "accept" and role is None and entity["main_role"] not in ASSERTED_ROLES:
            candidate = entity.get("candidate_role")
            role = (candidate, tuple(entity.get("fine_roles", ()))) if candidate in ASSERTED_ROLES else None
        if found.action in ("accept", "change") and role is not None:
            main, fines = role
            fines = fines or tuple(f for f in entity.get("fine_roles", ()) if vocabulary.fine_to_main.get(f) == main)
            entity["main_role"], entity["fine_roles"] = main, list(fines)
            for mention in entity.get("mentions", []):
                mention["main_role"], mention["fine_roles"] = main, list(fines)
    for key, correction in latest.items():
        if key[0] != "entity" or correction.action != "add" or correction.entity in names:
            continue
        main, fines = vocabulary.role(str(correction.label)) or ("", ())
        start, end = int(correction.start or 0), int(correction.end or 0)
        mention = {"start": start, "end": end, "text": raw[start:end], "main_role": main, "fine_roles": list(fines),
                   "score": ANALYST_SCORE}  # fmt: skip
        entities.append({"entity": correction.entity, "label": "MISC", "main_role": main, "fine_roles": list(fines),
                         "score": ANALYST_SCORE, "mentions": [mention], "framing": [], "framed_score": None,
                         "candidate_role": None, "source": ANALYST, "correction": _mark(correction),
                         "rejected": False})  # fmt: skip


def _techniques(doc: dict[str, Any], latest: dict[tuple[Any, ...], Correction]) -> None:
    spans: list[dict[str, Any]] = doc.setdefault("techniques", [])
    raw = str(doc.get("raw_text", ""))
    seen = set()
    for span in spans:
        key = ("technique", span["start"], span["end"], span["technique"])
        seen.add(key)
        found = latest.get(key)
        if found is not None:
            span["correction"] = _mark(found)
            span["rejected"] = found.action == "reject"
            if found.action == "accept":
                span["asserted"] = True
    for key, correction in latest.items():
        if key[0] == "technique" and correction.action == "add" and key not in seen:
            start, end = int(correction.start or 0), int(correction.end or 0)
            spans.append({"start": start, "end": end, "text": raw[start:end], "technique": correction.label,
                          "score": ANALYST_SCORE, "asserted": True, "source": ANALYST,
                          "correction": _mark(correction), "rejected": False})  # fmt: skip


# ---- gold label sets of a corrected document ------------------------------------------------------------


def gold_narratives(doc: dict[str, Any], vocabulary: Vocabulary | None = None) -> tuple[list[str], list[str]]:
    """Subtask-2 columns (narratives aligned with subnarratives, as the gold files list them), in the taxonomy
    of `vocabulary`: labels outside it (the model's SemEval labels under a team's taxonomy) are left out."""
    vocabulary = vocabulary or Vocabulary()
    taxonomy = vocabulary.taxonomy
    kept = [
        h
        for h in doc.get("narratives", [])
        if not h.get("rejected") and h["label"] != OTHER and vocabulary.narrative_level(h["label"]) is not None
    ]  # a team's taxonomy leaves SemEval's labels out
    narratives = sorted({h["label"] for h in kept if h["level"] == "narrative"})
    subs = sorted({h["label"] for h in kept if h["level"] == "subnarrative"})
    narratives = sorted(set(narratives) | {taxonomy.parent[s] for s in subs if s in taxonomy.parent})
    if not narratives:
        return [OTHER], [OTHER]
    pairs = [(taxonomy.parent.get(s, ""), s) for s in subs]
    pairs += [(n, other_subnarrative(n)) for n in narratives if not any(p == n for p, _ in pairs)]
    pairs.sort()
    return [p for p, _ in pairs], [s for _, s in pairs]


def gold_entities(doc: dict[str, Any]) -> list[tuple[str, int, int, str, list[str]]]:
    """Subtask-1 rows: (mention text, start, end exclusive, main role, fine roles) of every mention of every
    entity with an asserted role that no analyst rejected, and at least one fine role (the format needs one)."""
    rows = []
    for entity in doc.get("entities", []):
        if entity.get("rejected") or entity["main_role"] not in ASSERTED_ROLES or not entity.get("fine_roles"):
            continue
        for mention in entity.get("mentions", []):
            rows.append((mention["text"], mention["start"], mention["end"], entity["main_role"],
                         list(entity["fine_roles"])))  # fmt: skip
    return sorted(rows, key=lambda r: (r[1], r[2]))


def gold_techniques(doc: dict[str, Any]) -> list[tuple[int, int, str]]:
    """(start, end exclusive, technique) of the asserted spans no analyst rejected."""
    spans = {(t["start"], t["end"], t["technique"]) for t in doc.get("techniques", [])
             if t.get("asserted", True) and not t.get("rejected")}  # fmt: skip
    return sorted(spans)
