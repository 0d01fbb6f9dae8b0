"use strict";
// The corpus page: filters (each option says how many articles it matches), the coverage of each capability,
// charts of articles per label (by outlet and month when the corpus has them; a one-line reason when not),
// the article list and its export. Every count is of articles with an asserted judgment, unless the header's
// "show withheld" control is on.
(function (N) {
  const { el, link, q, put, section, api, plot, plotText, params } = N;
  const FILTERS = ["q", "narrative", "subnarrative", "technique", "source", "language", "entity", "role", "date_from", "date_to"];
  const PAGE = 25;
  const LABEL_CHARS = 48;
  const TOP_OUTLETS = 30;  // outlets drawn in a chart by outlet: the ones with the most articles
  const MIN_DATED = 3;  // fewer dated articles (or under a tenth of them) draw dots, not a trend

  function currentFilters() {
    const found = {};
    for (const name of FILTERS) if (params.get(name)) found[name] = params.get(name);
    if (N.withheld) found.include_withheld = "true";
    if (N.modelView) found.view = "model";
    return found;
  }

  // A long label cut with an ellipsis for an axis; the full label stays in the hover text.
  function short(label) {
    const text = plotText(label);
    return text.length > LABEL_CHARS ? `${text.slice(0, LABEL_CHARS - 1)}…` : text;
  }

  function filterForm(filters, stats) {
    const form = el("form", { class: "filters", id: "filters" });
    function field(name, label, control) {
      control.name = name;
      control.id = `f-${name}`;
      if (filters[name]) control.value = filters[name];
      form.append(el("label", { for: `f-${name}` }, label, control));
    }
    const select = N.facetSelect;  // options with the number of matching articles: a facet says what it counts
    field("q", "Search", el("input", { type: "search", placeholder: "words in title or text" }));
    field("narrative", "Narrative", select(stats.narratives.totals));
    field("subnarrative", "Subnarrative", select(stats.subnarratives.totals));
    field("technique", "Technique", select(stats.techniques.totals));
    field("source", "Outlet", select(stats.outlets));
    field("language", "Language", el("input", { type: "text", size: 4, placeholder: "en" }));
    field("entity", "Entity", el("input", { type: "text", placeholder: "exact name" }));
    field("role", "Role", select(["Protagonist", "Antagonist", "Innocent"]));
    field("date_from", "From", el("input", { type: "date" }));
    field("date_to", "To", el("input", { type: "date" }));
    form.append(el("button", { type: "submit", text: "Apply" }), el("a", { href: q("/", {}), class: "reset", text: "Reset" }));
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
    const byLabel = new Map();
    for (const row of series) {
      if (!byLabel.has(row.label)) byLabel.set(row.label, { x: [], y: [] });
      byLabel.get(row.label).x.push(plotText(row.bucket));
      byLabel.get(row.label).y.push(row.articles);
    }
    const sum = (xy) => xy.y.reduce((s, v) => s + v, 0);
    const ranked = [...byLabel.entries()].sort((a, b) => sum(b[1]) - sum(a[1]));
    return ranked.slice(0, maxTraces).map(([name, xy]) => ({ name: short(name), hovertext: plotText(name), x: xy.x, y: xy.y }));
  }

  function coverageLine(cov) {
    const part = (name, n) => `${name} ${n} of ${cov.articles}`;
    return el("p", { class: "coverage", id: "coverage", text: `Articles each view covers: ${[
      part("narratives", cov.narratives), part("entities", cov.entities), part("techniques", cov.techniques), part("claims", cov.claims),
    ].join(" · ")} (a capability skips an article in a language it does not cover, or with too little text).` });
  }

  // Why a chart over time or outlets would say nothing, or null when it can be drawn.
  function timeReason(stats) {
    if (!stats.dated_articles) return `No dates: none of the ${stats.articles} articles has a published date (a JSON lines/CSV field or page metadata).`;
    if (stats.dated_articles < MIN_DATED || stats.dated_articles * 10 < stats.articles) return `Only ${stats.dated_articles} of ${stats.articles} articles have a published date: too few for a trend.`;
    const months = new Set(stats.series.map((r) => r.bucket));
    if (months.size < 2) return `All ${stats.dated_articles} dated articles fall in ${[...months][0] || "one month"}: no trend to draw.`;
    return null;
  }

  function outletReason(stats) {
    if (!stats.outlets) return `No outlets: none of the ${stats.articles} articles has a source field, URL or site name.`;
    if (stats.outlets < 2) return `One outlet only (${stats.outlet_articles.map((o) => o.label).join("")}): nothing to compare.`;
    return null;
  }

  function chart(id, title) {
    const target = el("div", { class: "plot", id: id });
    return { id, target, node: section(title, target) };
  }

  function note(target, text) {
    target.replaceChildren(el("p", { class: "chart-note", text: text }));
    target.classList.add("plot-empty");
  }

  // The labels with the most articles, as bars drawn without Plotly (the first screen shows before its 1.2 MB
  // is parsed); each label filters the corpus by it.
  const TOP_LABELS = 15;
  async function barTotals(target, totals, filter, color, empty) {
    if (!totals.length) return note(target, empty);
    const top = totals.slice(0, TOP_LABELS);
    target.replaceChildren(el("p", { class: "bars-axis", text: "articles" }),
      N.barList(top, { color: color, href: (label) => q("/", Object.assign(currentFilters(), { [filter]: label })) }));
    if (totals.length > top.length) {
      target.append(el("p", { class: "chart-note", text: `The ${top.length} with the most articles; ${totals.length - top.length} more in the filter above.` }));
    }
    return undefined;
  }

  // The outlets with the most labelled articles (the height of their stack), biggest first; a corpus that
  // follows hundreds of outlets draws the first TOP_OUTLETS and says how many more it leaves out.
  function topBuckets(series, n) {
    const height = new Map();
    for (const row of series) height.set(row.bucket, (height.get(row.bucket) || 0) + row.articles);
    const ranked = [...height.entries()].sort((a, b) => b[1] - a[1] || String(a[0]).localeCompare(String(b[0])));
    return { shown: new Set(ranked.slice(0, n).map(([bucket]) => bucket)), more: Math.max(0, ranked.length - n) };
  }

  async function byOutlet(target, stats) {
    const { shown, more } = topBuckets(stats.series, TOP_OUTLETS);
    const traces = seriesTraces(stats.series.filter((row) => shown.has(row.bucket)), 8).map((t) => Object.assign(t, { type: "bar" }));
    if (!traces.length) return note(target, "Nothing to count in these articles.");
    const order = [...shown].map(plotText);  // biggest stack first, the same order in every trace
    await plot(target, traces, { barmode: "stack", xaxis: { type: "category", automargin: true, tickangle: -30, categoryorder: "array", categoryarray: order },
      yaxis: { title: { text: "articles" }, automargin: true }, height: 380 });
    if (more) {
      target.after(el("p", { class: "chart-note more-outlets", text: `The ${shown.size} outlets with the most of these articles; and ${more} more outlet(s) not drawn (pick one in the Outlet filter, or export the articles).` }));
    }
  }

  // STIX 2.1 (OpenCTI and other threat-intelligence platforms): asserted judgments and analysts' corrections only
  const EXPORTS = {
    csv: { text: "CSV", file: "narrascope-articles.csv" },
    jsonl: { text: "JSON lines", file: "narrascope-articles.jsonl" },
    stix: { text: "STIX 2.1", file: "narrascope-bundle.json", title: "A STIX 2.1 bundle for OpenCTI and other threat-intelligence platforms" },
  };

  function exportLinks(filters, total) {
    const links = Object.keys(EXPORTS).map((format) => {
      const href = q("/api/export", Object.assign({ format: format }, filters));
      const file = EXPORTS[format].file;
      const a = el("a", { href: href, id: `export-${format}`, download: file, text: EXPORTS[format].text });
      if (EXPORTS[format].title) a.title = EXPORTS[format].title;
      a.addEventListener("click", async (event) => {  // with an API token, a plain link cannot send the header
        const token = window.sessionStorage.getItem(N.TOKEN_KEY);
        if (!token) return;
        event.preventDefault();
        const response = await fetch(href, { headers: { Authorization: `Bearer ${token}` } });
        const url = URL.createObjectURL(await response.blob());
        const save = document.createElement("a");
        save.href = url;
        save.download = file;
        save.click();
        URL.revokeObjectURL(url);
      });
      return a;
    });
    return el("p", { class: "exports" }, `Export these ${total} articles: `, links[0], " ", links[1], " ", links[2]);
  }

  async function corpusPage() {
    const filters = currentFilters();
    const offset = Number(params.get("offset") || 0);
    const stat = (path, extra) => api(q(path, Object.assign({}, extra, filters)));
    const [narratives, narrativesByOutlet, subnarratives, techniques, cov, list] = await Promise.all([
      stat("/api/stats/narratives", { by: "month" }),
      stat("/api/stats/narratives", { by: "source" }),
      stat("/api/stats/narratives", { by: "source", level: "subnarrative" }),
      stat("/api/stats/techniques", { by: "source" }),
      stat("/api/coverage", {}),
      api(q("/api/articles", Object.assign({ limit: PAGE, offset: offset }, filters))),
    ]);
    const timeWhy = timeReason(narratives);
    const outletWhy = outletReason(narrativesByOutlet);
    const charts = {
      counts: chart("plot-counts", `Articles per narrative (${narratives.articles_without} of ${cov.narratives} articles: no narrative ${N.withheld ? "picked" : "asserted"})`),
      techniques: chart("plot-techniques", `Articles per persuasion technique (of ${cov.techniques} articles the technique model covers)`),
    };
    const notDrawn = [];
    if (timeWhy) notDrawn.push(`Narratives over time: ${timeWhy}`);
    else charts.time = chart("plot-time", "Articles per narrative and month");
    if (outletWhy) notDrawn.push(`Narratives, subnarratives and techniques by outlet: ${outletWhy}`);
    else {
      charts.outlets = chart("plot-outlets", "Articles per narrative and outlet");
      charts.subOutlets = chart("plot-sub-outlets", "Articles per subnarrative and outlet");
      charts.techOutlets = chart("plot-tech-outlets", "Articles per technique and outlet");
    }
    const outletColumn = list.items.some((a) => a.source);  // no empty column on a corpus without outlets
    const rows = list.items.map((a) =>
      el("tr", { class: "article-row" },
        el("td", {}, link(q("/article", { id: a.id }), a.title || a.id)),
        outletColumn ? el("td", { text: a.source || "" }) : null,
        el("td", { text: a.published || "" }),
        el("td", { text: a.language || "" }),
        el("td", { class: "labels" }, ...a.narratives.flatMap((label, i) => [i ? "; " : "", label, N.correctedMark((a.corrected || {})[label])]),
          ...(a.withheld_narratives || []).map((w) => el("span", { class: "withheld", text: ` ${w.label} ${w.score.toFixed(2)}` })))));
    const pager = el("p", { class: "pager" },
      offset > 0 ? link(q("/", Object.assign({}, filters, { offset: Math.max(0, offset - PAGE) })), "← newer") : null, " ",
      el("span", { text: `${list.total ? offset + 1 : 0}–${offset + list.items.length} of ${list.total}` }), " ",
      offset + list.items.length < list.total ? link(q("/", Object.assign({}, filters, { offset: offset + PAGE })), "older →") : null);
    const counted = (N.withheld ? "at least one judgment of the label, withheld ones (below the score threshold) included"
      : "at least one asserted judgment of the label (score at or above the threshold)")
      + (N.modelView ? ", as the model judged (analysts' corrections not applied)" : ", analysts' corrections applied");
    put(
      el("h1", { text: "Corpus" }),
      filterForm(filters, { narratives, subnarratives, techniques, outlets: narrativesByOutlet.outlet_articles }),
      el("p", { class: "summary", id: "summary", text: `${narratives.articles} article(s) match. Every count below is of articles with ${counted}.` }),
      coverageLine(cov),
      el("div", { class: "grid" }, ...Object.values(charts).map((c) => c.node)),
      notDrawn.length ? el("div", { class: "card chart-notes", id: "not-drawn" }, ...notDrawn.map((text) => el("p", { class: "chart-note", text: text }))) : null,
      section("Articles", exportLinks(filters, list.total), el("table", { id: "articles" },
        el("thead", {}, el("tr", {}, ...["Title", outletColumn ? "Outlet" : null, "Published", "Lang.", "Narratives"].filter(Boolean).map((h) => el("th", { text: h })))),
        el("tbody", {}, ...rows)), pager));
    const draws = [  // each chart drawn once on screen: the page is ready when the visible ones are
      [charts.counts, () => barTotals(charts.counts.target, narratives.totals, "narrative", "#5c6bc0", N.withheld ? "No narratives in these articles." : "No narrative asserted in these articles.")],
      [charts.techniques, () => barTotals(charts.techniques.target, techniques.totals, "technique", "#e8590c",
        cov.techniques ? "No asserted technique spans in these articles." : "techniques: not available for the languages of these articles (English only).")],
      [charts.time, () => plot(charts.time.target, seriesTraces(narratives.series, 8).map((t) => Object.assign(t, { type: "scatter", mode: "lines+markers" })),
        { xaxis: { type: "category", automargin: true }, yaxis: { title: { text: "articles" }, automargin: true }, height: 380 })],
      [charts.outlets, () => byOutlet(charts.outlets.target, narrativesByOutlet)],
      [charts.subOutlets, () => byOutlet(charts.subOutlets.target, subnarratives)],
      [charts.techOutlets, () => byOutlet(charts.techOutlets.target, techniques)],
    ];
    for (const [c, draw] of draws) if (c) await N.drawWhenVisible(c.target, draw);
    if (charts.time || charts.outlets) N.afterReady(N.prefetchPlotly);  // for the charts below the first screen
  }

  N.pages.corpus = corpusPage;
})(window.narrascope);
