"use strict";
// The narrascope web UI. It only calls the JSON API, and it builds every node with createElement and
// textContent: article text, titles, outlets and URLs are hostile and must render as inert text.
(function () {
  const TOKEN_KEY = "narrascope-token";
  const main = document.getElementById("main");
  const params = new URLSearchParams(window.location.search);
  const ROLE_COLORS = { Protagonist: "#2e7d32", Antagonist: "#c62828", Innocent: "#1565c0" };

  // ---- DOM helpers -------------------------------------------------------------------------------------
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = String(value);
      else if (key === "href") node.setAttribute("href", safeHref(value));
      else if (key === "onclick") node.addEventListener("click", value);
      else node.setAttribute(key, String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // Only our own relative links and plain http(s) URLs become links; javascript:, data: and the rest never.
  function safeHref(value) {
    const text = String(value);
    if (text.startsWith("/") && !text.startsWith("//")) return text;
    try {
      const url = new URL(text);
      if (url.protocol === "http:" || url.protocol === "https:") return url.href;
    } catch (e) { /* not a URL */ }
    return "#";
  }

  function link(href, text) {
    return el("a", { href: href, text: text });
  }

  function externalLink(url) {
    if (!url) return null;
    const href = safeHref(url);
    if (href === "#") return el("span", { class: "muted", text: url });
    return el("a", { href: href, text: url, rel: "noopener noreferrer nofollow", target: "_blank" });
  }

  // Plotly turns a few HTML-like tags in labels into SVG; outlet names are hostile, so no angle brackets.
  function plotText(value) {
    return String(value === null || value === undefined ? "" : value).replace(/[<>&]/g, (c) => ({ "<": "‹", ">": "›", "&": "＆" })[c]);
  }

  function q(path, query) {
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query || {})) {
      if (value !== null && value !== undefined && value !== "") search.set(key, String(value));
    }
    const text = search.toString();
    return text ? `${path}?${text}` : path;
  }

  function put(...nodes) {
    main.replaceChildren(...nodes.filter((n) => n !== null && n !== undefined));
  }

  function section(title, ...children) {
    return el("section", { class: "card" }, el("h2", { text: title }), ...children);
  }

  function showError(message) {
    put(el("p", { class: "error", role: "alert", text: message }));
  }

  // ---- API ---------------------------------------------------------------------------------------------
  async function api(path, options) {
    const headers = Object.assign({ Accept: "application/json" }, (options && options.headers) || {});
    const token = window.sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(path, Object.assign({}, options || {}, { headers: headers }));
    let body = null;
    try {
      body = await response.json();
    } catch (e) {
      body = { code: "bad_response", message: `HTTP ${response.status}` };
    }
    if (response.status === 401) {
      document.getElementById("token-form").hidden = false;
    }
    if (!response.ok) throw new Error(body && body.message ? body.message : `HTTP ${response.status}`);
    return body;
  }

  function setupToken() {
    const form = document.getElementById("token-form");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      window.sessionStorage.setItem(TOKEN_KEY, document.getElementById("token").value);
      window.location.reload();
    });
  }

  function plot(target, data, layout) {
    if (!window.Plotly) {
      target.append(el("p", { class: "muted", text: "Plotly did not load." }));
      return Promise.resolve();
    }
    const base = { margin: { l: 60, r: 20, t: 10, b: 60 }, height: 320, font: { size: 11 }, legend: { orientation: "h", y: -0.25 } };
    return window.Plotly.newPlot(target, data, Object.assign(base, layout || {}), { displaylogo: false, responsive: true });
  }

  // ---- corpus page -------------------------------------------------------------------------------------
  const FILTERS = ["q", "narrative", "subnarrative", "source", "language", "entity", "role", "technique", "date_from", "date_to"];

  function currentFilters() {
    const found = {};
    for (const name of FILTERS) if (params.get(name)) found[name] = params.get(name);
    return found;
  }

  function filterForm(filters, totals, sources) {
    const form = el("form", { class: "filters", id: "filters" });
    function field(name, label, control) {
      control.name = name;
      control.id = `f-${name}`;
      if (filters[name]) control.value = filters[name];
      form.append(el("label", { for: `f-${name}` }, label, control));
    }
    function select(options) {
      const node = el("select", {}, el("option", { value: "", text: "any" }));
      for (const option of options) node.append(el("option", { value: option, text: option }));
      return node;
    }
    field("q", "Search", el("input", { type: "search", placeholder: "words in title or text" }));
    field("narrative", "Narrative", select(totals.map((t) => t.narrative)));
    field("source", "Outlet", select(sources));
    field("language", "Language", el("input", { type: "text", size: 4, placeholder: "en" }));
    field("entity", "Entity", el("input", { type: "text", placeholder: "exact name" }));
    field("role", "Role", select(["Protagonist", "Antagonist", "Innocent"]));
    field("technique", "Technique", el("input", { type: "text" }));
    field("date_from", "From", el("input", { type: "date" }));
    field("date_to", "To", el("input", { type: "date" }));
    form.append(el("button", { type: "submit", text: "Apply" }), el("a", { href: "/", class: "reset", text: "Reset" }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const chosen = {};
      for (const name of FILTERS) {
        const control = form.elements.namedItem(name);
        if (control && control.value) chosen[name] = control.value;
      }
      window.location.assign(q("/", chosen));
    });
    return form;
  }

  function seriesTraces(series, maxTraces) {
    const byNarrative = new Map();
    for (const row of series) {
      if (!byNarrative.has(row.narrative)) byNarrative.set(row.narrative, { x: [], y: [] });
      byNarrative.get(row.narrative).x.push(plotText(row.bucket));
      byNarrative.get(row.narrative).y.push(row.articles);
    }
    const ranked = [...byNarrative.entries()].sort((a, b) => b[1].y.reduce((s, v) => s + v, 0) - a[1].y.reduce((s, v) => s + v, 0));
    return ranked.slice(0, maxTraces).map(([name, xy]) => ({ name: plotText(name), x: xy.x, y: xy.y }));
  }

  async function corpusPage() {
    const filters = currentFilters();
    const offset = Number(params.get("offset") || 0);
    const [byMonth, bySource, list] = await Promise.all([
      api(q("/api/stats/narratives", Object.assign({ by: "month" }, filters))),
      api(q("/api/stats/narratives", Object.assign({ by: "source" }, filters))),
      api(q("/api/articles", Object.assign({ limit: 25, offset: offset }, filters))),
    ]);
    const sources = [...new Set(bySource.series.map((r) => r.bucket))].sort();
    const countsPlot = el("div", { class: "plot", id: "plot-counts" });
    const timePlot = el("div", { class: "plot", id: "plot-time" });
    const outletPlot = el("div", { class: "plot", id: "plot-outlets" });
    const rows = list.items.map((a) =>
      el("tr", { class: "article-row" },
        el("td", {}, link(q("/article", { id: a.id }), a.title || a.id)),
        el("td", { text: a.source || "" }),
        el("td", { text: a.published || "" }),
        el("td", { text: a.language || "" }),
        el("td", { class: "labels", text: a.narratives.join("; ") })));
    const pager = el("p", { class: "pager" },
      offset > 0 ? link(q("/", Object.assign({}, filters, { offset: Math.max(0, offset - 25) })), "← newer") : null, " ",
      el("span", { text: `${list.total ? offset + 1 : 0}–${offset + list.items.length} of ${list.total}` }), " ",
      offset + list.items.length < list.total ? link(q("/", Object.assign({}, filters, { offset: offset + 25 })), "older →") : null);
    put(
      el("h1", { text: "Corpus" }),
      filterForm(filters, byMonth.totals, sources),
      el("p", { class: "summary", id: "summary", text: `${byMonth.articles} article(s) match` }),
      el("div", { class: "grid" },
        section("Articles by narrative", countsPlot),
        section("Narratives over time (by month)", timePlot),
        section("Narratives by outlet", outletPlot)),
      section("Articles", el("table", { id: "articles" },
        el("thead", {}, el("tr", {}, ...["Title", "Outlet", "Published", "Lang.", "Narratives"].map((h) => el("th", { text: h })))),
        el("tbody", {}, ...rows)), pager));
    const top = byMonth.totals.slice(0, 15).reverse();
    if (top.length) {
      await plot(countsPlot, [{ type: "bar", orientation: "h", y: top.map((t) => plotText(t.narrative)), x: top.map((t) => t.articles), marker: { color: "#5c6bc0" } }],
        { margin: { l: 330, r: 20, t: 10, b: 40 }, height: 360 });
    } else countsPlot.append(el("p", { class: "muted", text: "No narratives found." }));
    const time = seriesTraces(byMonth.series, 8).map((t) => Object.assign(t, { type: "scatter", mode: "lines+markers" }));
    if (time.length) await plot(timePlot, time, { xaxis: { type: "category" } });
    else timePlot.append(el("p", { class: "muted", text: "No dated articles: give a published date (JSON lines/CSV field or page metadata)." }));
    const outlets = seriesTraces(bySource.series, 8).map((t) => Object.assign(t, { type: "bar" }));
    if (outlets.length) await plot(outletPlot, outlets, { barmode: "stack", xaxis: { type: "category" } });
    else outletPlot.append(el("p", { class: "muted", text: "No narratives by outlet yet." }));
  }

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
    const doc = await api(q("/api/article", { id: id }));  // a query, not a path: ids "." and ".." survive URL normalisation
    document.title = `${doc.title || doc.id} · narrascope`;
    put(articleView(doc));
  }

  // ---- entities ----------------------------------------------------------------------------------------
  async function entitiesPage() {
    const term = params.get("q") || "";
    const found = await api(q("/api/entities", { q: term, limit: 200 }));
    const form = el("form", { class: "filters" }, el("input", { type: "search", name: "q", value: term, placeholder: "entity name" }), el("button", { text: "Search" }));
    form.addEventListener("submit", (e) => { e.preventDefault(); window.location.assign(q("/entities", { q: form.elements.namedItem("q").value })); });
    put(el("h1", { text: "Entities" }), form, section("Entities by articles",
      el("table", { id: "entities" }, el("thead", {}, el("tr", {}, ...["Entity", "Articles", "Roles"].map((h) => el("th", { text: h })))),
        el("tbody", {}, ...found.items.map((e) => el("tr", {},
          el("td", {}, link(q("/entity", { name: e.entity }), e.entity)), el("td", { text: e.articles }),
          el("td", { text: Object.entries(e.roles).map(([r, n]) => `${r} ${n}`).join(", ") })))))));
  }

  async function entityPage() {
    const name = params.get("name");
    if (!name) return showError("No entity given.");
    const found = await api(q("/api/entity", { name: name }));
    const chart = el("div", { class: "plot", id: "plot-entity" });
    put(el("h1", { text: found.entity }),
      section("How each outlet frames it", chart),
      section("Articles", el("table", {}, el("thead", {}, el("tr", {}, ...["Article", "Outlet", "Published", "Role", "Fine roles"].map((h) => el("th", { text: h })))),
        el("tbody", {}, ...found.articles.map((a) => el("tr", {},
          el("td", {}, link(q("/article", { id: a.id }), a.title || a.id)), el("td", { text: a.source || "" }),
          el("td", { text: a.published || "" }), el("td", { class: `role-${a.role}`, text: a.role }), el("td", { text: a.fine_roles })))))));
    const sources = [...new Set(found.by_source.map((r) => r.source))];
    const roles = [...new Set(found.by_source.map((r) => r.role))];
    await plot(chart, roles.map((role) => ({
      type: "bar", name: role, marker: { color: ROLE_COLORS[role] || "#888" }, x: sources.map(plotText),
      y: sources.map((s) => (found.by_source.find((r) => r.source === s && r.role === role) || { articles: 0 }).articles),
    })), { barmode: "stack", xaxis: { type: "category" } });
  }

  // ---- claims ------------------------------------------------------------------------------------------
  async function claimsPage() {
    const term = params.get("q") || "";
    const found = await api(q("/api/claims", { q: term, limit: 100 }));
    const form = el("form", { class: "filters" }, el("input", { type: "search", name: "q", value: term, placeholder: "words of a claim" }), el("button", { text: "Search" }));
    form.addEventListener("submit", (e) => { e.preventDefault(); window.location.assign(q("/claims", { q: form.elements.namedItem("q").value })); });
    put(el("h1", { text: "Claims" }), form, section("Claim groups, most repeated first",
      el("table", { id: "claims" }, el("thead", {}, el("tr", {}, ...["Claim", "Source", "Appearances", "Outlets", "First seen"].map((h) => el("th", { text: h })))),
        el("tbody", {}, ...found.items.map((g) => el("tr", {},
          el("td", {}, link(q("/claim", { id: g.id }), g.canonical)), el("td", { text: g.source || "" }),
          el("td", { text: g.size }), el("td", { text: g.outlets }), el("td", { text: g.first_day || "" })))))));
  }

  async function claimPage() {
    const id = params.get("id");
    if (!id || !/^\d+$/.test(id)) return showError("No claim group given.");
    const g = await api(`/api/claims/${encodeURIComponent(id)}`);
    const timeline = el("div", { class: "plot", id: "plot-timeline" });
    const first = g.first_appearance;
    put(el("h1", { text: g.canonical }),
      el("p", { class: "meta" }, el("span", { text: `Sources: ${g.sources.join(", ") || "—"} · relays: ${g.relays.join(", ") || "—"} · outlets: ${g.outlets.join(", ") || "—"}` })),
      first ? el("p", { class: "first" }, "First appearance: ", link(q("/article", { id: first.article_id }), first.title || first.article_id),
        el("span", { text: ` (${first.outlet || "unknown outlet"}, ${first.published || "undated"})` })) : null,
      section("Provenance timeline", timeline),
      section("Appearances", el("ol", { id: "members" }, ...g.members.map((m) => el("li", {},
        el("span", { class: "muted", text: `${m.day || "undated"} · ${m.outlet || "unknown outlet"} · ` }),
        link(q("/article", { id: m.article_id }), m.title || m.article_id), " ", el("q", { text: m.text }),
        el("span", { class: "muted", text: [m.source && ` source: ${m.source}`, m.relay && ` via ${m.relay}`, ` ${m.stance}`].filter(Boolean).join(" ·") }))))));
    const dated = g.members.filter((m) => m.day);
    if (dated.length) {
      await plot(timeline, [{ type: "scatter", mode: "lines+markers", x: dated.map((m) => m.day), y: dated.map((m) => plotText(m.outlet || "unknown")),
        text: dated.map((m) => plotText(m.text)), marker: { size: 12 }, line: { dash: "dot" } }], { yaxis: { type: "category" }, margin: { l: 160, r: 20, t: 10, b: 40 } });
    } else timeline.append(el("p", { class: "muted", text: "No dated appearances." }));
  }

  // ---- paste an article --------------------------------------------------------------------------------
  function analyzePage() {
    const text = el("textarea", { id: "paste-text", rows: 14, placeholder: "Title on the first line, then the article text" });
    const source = el("input", { id: "paste-source", type: "text", placeholder: "outlet (optional)" });
    const published = el("input", { id: "paste-published", type: "date" });
    const result = el("div", { id: "paste-result" });
    const status = el("p", { class: "muted", id: "paste-status" });
    async function send(path) {
      status.textContent = "Analysing…";
      try {
        const body = JSON.stringify({ text: text.value, source: source.value || null, published: published.value || null });
        const found = await api(path, { method: "POST", body: body, headers: { "Content-Type": "application/json" } });
        if (path === "/api/articles") {
          status.replaceChildren(`Stored (${found.status}): `, link(q("/article", { id: found.id }), found.id));
        } else {
          status.textContent = "";
          result.replaceChildren(articleView(found));
        }
      } catch (err) {
        status.textContent = `Error: ${err.message}`;
      }
    }
    put(el("h1", { text: "Paste an article" }),
      el("div", { class: "card paste" }, text, el("p", {}, source, " ", published, " ",
        el("button", { id: "paste-analyze", type: "button", text: "Analyse", onclick: () => send("/api/analyze") }), " ",
        el("button", { id: "paste-store", type: "button", text: "Analyse and store", onclick: () => send("/api/articles") })), status),
      result);
  }

  const PAGES = { corpus: corpusPage, article: articlePage, entities: entitiesPage, entity: entityPage, claims: claimsPage, claim: claimPage, analyze: analyzePage };

  window.addEventListener("DOMContentLoaded", async () => {
    setupToken();
    const render = PAGES[document.body.dataset.page] || corpusPage;
    try {
      await render();
      document.body.dataset.ready = "1";
    } catch (err) {
      showError(`Could not load: ${err.message}`);
      document.body.dataset.ready = "error";
    }
  });
})();
