"""What `evaluate` prints after its summary: the per-label scores, as a table (`--per-label`) or a chart
(`--plot FILE.png`, matplotlib: `pip install narrascope[plot]`). Without either, one line says how to get them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import click

from narrascope.cli.console import stderr_console
from narrascope.errors import visible

if TYPE_CHECKING:
    from rich.console import Console

F = TypeVar("F", bound=Callable[..., Any])


class LabelScore(Protocol):
    """One label's scores (the narrative and the technique evaluations each have theirs)."""

    @property
    def label(self) -> str: ...
    @property
    def support(self) -> int: ...
    @property
    def precision(self) -> float: ...
    @property
    def recall(self) -> float: ...
    @property
    def f1(self) -> float: ...


def per_label_options(func: F) -> F:
    """`--per-label` and `--plot FILE.png`, as keyword arguments per_label and plot_path."""
    func = click.option(
        "--plot", "plot_path", type=click.Path(dir_okay=False), metavar="FILE.png",
        help="Also draw the per-label precision, recall and F1 as a chart (PNG; needs narrascope[plot]).",
    )(func)  # fmt: skip
    return click.option(
        "--per-label/--no-per-label", "--labels/--no-labels", "per_label", default=False, show_default=True,
        help="Print the per-label precision, recall and F1 after the summary (--labels: the older name).",
    )(func)  # fmt: skip


def show_per_label(
    console: Console, scores: Sequence[LabelScore], *, title: str, per_label: bool, plot_path: str | None
) -> None:
    """The per-label table when asked, the chart when asked, else a line saying how to see them."""
    from rich.table import Table

    if not scores:
        return
    if per_label:
        table = Table(title=title)
        for column in ("label", "support", "P", "R", "F1"):
            table.add_column(column, justify="left" if column == "label" else "right")
        for s in scores:
            table.add_row(visible(s.label), str(s.support), f"{s.precision:.3f}", f"{s.recall:.3f}", f"{s.f1:.3f}")
        console.print(table)
    if plot_path:
        plot_scores(scores, title, plot_path)
        stderr_console().print(f"wrote the {title} chart to {plot_path}", markup=False)
    if not per_label and not plot_path:
        console.print(f"({len(scores)} labels: --per-label prints each one's P/R/F1, --plot FILE.png draws them)")


def plot_scores(scores: Sequence[LabelScore], title: str, path: str) -> None:
    """A horizontal bar chart of each label's F1 (precision and recall as ticks), labels ordered by support."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise click.UsageError("--plot needs matplotlib: pip install 'narrascope[plot]'") from exc
    ordered = sorted(scores, key=lambda s: (s.support, s.label))
    height = max(3.0, 0.28 * len(ordered) + 1.2)
    figure, axes = plt.subplots(figsize=(10, height))
    rows = range(len(ordered))
    axes.barh(rows, [s.f1 for s in ordered], color="#4c6ef5", label="F1")
    axes.scatter([s.precision for s in ordered], rows, marker="|", s=120, color="#e8590c", label="precision")
    axes.scatter([s.recall for s in ordered], rows, marker="|", s=120, color="#2b8a3e", label="recall")
    axes.set_yticks(list(rows), [f"{s.label[:60]} ({s.support})" for s in ordered], fontsize=7)
    axes.set_xlim(0, 1)
    axes.set_xlabel("score (support in brackets)")
    axes.set_title(title)
    axes.legend(loc="lower right", fontsize=8)
    figure.tight_layout()
    try:
        figure.savefig(path, format="png", dpi=110)
    except OSError as exc:
        raise click.BadParameter(f"cannot write {path!r}: {exc.strerror or exc}", param_hint="--plot") from exc
    finally:
        plt.close(figure)
