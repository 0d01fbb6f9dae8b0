"""The LLM backend of the narratives capability: domain, then narratives, then subnarratives.

Three steps, as the best SemEval-2025 systems do: the domain (URW, CC or Other); the narratives of that domain
(at most 3, each with a quoted sentence); the subnarratives of each chosen narrative. Each step has its
`*_request` (prompt) and `parse_*` (answer -> labels) function, so prompts can be tested without a server.
Labels outside the taxonomy are dropped and counted; a quote is kept as evidence only when it is found in the
raw text. The component assigns the same `narratives` part as the offline one (LLM labels carry score 1.0:
the model's choice, not a probability).

Asserted or withheld (`asserted_by_quote`): the LLM gives no probability to calibrate, so its picks get a
documented rule instead: a narrative is asserted only when the quote the model gave for it is found in the
article (an analyst can check it against the text); a subnarrative only with its narrative. A narrative whose
quote is missing or invented stays in the JSON and the store, withheld, like the offline model's weak picks.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from narrascope.analysis import Analysis, Evidence, NarrativeHit
from narrascope.components import BatchComponent, register
from narrascope.llm.backend import LLMBackend, UsesLLM
from narrascope.llm.client import LLMClient, LLMRequest
from narrascope.taxonomy import OTHER, Taxonomy, load_taxonomy, other_subnarrative

MAX_NARRATIVES = 3


def _object(**properties: Any) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": list(properties)}


def _choice(labels: Sequence[str]) -> dict[str, Any]:
    """A string among `labels`: servers that enforce schemas (llama.cpp, vLLM, Ollama) then cannot stray."""
    return {"type": "string", "enum": list(labels)}


def domain_schema(taxonomy: Taxonomy) -> dict[str, Any]:
    return _object(domain=_choice([*taxonomy.domains, OTHER]))


def narratives_schema(labels: Sequence[str]) -> dict[str, Any]:
    item = _object(label=_choice(labels), quote={"type": "string"})
    return _object(narratives={"type": "array", "items": item, "maxItems": MAX_NARRATIVES})


def subnarratives_schema(labels: Sequence[str]) -> dict[str, Any]:
    return _object(subnarratives={"type": "array", "items": _choice(labels)})


@dataclass
class NarrativeAnswer:
    """What the three steps decided for one article."""

    domain: str = OTHER
    narratives: list[tuple[str, tuple[Evidence, ...]]] = field(default_factory=list)
    subnarratives: list[str] = field(default_factory=list)
    dropped: int = 0


def domain_request(backend: LLMBackend, analysis: Analysis, taxonomy: Taxonomy) -> LLMRequest:
    domains = ", ".join([*taxonomy.domains, OTHER])
    return backend.request("narratives_domain", analysis, domain_schema(taxonomy), max_tokens=24, domains=domains)


def parse_domain(answer: Any, taxonomy: Taxonomy) -> tuple[str, int]:
    """(domain, labels dropped): an unknown or missing domain counts as dropped and means Other."""
    value = str(answer.get("domain", "")).strip() if isinstance(answer, dict) else ""
    if value in taxonomy.domains:
        return value, 0
    return OTHER, 0 if value == OTHER else 1


def narratives_request(backend: LLMBackend, analysis: Analysis, taxonomy: Taxonomy, domain: str) -> LLMRequest:
    labels = taxonomy.narratives_in(domain)
    return backend.request("narratives_list", analysis, narratives_schema(labels), max_tokens=400, domain=domain,
                           labels="\n".join(f"- {n}" for n in labels))  # fmt: skip


def parse_narratives(
    answer: Any, analysis: Analysis, taxonomy: Taxonomy, domain: str, backend: LLMBackend
) -> tuple[list[tuple[str, tuple[Evidence, ...]]], int]:
    """(narratives with located evidence, labels dropped)."""
    allowed = set(taxonomy.narratives_in(domain))
    items = answer.get("narratives", []) if isinstance(answer, dict) else []
    chosen: dict[str, tuple[Evidence, ...]] = {}
    dropped = 0
    for item in items:
        label = str(item.get("label", "")).strip()
        if label not in allowed:
            dropped += 1
            continue
        if label in chosen or len(chosen) >= MAX_NARRATIVES:
            continue
        span = backend.locate(analysis, str(item.get("quote") or ""))
        chosen[label] = (Evidence(span.start, span.end, analysis.article.raw_text[span.start : span.end], 1.0),) if (
            span) else ()  # fmt: skip
    return list(chosen.items()), dropped


def subnarratives_request(backend: LLMBackend, analysis: Analysis, taxonomy: Taxonomy, narrative: str) -> LLMRequest:
    labels = taxonomy.subnarratives_of(narrative)
    return backend.request("narratives_sub", analysis, subnarratives_schema(labels), max_tokens=200,
                           narrative=narrative, labels="\n".join(f"- {s}" for s in labels),
                           other=other_subnarrative(narrative))  # fmt: skip


def parse_subnarratives(answer: Any, taxonomy: Taxonomy, narrative: str) -> tuple[list[str], int]:
    """(subnarratives of `narrative`, labels dropped); none valid -> `<narrative>: Other`."""
    allowed = taxonomy.subnarratives_of(narrative)
    values = answer.get("subnarratives", []) if isinstance(answer, dict) else []
    kept = [v for v in dict.fromkeys(str(v).strip() for v in values) if v in allowed]
    dropped = len([v for v in values if str(v).strip() not in allowed])
    specific = [v for v in kept if v != other_subnarrative(narrative)]
    return (specific or [other_subnarrative(narrative)]), dropped


@register("narratives-llm")
class LLMNarratives(UsesLLM, BatchComponent[NarrativeAnswer]):
    """Narratives and subnarratives from an OpenAI-compatible LLM (the `--backend llm` of `narratives`)."""

    name = "narratives-llm"
    requires = ("article.text", "sentences")
    assigns = ("narratives",)
    options = ("llm",)
    judges, capability = True, "narratives"

    def __init__(self, *, llm: LLMClient | None = None, taxonomy: Taxonomy | None = None) -> None:
        self.use_llm(llm)
        self.taxonomy = taxonomy or load_taxonomy()

    def predict(self, analyses: Sequence[Analysis]) -> list[NarrativeAnswer]:
        backend, taxonomy = self.backend, self.taxonomy
        answers = [NarrativeAnswer() for _ in analyses]
        replies = backend.ask_many([domain_request(backend, a, taxonomy) for a in analyses])
        for answer, reply in zip(answers, replies, strict=True):
            answer.domain, answer.dropped = parse_domain(reply, taxonomy)
        todo = [i for i, answer in enumerate(answers) if answer.domain != OTHER]
        replies = backend.ask_many(
            [narratives_request(backend, analyses[i], taxonomy, answers[i].domain) for i in todo]
        )
        for i, reply in zip(todo, replies, strict=True):
            answers[i].narratives, dropped = parse_narratives(reply, analyses[i], taxonomy, answers[i].domain, backend)
            answers[i].dropped += dropped
        pairs = [(i, narrative) for i in todo for narrative, _ in answers[i].narratives]
        replies = backend.ask_many([subnarratives_request(backend, analyses[i], taxonomy, n) for i, n in pairs])
        for (i, narrative), reply in zip(pairs, replies, strict=True):
            subs, dropped = parse_subnarratives(reply, taxonomy, narrative)
            answers[i].subnarratives += subs
            answers[i].dropped += dropped
        backend.count_dropped_labels(sum(a.dropped for a in answers))
        return answers

    def set_annotations(self, analyses: Sequence[Analysis], predictions: Sequence[NarrativeAnswer]) -> None:
        for analysis, answer in zip(analyses, predictions, strict=True):
            if not answer.narratives:
                # `Other` is the absence of a narrative: never asserted, as in the offline model
                analysis.narratives = [
                    NarrativeHit(OTHER, level, 1.0, (), False) for level in ("narrative", "subnarrative")
                ]
                continue
            analysis.narratives = asserted_by_quote(answer)


def asserted_by_quote(answer: NarrativeAnswer) -> list[NarrativeHit]:
    """The hits of one answer: a narrative asserted when its quote was located in the text, a subnarrative
    when its narrative is."""
    asserted = {label for label, evidence in answer.narratives if evidence}
    hits = [NarrativeHit(label, "narrative", 1.0, evidence, label in asserted) for label, evidence in answer.narratives]
    for label in answer.subnarratives:
        parent = next((n for n, _ in answer.narratives if label.startswith(n + ": ")), "")
        hits.append(NarrativeHit(label, "subnarrative", 1.0, (), parent in asserted))
    return hits
