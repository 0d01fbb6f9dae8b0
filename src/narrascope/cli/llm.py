"""`--backend offline|llm` and the `--llm-*` options, shared by analyze, predict and evaluate; and
`narrascope predict explanations`.

The client is built and probed here, before any article is read: a wrong URL or model is one line, exit 2.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from narrascope.cli.console import stderr_console
from narrascope.cli.options import llm_options

if TYPE_CHECKING:  # the models load with the command, not with its --help
    from narrascope.analysis import Analysis
    from narrascope.datasets.semeval import EntityAnnotation, EntityMention, ExplanationAnnotation
    from narrascope.entities.model import MentionItem
    from narrascope.llm.client import LLMClient
    from narrascope.narratives.evaluate import NarrativeReport


def open_llm(options: dict[str, Any], components: Sequence[str] = ()) -> LLMClient | None:
    """The probed client for `--backend llm` or for LLM components named in `components` (e.g. offline
    narratives with `explanations-llm`); None offline. Pops the llm options from `options`.

    When the command ends, however it ends, the request summary goes to stderr and the client is closed."""
    from narrascope.llm.client import LLMClient, LLMSettings
    from narrascope.pipeline import LLM_BACKENDS

    backend = options.pop("backend")
    click.get_current_context().meta["narrascope.backend"] = backend
    settings = {k: options.pop(k) for k in ("llm_url", "llm_model", "llm_concurrency", "llm_cache", "llm_prompts")}
    if backend != "llm" and not set(components) & set(LLM_BACKENDS.values()):
        return None
    client = LLMClient(
        LLMSettings.from_env(
            url=settings["llm_url"],
            model=settings["llm_model"],
            concurrency=settings["llm_concurrency"],
            cache_path=settings["llm_cache"],
            prompts_dir=settings["llm_prompts"],
        )
    )
    err = stderr_console()

    def finish() -> None:
        err.print(client.stats.summary(), markup=False, soft_wrap=True)
        client.close()

    try:
        client.probe()
    except Exception:
        client.close()
        raise
    click.get_current_context().call_on_close(finish)
    for warning in client.warnings:
        err.print(f"narrascope: warning: {warning}", markup=False, soft_wrap=True)
    return client


def backend_names(names: list[str], client: LLMClient | None) -> list[str]:
    """With `--backend llm`, every component that has an LLM backend uses it (after `open_llm`)."""
    from narrascope.pipeline import with_backend

    backend = click.get_current_context().meta.get("narrascope.backend", "offline")
    return with_backend(names, backend if client is not None else "offline")


@click.command("explanations")
@click.argument("docs_dir", type=click.Path(exists=True, file_okay=False))
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False),
              help="SemEval subtask-3 file to write (atomically).")  # fmt: skip
@llm_options
def predict_explanations(docs_dir: str, out_path: str, **options: Any) -> None:
    """Dominant narrative, subnarrative and an explanation (<= 80 words) per document: SemEval subtask 3."""
    from narrascope.datasets.examples import document_dir
    from narrascope.datasets.semeval import ExplanationAnnotation, write_explanations
    from narrascope.pipeline import load_pipeline
    from narrascope.runner import analyze_many

    client = open_llm(options)
    names = backend_names(["cleaning", "language", "sentences", "narratives", "explanations"], client)
    pipeline = load_pipeline(names, llm=client, min_words=0)
    rows: list[ExplanationAnnotation] = []
    failures = 0
    err = stderr_console()
    for outcome in analyze_many([str(document_dir(Path(docs_dir)))], pipeline=pipeline):
        explanation = outcome.analysis.explanation if outcome.analysis else None
        if outcome.analysis is None:
            failures += 1
            err.print(f"narrascope: error: {outcome.error}", markup=False)
        elif explanation is not None:
            rows.append(ExplanationAnnotation(outcome.analysis.id, explanation.narrative, explanation.subnarrative,
                                              " ".join(explanation.text.split())))  # fmt: skip
    write_explanations(out_path, rows)
    err.print(f"wrote {len(rows)} explanations to {out_path}", markup=False)
    if failures:
        sys.exit(1)


def llm_narrative_report(client: LLMClient, data: Sequence[str]) -> NarrativeReport:
    """`evaluate narratives --backend llm`: the LLM pipeline's labels scored against gold, officially."""
    from narrascope.article import Article
    from narrascope.datasets.examples import load_narrative_examples
    from narrascope.narratives.evaluate import report_for, semeval_labels
    from narrascope.pipeline import load_pipeline, with_backend

    examples = load_narrative_examples(data)
    pipeline = load_pipeline(
        with_backend(["cleaning", "language", "sentences", "narratives"], "llm"), llm=client, min_words=0
    )
    predicted: dict[str, tuple[set[str], set[str]]] = {}
    for example in examples:
        narratives, subnarratives = semeval_labels(pipeline(Article(raw_text=example.raw_text, id=example.id)))
        predicted[f"{example.language}/{example.id}"] = (set(narratives), set(subnarratives))
    return report_for(examples, predicted)


def llm_mention_roles(client: LLMClient, items: Sequence[MentionItem]) -> list[tuple[str, tuple[str, ...]]]:
    """Roles of given mentions from the LLM; ("", ()) where it gave no valid role (counted as dropped)."""
    from narrascope.analysis import Analysis
    from narrascope.article import Article
    from narrascope.entities.llm import predict_mention_roles
    from narrascope.llm.backend import LLMBackend

    documents: dict[str, Analysis] = {}
    analyses = [documents.setdefault(i.text, Analysis(Article(raw_text=i.text))) for i in items]
    roles = predict_mention_roles(LLMBackend(client), analyses, [(i.start, i.end) for i in items])
    return [role or ("", ()) for role in roles]


def llm_given_mentions(
    client: LLMClient, folder: Path, mentions: Sequence[EntityMention]
) -> tuple[list[EntityAnnotation], list[str]]:
    """`predict entities --backend llm`: subtask-1 rows for given mentions; a mention whose answer had no valid
    role is left out (counted in the summary), one not found in its document is a problem line."""
    from narrascope.datasets.semeval import EntityAnnotation
    from narrascope.entities.evaluate import mention_items

    items = mention_items(folder, mentions)
    found = [item for item in items if item is not None]
    roles = iter(llm_mention_roles(client, found))
    rows: list[EntityAnnotation] = []
    problems: list[str] = []
    for mention, item in zip(mentions, items, strict=True):
        if item is None:
            problems.append(f"{mention.file}: mention {mention.mention!r} not found near offset {mention.start}")
            continue
        main, fines = next(roles)
        if fines:
            rows.append(EntityAnnotation(mention.file, mention.mention, mention.start, mention.end, main, list(fines)))
    return rows, problems
