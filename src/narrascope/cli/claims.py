"""`narrascope claims`: analyse articles, group their claims across the set, print the groups' provenance."""

from __future__ import annotations

import shutil
import sys

import click

from narrascope.cli.console import stderr_console
from narrascope.cli.options import embedding_progress
from narrascope.errors import visible
from narrascope.fileio import atomic_write_text

CLAIMS_COMPONENTS = ("cleaning", "language", "sentences", "claims")
EXIT_FAILED = 1


@click.command()
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json", "csv", "html"]), default="table", show_default=True
)
@click.option("--out", "out_path", type=click.Path(dir_okay=False), help="Write to this file (atomically).")
@click.pass_context
def claims(ctx: click.Context, paths: tuple[str, ...], fmt: str, out_path: str | None) -> None:
    """Group the claims of a set of articles: who says what, relayed by whom, where it appeared first.

    PATH is a .txt (SemEval layout), .html, .jsonl or .csv file, a folder, or - for stdin.
    """
    # the models load with the command, not with its --help
    from narrascope.claims.grouping import group_claims, records_from_analyses
    from narrascope.claims.matching import claim_vectors
    from narrascope.claims.render import groups_csv, groups_html, groups_json, groups_text
    from narrascope.claims.spread import rank_by_spread, stories_of
    from narrascope.pipeline import load_pipeline
    from narrascope.runner import analyze_many

    pipeline = load_pipeline(CLAIMS_COMPONENTS)
    err = stderr_console()
    debug = bool(ctx.find_root().meta.get("narrascope.debug"))
    outcomes = list(analyze_many(paths, pipeline=pipeline, raise_errors=debug))
    analyses = [o.analysis for o in outcomes if o.analysis is not None]
    failures = [o for o in outcomes if o.error]
    records = records_from_analyses(analyses)
    texts = [r.text for r in records]
    with embedding_progress(len(texts), "claims") as advance:
        grouped = group_claims(records, vectors=claim_vectors(texts, advance))
    ranked = rank_by_spread(grouped, stories_of(analyses))
    groups, spreads = [g for g, _ in ranked], [s for _, s in ranked]  # widest spread first
    for outcome in outcomes:
        for warning in outcome.warnings:
            err.print(f"narrascope: warning: {visible(warning)}", markup=False, soft_wrap=True)
    if fmt == "table" and out_path is None:
        sys.stdout.write(groups_text(groups, spreads, width=shutil.get_terminal_size((100, 24)).columns))
    else:
        if fmt == "json":
            text = groups_json(groups, [{"origin": o.origin, "message": o.error or ""} for o in failures], spreads)
        elif fmt == "csv":
            text = groups_csv(groups, spreads)
        elif fmt == "html":
            text = groups_html(groups, spreads)
        else:
            text = groups_text(groups, spreads, width=120)
        if out_path is None:
            sys.stdout.write(text)
        else:
            atomic_write_text(out_path, text)
            err.print(f"wrote {len(groups)} claim group(s) to {out_path}", markup=False)
    for failure in failures:
        err.print(f"narrascope: error: {visible(failure.error or failure.origin)}", markup=False, soft_wrap=True)
    if failures:
        err.print(f"{len(failures)} document(s) failed, {len(analyses)} analysed", markup=False)
        sys.exit(EXIT_FAILED)
