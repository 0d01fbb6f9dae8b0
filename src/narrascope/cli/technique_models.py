"""`narrascope train|evaluate|predict techniques`: the technique model's commands (added to the groups of
`cli/models.py`)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from narrascope.cli.console import stderr_console, stdout_console
from narrascope.cli.options import busy, data_option, model_option
from narrascope.cli.progress import progress, steps
from narrascope.cli.report import per_label_options, show_per_label
from narrascope.cli.retrain import from_db_options, retrain_techniques
from narrascope.errors import FormatError
from narrascope.taxonomy import load_techniques

if TYPE_CHECKING:  # the models load with the command, not with its --help
    from narrascope.datasets.ptc import (
        PtcSpan,
    )
    from narrascope.techniques.model import (
        TechniqueModel,
    )


def _technique_model(path: str | None) -> TechniqueModel:
    from narrascope.techniques.model import TechniqueModel
    from narrascope.techniques.model import load_default_model as load_default_technique_model

    return TechniqueModel.load(path) if path else load_default_technique_model()


@click.command("techniques")
@data_option("PTC folder (SemEval-2020 Task 11): articles/ and labels-techniques/.", multiple=False, required=False)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write the model to.")
@click.option(
    "--tune/--no-tune", default=True, show_default=True, help="Choose the span threshold on held-out articles."
)
@from_db_options
def train_techniques(
    data: str | None, out_dir: str, tune: bool, from_db: str | None, taxonomy_path: str | None, folds: int
) -> None:
    """Train the persuasion technique model (span identification + technique classification).

    With --from-db, also on the technique spans analysts corrected, with scores before/after."""
    from narrascope.datasets.ptc import load_ptc
    from narrascope.techniques.model import TrainConfig, train_technique_model

    err = stderr_console()
    if taxonomy_path:
        raise click.UsageError("--taxonomy applies to train narratives (a team's own narratives)")
    if from_db is not None:
        with progress("training", unit="steps"):
            retrain_techniques(from_db, data, out_dir, TrainConfig(tune=tune), folds=folds)
        return
    if data is None:
        raise click.UsageError("give --data FOLDER (a PTC folder), --from-db FILE, or both")
    articles = load_ptc(data)
    with steps("training") as say:
        model = train_technique_model(articles, config=TrainConfig(tune=tune), progress=say)
    model.save(out_dir)
    err.print(f"trained on {len(articles)} articles; wrote {out_dir}", markup=False)


@click.command("techniques")
@data_option("Annotated PTC folder: articles/ and labels-techniques/.", multiple=False)
@model_option
@per_label_options
def evaluate_techniques(data: str, model_path: str | None, per_label: bool, plot_path: str | None) -> None:
    """Span identification P/R/F1 (partial overlap) and technique micro-F1 given gold spans (SemEval-2020 Task 11)."""
    from rich.table import Table

    from narrascope.datasets.ptc import PtcSpan, load_ptc
    from narrascope.techniques.evaluate import span_identification_scores, technique_scores

    model = _technique_model(model_path)
    articles = load_ptc(data)
    gold: list[PtcSpan] = []
    found: list[PtcSpan] = []
    labelled: list[PtcSpan] = []
    with progress("scoring", total=len(articles)) as tracker:
        for article in articles:
            gold += article.spans
            found += [PtcSpan(article.id, s, e) for s, e, _ in model.predict_spans(article.text)]
            offsets = [(s.start, s.end) for s in article.spans]
            labels = model.classify(article.text, offsets)
            labelled += [PtcSpan(article.id, s, e, lab) for (s, e), (lab, _) in zip(offsets, labels, strict=True)]
            tracker.advance()
    stderr_console().print(
        "narrascope: note: in-sample when DATA is what the model was trained on (the shipped model: the PTC-2020 "
        "training articles); cross-validated scores: docs/techniques.md",
        markup=False,
        soft_wrap=True,
    )
    si = span_identification_scores(gold, found)
    console = stdout_console()
    table = Table(title=f"techniques on {len(articles)} articles (official SemEval-2020 Task 11 measures)")
    for column in ("task", "P", "R", "F1"):
        table.add_column(column, justify="left" if column == "task" else "right")
    table.add_row("span identification", f"{si.precision:.4f}", f"{si.recall:.4f}", f"{si.f1:.4f}")
    if any(s.technique for s in gold):
        tc, per_technique = technique_scores(gold, labelled, load_techniques())
        table.add_row("technique classification (micro)", f"{tc.precision:.4f}", f"{tc.recall:.4f}", f"{tc.f1:.4f}")
    else:
        per_technique = []
    console.print(table)
    show_per_label(console, per_technique, title="per technique (given gold spans)", per_label=per_label,
                   plot_path=plot_path)  # fmt: skip


@click.command("techniques")
@click.argument("docs_dir", type=click.Path(exists=True, file_okay=False))
@click.option(
    "--out",
    "out_path",
    required=True,
    type=click.Path(dir_okay=False),
    help="Prediction file to write (atomically).",
)
@click.option(
    "--spans",
    "spans_path",
    type=click.Path(exists=True, dir_okay=False),
    help="Technique classification template (`article_id ? start end` lines): label these spans.",
)
@model_option
def predict_techniques(docs_dir: str, out_path: str, spans_path: str | None, model_path: str | None) -> None:
    """Without --spans: `article_id start end` lines (span identification); with it: the template's lines
    with `?` replaced by the technique. DOCS_DIR is any folder of .txt documents (`article<ID>.txt` gives
    the id ID, any other name its name without .txt)."""
    from narrascope.datasets.ptc import (
        PtcSpan,
        read_articles,
        read_technique_file,
        write_span_file,
        write_technique_file,
    )

    model = _technique_model(model_path)
    texts = {a.id: a.text for a in read_articles(docs_dir, any_name=True)}
    err = stderr_console()
    if spans_path is None:
        with busy(f"finding technique spans in {len(texts)} documents"):
            spans = [PtcSpan(aid, s, e) for aid, text in texts.items() for s, e, _ in model.predict_spans(text)]
        write_span_file(out_path, spans)
        err.print(f"wrote {len(spans)} spans of {len(texts)} articles to {out_path}", markup=False)
        return
    template = read_technique_file(spans_path, template=True)
    by_article: dict[str, list[int]] = {}
    for index, span in enumerate(template):
        if span.article_id not in texts:
            raise FormatError(f"{spans_path}: article {span.article_id} is not in {docs_dir}")
        if span.end > len(texts[span.article_id]):
            raise FormatError(f"{spans_path}: span {span.start}-{span.end} ends after article {span.article_id}")
        by_article.setdefault(span.article_id, []).append(index)
    labelled = list(template)
    for aid, indices in by_article.items():
        offsets = [(template[i].start, template[i].end) for i in indices]
        for i, (label, _) in zip(indices, model.classify(texts[aid], offsets), strict=True):
            labelled[i] = PtcSpan(aid, template[i].start, template[i].end, label)
    write_technique_file(out_path, labelled)
    err.print(f"labelled {len(labelled)} spans; wrote {out_path}", markup=False)
