"""A self-contained HTML report of a batch. Article text is hostile input: everything is escaped, nothing
from an article becomes markup, a link or a script."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from typing import IO

from narrascope.analysis import Analysis
from narrascope.claims.render import claims_html
from narrascope.errors import NarrascopeError
from narrascope.formats.table import grouped_narratives
from narrascope.formats.writers import OutcomeWriter, render_all
from narrascope.runner import Outcome
from narrascope.techniques.render import techniques_html
from narrascope.version import __version__

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem} h2{font-size:1.2rem;margin-top:2.5rem;border-top:1px solid #ccc;padding-top:1rem}
table.meta{border-collapse:collapse;margin:.5rem 0}
table.meta td{padding:.1rem .8rem .1rem 0;vertical-align:top} table.meta td:first-child{color:#666}
.text{white-space:pre-wrap;background:#fafafa;padding:1rem;border-radius:6px}
.boilerplate{color:#999;text-decoration:line-through} .sentence:hover{background:#fff3b0}
.errors li{color:#a00} .legend span{margin-right:1rem} .evidence{background:#ffe9c7}
ul.narratives{padding-left:1.2rem} ul.narratives li{margin:.3rem 0} .score{color:#666;font-size:.9em}
blockquote{margin:.2rem 0 .2rem 1rem;color:#444;font-style:italic}
table.entities{border-collapse:collapse} table.entities td,table.entities th{padding:.2rem .6rem;text-align:left}
.role-antagonist{color:#b00} .role-protagonist{color:#070} .role-innocent{color:#036}
"""


def _meta_rows(analysis: Analysis) -> str:
    a = analysis.article
    rows = [
        ("id", a.id),
        ("language", a.language or ""),
        ("source", a.source or ""),
        ("url", a.url or ""),
        ("published", a.published or ""),
        ("byline", str(a.meta.get("byline", ""))),
        ("cited sources", "; ".join(a.cited_sources)),
        ("sentences", str(len(analysis.sentences))),
    ]
    return "".join(f"<tr><td>{escape(k)}</td><td>{escape(v)}</td></tr>" for k, v in rows if v)


def _marked_text(analysis: Analysis) -> str:
    """The raw text with removed boilerplate struck through and each sentence a hoverable span."""
    raw = analysis.article.raw_text
    marks: list[tuple[int, int, str, str]] = [
        (r["start"], r["end"], "boilerplate", f"removed: {r['rule']}")
        for r in analysis.article.meta.get("removed_lines", [])
    ]
    supports: dict[tuple[int, int], list[str]] = {}
    for hit in analysis.narratives:
        for evidence in hit.evidence:
            supports.setdefault((evidence.start, evidence.end), []).append(hit.label)
    for s in analysis.sentences:
        labels = supports.get((s.start, s.end))
        if labels:
            marks.append((s.start, s.end, "sentence evidence", "evidence for: " + "; ".join(labels)))
        else:
            marks.append((s.start, s.end, "sentence", f"sentence {s.start}-{s.end}"))
    marks.sort()
    out, position = [], 0
    for start, end, css, title in marks:
        if start < position:  # overlapping marks cannot happen here; skip defensively rather than nest
            continue
        out.append(escape(raw[position:start]))
        out.append(f'<span class="{css}" title="{escape(title)}">{escape(raw[start:end])}</span>')
        position = end
    out.append(escape(raw[position:]))
    return "".join(out)


def _narratives(analysis: Analysis) -> str:
    if not analysis.narratives:
        return ""
    items = []
    for hit in grouped_narratives(analysis):
        quotes = "".join(
            f"<blockquote title='raw offsets {e.start}-{e.end}'>{escape(e.text)}</blockquote>" for e in hit.evidence
        )
        indent = " style='margin-left:1.5rem'" if hit.level == "subnarrative" else ""
        score = f"<span class='score'>{hit.score:.2f}</span>"
        items.append(f"<li{indent}><strong>{escape(hit.label)}</strong> {score}{quotes}</li>")
    return f"<h3>Narratives</h3><ul class='narratives'>{''.join(items)}</ul>"


def _entities(analysis: Analysis) -> str:
    if not analysis.shown_entities:
        return ""
    rows = "".join(
        f"<tr><td><strong>{escape(e.entity)}</strong></td><td class='role-{escape(e.main_role.lower())}'>"
        f"{escape(e.main_role)}</td><td>{escape(', '.join(e.fine_roles))}</td><td>{len(e.mentions)}</td>"
        f"<td><em>{escape(e.framing[0].text) if e.framing else ''}</em></td></tr>"
        for e in analysis.shown_entities
    )
    head = "<tr><th>entity</th><th>role</th><th>fine roles</th><th>mentions</th><th>framing sentence</th></tr>"
    return f"<h3>Entities</h3><table class='entities'>{head}{rows}</table>"


HTML_MAX_DOCUMENTS = 1000


def too_many_for_html(count: int) -> NarrascopeError:
    return NarrascopeError(
        f"the HTML report is built in memory and holds at most {HTML_MAX_DOCUMENTS:,} documents (this batch has "
        f"{count:,} or more); write a corpus with --format jsonl (or csv) instead"
    )


def _section(analysis: Analysis) -> str:
    title = analysis.article.title or analysis.id
    parts = [f"<section><h2>{escape(title)}</h2><table class='meta'>{_meta_rows(analysis)}</table>"]
    parts.append(_narratives(analysis))
    parts.append(_entities(analysis))
    if "techniques" in analysis.components:
        parts.append(f"<h3>Persuasion techniques</h3>{techniques_html(analysis)}")
    if "claims" in analysis.components:
        parts.append(f"<h3>Claims</h3>{claims_html(analysis)}")
    if analysis.withheld():
        parts.append(f"<p class='legend'>{escape(analysis.withheld())} (the JSON output keeps them)</p>")
    parts.append(f"<div class='text'>{_marked_text(analysis)}</div></section>")
    return "".join(parts)


class HtmlWriter(OutcomeWriter):
    """Buffers the rendered sections (the page starts with the counts and the failures), so it refuses
    batches of more than `HTML_MAX_DOCUMENTS` documents."""

    buffers = True

    def __init__(self, handle: IO[str]) -> None:
        super().__init__(handle)
        self.sections: list[str] = []
        self.failures: list[str] = []

    def write(self, outcome: Outcome) -> None:
        if outcome.analysis is not None:
            if self.documents >= HTML_MAX_DOCUMENTS:
                raise too_many_for_html(self.documents + 1)
            self.documents += 1
            self.sections.append(_section(outcome.analysis))
        elif outcome.error is not None:
            self.failures.append(outcome.error or outcome.origin)

    def close(self) -> None:
        parts = [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">",
            f"<title>narrascope report</title><style>{_CSS}</style></head><body>",
            f"<h1>narrascope {escape(__version__)}: {self.documents} article(s)</h1>",
            "<p class='legend'><span class='boilerplate'>removed boilerplate</span>"
            "<span class='evidence'>evidence for a narrative</span>"
            "<span>offsets are into the raw text</span></p>",
        ]
        if self.failures:
            items = "".join(f"<li>{escape(f)}</li>" for f in self.failures)
            parts.append(f"<h2>Failed documents</h2><ul class='errors'>{items}</ul>")
        self.handle.write("".join(parts))
        for section in self.sections:
            self.handle.write(section)
        self.handle.write("</body></html>\n")
        self.sections, self.failures = [], []
        super().close()


def to_html(outcomes: Sequence[Outcome]) -> str:
    return render_all(HtmlWriter, outcomes)
