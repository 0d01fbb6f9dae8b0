"""The result of analysing one article, and its lossless JSON form.

The JSON layout is versioned (`SCHEMA_VERSION`) and described by the JSON Schema file
`narrascope/data/analysis.schema.json`, printed by `narrascope schema`. Minor versions only add fields
(1.1 added `narratives`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from narrascope.article import Article, OffsetMap, Span
from narrascope.errors import FormatError

SCHEMA_VERSION = "1.1"


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
    score: float
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "label": self.label,
            "level": self.level,
            "score": self.score,
            "evidence": [
                {"start": e.start, "end": e.end, "text": e.text, "score": e.score} for e in self.evidence
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> NarrativeHit:
        evidence = tuple(
            Evidence(int(e["start"]), int(e["end"]), e["text"], float(e["score"])) for e in data["evidence"]
        )
        return cls(data["label"], data["level"], float(data["score"]), evidence)


@dataclass
class Analysis:
    """An article with everything the pipeline's components found in it."""

    article: Article
    sentences: list[Sentence] = field(default_factory=list)
    narratives: list[NarrativeHit] = field(default_factory=list)
    components: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        return self.article.id

    def labels(self, level: str) -> list[str]:
        """Predicted label strings of one level (`narrative` or `subnarrative`), in SemEval spelling."""
        return [hit.label for hit in self.narratives if hit.level == level]

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
            "narratives": [hit.to_dict() for hit in self.narratives],
            "components": list(self.components),
            "warnings": list(self.warnings),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Analysis:
        version = str(data.get("schema_version", ""))
        if version.split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise FormatError(
                f"analysis JSON has schema version {version or 'none'}, "
                f"this narrascope reads {SCHEMA_VERSION}"
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
            sentences = [
                Sentence(int(s["start"]), int(s["end"]), s["text"]) for s in data.get("sentences", [])
            ]
            narratives = [NarrativeHit.from_dict(hit) for hit in data.get("narratives", [])]
        except (KeyError, TypeError, ValueError) as exc:
            raise FormatError(f"analysis JSON is missing or has a malformed field: {exc}") from None
        return cls(
            article=article,
            sentences=sentences,
            narratives=narratives,
            components=list(data.get("components", [])),
            warnings=list(data.get("warnings", [])),
        )
