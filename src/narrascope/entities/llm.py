"""The LLM backend of the entities capability: entity-centric role prompting.

Mentions are found and grouped as offline (spaCy NER, alias table); then, for each entity (the
`MAX_ENTITIES` most mentioned), the model reads its first mention in context and answers the main role, then
fine roles of that main role — one request per entity. A main role outside the taxonomy, or fine roles none of
which belong to the main role, drop the entity (counted). Same `entities` part as the offline component.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from narrascope.analysis import Analysis, EntityMention, EntityRole, Evidence
from narrascope.components import BaseComponent, register
from narrascope.entities.detection import LANGUAGES, detect_mentions
from narrascope.entities.names import group_mentions
from narrascope.llm.backend import LLMBackend, UsesLLM
from narrascope.llm.client import LLMClient, LLMRequest
from narrascope.taxonomy import load_roles

MAX_ENTITIES = 10
CONTEXT_CHARS = 300


@cache
def role_schema() -> dict[str, Any]:
    """The main role, then fine roles of that main role only (one `anyOf` branch per main role): servers that
    enforce schemas (llama.cpp, vLLM, Ollama) cannot stray from the taxonomy or its hierarchy."""
    return {
        "anyOf": [
            {
                "type": "object",
                "properties": {
                    "main_role": {"type": "string", "enum": [main]},
                    "fine_roles": {"type": "array", "items": {"type": "string", "enum": list(fines)}, "minItems": 1},
                },
                "required": ["main_role", "fine_roles"],
            }
            for main, fines in load_roles().items()
        ]
    }


@cache
def roles_text() -> str:
    return "\n".join(f"{main}: {', '.join(fines)}" for main, fines in load_roles().items())


def context_of(raw_text: str, start: int, end: int) -> str:
    """The mention with up to CONTEXT_CHARS of text on each side, the mention marked with [[ ]]."""
    left = raw_text[max(0, start - CONTEXT_CHARS) : start]
    right = raw_text[end : end + CONTEXT_CHARS]
    return " ".join(f"{left}[[{raw_text[start:end]}]]{right}".split())


def role_request(backend: LLMBackend, analysis: Analysis, entity: str, start: int, end: int) -> LLMRequest:
    context = context_of(analysis.article.raw_text, start, end)
    return backend.request("entities_roles", analysis, role_schema(), max_tokens=60, entity=entity, context=context,
                           roles=roles_text())  # fmt: skip


def parse_roles(answer: Any) -> tuple[str, tuple[str, ...]] | None:
    """(main role, fine roles of that main role), or None when the answer has no valid pair."""
    if not isinstance(answer, dict):
        return None
    roles = load_roles()
    main = str(answer.get("main_role", "")).strip()
    if main not in roles:
        return None
    fines = tuple(dict.fromkeys(f for f in (str(v).strip() for v in answer.get("fine_roles", [])) if f in roles[main]))
    return (main, fines) if fines else None


def predict_mention_roles(
    backend: LLMBackend, analyses: Sequence[Analysis], spans: Sequence[tuple[int, int]]
) -> list[tuple[str, tuple[str, ...]] | None]:
    """Roles of given mentions (one per analysis/span pair), for `predict`/`evaluate entities --backend llm`."""
    requests = [
        role_request(backend, a, a.article.raw_text[s:e], s, e) for a, (s, e) in zip(analyses, spans, strict=True)
    ]
    roles = [parse_roles(answer) for answer in backend.ask_many(requests)]
    backend.count_dropped_labels(sum(r is None for r in roles))
    return roles


@register("entities-llm")
class LLMEntities(UsesLLM, BaseComponent):
    """Entity roles from an OpenAI-compatible LLM (the `--backend llm` of `entities`)."""

    name = "entities-llm"
    requires = ("article.text", "article.language", "sentences")
    assigns = ("entities",)
    options = ("llm",)
    judges, capability = True, "entities"
    languages = frozenset(LANGUAGES)  # the languages the mention detector reads

    def __init__(self, *, llm: LLMClient | None = None) -> None:
        self.use_llm(llm)

    def __call__(self, analysis: Analysis) -> Analysis:
        article = analysis.article
        language = article.language or ""
        if language not in LANGUAGES:
            return analysis
        found = detect_mentions(article.clean_text, language)
        spans = [article.raw_span(start, end) for start, end, _ in found]
        texts = [article.raw_text[s.start : s.end] for s in spans]
        groups = sorted(
            group_mentions(texts, [label for _, _, label in found], language), key=lambda g: -len(g.members)
        )
        groups = groups[:MAX_ENTITIES]
        firsts = [(spans[g.members[0]].start, spans[g.members[0]].end) for g in groups]
        roles = predict_mention_roles(self.backend, [analysis] * len(groups), firsts)
        entities = []
        for group, role in zip(groups, roles, strict=True):
            if role is None:
                continue
            main, fines = role
            mentions = tuple(
                EntityMention(spans[i].start, spans[i].end, texts[i], main, fines, 1.0) for i in group.members
            )
            first = spans[group.members[0]]
            sentence = next((s for s in analysis.sentences if s.start <= first.start < s.end), None)
            framing = (Evidence(sentence.start, sentence.end, sentence.text, 1.0),) if sentence else ()
            entities.append(EntityRole(group.canonical, group.label, main, fines, 1.0, mentions, framing))
        analysis.entities = sorted(entities, key=lambda e: (-len(e.mentions), e.mentions[0].start))
        return analysis
