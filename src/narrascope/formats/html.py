"""A self-contained HTML report of a batch. Article text is hostile input: everything is escaped, nothing
from an article becomes markup, a link or a script.

Each article is shown once: its judgments (only asserted ones; "entities: not available for bg" where a
capability abstained), then its text with three layers the reader switches with CSS-only checkboxes (the page
runs no script): narrative evidence (one colour per narrative), technique spans, entity mentions coloured by
the one role of their entity."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape
from itertools import pairwise
from typing import IO

from narrascope.analysis import Analysis
from narrascope.claims.render import claims_html
from narrascope.errors import NarrascopeError
from narrascope.formats.table import grouped_narratives, in_words, technique_counts
from narrascope.formats.writers import OutcomeWriter, render_all
from narrascope.runner import Outcome
from narrascope.techniques.render import technique_colour
from narrascope.version import __version__

_CSS = """
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222}
h1{font-size:1.4rem} h2{font-size:1.2rem;margin-top:2.5rem;border-top:1px solid #ccc;padding-top:1rem}
h3{font-size:1rem;margin:1rem 0 .3rem}
table.meta{border-collapse:collapse;margin:.5rem 0}
table.meta td{padding:.1rem .8rem .1rem 0;vertical-align:top} table.meta td:first-child{color:#666}
.text{white-space:pre-wrap;background:#fafafa;padding:1rem;border-radius:6px}
.boilerplate{color:#999;text-decoration:line-through}
.errors li{color:#a00} .legend span{margin-right:1rem} .score{color:#666;font-size:.9em}
.na{color:#7a4d00;background:#fff6e0;padding:.2rem .5rem;border-radius:4px;display:inline-block;margin:.1rem 0}
ul.narratives{padding-left:0;list-style:none} ul.narratives li{margin:.2rem 0} ul.narratives .sub{margin-left:2.2rem}
table.entities{border-collapse:collapse} table.entities td,table.entities th{padding:.2rem .6rem;text-align:left}
.role-antagonist{color:#b00} .role-protagonist{color:#070} .role-innocent{color:#036}
.swatch{display:inline-block;width:.9em;height:.9em;border-radius:2px;vertical-align:middle;margin-right:.3rem}
input.layer{margin:0 .2rem 0 .8rem} .layers{margin:.6rem 0;font-size:.95em}
.text .ent{font-weight:normal;color:inherit} .text .t{text-decoration:none}
.l-ent:checked ~ .text .ent{font-weight:600} .l-ent:checked ~ .text .ent.role-antagonist{color:#b00}
.l-ent:checked ~ .text .ent.role-protagonist{color:#070} .l-ent:checked ~ .text .ent.role-innocent{color:#036}
.l-tech:checked ~ .text .t{text-decoration:underline 3px;text-decoration-color:var(--tc,#999)}
"""
# One colour per narrative of an article, in its order (evidence highlighting and its legend).
NARRATIVE_COLOURS = ("#ffe08a", "#b8e0ff", "#c9f2c0", "#ffc9de", "#e2d4ff", "#ffd9b3", "#d2f4f4", "#eeeeaa")
ROLE_NAMES = ("Protagonist", "Antagonist", "Innocent")


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


Mark = tuple[int, int, str, str]  # raw start, end, CSS classes, what the title says


def _narrative_index(analysis: Analysis) -> dict[str, int]:
    """Each narrative's number in the article; a subnarrative takes its narrative's (one colour per narrative)."""
    tops = [h.label for h in analysis.shown_narratives if h.level == "narrative"]
    index = {label: i for i, label in enumerate(tops)}
    for hit in analysis.shown_narratives:
        if hit.level == "subnarrative":
            parent = next((t for t in tops if hit.label.startswith(t + ": ")), None)
            if parent is not None:
                index[hit.label] = index[parent]
    return index


def _marks(analysis: Analysis) -> list[Mark]:
    """The layers over the raw text: boilerplate, narrative evidence, technique spans, entity mentions."""
    marks: list[Mark] = [
        (r["start"], r["end"], "boilerplate", f"removed: {r['rule']}")
        for r in analysis.article.meta.get("removed_lines", [])
    ]
    index = _narrative_index(analysis)
    for hit in analysis.shown_narratives:
        if hit.label in index:
            marks += [(e.start, e.end, f"ev ev{index[hit.label]}", f"evidence: {hit.label}") for e in hit.evidence]
    for span in analysis.shown_techniques:
        marks.append((span.start, span.end, f"t {_technique_class(span.technique)}", f"technique: {span.technique}"))
    for entity in analysis.shown_entities:  # the entity's role colours all its mentions
        role = entity.main_role.lower()
        marks += [(m.start, m.end, f"ent role-{role}", f"{entity.entity}: {entity.main_role}") for m in entity.mentions]
    size = len(analysis.article.raw_text)
    return [m for m in marks if 0 <= m[0] < m[1] <= size]


def _technique_class(technique: str) -> str:
    return "t-" + "".join(c if c.isalnum() else "-" for c in technique)


def _marked_text(analysis: Analysis) -> str:
    """The raw text once, cut at every mark boundary; each piece carries the classes of the marks covering it."""
    raw = analysis.article.raw_text
    marks = _marks(analysis)
    cuts = sorted({0, len(raw)} | {m[0] for m in marks} | {m[1] for m in marks})
    by_start = sorted(range(len(marks)), key=lambda i: marks[i][0])
    active: set[int] = set()
    following = 0
    out = []
    for start, end in pairwise(cuts):
        while following < len(by_start) and marks[by_start[following]][0] <= start:
            active.add(by_start[following])
            following += 1
        active = {i for i in active if marks[i][1] > start}
        piece = escape(raw[start:end])
        if not active:
            out.append(piece)
            continue
        covering = sorted(active)
        classes = " ".join(dict.fromkeys(c for i in covering for c in marks[i][2].split()))
        title = "; ".join(dict.fromkeys(marks[i][3] for i in covering))
        out.append(f'<span class="{escape(classes)}" title="{escape(title)}">{piece}</span>')
    return "".join(out)


def _unavailable(analysis: Analysis, capability: str) -> str:
    found = analysis.unavailable(capability)
    return f"<p class='na'>{escape(found.describe())}</p>" if found is not None else ""


def _narratives(analysis: Analysis, key: str) -> str:
    """The narratives with their scores; each narrative's checkbox shows its evidence in the text, in its colour."""
    if analysis.unavailable("narratives"):
        return "<h3>Narratives</h3>" + _unavailable(analysis, "narratives")
    if "narratives" not in analysis.components and "narratives-llm" not in analysis.components:
        return ""
    if not analysis.shown_narratives:
        return "<h3>Narratives</h3><p>no narrative asserted</p>"
    index = _narrative_index(analysis)
    items = []
    for hit in grouped_narratives(analysis):
        score = f"<span class='score'>{escape(in_words(hit.score))}</span>"
        if hit.level == "narrative":
            colour = NARRATIVE_COLOURS[index[hit.label] % len(NARRATIVE_COLOURS)]
            swatch = f"<span class='swatch' style='background:{colour}'></span>"
            label = f"<label for='{key}-ev{index[hit.label]}'>{swatch}<strong>{escape(hit.label)}</strong></label>"
            items.append(f"<li>{label} {score}</li>")
        else:
            items.append(f"<li class='sub'>{escape(hit.label.rsplit(': ', 1)[-1])} {score}</li>")
    return f"<h3>Narratives</h3><ul class='narratives'>{''.join(items)}</ul>"


def _entities(analysis: Analysis) -> str:
    if analysis.unavailable("entities"):
        return "<h3>Entities</h3>" + _unavailable(analysis, "entities")
    if "entities" not in analysis.components and "entities-llm" not in analysis.components:
        return ""
    if not analysis.shown_entities:
        return "<h3>Entities</h3><p>none with an asserted role</p>"
    rows = "".join(
        f"<tr><td><strong>{escape(e.entity)}</strong></td><td class='role-{escape(e.main_role.lower())}'>"
        f"{escape(e.main_role)}</td><td>{escape(', '.join(e.fine_roles))}</td><td>{len(e.mentions)}</td>"
        f"<td><em>{escape(e.framing[0].text) if e.framing else ''}</em></td></tr>"
        for e in analysis.shown_entities
    )
    legend = "".join(f"<span class='role-{r.lower()}'>● {r}</span>" for r in ROLE_NAMES)
    head = "<tr><th>entity</th><th>role</th><th>fine roles</th><th>mentions</th><th>framing sentence</th></tr>"
    return (
        f"<h3>Entities</h3><p class='legend'>one role per entity, on all its mentions: {legend}</p>"
        f"<table class='entities'>{head}{rows}</table>"
    )


def _techniques(analysis: Analysis) -> str:
    if analysis.unavailable("techniques"):
        return "<h3>Persuasion techniques</h3>" + _unavailable(analysis, "techniques")
    if "techniques" not in analysis.components:
        return ""
    counts = technique_counts(analysis)
    if not counts:
        return "<h3>Persuasion techniques</h3><p>none above the threshold</p>"
    legend = "".join(
        f"<span><span class='swatch' style='background:{technique_colour(t)}'></span>{escape(t)} {n}</span>"
        for t, n in counts.items()
    )
    return f"<h3>Persuasion techniques</h3><p class='legend'>{legend}</p>"


def _layers(analysis: Analysis, key: str) -> tuple[str, str]:
    """CSS-only layer switches (the report runs no script): checkboxes placed before the text, and the rules
    that show a layer in the text while its box is checked. Evidence is on, techniques and entities off."""
    boxes, rules = [], []
    tops = [h.label for h in analysis.shown_narratives if h.level == "narrative"]
    for i, label in enumerate(tops):
        colour = NARRATIVE_COLOURS[i % len(NARRATIVE_COLOURS)]
        boxes.append(f"<input type='checkbox' class='layer' id='{key}-ev{i}' checked>"
                     f"<label for='{key}-ev{i}'>evidence: {escape(label)}</label>")  # fmt: skip
        rules.append(f"#{key}-ev{i}:checked ~ .text .ev{i}{{background:{colour}}}")
    if analysis.shown_techniques:
        boxes.append(f"<input type='checkbox' class='layer l-tech' id='{key}-tech'><label for='{key}-tech'>"
                     "techniques (underlined)</label>")  # fmt: skip
        rules += [f"#{key} .{_technique_class(t)}{{--tc:{technique_colour(t)}}}" for t in technique_counts(analysis)]
    if analysis.shown_entities:
        boxes.append(f"<input type='checkbox' class='layer l-ent' id='{key}-ent'><label for='{key}-ent'>"
                     "entities (coloured by role)</label>")  # fmt: skip
    return "<span class='layers'>show in the text:</span>" + "".join(boxes), "".join(rules)


HTML_MAX_DOCUMENTS = 1000


def too_many_for_html(count: int) -> NarrascopeError:
    return NarrascopeError(
        f"the HTML report is built in memory and holds at most {HTML_MAX_DOCUMENTS:,} documents (this batch has "
        f"{count:,} or more); write a corpus with --format jsonl (or csv) instead"
    )


def _section(analysis: Analysis, number: int) -> str:
    """One article, shown once: facts, the judgments (or why there are none), then its text with layers."""
    key = f"a{number}"
    title = analysis.article.title or analysis.id
    parts = [f"<section id='{key}'><h2>{escape(title)}</h2><table class='meta'>{_meta_rows(analysis)}</table>"]
    parts += [_narratives(analysis, key), _entities(analysis), _techniques(analysis)]
    if analysis.unavailable("claims"):
        parts.append("<h3>Claims</h3>" + _unavailable(analysis, "claims"))
    elif "claims" in analysis.components:
        parts.append(f"<h3>Claims</h3>{claims_html(analysis)}")
    if analysis.withheld():
        parts.append(f"<p class='legend'>{escape(analysis.withheld())} (the JSON output keeps them)</p>")
    boxes, rules = _layers(analysis, key)
    parts.append(f"<style>{rules}</style>{boxes}<div class='text'>{_marked_text(analysis)}</div></section>")
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
            self.sections.append(_section(outcome.analysis, self.documents))
        elif outcome.error is not None:
            self.failures.append(outcome.error or outcome.origin)

    def close(self) -> None:
        parts = [
            "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'>",
            "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">",
            f"<title>narrascope report</title><style>{_CSS}</style></head><body>",
            f"<h1>narrascope {escape(__version__)}: {self.documents} article(s)</h1>",
            "<p class='legend'><span class='boilerplate'>removed boilerplate</span>"
            "<span>each article's text is shown once; its checkboxes choose the layers: narrative evidence "
            "(one colour per narrative), techniques, entities</span></p>",
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
