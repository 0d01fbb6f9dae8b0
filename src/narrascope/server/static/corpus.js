"use strict";
// The corpus page: filters, narrative charts and the article list.
(function (N) {
  const { el, link, q, put, section, api, plot, plotText, params } = N;

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

  N.pages.corpus = corpusPage;
})(window.narrascope);
