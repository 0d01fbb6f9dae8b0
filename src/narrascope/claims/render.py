"""Claims as a rich table, claim groups as wrapped text blocks, JSON, CSV and escaped HTML."""

from __future__ import annotations

import csv
import html
import io
import json
import textwrap
from collections.abc import Sequence

from rich.table import Table

from narrascope.analysis import Analysis, Claim
from narrascope.claims.grouping import ClaimGroup
from narrascope.claims.spread import Spread
from narrascope.errors import visible
from narrascope.fileio import csv_cell
from narrascope.version import __version__


def _short(text: str, limit: int = 160) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "\u2026"


def claims_table(analyses: Sequence[Analysis]) -> Table | None:
    """One row per claim of the given analyses, or None when there is none (for `narrascope analyze`)."""
    rows = [(a, c) for a in analyses for c in a.claims]
    if not rows:
        return None
    table = Table(title="claims (who says what, through which relay; stance of the article)")
    for column in ("article", "claim", "source", "relay", "hedges", "stance"):
        table.add_column(column, overflow="fold")
    for analysis, claim in rows:
        table.add_row(
            analysis.id,
            _short(claim.text),
            claim.source or "-",
            claim.relay or "-",
            ", ".join(h.text for h in claim.hedges) or "-",
            f"{claim.stance} {claim.stance_score:.2f}",
        )
    return table


def _claim_html(claim: Claim) -> str:
    e = html.escape
    hedges = ", ".join(e(h.text) for h in claim.hedges) or "-"
    return (
        f"<tr><td>{e(claim.text)}</td><td>{e(claim.source or '-')}</td><td>{e(claim.cue.text if claim.cue else '-')}"
        f"</td><td>{e(claim.relay or '-')}</td><td>{hedges}</td>"
        f"<td>{e(claim.stance)} {claim.stance_score:.2f}</td><td>{claim.start}-{claim.end}</td></tr>"
    )


def claims_html(analysis: Analysis) -> str:
    """An HTML table of one article's claims (every text escaped), or a line saying there are none."""
    if not analysis.claims:
        return "<p>No reported claims found.</p>"
    head = "".join(f"<th>{h}</th>" for h in ("claim", "source", "cue", "relay", "hedges", "stance", "raw span"))
    rows = "".join(_claim_html(c) for c in analysis.claims)
    return f'<table class="claims"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'


SHOWN_APPEARANCES = 5


def groups_text(groups: Sequence[ClaimGroup], spreads: Sequence[Spread] = (), width: int = 100) -> str:
    """The claim groups for a terminal: one block per group, lines wrapped at word boundaries to `width`.

    The claim, then who said it and through whom, the spread, the earliest appearance, and the first few
    appearances (the rest counted): a few lines a group whatever the terminal's width; controls made visible."""
    width = max(width, 40)
    lines = [f"narrascope {__version__}: {len(groups)} claim group(s), widest spread first", ""]
    for n, group in enumerate(groups, start=1):
        lines += _wrapped(f"{n}. ", _short(group.canonical, 300), width)
        details = [("said by", group.chain or "-")]
        if spreads:
            details.append(("spread", spreads[n - 1].describe() + " (copies of one story count once)"))
        first = group.earliest
        details.append(("earliest", f"{first.published or '?'} {first.outlet or first.article_id}"))
        appearances = _appearances(group)
        shown = "; ".join(appearances[:SHOWN_APPEARANCES])
        if len(appearances) > SHOWN_APPEARANCES:
            shown += f"; and {len(appearances) - SHOWN_APPEARANCES} more (--format json lists every one)"
        details.append((f"in {len(appearances)} article(s)", shown))
        indent = " " * (len(str(n)) + 2)
        for label, value in details:
            lines += _wrapped(f"{indent}{label}: ", value, width, indent + "  ")
        lines.append("")
    return "\n".join(lines)


