"use strict";
// The article page: the raw text with the layers the reader picks (narrative evidence, techniques, entities),
// and a side panel of narratives, entities, claims and techniques. Only asserted judgments are shown unless
// the header's "show withheld" control is on; then withheld ones appear greyed, with their score.
(function (N) {
  const { el, link, externalLink, q, put, section, showError, api, params, inWords } = N;
  const ROLES = ["Protagonist", "Antagonist", "Innocent"];
  const EVIDENCE_COLORS = 8;  // classes evidence-0 ... evidence-7 in app.css

  const asserted = {
    narrative: (h) => h.asserted !== false,
    entity: (e) => ROLES.includes(e.main_role),
    technique: (t) => t.asserted !== false,
    stance: (c) => c.stance !== "unclear",
  };

  function score(value) {
    return el("span", { class: "score", text: Number(value).toFixed(2) });
  }

  // Spans to highlight (offsets into raw_text), for the layers and narratives chosen in `view`.
  function highlightSpans(doc, view) {
    const spans = [];
    (doc.narratives || []).forEach((hit, i) => {
      if (!view.evidence.has(i)) return;
      for (const ev of hit.evidence || []) {
        spans.push({ start: ev.start, end: ev.end, kind: "evidence", label: `evidence: ${hit.label}`, narrative: i });
      }
    });
    if (view.techniques) {
      (doc.techniques || []).forEach((t, i) => {
        const shown = asserted.technique(t);
        if (shown || view.withheld) {
          spans.push({ start: t.start, end: t.end, kind: "technique", index: i, withheld: !shown,
            label: `${t.technique} ${t.score.toFixed(2)}${shown ? "" : " (withheld)"}` });
        }
      });
    }
    if (view.entities) {
      (doc.entities || []).forEach((e, i) => {
        const shown = asserted.entity(e);
        if (!shown && !view.withheld) return;
        for (const m of e.mentions || []) {
          const disagrees = shown && ROLES.includes(m.main_role) && m.main_role !== e.main_role;
          spans.push({ start: m.start, end: m.end, kind: "entity", entity: i, role: shown ? e.main_role : "withheld",
            disagrees: disagrees && view.disagreeing, withheld: !shown,
            label: `${e.entity}: ${e.main_role} ${e.score.toFixed(2)}${disagrees ? ` (this mention alone: ${m.main_role})` : ""}` });
        }
      });
    }
    return spans.filter((s) => s.end > s.start);
  }

  // The raw text cut at every span boundary; each piece carries its raw offsets and what covers it.
  function highlightedText(raw, spans) {
    const cuts = new Set([0, raw.length]);
    for (const s of spans) { cuts.add(Math.max(0, Math.min(raw.length, s.start))); cuts.add(Math.max(0, Math.min(raw.length, s.end))); }
    const points = [...cuts].sort((a, b) => a - b);
    const container = el("div", { class: "raw-text", id: "raw-text" });
    for (let i = 0; i + 1 < points.length; i++) {
      const start = points[i];
      const end = points[i + 1];
      const covering = spans.filter((s) => s.start <= start && s.end >= end);
      const text = raw.slice(start, end);
      if (!covering.length) { container.append(document.createTextNode(text)); continue; }
      const kinds = [...new Set(covering.map((s) => s.kind))].sort();
      const entity = covering.find((s) => s.kind === "entity");
      const evidence = covering.find((s) => s.kind === "evidence");
      const techniques = covering.filter((s) => s.kind === "technique");
      const classes = ["hl", ...kinds.map((k) => `hl-${k}`)];
      if (entity) classes.push(`role-${entity.role}`, ...(entity.disagrees ? ["disagrees"] : []));
      if (techniques.length && techniques.every((s) => s.withheld)) classes.push("technique-withheld");
      const narratives = new Set(covering.filter((s) => s.kind === "evidence").map((s) => s.narrative));
      if (narratives.size > 1) classes.push("evidence-many");  // a sentence that is evidence of several: striped
      else if (evidence) classes.push(`evidence-${evidence.narrative % EVIDENCE_COLORS}`);
      container.append(el("span", {
        class: classes.join(" "), "data-start": start, "data-end": end, "data-kinds": kinds.join(" "),
        "data-entity": entity ? entity.entity : null,
        "data-techniques": techniques.length ? techniques.map((s) => s.index).join(" ") : null,
        title: covering.map((s) => s.label).join("\n"), text: text,
      }));
    }
    return container;
  }

  function scrollToOffset(start) {
    const target = [...document.querySelectorAll("#raw-text .hl")].find((n) => Number(n.dataset.start) >= start);
    if (target) { target.scrollIntoView({ behavior: "smooth", block: "center" }); target.classList.add("flash"); }
  }

  function orderedNarratives(doc) {
    const hits = (doc.narratives || []).map((h, i) => Object.assign({ index: i }, h));
    const ordered = [];  // each narrative followed by its subnarratives
    for (const top of hits.filter((h) => h.level === "narrative")) {
      ordered.push(top, ...hits.filter((h) => h.level !== "narrative" && h.label.startsWith(`${top.label}: `)));
    }
    for (const h of hits) if (!ordered.includes(h)) ordered.push(h);
    return ordered;
  }

  function notAvailable(doc, capability) {
    const language = (doc.not_covered || {})[capability];
    return language ? el("p", { class: "muted not-covered", text: `${capability}: not available for ${language}` }) : null;
  }

  // What the analysis says it could not do (too little text, a language a capability does not cover), once.
  function warnings(doc) {
    const prefix = `${doc.id}: `;
    const lines = (doc.warnings || []).map((w) => (w.startsWith(prefix) ? w.slice(prefix.length) : w));
    return lines.length ? el("ul", { class: "warnings", id: "warnings" }, ...lines.map((w) => el("li", { text: w }))) : null;
  }

  function legend(doc, view) {
    const items = [];
    if (view.entities && (doc.entities || []).some((e) => view.withheld || asserted.entity(e))) {
      items.push(el("span", { class: "legend-title", text: "Entity roles:" }), ...ROLES.map((r) => el("span", { class: `hl hl-entity role-${r}`, text: r })));
    }
    if (view.withheld) items.push(el("span", { class: "hl hl-entity role-withheld", text: "withheld (below threshold)" }));
    if (view.disagreeing) items.push(el("span", { class: "hl hl-entity role-Protagonist disagrees", text: "mention disagrees" }));
    if (view.techniques && (doc.techniques || []).length) items.push(el("span", { class: "hl hl-technique", text: "persuasion technique" }));
    if (view.techniques && view.withheld) items.push(el("span", { class: "hl technique-withheld", text: "withheld technique" }));
    for (const i of view.evidence) {
      items.push(el("span", { class: `hl hl-evidence evidence-${i % EVIDENCE_COLORS}`, text: `evidence: ${doc.narratives[i].label}` }));
    }
    if (view.evidence.size > 1) items.push(el("span", { class: "hl hl-evidence evidence-many", text: "evidence of several" }));
    return el("p", { class: "legend", id: "legend" }, ...items);
  }

  function controls(doc, view, rerender) {
    const evidence = el("select", { id: "evidence-select" },
      el("option", { value: "none", text: "no narrative evidence" }),
      el("option", { value: "all", text: "evidence of all narratives (colour per narrative)" }),
      ...orderedNarratives(doc).filter((h) => (h.evidence || []).length && (view.withheld || asserted.narrative(h)))
        .map((h) => el("option", { value: String(h.index), text: `evidence: ${h.label}` })));
    evidence.value = view.evidence.size > 1 ? "all" : view.evidence.size ? String([...view.evidence][0]) : "none";
    evidence.addEventListener("change", () => {
      const chosen = evidence.value;
      view.evidence = new Set(chosen === "all" ? [...evidence.options].map((o) => o.value).filter((v) => /^\d+$/.test(v)).map(Number)
        : chosen === "none" ? [] : [Number(chosen)]);
      rerender();
    });
    function toggle(id, key, label) {
      const box = el("input", { type: "checkbox", id: id });
      box.checked = view[key];
      box.addEventListener("change", () => { view[key] = box.checked; rerender(); });
      return el("label", { for: id }, box, ` ${label}`);
    }
    return el("p", { class: "layers" }, evidence, " ", toggle("layer-techniques", "techniques", "techniques"), " ",
      toggle("layer-entities", "entities", "entities"), " ",
      toggle("layer-disagreeing", "disagreeing", "mentions that disagree with the entity's role"));
  }

  // A long list folded under a one-line summary, so the side panel stays no taller than it must.
  function folded(summary, list, open) {
    const details = el("details", { class: "fold" }, el("summary", { text: summary }), list);
    details.open = open;
    return details;
  }

  function sidePanel(doc, view, selectNarrative) {
    const narratives = orderedNarratives(doc).filter((h) => view.withheld || asserted.narrative(h)).map((h) =>
      el("li", { class: `narrative level-${h.level}${asserted.narrative(h) ? "" : " withheld"}${view.evidence.has(h.index) ? " selected" : ""}` },
        el("span", { class: "label", text: h.label }), " ", el("span", { class: "score", text: inWords(h.score) }), N.correctedMark(h.correction && h.correction.action), " ",
        (h.evidence || []).length ? el("a", { href: "#", class: "show-evidence", text: `${h.evidence.length} evidence sentence(s)`,
          onclick: (e) => { e.preventDefault(); selectNarrative(h.index); } }) : null));
    const entities = (doc.entities || []).filter((e) => view.withheld || asserted.entity(e)).map((e) =>
      el("li", { class: asserted.entity(e) ? "" : "withheld" }, link(q("/entity", { name: e.entity }), e.entity), " ",
        el("span", { class: `role role-${asserted.entity(e) ? e.main_role : "withheld"}`,
          text: !asserted.entity(e) && e.candidate_role ? `${e.main_role} (${e.candidate_role}?)` : e.main_role }), " ", score(e.score),
        el("span", { class: "muted", text: ` ${(e.fine_roles || []).join(", ")} · ${e.mentions.length} mention(s)` }),
        N.correctedMark(e.correction && e.correction.action)));
    const claims = (doc.claims || []).map((c) =>
      el("li", {}, el("q", { text: c.text }), " ",
        el("span", { class: "muted", text: [c.source && `source: ${c.source}`, c.relay && `via ${c.relay}`].filter(Boolean).join(" · ") }), " ",
        el("span", { class: `stance${asserted.stance(c) ? "" : " withheld"}`, text: `${c.stance}${view.withheld ? ` ${Number(c.stance_score).toFixed(2)}` : ""}` }), " ",
        c.group !== undefined && c.group !== null ? link(q("/claim", { id: c.group }), "provenance") : null));
    const byTechnique = new Map();
    for (const t of doc.techniques || []) {
      if (!asserted.technique(t) && !view.withheld) continue;
      const entry = byTechnique.get(t.technique) || { shown: [], withheld: 0 };
      if (asserted.technique(t)) entry.shown.push(t); else entry.withheld += 1;
      byTechnique.set(t.technique, entry);
    }
    const techniques = [...byTechnique.entries()].sort((a, b) => b[1].shown.length - a[1].shown.length).map(([name, entry]) =>
      el("li", { class: entry.shown.length ? "" : "withheld" },
        el("a", { href: "#", class: "label", text: name, onclick: (e) => { e.preventDefault(); if (entry.shown[0]) scrollToOffset(entry.shown[0].start); } }),
        el("span", { class: "muted", text: ` ${entry.shown.length} span(s)${entry.withheld ? `, ${entry.withheld} withheld` : ""}` })));
    const withheld = doc.withheld_counts;
    return el("aside", { class: "side" },
      section("Narratives", notAvailable(doc, "narratives"), el("ul", { id: "side-narratives" }, ...narratives),
        noneAsserted(doc, view)),
      section("Entities", notAvailable(doc, "entities"), el("ul", { id: "side-entities" }, ...entities),
        withheld && withheld.entities && !view.withheld ? el("p", { class: "muted", text: `${withheld.entities} withheld (below the threshold)` }) : null),
      section("Claims", claims.length ? folded(`${claims.length} reported claim(s)`, el("ul", { id: "side-claims" }, ...claims), claims.length <= 3)
        : el("p", { class: "muted", text: "No reported claims found." })),
      section("Techniques", notAvailable(doc, "techniques"), el("ul", { id: "side-techniques" }, ...techniques),
        withheld && withheld.techniques && !view.withheld ? el("p", { class: "muted", text: `${withheld.techniques} span(s) withheld (below the threshold)` }) : null));
  }

  // An article where no narrative is earned says so, and how many candidates the withheld toggle would show.
  function noneAsserted(doc, view) {
    if ((doc.not_available || []).some((n) => n.capability === "narratives")) return null;
    if (!(doc.components || []).some((c) => c.startsWith("narratives"))) return null;
    const tops = (doc.narratives || []).filter((h) => h.level === "narrative" && h.label !== "Other");
    const shown = tops.filter((h) => asserted.narrative(h)).length;
    const held = tops.length - shown;
    const parts = [];
    if (!shown) parts.push("No narrative asserted.");
    if (held && !view.withheld) parts.push(`${held} candidate(s) withheld (below the threshold).`);
    return parts.length ? el("p", { class: "muted", id: "narratives-none", text: parts.join(" ") }) : null;
  }

  // An analyst's rejection replaces the model's judgment: what was rejected is not shown.
  function withoutRejected(doc) {
    const keep = (items) => (items || []).filter((item) => !item.rejected);
    return Object.assign({}, doc, { narratives: keep(doc.narratives), entities: keep(doc.entities), techniques: keep(doc.techniques) });
  }

  // The stored copies of this article's story (near-duplicates, syndicated copies), as links.
  function storyCopies(doc) {
    const copies = doc.story ? doc.story.copies.filter((c) => c.id !== doc.id) : [];
    if (!copies.length) return null;
    return el("p", { class: "story", id: "story-copies" }, "This story also published by: ",
      ...copies.flatMap((c, i) => [i ? ", " : "", link(q("/article", { id: c.id }), c.source ? `${c.source} (${c.published || c.id})` : `${c.id} (outlet unknown)`)]));
  }

  function articleView(doc) {
    doc = withoutRejected(N.inUnits(doc));  // offsets in UTF-16 units from here on
    const top = (doc.narratives || []).findIndex((h) => asserted.narrative(h) && (h.evidence || []).length);
    const view = { withheld: N.withheld, techniques: true, entities: true, disagreeing: false, evidence: new Set(top >= 0 ? [top] : []) };
    doc.withheld_counts = {
      entities: (doc.entities || []).filter((e) => !asserted.entity(e)).length,
      techniques: (doc.techniques || []).filter((t) => !asserted.technique(t)).length,
    };
    const root = el("div", { class: "article-layout" });
    function render() {
      const meta = el("p", { class: "meta" },
        el("span", { text: [doc.source, doc.published, doc.language].filter(Boolean).join(" · ") }), " ", externalLink(doc.url));
      const text = highlightedText(doc.raw_text || "", highlightSpans(doc, view));
      root.replaceChildren(
        el("article", { class: "card" }, el("h1", { id: "title", text: doc.title || doc.id }), meta, storyCopies(doc), warnings(doc),
          controls(doc, view, render), legend(doc, view), text),
        sidePanel(doc, view, (index) => {
          view.evidence = new Set([index]);
          render();
          scrollToOffset(doc.narratives[index].evidence[0].start);
        }));
    }
    render();
    return root;
  }

  async function articlePage() {
    const id = params.get("id");
    if (!id) return showError("No article id given.");
    const doc = await api(q("/api/article", { id: id }));  // a query, not a path: ids "." and ".." survive URL normalisation
    document.title = `${doc.title || doc.id} · narrascope`;
    put(articleView(doc));
  }

  N.articleView = articleView;
  N.highlightedText = highlightedText;  // review.js shows the text the same way
  N.pages.article = articlePage;
})(window.narrascope);
