"""Persuasion techniques for people: a per-article count table and the text with its spans highlighted.

Spans overlap (a `Loaded_Language` word inside a `Doubt` sentence), so the HTML cuts the text at every span
boundary and gives each piece the classes of all the spans that cover it; every piece of article text goes
through `html.escape`.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Sequence
from itertools import pairwise

from rich.table import Table
from rich.text import Text

from narrascope.analysis import Analysis, TechniqueSpan
from narrascope.taxonomy import load_techniques

# One colour per technique class, in the order of load_techniques().
COLOURS = (
    "#ffd6a5", "#ffadad", "#caffbf", "#9bf6ff", "#a0c4ff", "#bdb2ff", "#ffc6ff",
    "#fdffb6", "#e9c46a", "#f4a261", "#90be6d", "#43aa8b", "#b5838d", "#cdb4db",
)  # fmt: skip


def _short(technique: str) -> str:
    return technique.replace("_", " ").split(",")[0]


def techniques_table(analyses: Sequence[Analysis]) -> Table | None:
    """One row per article with techniques: how many spans of each technique; None when there are none."""
    with_spans = [a for a in analyses if a.shown_techniques]
    if not with_spans:
        return None
    counts = [Counter(span.technique for span in a.shown_techniques) for a in with_spans]
    used = [t for t in load_techniques() if any(c[t] for c in counts)]
    used += sorted({t for c in counts for t in c} - set(used))
    table = Table(title="persuasion techniques (spans per article)")
    table.add_column("id", style="cyan", overflow="fold", min_width=10)
    for technique in used:
        table.add_column(_short(technique), justify="right")
    table.add_column("total", justify="right", style="bold")
    for analysis, count in zip(with_spans, counts, strict=True):
        table.add_row(Text(analysis.id), *(str(count[t]) if count[t] else "" for t in used), str(sum(count.values())))
    return table


def technique_colour(technique: str) -> str:
    """The colour of a technique class, the same on every page."""
    return _colour(technique, load_techniques())


def _colour(technique: str, order: Sequence[str]) -> str:
    index = order.index(technique) if technique in order else len(order) + sum(map(ord, technique))
    return COLOURS[index % len(COLOURS)]


def _class(technique: str) -> str:
    return "t-" + "".join(c if c.isalnum() else "-" for c in technique)


def _pieces(text: str, spans: Sequence[TechniqueSpan]) -> list[tuple[int, int, list[TechniqueSpan]]]:
    """The text cut at every span boundary: (start, end, spans covering the piece)."""
    cuts = sorted({0, len(text)} | {s.start for s in spans} | {s.end for s in spans})
    pieces = []
    for start, end in pairwise(cuts):
        if start >= end:
            continue
        covering = [s for s in spans if s.start <= start and end <= s.end]
        pieces.append((start, end, covering))
    return pieces


def techniques_html(analysis: Analysis) -> str:
    """The raw text with technique spans highlighted (nested where spans overlap) and a legend."""
    order = load_techniques()
    text = analysis.article.raw_text
    spans = [s for s in analysis.shown_techniques if 0 <= s.start < s.end <= len(text)]
    present = [t for t in order if any(s.technique == t for s in spans)]
    present += sorted({s.technique for s in spans} - set(present))
    style = "".join(f".{_class(t)}{{background:{_colour(t, order)}}}" for t in present)
    legend = "".join(
        f'<li><span class="{_class(t)}">{html.escape(t)}</span> {sum(1 for s in spans if s.technique == t)}</li>'
        for t in present
    )
    body = []
    for start, end, covering in _pieces(text, spans):
        piece = html.escape(text[start:end])
        if not covering:
            body.append(piece)
            continue
        # The innermost (shortest) span gives the colour; the title lists every technique of the piece.
        inner = min(covering, key=lambda s: (s.end - s.start, s.technique))
        names = ", ".join(sorted({s.technique for s in covering}))
        overlap = " overlap" if len({s.technique for s in covering}) > 1 else ""
        body.append(
            f'<mark class="{_class(inner.technique)}{overlap}" title="{html.escape(names, quote=True)}">{piece}</mark>'
        )
    return (
        f'<section class="techniques"><style>.techniques mark{{padding:0}}.techniques .overlap'
        f"{{outline:1px solid #333}}{style}</style>"
        f'<ul class="legend">{legend}</ul>'
        f'<div class="text" style="white-space:pre-wrap">{"".join(body)}</div></section>'
    )
