"""narrascope's findings as STIX 2.1 objects (built with the `stix2` library), the mapping `docs/stix.md` explains.

Each function turns one finding into stix2 objects; `store.stix_export` streams them into a bundle. Ids are
deterministic (uuid5 over stable keys), so exporting twice, or from two machines, gives the same ids and a
platform updates its objects rather than duplicating them:

- a narrative or subnarrative is OpenCTI's own `narrative` object (type `narrative`, with OpenCTI's extension
  `new-sdo`), its id OpenCTI's (uuid5 of the lowercased name in OpenCTI's namespace); a subnarrative points to
  its narrative with a `subnarrative-of` relationship, as OpenCTI links them;
- a persuasion technique is an `attack-pattern` with a reference to its taxonomy, and to DISARM where a
  reviewed table (`data/taxonomy/techniques_stix.tsv`) says one corresponds;
- an article is a `report`; its outlet, framed entities, claim sources and relays are `identity` objects, or
  `location` objects for countries;
- a claim group is a `note` (what the articles say, not narrascope's opinion of it); a story of copies a `grouping`.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import cache, lru_cache
from importlib import resources
from typing import Any

import stix2
from stix2.properties import ListProperty, StringProperty

from narrascope.analysis import ASSERTED_ROLES
from narrascope.ingest.stix import NARRASCOPE_SOURCE, PUBLISHER, UNDATED
from narrascope.taxonomy import OTHER, load_taxonomy

# OpenCTI's namespace for its deterministic ids, and the extension its own new object types (Narrative) carry
OPENCTI_NAMESPACE = uuid.UUID("00abedb4-aa42-466c-9c01-fed23315a9b7")
OPENCTI_EXTENSION = "extension-definition--ea279b3e-5c71-4632-ac08-831c66a786ba"
NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://narrascope.invalid/stix")  # narrascope's own objects
# Taxonomy objects are not dated by a run: a fixed time keeps them identical across exports.
TAXONOMY_TIME = "2025-01-01T00:00:00.000Z"
SEMEVAL_2025 = "SemEval-2025 Task 10"
SEMEVAL_2025_URL = "https://propaganda.math.unipd.it/semeval2025task10/"
SEMEVAL_2020 = "SemEval-2020 Task 11"
SEMEVAL_2020_URL = "https://propaganda.qcri.org/semeval2020-task11/"
DISARM = "DISARM"
DISARM_URL = "https://github.com/DISARMFoundation/DISARMframeworks/blob/main/generated_pages/techniques/{}.md"
LOCATION_LABELS = ("GPE", "LOC")
SHARED_CACHE = 4096  # shared objects built once and reused (bounded: the export's memory stays constant)
IDENTITY_CLASSES = {"PERSON": "individual", "PER": "individual", "ORG": "organization", "NORP": "group"}


@stix2.CustomObject(
    "narrative",
    [
        ("name", StringProperty(required=True)),
        ("description", StringProperty()),
        ("aliases", ListProperty(StringProperty)),
        ("narrative_types", ListProperty(StringProperty)),
    ],
    extension_name=OPENCTI_EXTENSION,
)
class _Narrative:
    """OpenCTI's Narrative (a STIX Domain Object that OpenCTI adds through its extension)."""


Narrative: Any = _Narrative  # stix2's decorator gives the class its keyword arguments, which mypy cannot see