def _wrapped(first: str, text: str, width: int, rest: str | None = None) -> list[str]:
    """`text` after the prefix `first`, wrapped at word boundaries (a word longer than a line stays whole)."""
    indent = rest if rest is not None else " " * len(first)
    wrapped = textwrap.wrap(
        visible(text), width=width, initial_indent=first, subsequent_indent=indent,
        break_long_words=False, break_on_hyphens=False,
    )  # fmt: skip
    return wrapped or [first.rstrip()]


def _appearances(group: ClaimGroup) -> list[str]:
    """One line per article: date, outlet (or id), relay, and how many times the article says it."""
    counts: dict[tuple[str, str, str], int] = {}
    for m in group.members:
        where = f"{m.outlet} ({m.article_id})" if m.outlet else m.article_id
        key = (m.published or "?", where, f" via {m.relay}" if m.relay else "")
        counts[key] = counts.get(key, 0) + 1
    return [f"{d} {w}{r}" + (f" \u00d7{n}" if n > 1 else "") for (d, w, r), n in counts.items()]


def groups_json(
    groups: Sequence[ClaimGroup], errors: Sequence[dict[str, str]] = (), spreads: Sequence[Spread] = ()
) -> str:
    document = {
        "narrascope_version": __version__,
        "groups": [g.to_dict() | ({"spread": spreads[n].to_dict()} if spreads else {}) for n, g in enumerate(groups)],
        "errors": list(errors),
    }
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _cell(value: object) -> str:
    return csv_cell("" if value is None else str(value))


def groups_csv(groups: Sequence[ClaimGroup], spreads: Sequence[Spread] = ()) -> str:
    """One row per claim appearance, with its group number and canonical wording (and the group's spread)."""
    out = io.StringIO()
    writer = csv.writer(out)
    head = ["group", "canonical", "article_id", "outlet", "published", "source", "relay", "stance", "start", "end"]
    writer.writerow([*head, "text", *(["group_outlets", "group_stories"] if spreads else [])])
    for n, g in enumerate(groups, start=1):
        for m in g.members:
            row = [
                n,
                g.canonical,
                m.article_id,
                m.outlet,
                m.published,
                m.source,
                m.relay,
                m.stance,
                m.start,
                m.end,
                m.text,
            ]
            row += [spreads[n - 1].outlets, spreads[n - 1].stories] if spreads else []
            writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def groups_html(groups: Sequence[ClaimGroup], spreads: Sequence[Spread] = ()) -> str:
    """A self-contained page (loads nothing); every text from the articles is escaped."""
    e = html.escape
    parts = [
        '<!DOCTYPE html><html><head><meta charset="utf-8">',
        f"<title>narrascope {e(__version__)}: claim groups</title>",
        "<style>body{font-family:sans-serif;margin:2em}td,th{border:1px solid #ccc;padding:4px;"
        "vertical-align:top}table{border-collapse:collapse;margin-bottom:1.5em}</style></head><body>",
        f"<h1>{len(groups)} claim group(s)</h1>",
    ]
    for n, g in enumerate(groups, start=1):
        parts.append(
            f"<h2>{n}. {e(g.canonical)}</h2><p>chain: {e(g.chain or '-')}; earliest: "
            f"{e(g.earliest.published or '?')} {e(g.earliest.outlet or g.earliest.article_id)}"
            + (f"; spread: {e(spreads[n - 1].describe())}" if spreads else "")
            + "</p>"
        )
        parts.append(
            "<table><tr><th>published</th><th>outlet</th><th>article</th><th>source</th><th>relay</th>"
            "<th>stance</th><th>claim</th></tr>"
        )
        for m in g.members:
            cells = (
                m.published or "?",
                m.outlet or "-",
                m.article_id,
                m.source or "-",
                m.relay or "-",
                m.stance,
                m.text,
            )
            parts.append("<tr>" + "".join(f"<td>{e(str(c))}</td>" for c in cells) + "</tr>")
        parts.append("</table>")
    parts.append("</body></html>\n")
    return "".join(parts)
