"""`train narratives|techniques --from-db FILE`: retraining on analysts' corrections, as thin glue."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import click

from narrascope.cli.console import stderr_console
from narrascope.cli.options import taxonomy_option
from narrascope.errors import ModelError
from narrascope.taxonomy import read_taxonomy_file

if TYPE_CHECKING:  # the models load with the command, not with its --help
    from rich.console import Console

    from narrascope.store.db import Store

F = TypeVar("F", bound=Callable[..., Any])
T = TypeVar("T")


def from_db_options(func: F) -> F:
    """`--from-db FILE`, `--taxonomy FILE` and `--folds N` of the train commands."""
    options = [
        click.option("--from-db", "from_db", type=click.Path(exists=True, dir_okay=False),
                     help="A corpus store: also train on the articles analysts corrected (their gold labels)."),
        taxonomy_option,
        click.option("--folds", type=click.IntRange(min=0), default=5, show_default=True,
                     help="With --from-db: cross-validation folds over the corrected articles (0: no scores)."),
    ]  # fmt: skip
    for option in reversed(options):
        func = option(func)
    return func


def _corrected(db: str, read: Callable[[Store], Sequence[T]], missing: str) -> list[T]:
    """What `read` finds among the corrections of the store `db` (opened read-only); an error saying `missing`
    when there is none."""
    from narrascope.store.db import Store

    store = Store(db, readonly=True)
    try:
        corrected = list(read(store))
    finally:
        store.close()
    if not corrected:
        raise ModelError(f"{db}: {missing}; review some first (web UI or API)")
    return corrected


def check_enough(db: str, corrected: int, given: int, needed: int, what: str) -> None:
    """One line saying how many more documents training needs, before any model is fitted."""
    if corrected + given < needed:
        raise ModelError(
            f"{db}: {corrected} corrected article(s) and {given} training document(s); training needs at least "
            f"{needed} {what}: correct {needed - corrected - given} more article(s) or add --data"
        )


def _say(err: Console) -> Callable[[str], None]:
    return lambda message: err.print(message, markup=False)


def retrain_narratives(
    db: str, data: Sequence[str], out_dir: str, config: Any, *, taxonomy_path: str | None, folds: int
) -> None:
    from narrascope.datasets.examples import load_narrative_examples
    from narrascope.narratives.evaluate import fit_examples
    from narrascope.narratives.model import load_default_model
    from narrascope.store.corrections import Vocabulary
    from narrascope.store.retrain import check_labels, cross_validated, narrative_examples, narrative_scores

    err = stderr_console()
    custom = read_taxonomy_file(taxonomy_path) if taxonomy_path else None
    vocabulary = Vocabulary(custom)
    corrected = _corrected(
        db, lambda store: narrative_examples(store, vocabulary), "no article has a narrative correction"
    )
    given = load_narrative_examples(data) if data else []
    if custom is not None:
        check_labels(corrected, vocabulary, db)
    err.print(f"{len(corrected)} corrected article(s) from {db}, {len(given)} training document(s)", markup=False)
    # the text features keep terms seen in min_df documents: fewer documents than that leave no vocabulary
    check_enough(db, len(corrected), len(given), max(2, config.features.min_df), "documents")
    if folds:
        before = narrative_scores(load_default_model(), corrected)
        err.print(f"before (the shipped model on the corrected articles): coarse F1 {before.coarse:.4f}, "
                  f"fine F1 {before.fine:.4f}", markup=False)  # fmt: skip
        k = min(folds, len(corrected))
        smallest_training = len(given) + len(corrected) - -(-len(corrected) // max(k, 1))  # minus the largest fold
        if k >= 2 and smallest_training >= config.features.min_df:
            after = cross_validated(corrected, given, config, folds=folds, progress=_say(err))
            err.print(f"after ({min(folds, len(corrected))}-fold cross-validation on the corrected articles): "
                      f"coarse F1 {after.coarse:.4f}, fine F1 {after.fine:.4f}", markup=False)  # fmt: skip
    model = fit_examples(given + corrected, config, _say(err))
    model.save(out_dir)
    labels = len(model.labels.narratives) + len(model.labels.subnarratives)
    err.print(f"wrote the narrative model ({labels} labels) to {out_dir}", markup=False)


def retrain_techniques(db: str, data: str | None, out_dir: str, config: Any, *, folds: int) -> None:
    from narrascope.datasets.ptc import PtcSpan, load_ptc
    from narrascope.store.corrections import Vocabulary
    from narrascope.store.retrain import technique_articles
    from narrascope.techniques.evaluate import span_identification_scores
    from narrascope.techniques.model import load_default_model, train_technique_model

    err = stderr_console()
    corrected = _corrected(
        db, lambda store: technique_articles(store, Vocabulary()), "no article has a technique correction"
    )
    given = load_ptc(data) if data else []
    err.print(f"{len(corrected)} corrected article(s) from {db}, {len(given)} PTC article(s)", markup=False)

    def span_f1(model: Any, articles: Sequence[Any]) -> float:
        gold = [s for a in articles for s in a.spans]
        found = [PtcSpan(a.id, s, e) for a in articles for s, e, _ in model.predict_spans(a.text)]
        return float(span_identification_scores(gold, found).f1)

    if folds:
        before = span_f1(load_default_model(), corrected)
        err.print(f"before (the shipped model on the corrected articles): span F1 {before:.4f}", markup=False)
        k = min(folds, len(corrected))
        if k >= 2:
            held: list[float] = []
            for fold in range(k):
                train = [a for i, a in enumerate(corrected) if i % k != fold]
                test = [a for i, a in enumerate(corrected) if i % k == fold]
                held.append(span_f1(train_technique_model(given + train, config=config), test))
            err.print(f"after ({k}-fold cross-validation on the corrected articles): span F1 "
                      f"{sum(held) / len(held):.4f}", markup=False)  # fmt: skip
    model = train_technique_model(given + corrected, config=config, progress=_say(err))
    model.save(out_dir)
    err.print(f"trained on {len(given) + len(corrected)} articles; wrote {out_dir}", markup=False)


def entity_corrections(db: str, data: Sequence[Any], *, folds: int) -> list[Any]:
    """The corrected mentions of the store as role-model examples, after printing before/after scores."""
    from narrascope.entities.component import default_role_model
    from narrascope.entities.evaluate import predict_examples
    from narrascope.store.corrections import Vocabulary
    from narrascope.store.retrain import cross_validated_roles, entity_examples, role_scores

    err = stderr_console()
    corrected = _corrected(
        db, lambda store: entity_examples(store, Vocabulary()), "no entity an analyst accepted, changed or added"
    )
    err.print(f"{len(corrected)} corrected mention(s) from {db}, {len(data)} training mention(s)", markup=False)
    if folds:
        main, exact = role_scores(predict_examples(default_role_model(), corrected), corrected)
        err.print(f"before (the shipped role model on the corrected mentions): main-role accuracy {main:.4f}, "
                  f"fine-role exact match {exact:.4f}", markup=False)  # fmt: skip
        if len({e.file for e in corrected}) >= 2:
            main, exact = cross_validated_roles(corrected, data, folds=folds)
            err.print(f"after (cross-validation on the corrected articles): main-role accuracy {main:.4f}, "
                      f"fine-role exact match {exact:.4f}", markup=False)  # fmt: skip
    return corrected
