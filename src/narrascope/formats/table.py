"""The terminal table: one compact block per article that fits the console's width.

Each block is the article's id (never cut), its title and facts, then one section per capability: narratives
with their score and best evidence sentence, entities grouped by the role the article casts them in,
technique counts, and the first claims. A line that would not fit (a title, a sentence, a claim) is cut with an
ellipsis (the JSON output keeps the full text); lists of names wrap between names. Only asserted judgments
are shown; a capability that abstained says why ("entities: not available for bg") instead of showing
nothing. Article text is rendered as `Text`, never as markup, with control characters made visible.
"""

from __future__ import annotations

from collections.abc import Sequence

from rich.console import Console, Group, RenderableType
from rich.table import Table
from rich.text import Text

from narrascope.analysis import TOO_SHORT, Analysis, NarrativeHit
from narrascope.components import MIN_WORDS
from narrascope.errors import visible
from narrascope.runner import Outcome
from narrascope.version import __version__

ROLE_STYLES = {"Protagonist": "green", "Antagonist": "red", "Innocent": "blue"}
MAX_ENTITIES = 12  # per article, most-mentioned first
MAX_CLAIMS = 5  # per article; the JSON output has them all
LABEL_WIDTH = 11  # the section column ("narratives", "techniques")
# a calibrated score in words (the first bound it reaches); the same bands as the web UI's `inWords`
SCORE_WORDS = ((0.9, "very likely"), (0.7, "likely"), (0.4, "possible"), (0.0, "unlikely"))


def grouped_narratives(analysis: Analysis) -> list[NarrativeHit]:
    """The asserted narratives, each followed by its asserted subnarratives, for reading."""
    shown = analysis.shown_narratives
    subs = [h for h in shown if h.level == "subnarrative"]
    ordered: list[NarrativeHit] = []
    for hit in (h for h in shown if h.level == "narrative"):
        ordered.append(hit)
        ordered += [s for s in subs if s.label.startswith(hit.label + ": ")]
    return ordered


