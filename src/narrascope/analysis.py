"""The result of analysing one article, and its lossless JSON form.

The JSON layout is versioned (`SCHEMA_VERSION`) and described by the JSON Schema file
`narrascope/data/analysis.schema.json`, printed by `narrascope schema`. Minor versions only add fields
(1.1 added `narratives`, `entities`, `claims` and `techniques`; 1.2 added `explanation`, the entities'
`framed_score` and `candidate_role`, the roles `uncertain` and `mentioned`, the claim stance `unclear`, and
`withheld` counts; 1.3 added `not_available`: the capabilities that abstained on the article, and why; 1.4 added
the entities' `actor` and `actor_key`: the actor an entity stands for across articles and languages, and
`asserted` to narratives: whether the label's calibrated score earned it a place on analysts' surfaces).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from narrascope.article import Article, OffsetMap, Span
from narrascope.dataclass_json import from_json, to_json
from narrascope.errors import FormatError
from narrascope.taxonomy import OTHER

SCHEMA_VERSION = "1.4"
ASSERTED_ROLES = ("Protagonist", "Antagonist", "Innocent")


@dataclass(frozen=True)
class Sentence:
    """A sentence of the clean text, located by raw offsets: `raw_text[start:end] == text`."""

    start: int
    end: int
    text: str

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)


@dataclass(frozen=True)
class Evidence:
    """A sentence that supports a label, with its score for that label."""

    start: int
    end: int
    text: str
    score: float


@dataclass(frozen=True)
class NarrativeHit:
    """A narrative (`level="narrative"`) or subnarrative label found in the article, with its evidence."""

    label: str
    level: str
    score: float  # calibrated probability that the label is right, for the article's language (1.4)
    evidence: tuple[Evidence, ...] = ()
    # False: a candidate the task's decoding picked, below the precision threshold of its language and level;
    # kept in JSON and the store, shown only with the withheld toggle (1.4). JSON before 1.4: every hit was shown.
    asserted: bool = True
    # the model's probability before the per-language calibration: what the entity model reads (1.4)
    model_score: float | None = None


@dataclass(frozen=True)
class TextSpan:
    """Some words of the article, located by raw offsets."""

    start: int
    end: int
    text: str


@dataclass(frozen=True)
class EntityMention:
    """One mention of an entity, with the role the text gives it there."""

    start: int
    end: int
    text: str
    main_role: str
    fine_roles: tuple[str, ...]
    score: float


@dataclass(frozen=True)
class EntityRole:
    """A named entity (mentions grouped under one canonical name) and the role the article casts it in.

    `main_role` is asserted (Protagonist, Antagonist, Innocent) only when `score`, the calibrated probability
    that this (entity, role) pair is right, reaches the threshold; otherwise it is `uncertain` (the article
    frames the entity, the role is not earned) or `mentioned` (the framing gate says the article does not
    frame it). `candidate_role` keeps the model's best role and `framed_score` the gate's probability.
    """

    entity: str
    label: str  # the NER type: PERSON, ORG, GPE, ...
    main_role: str
    fine_roles: tuple[str, ...]
    score: float
    mentions: tuple[EntityMention, ...]
    framing: tuple[Evidence, ...] = ()
    framed_score: float | None = None
    candidate_role: str | None = None
    # the actor across articles and languages (`entities/actors.py`): its display name, and the key that groups
    # its entities in a corpus (Лаврова, Sergei Lavrov and लावरोव -> "Sergey Lavrov")
    actor: str | None = None
    actor_key: str | None = None


@dataclass(frozen=True)
class TechniqueSpan:
    """Words that use a persuasion technique (one of the 14 classes of SemEval-2020 Task 11)."""

    start: int
    end: int
    text: str
    technique: str
    score: float  # calibrated probability that the span is a technique span
    asserted: bool = True  # False: below the threshold; kept in JSON, not shown (1.2)


@dataclass(frozen=True)
class Claim:
    """A reported claim: what is said, on whose authority, through which relay, and the article's stance."""

    start: int
    end: int
    text: str
    source: str | None  # the speaker or body, resolved to a named entity where possible
    source_span: TextSpan | None
    cue: TextSpan | None  # "claimed", "according to", "as per a report from"
    relay: str | None  # the outlet the report came through (TASS, Euronews)
    relay_span: TextSpan | None
    hedges: tuple[TextSpan, ...]
    stance: str  # endorses | reports | disputes | unclear (below the stance threshold, 1.2)
    stance_score: float
    score: float


@dataclass(frozen=True)
class Explanation:
    """Why the article pushes its dominant narrative (SemEval-2025 subtask 3): at most 80 words, and the
    article's own sentences that show it (`quotes`, raw offsets). `source` is `llm` or `extractive`."""

    narrative: str
    subnarrative: str
    text: str
    quotes: tuple[TextSpan, ...]
    source: str


TOO_SHORT, LANGUAGE = "too_short", "language"  # why a capability abstains (`NotAvailable.reason`)


