"use strict";
// The article page: the raw text with highlighted layers, and its narratives, entities, claims, techniques.
(function (N) {
  const { el, link, externalLink, q, put, section, showError, api, params } = N;

  // ---- article page ------------------------------------------------------------------------------------
  // Spans to highlight, all as offsets into raw_text (as the API gives them).
  function highlightSpans(doc) {
    const spans = [];
    for (const hit of doc.narratives || []) {
      for (const ev of hit.evidence || []) spans.push({ start: ev.start, end: ev.end, kind: "evidence", label: hit.label });
    }
    for (const t of doc.techniques || []) spans.push({ start: t.start, end: t.end, kind: "technique", label: t.technique });
    for (const e of doc.entities || []) {
      for (const m of e.mentions || []) spans.push({ start: m.start, end: m.end, kind: "entity", label: `${e.entity}: ${m.main_role}`, role: m.main_role });
    }
    return spans.filter((s) => s.end > s.start);
  }

  // The raw text cut at every span boundary; each piece carries its raw offsets and the kinds covering it.
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
      const role = covering.find((s) => s.role);
      container.append(el("span", {
        class: ["hl", ...kinds.map((k) => `hl-${k}`), role ? `role-${role.role}` : ""].join(" ").trim(),
        "data-start": start, "data-end": end, "data-kinds": kinds.join(" "),
        title: covering.map((s) => s.label).join("\n"), text: text,
      }));
    }
    return container;
  }

  function scrollToOffset(start) {
    const target = [...document.querySelectorAll("#raw-text .hl")].find((n) => Number(n.dataset.start) >= start);
    if (target) { target.scrollIntoView({ behavior: "smooth", block: "center" }); target.classList.add("flash"); }
  }

  function articleView(doc) {
    const hits = doc.narratives || [];
    const ordered = [];  // each narrative followed by its subnarratives
    for (const top of hits.filter((h) => h.level === "narrative")) {
      ordered.push(top, ...hits.filter((h) => h.level !== "narrative" && h.label.startsWith(`${top.label}: `)));
    }
    for (const h of hits) if (!ordered.includes(h)) ordered.push(h);
    const narratives = ordered.map((h) =>
      el("li", { class: `narrative level-${h.level}` },
        el("span", { class: "label", text: h.label }), " ", el("span", { class: "score", text: h.score.toFixed(2) }),
        el("ul", { class: "evidence" }, ...(h.evidence || []).map((ev) =>
          el("li", {}, el("a", { href: "#", text: ev.text, onclick: (e) => { e.preventDefault(); scrollToOffset(ev.start); } }))))));
    const entities = (doc.entities || []).map((e) =>
      el("li", {}, link(q("/entity", { name: e.entity }), e.entity), " ",
        el("span", { class: `role role-${e.main_role}`, text: e.main_role }),
        el("span", { class: "muted", text: ` ${(e.fine_roles || []).join(", ")} · ${e.mentions.length} mention(s)` })));
    const claims = (doc.claims || []).map((c) =>
      el("li", {}, el("q", { text: c.text }), " ",
        el("span", { class: "muted", text: [c.source && `source: ${c.source}`, c.relay && `via ${c.relay}`, c.stance].filter(Boolean).join(" · ") }), " ",
        c.group !== undefined && c.group !== null ? link(q("/claim", { id: c.group }), "provenance") : null));
    const techniques = (doc.techniques || []).map((t) =>
      el("li", {}, el("span", { class: "label", text: t.technique }), " ", el("span", { class: "muted", text: `“${t.text}”` })));
    const meta = el("p", { class: "meta" },
      el("span", { text: [doc.source, doc.published, doc.language].filter(Boolean).join(" · ") }), " ", externalLink(doc.url));
    const legend = el("p", { class: "legend" },
      el("span", { class: "hl hl-evidence", text: "narrative evidence" }), " ",
      el("span", { class: "hl hl-technique", text: "persuasion technique" }), " ",
      el("span", { class: "hl hl-entity", text: "framed entity" }));
    return el("div", { class: "article-layout" },
      el("article", { class: "card" }, el("h1", { id: "title", text: doc.title || doc.id }), meta, legend, highlightedText(doc.raw_text || "", highlightSpans(doc))),
      el("aside", { class: "side" },
        section("Narratives", el("ul", { id: "side-narratives" }, ...narratives)),
        section("Entities", el("ul", { id: "side-entities" }, ...entities)),
        section("Claims", el("ul", { id: "side-claims" }, ...claims)),
        section("Techniques", el("ul", { id: "side-techniques" }, ...techniques))));
  }

  async function articlePage() {
    const id = params.get("id");
    if (!id) return showError("No article id given.");
    const doc = await api(`/api/articles/${encodeURIComponent(id)}`);
    document.title = `${doc.title || doc.id} · narrascope`;
    put(articleView(doc));
  }

  N.articleView = articleView;
  N.pages.article = articlePage;
})(window.narrascope);
