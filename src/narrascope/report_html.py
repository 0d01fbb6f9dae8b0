"""A self-contained HTML report of a batch. Article text is hostile input: everything is escaped, nothing
from an article becomes markup, a link or a script."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from narrascope import __version__
from narrascope.analysis import Analysis
from narrascope.api import Outcome
from narrascope.render import split_outcomes

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem} h2{font-size:1.2rem;margin-top:2.5rem;border-top:1px solid #ccc;padding-top:1rem}
table.meta{border-collapse:collapse;margin:.5rem 0}
table.meta td{padding:.1rem .8rem .1rem 0;vertical-align:top} table.meta td:first-child{color:#666}
.text{white-space:pre-wrap;background:#fafafa;padding:1rem;border-radius:6px}
.boilerplate{color:#999;text-decoration:line-through} .sentence:hover{background:#fff3b0}
.errors li{color:#a00} .legend span{margin-right:1rem}
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
    marks += [(s.start, s.end, "sentence", f"sentence {s.start}-{s.end}") for s in analysis.sentences]
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


def to_html(outcomes: Sequence[Outcome]) -> str:
    analyses, failures = split_outcomes(outcomes)
    parts = [
        "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
        "<meta http-equiv='Content-Security-Policy' "
        "content=\"default-src 'none'; style-src 'unsafe-inline'\">",
        f"<title>narrascope report</title><style>{_CSS}</style></head><body>",
        f"<h1>narrascope {escape(__version__)}: {len(analyses)} article(s)</h1>",
        "<p class='legend'><span class='boilerplate'>removed boilerplate</span>"
        "<span>offsets are into the raw text</span></p>",
    ]
    if failures:
        items = "".join(f"<li>{escape(f.error or f.origin)}</li>" for f in failures)
        parts.append(f"<h2>Failed documents</h2><ul class='errors'>{items}</ul>")
    for analysis in analyses:
        title = analysis.article.title or analysis.id
        parts.append(f"<section><h2>{escape(title)}</h2><table class='meta'>{_meta_rows(analysis)}</table>")
        parts.append(f"<div class='text'>{_marked_text(analysis)}</div></section>")
    parts.append("</body></html>\n")
    return "".join(parts)