@dataclass(frozen=True)
class NotAvailable:
    """A capability that made no judgment on the article, and why: the article has too little text
    (`too_short`) or is in a language the capability does not cover (`language`, with the `language`)."""

    capability: str
    reason: str
    language: str | None = None

    def describe(self) -> str:
        """What a table or page says instead of an empty section, e.g. "entities: not available for bg"."""
        if self.reason == LANGUAGE:
            return f"{self.capability}: not available for {self.language or 'this language'}"
        return f"{self.capability}: not available (too little text)"


@dataclass
class Analysis:
    """An article with everything the pipeline's components found in it."""

    article: Article
    sentences: list[Sentence] = field(default_factory=list)
    narratives: list[NarrativeHit] = field(default_factory=list)
    entities: list[EntityRole] = field(default_factory=list)
    claims: list[Claim] = field(default_factory=list)
    techniques: list[TechniqueSpan] = field(default_factory=list)
    explanation: Explanation | None = None
    components: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    not_available: list[NotAvailable] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.article.id

    def unavailable(self, capability: str) -> NotAvailable | None:
        """Why `capability` made no judgment on this article, or None when it ran (or was not in the pipeline)."""
        return next((n for n in self.not_available if n.capability == capability), None)

    @property
    def shown_entities(self) -> list[EntityRole]:
        """Entities whose role is asserted (not `uncertain` or `mentioned`): what tables and HTML show."""
        return [e for e in self.entities if e.main_role in ASSERTED_ROLES]

    @property
    def shown_techniques(self) -> list[TechniqueSpan]:
        return [t for t in self.techniques if t.asserted]

    @property
    def shown_narratives(self) -> list[NarrativeHit]:
        """Narratives and subnarratives whose calibrated score earned them (`asserted`): what surfaces show."""
        return [h for h in self.narratives if h.asserted]

    def withheld(self) -> str:
        """How much the table leaves out, e.g. "withheld: 12 entities, 30 technique spans" (or "")."""
        counts = {
            "narratives": sum(
                1 for h in self.narratives if h.level == "narrative" and not h.asserted and h.label != OTHER
            ),
            "entities": len(self.entities) - len(self.shown_entities),
            "technique spans": len(self.techniques) - len(self.shown_techniques),
            "claim stances": sum(1 for c in self.claims if c.stance == "unclear"),
        }
        parts = [f"{n} {what}" for what, n in counts.items() if n]
        return "withheld (below the score threshold): " + ", ".join(parts) if parts else ""

    def labels(self, level: str, *, asserted_only: bool = False) -> list[str]:
        """Label strings of one level (`narrative` or `subnarrative`), in SemEval spelling: every label the task's
        decoding picked (the SemEval commands' output), or with `asserted_only` the ones analysts are shown."""
        hits = self.shown_narratives if asserted_only else self.narratives
        return [hit.label for hit in hits if hit.level == level]

    def to_dict(self) -> dict[str, Any]:
        a = self.article
        return {
            "schema_version": SCHEMA_VERSION,
            "id": a.id,
            "title": a.title,
            "language": a.language,
            "source": a.source,
            "url": a.url,
            "published": a.published,
            "cited_sources": list(a.cited_sources),
            "meta": dict(a.meta),
            "raw_text": a.raw_text,
            "text": a.clean_text,
            "offsets": a.offset_map.to_list(),
            "sentences": [{"start": s.start, "end": s.end, "text": s.text} for s in self.sentences],
            "narratives": [to_json(hit) for hit in self.narratives],
            "entities": [to_json(entity) for entity in self.entities],
            "claims": [to_json(claim) for claim in self.claims],
            "techniques": [to_json(span) for span in self.techniques],
            "explanation": to_json(self.explanation) if self.explanation else None,
            "components": list(self.components),
            "warnings": list(self.warnings),
            "not_available": [to_json(n) for n in self.not_available],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        version = str(data.get("schema_version", ""))
        if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise FormatError(
                f"analysis JSON has schema version {version or 'none'}, this narrascope reads {SCHEMA_VERSION}"
            )
        try:
            article = Article(
                raw_text=data["raw_text"],
                id=data["id"],
                title=data.get("title"),
                text=data["text"],
                offsets=OffsetMap.from_list(data["offsets"]),
                source=data.get("source"),
                url=data.get("url"),
                published=data.get("published"),
                language=data.get("language"),
                cited_sources=list(data.get("cited_sources", [])),
                meta=dict(data.get("meta", {})),
            )
            sentences = [Sentence(int(s["start"]), int(s["end"]), s["text"]) for s in data.get("sentences", [])]
            narratives = [from_json(NarrativeHit, hit) for hit in data.get("narratives", [])]
            entities = [from_json(EntityRole, entity) for entity in data.get("entities", [])]
            claims = [from_json(Claim, claim) for claim in data.get("claims", [])]
            techniques = [from_json(TechniqueSpan, span) for span in data.get("techniques", [])]
            explanation = from_json(Explanation, data["explanation"]) if data.get("explanation") else None
            not_available = [from_json(NotAvailable, n) for n in data.get("not_available", [])]
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(f"analysis JSON is missing or has a malformed field: {exc}") from None
        return cls(
            article=article,
            sentences=sentences,
            narratives=narratives,
            entities=entities,
            claims=claims,
            techniques=techniques,
            explanation=explanation,
            components=list(data.get("components", [])),
            warnings=list(data.get("warnings", [])),
            not_available=not_available,
        )