def technique_counts(analysis: Analysis) -> dict[str, int]:
    counts: dict[str, int] = {}
    for span in analysis.shown_techniques:
        counts[span.technique] = counts.get(span.technique, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def _line(*parts: str | tuple[str, str]) -> Text:
    """One line that never wraps: cut with an ellipsis at the console's width."""
    text = Text.assemble(*((visible(p), "") if isinstance(p, str) else (visible(p[0]), p[1]) for p in parts))
    text.no_wrap, text.overflow = True, "ellipsis"
    return text


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _facts(analysis: Analysis) -> Text:
    a = analysis.article
    facts = [
        a.language or "language unknown",
        a.published or "",
        f"{len(analysis.sentences)} sentences",
        "cited: " + ", ".join(a.cited_sources) if a.cited_sources else "",
        f"{len(a.meta.get('removed_lines', []))} boilerplate lines removed" if a.meta.get("removed_lines") else "",
        a.source or "",
    ]
    return _line((" \u00b7 ".join(f for f in facts if f), "dim"))


def in_words(score: float) -> str:
    """A calibrated score as an analyst reads it at a glance: "likely 0.82" (the words, then the number)."""
    words = next(w for bound, w in SCORE_WORDS if score >= bound)
    return f"{words} {score:.2f}"


def _narratives(analysis: Analysis) -> list[Text]:
    lines = []
    for hit in grouped_narratives(analysis):
        if hit.level == "narrative":
            lines.append(_line((f"{in_words(hit.score)} ", "bold"), (hit.label, "yellow")))
            if hit.evidence:
                lines.append(_line(("  \u201c" + _one_line(hit.evidence[0].text) + "\u201d", "italic")))
        else:
            lines.append(_line("  \u21b3 ", (f"{in_words(hit.score)} ", "bold"), hit.label.rsplit(": ", 1)[-1]))
    return lines


def _entities(analysis: Analysis) -> list[Text]:
    """One wrapped line per role: its entities, most-mentioned first, with their mention counts."""
    shown = analysis.shown_entities[:MAX_ENTITIES]
    lines = []
    for role, style in ROLE_STYLES.items():
        cast = [e for e in shown if e.main_role == role]
        if not cast:
            continue
        line = Text.assemble((f"{role}: ", style))
        for i, entity in enumerate(cast):
            fine = f" ({', '.join(entity.fine_roles)})" if entity.fine_roles else ""
            line.append(("; " if i else "") + visible(f"{entity.entity} \u00d7{len(entity.mentions)}{fine}"))
        lines.append(line)
    more = len(analysis.shown_entities) - len(shown)
    if more > 0:
        lines.append(_line((f"\u2026 {more} more in the JSON output", "dim")))
    return lines


def _techniques(analysis: Analysis) -> list[Text]:
    counts = technique_counts(analysis)
    if not counts:
        return []
    return [Text(" \u00b7 ".join(f"{t.replace('_', ' ')} {n}" for t, n in counts.items()))]


def _claims(analysis: Analysis) -> list[Text]:
    lines = []
    for claim in analysis.claims[:MAX_CLAIMS]:
        who = claim.source or "?"
        via = f" via {claim.relay}" if claim.relay else ""
        lines.append(_line((f"{claim.stance} ", "bold"), (f"{who}{via}: ", "cyan"), _one_line(claim.text)))
    more = len(analysis.claims) - MAX_CLAIMS
    if more > 0:
        lines.append(_line((f"\u2026 {more} more in the JSON output", "dim")))
    return lines


SECTIONS = (
    ("narratives", "narratives", _narratives, "no narrative asserted"),
    ("entities", "entities", _entities, "none with an asserted role"),
    ("techniques", "techniques", _techniques, "none above the threshold"),
    ("claims", "claims", _claims, "none found"),
)


def article_block(analysis: Analysis) -> RenderableType:
    """The compact block of one article."""
    grid = Table.grid(padding=(0, 1))
    grid.add_column(width=LABEL_WIDTH, no_wrap=True, style="bold")
    grid.add_column(ratio=1)
    short = [n.capability for n in analysis.not_available if n.reason == TOO_SHORT]
    if short:  # one line for all: the article has too little text for any judgment
        words = len(analysis.article.clean_text.split())
        reason = f"too little text ({words} word{'s' if words != 1 else ''}; at least {MIN_WORDS} needed)"
        grid.add_row("judgments:", _line((f"none: {reason}", "magenta")))
    for name, component, render, empty in SECTIONS:
        unavailable = analysis.unavailable(name)
        if unavailable is not None and unavailable.reason == TOO_SHORT:
            continue
        if unavailable is not None:
            reason = unavailable.describe().split(": ", 1)[1]
            grid.add_row(f"{name}:", _line((reason, "magenta")))
            continue
        if component not in analysis.components and f"{component}-llm" not in analysis.components:
            continue
        lines = render(analysis) or [_line((empty, "dim"))]
        for i, line in enumerate(lines):
            grid.add_row(f"{name}:" if i == 0 else "", line)
    header = Text(visible(analysis.id), style="bold cyan", overflow="fold")
    parts: list[RenderableType] = [Text(""), header]
    if analysis.article.title:
        parts.append(_line((_one_line(analysis.article.title), "bold")))
    parts += [_facts(analysis), grid]
    if analysis.withheld():
        parts.append(Text(visible(analysis.withheld() + " (JSON keeps them with their scores)"), style="dim"))
    return Group(*parts)


def print_table(outcomes: Sequence[Outcome], console: Console) -> None:
    """The analyses of a batch, one compact block each, at the console's width."""
    analyses = [o.analysis for o in outcomes if o.analysis is not None]
    console.print(
        Text(f"narrascope {__version__}: {len(analyses)} article(s); scores are calibrated probabilities", "bold")
    )
    for analysis in analyses:
        console.print(article_block(analysis))