def canonical(keys: Mapping[str, Any]) -> str:
    """JSON with sorted keys and no spaces: what the uuid5 of an id is computed over (as OpenCTI does)."""
    return json.dumps(keys, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def stix_id(kind: str, /, **keys: Any) -> str:
    """A deterministic id for narrascope's own objects: uuid5 over the stable keys that name the thing."""
    return f"{kind}--{uuid.uuid5(NAMESPACE, canonical(keys))}"


def narrative_id(label: str) -> str:
    """OpenCTI's id of the Narrative named `label` (uuid5 of the lowercased, stripped name)."""
    return f"narrative--{uuid.uuid5(OPENCTI_NAMESPACE, canonical({'name': label.lower().strip()}))}"


def confidence(score: float | None) -> int:
    """STIX confidence (0-100) from a calibrated score (0-1)."""
    return max(0, min(100, round(float(score or 0.0) * 100)))


def timestamp(value: str | None) -> str | None:
    """An ISO (or RFC 2822) date or time as a STIX timestamp (UTC, milliseconds), or None when it is neither;
    a time without a zone is taken as UTC."""
    if not value or not value.strip():
        return None
    try:
        moment = datetime.fromisoformat(value.strip())
    except ValueError:
        try:
            moment = parsedate_to_datetime(value.strip())
        except (ValueError, TypeError, IndexError):
            return None
    try:
        m = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    except OverflowError:
        return None
    day = f"{m.year:04d}-{m.month:02d}-{m.day:02d}"
    return f"{day}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}.{m.microsecond // 1000:03d}Z"


NARRASCOPE = stix2.Identity(
    id=stix_id("identity", name="narrascope"),
    name="narrascope",
    identity_class="system",
    description="Finds the propaganda narratives, framed entities, persuasion techniques and claims of news articles.",
    created=TAXONOMY_TIME,
    modified=TAXONOMY_TIME,
)


def _common(created: str) -> dict[str, Any]:
    return {"created": created, "modified": created, "created_by_ref": NARRASCOPE.id}


@dataclass(frozen=True)
class TechniqueInfo:
    description: str
    disarm_id: str
    disarm_name: str


@cache
def technique_table() -> dict[str, TechniqueInfo]:
    """The reviewed table: technique -> description, DISARM id and name (blank where none corresponds)."""
    text = resources.files("narrascope.data.taxonomy").joinpath("techniques_stix.tsv").read_text("utf-8")
    rows = [line.split("\t") for line in text.splitlines() if line and not line.startswith("#")]
    return {r[0]: TechniqueInfo(r[1], r[2], r[3]) for r in rows[1:]}


# ---- taxonomy objects: one per label, shared by every report --------------------------------------------


@lru_cache(maxsize=SHARED_CACHE)
def narrative(label: str, level: str) -> stix2.base._STIXBase:
    kind = "subnarrative" if level == "subnarrative" else "narrative"
    return Narrative(
        id=narrative_id(label), name=label, narrative_types=[kind],
        description=f"A {kind} of the {SEMEVAL_2025} taxonomy of propaganda narratives.",
        external_references=[{"source_name": SEMEVAL_2025, "url": SEMEVAL_2025_URL, "description": label}],
        **_common(TAXONOMY_TIME),
    )  # fmt: skip


@lru_cache(maxsize=SHARED_CACHE)
def subnarrative_of(sub: str, parent: str) -> stix2.Relationship:
    """OpenCTI's link from a subnarrative to its narrative."""
    return stix2.Relationship(
        id=stix_id("relationship", type="subnarrative-of", source=sub, target=parent),
        relationship_type="subnarrative-of", source_ref=narrative_id(sub), target_ref=narrative_id(parent),
        allow_custom=True, **_common(TAXONOMY_TIME),
    )  # fmt: skip


def technique_id(technique: str) -> str:
    return stix_id("attack-pattern", technique=technique)


@lru_cache(maxsize=SHARED_CACHE)
def attack_pattern(technique: str) -> stix2.AttackPattern:
    info = technique_table().get(technique)
    references = [{"source_name": SEMEVAL_2020, "url": SEMEVAL_2020_URL, "external_id": technique}]
    if info is not None and info.disarm_id:
        references.append({"source_name": DISARM, "external_id": info.disarm_id, "description": info.disarm_name,
                           "url": DISARM_URL.format(info.disarm_id)})  # fmt: skip
    return stix2.AttackPattern(
        id=technique_id(technique), name=technique.replace("_", " "),
        description=info.description if info else f"A persuasion technique ({SEMEVAL_2020}).",
        external_references=references, **_common(TAXONOMY_TIME),
    )  # fmt: skip


# ---- actors: outlets, framed entities, claim sources and relays ------------------------------------------


def actor_id(name: str, ner_label: str | None = None) -> str:
    country = country_code(name) if ner_label in LOCATION_LABELS else None
    if country:
        return stix_id("location", country=country)
    return stix_id("identity", name=name.strip().lower())


@lru_cache(maxsize=SHARED_CACHE)
def actor(name: str, ner_label: str | None = None) -> stix2.base._STIXBase:
    """An `identity` (person, organisation, group) or, for a country, a `location` (ISO 3166 code)."""
    country = country_code(name) if ner_label in LOCATION_LABELS else None
    if country:
        return stix2.Location(id=actor_id(name, ner_label), name=name, country=country, **_common(TAXONOMY_TIME))
    identity_class = IDENTITY_CLASSES.get(ner_label or "", "unknown" if ner_label else "organization")
    return stix2.Identity(
        id=actor_id(name, ner_label), name=name, identity_class=identity_class, **_common(TAXONOMY_TIME)
    )


@cache
def _countries() -> dict[str, str]:
    import pycountry

    names: dict[str, str] = {}
    for country in pycountry.countries:
        for attr in ("name", "official_name", "common_name", "alpha_3"):
            value = getattr(country, attr, None)
            if value:
                names[value.lower()] = country.alpha_2
    text = resources.files("narrascope.data.taxonomy").joinpath("country_names.tsv").read_text("utf-8")
    for line in text.splitlines():
        if line and not line.startswith("#"):
            code, *aliases = line.split("\t")
            names.update({a.strip().lower(): code for a in aliases if a.strip()})
    return names


def country_code(name: str) -> str | None:
    """The ISO 3166-1 alpha-2 code of a country named `name` (official, common or usual short name), or None."""
    key = name.strip().lower()
    key = key[4:] if key.startswith("the ") else key
    return _countries().get(key)


@cache
def default_parents() -> dict[str, str]:
    """Subnarrative -> narrative in the shipped taxonomy."""
    return dict(load_taxonomy().parent)


# ---- per article ------------------------------------------------------------------------------------------


@dataclass
class ArticleObjects:
    """A report and what it alone owns (its relationships), plus the shared objects it refers to."""

    report: stix2.Report
    own: list[stix2.base._STIXBase]
    shared: list[stix2.base._STIXBase]


def report_id(article_id: str) -> str:
    return stix_id("report", article=article_id)


def _related(report: str, target: str, kind: str, key: str, score: float | None, created: str,
             labels: Sequence[str], description: str) -> stix2.Relationship:  # fmt: skip
    return stix2.Relationship(
        id=stix_id("relationship", report=report, target=target, kind=kind, key=key),
        relationship_type="related-to", source_ref=report, target_ref=target, confidence=confidence(score),
        labels=list(labels), description=description, **_common(created),
    )  # fmt: skip


def kept(item: Mapping[str, Any]) -> bool:
    """Not rejected by an analyst (the corrected view keeps rejected judgments, flagged)."""
    return not item.get("rejected")


def article_objects(
    doc: Mapping[str, Any], *, ingested_at: str | None, claim_notes: Iterable[str] = (),
    parents: Mapping[str, str] | None = None,
) -> ArticleObjects:  # fmt: skip
    """The report of one article (an analysis JSON in the corrected view) and its findings' objects.

    Only asserted judgments no analyst rejected, and the analysts' additions, go out: narratives the decoder
    chose, entity roles among the asserted roles, technique spans marked asserted.
    """
    article_id = str(doc.get("id") or "")
    created = timestamp(ingested_at) or TAXONOMY_TIME
    rid = report_id(article_id)
    shared: list[stix2.base._STIXBase] = []
    own: list[stix2.base._STIXBase] = []
    parents = default_parents() if parents is None else parents
    for hit in doc.get("narratives", []):
        if not kept(hit) or not hit.get("asserted", True) or hit["label"] == OTHER:
            continue
        label, level = hit["label"], hit.get("level", "narrative")
        shared.append(narrative(label, level))
        parent = parents.get(label) if level == "subnarrative" else None
        if parent:
            shared += [narrative(parent, "narrative"), subnarrative_of(label, parent)]
        source = "analyst" if hit.get("source") == "analyst" else "model"
        own.append(_related(rid, narrative_id(label), "narrative", label, hit.get("score"), created,
                            [level, source], f"The article pushes this {level} ({source})."))  # fmt: skip
    for entity in doc.get("entities", []):
        if not kept(entity) or entity.get("main_role") not in ASSERTED_ROLES:
            continue
        name, role, fines = entity["entity"], entity["main_role"], list(entity.get("fine_roles") or [])
        shared.append(actor(name, entity.get("label")))
        framing = f"{role} ({', '.join(fines)})" if fines else role
        own.append(_related(rid, actor_id(name, entity.get("label")), "entity", name, entity.get("score"), created,
                            [role.lower(), *(f.lower() for f in fines)], f"Framed as {framing}."))  # fmt: skip
    techniques: dict[str, list[Mapping[str, Any]]] = {}
    for span in doc.get("techniques", []):
        if kept(span) and span.get("asserted", True):
            techniques.setdefault(span["technique"], []).append(span)
    for technique, spans in sorted(techniques.items()):
        shared.append(attack_pattern(technique))
        quotes = "; ".join(f"{s['start']}-{s['end']}: {str(s.get('text', ''))[:200]!r}" for s in spans[:20])
        own.append(_related(rid, technique_id(technique), "technique", technique,
                            max(float(s.get("score") or 0) for s in spans), created, ["technique"],
                            f"{len(spans)} span(s) (raw offsets): {quotes}"))  # fmt: skip
    outlet = doc.get("source")
    if outlet:
        shared.append(actor(str(outlet)))
        own.append(_related(rid, actor_id(str(outlet)), "outlet", str(outlet), 1.0, created, ["outlet"],
                            "The outlet that published the article."))  # fmt: skip
    own = list({o.id: o for o in own}.values())  # a judgment listed twice is one relationship
    refs = sorted({*(o.id for o in shared), *(o.id for o in own), *claim_notes})
    published = timestamp(doc.get("published"))
    report = stix2.Report(
        id=rid, name=doc.get("title") or article_id, published=published or created,
        report_types=["threat-report"], description=doc.get("raw_text") or "", object_refs=refs or [NARRASCOPE.id],
        external_references=article_references(doc), lang=doc.get("language") or None,
        labels=None if published else [UNDATED], **_common(created),
    )  # fmt: skip
    return ArticleObjects(report, own, shared)


def article_references(doc: Mapping[str, Any]) -> list[dict[str, str]]:
    """The article's id in narrascope, and its outlet (the publisher) with its URL."""
    references = [{"source_name": NARRASCOPE_SOURCE, "external_id": str(doc.get("id") or "")}]
    outlet = {"source_name": str(doc.get("source") or "url"), "description": PUBLISHER}
    if doc.get("url"):
        outlet["url"] = str(doc["url"])
    if doc.get("source") or doc.get("url"):
        references.append(outlet)
    return references


# ---- corpus-level: claim groups and stories --------------------------------------------------------------


def note_id(canonical_text: str, source: str | None) -> str:
    """A claim group's id: its canonical wording and the source it names (a group's number is the store's own)."""
    return stix_id("note", claim=canonical_text, source=source or "")


def claim_note(canonical_text: str, source: str | None, members: Sequence[str], sources: Sequence[str],
               relays: Sequence[str], created: str) -> tuple[stix2.Note, list[stix2.base._STIXBase]]:  # fmt: skip
    """A claim group: its canonical wording, the reports that carry it, who said it and who relayed it."""
    actors = [actor(name) for name in sorted({*sources, *relays})]
    lines = [f"Said by: {', '.join(sorted(set(sources)))}" if sources else "",
             f"Relayed by: {', '.join(sorted(set(relays)))}" if relays else ""]  # fmt: skip
    note = stix2.Note(
        id=note_id(canonical_text, source), abstract="Claim carried by " + f"{len(members)} article(s)",
        content="\n".join([canonical_text, *(line for line in lines if line)]), authors=["narrascope"],
        object_refs=sorted({*(report_id(m) for m in members), *(a.id for a in actors)}), labels=["claim"],
        **_common(created),
    )  # fmt: skip
    return note, actors


def story_grouping(first_article: str, members: Sequence[str], created: str) -> stix2.Grouping:
    """A story: an article and its near-duplicate copies (syndication, re-posts)."""
    return stix2.Grouping(
        id=stix_id("grouping", story=first_article), name=f"Copies of {first_article}", context="unspecified",
        description=f"{len(members)} near-duplicate copies of one article (syndication, re-posts).",
        object_refs=sorted(report_id(m) for m in members), **_common(created),
    )  # fmt: skip
