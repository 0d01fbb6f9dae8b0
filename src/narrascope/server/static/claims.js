"use strict";
// The claim pages: claim groups (widest spread first), and one group's provenance: first appearance per
// outlet, stances, source -> relay -> outlet chains, wordings per language, every appearance.
(function (N) {
  const { el, link, q, put, section, showError, api, params } = N;
  const SHOWN_APPEARANCES = 100;  // a wire claim re-posted thousands of times: the first 100, then "show all"
  const TIMELINE_OUTLETS = 30;  // the timeline's dots: the outlets that carried the claim first
  const STANCE_COLORS = { endorses: "#2e7d32", reports: "#667085", disputes: "#c62828", unclear: "#b8bfcc" };

  function plural(n, one, many) {
    return `${n} ${n === 1 ? one : many}`;
  }

  // How far the claim spread: outlets where known; a story of unknown outlet is never counted as an outlet.
  function spread(counts) {
    const parts = [];
    if (counts.outlets || !counts.unknown_outlet_stories) parts.push(plural(counts.outlets, "outlet", "outlets"));
    if (counts.unknown_outlet_stories) parts.push(`${plural(counts.unknown_outlet_stories, "story", "stories")} of unknown outlet`);
    return `Spread: ${parts.join(" + ")} · ${plural(counts.stories, "story", "stories")} · ${plural(counts.articles, "article", "articles")} · `
      + `${plural(counts.appearances, "appearance", "appearances")} · ${plural(counts.languages, "language", "languages")}`;
  }

  function outletName(row) {
    return row.outlet || `unknown outlet · ${row.first_article_id}`;
  }

  function stanceBadge(stance, counts) {
    const others = Object.entries(counts || {}).filter(([s]) => s !== stance).map(([s, n]) => `${s} ${n}`);
    return el("span", {},
      el("span", { class: `stance stance-${stance}`, text: stance }),
      others.length ? el("span", { class: "muted", text: ` (also ${others.join(", ")})` }) : null);
  }

  // A withheld stance (below the threshold) is greyed; with include_withheld its score is shown.
  function memberStance(m) {
    const scored = N.withheld && m.stance_score !== null && m.stance_score !== undefined;
    return el("span", { class: `stance stance-${m.stance}${m.stance_asserted === 0 ? " withheld" : ""}`,
      text: scored ? `${m.stance} ${Number(m.stance_score).toFixed(2)}` : m.stance });
  }

  async function claimsPage() {
    const term = params.get("q") || "";
    const found = await api(q("/api/claims", { q: term, limit: 100 }));
    const form = el("form", { class: "filters" }, el("input", { type: "search", name: "q", value: term, placeholder: "words of a claim" }), el("button", { text: "Search" }));
    form.addEventListener("submit", (e) => { e.preventDefault(); window.location.assign(q("/claims", { q: form.elements.namedItem("q").value })); });
    const heads = ["Claim", "Source", "Outlets", "Stories", "Articles", "Appearances", "Languages", "First seen"];
    put(el("h1", { text: "Claims" }), form, el("p", { class: "muted" }, link(q("/api/claims", { q: term, limit: 100 }), "JSON of this list")),
      section("Claim groups, widest spread first",
        el("p", { class: "muted", text: "Ranked by distinct outlets, then distinct stories (copies of one syndicated article count once), then articles. An article of unknown outlet is counted as a story, never as an outlet." }),
        el("table", { id: "claims" }, el("thead", {}, el("tr", {}, ...heads.map((h) => el("th", { text: h })))),
          el("tbody", {}, ...found.items.map((g) => el("tr", {},
            el("td", {}, link(q("/claim", { id: g.id }), g.canonical)), el("td", { text: g.source || "" }),
            el("td", { class: "num" }, String(g.outlets), g.unknown_outlet_stories ? el("span", { class: "muted", text: ` +${g.unknown_outlet_stories} unknown` }) : null),
            el("td", { class: "num", text: g.stories }), el("td", { class: "num", text: g.articles }),
            el("td", { class: "num", text: g.size }), el("td", { class: "num", text: g.languages }),
            el("td", { class: "date", text: g.first_day || "" })))))));
  }

  function outletTable(rows) {
    return el("table", { id: "per-outlet" },
      el("thead", {}, el("tr", {}, ...["Outlet", "First seen", "Stance", "Articles", "Stories", "First wording"].map((h) => el("th", { text: h })))),
      el("tbody", {}, ...rows.map((o) => el("tr", {},
        el("td", { text: outletName(o) }), el("td", { class: "date", text: o.first_day || "undated" }),
        el("td", {}, stanceBadge(o.stance, o.stances)), el("td", { class: "num", text: o.articles }),
        el("td", { class: "num", text: o.stories }),
        el("td", {}, el("q", { text: o.first_text }), " ", link(q("/article", { id: o.first_article_id }), o.first_title || o.first_article_id))))));
  }

  function chainList(chains) {
    const part = (value, kind) => el("span", { class: value ? `chain-${kind}` : "muted", text: value || `unknown ${kind}` });
    return el("ul", { id: "chains", class: "chains" }, ...chains.map((c) => el("li", {},
      part(c.source, "source"), " → ", part(c.relay, "relay"), " → ", part(c.outlet, "outlet"),
      el("span", { class: "muted", text: ` · ${c.appearances} appearance(s)` }))));
  }

  function wordingList(wordings) {
    const byLanguage = new Map();
    for (const w of wordings) {
      const key = w.language || "unknown language";
      if (!byLanguage.has(key)) byLanguage.set(key, []);
      byLanguage.get(key).push(w);
    }
    return el("dl", { id: "wordings", class: "wordings" }, ...[...byLanguage.entries()].flatMap(([language, rows]) => [
      el("dt", { text: `${language} · ${rows.length} wording(s)` }),
      ...rows.map((w) => el("dd", {}, el("q", { text: w.text }),
        el("span", { class: "muted", text: ` · ${w.articles.length} article(s)` }))),
    ]));
  }

  // A date axis at least a week wide: one dated outlet must not read as a millisecond scale.
  function dateRange(days) {
    const times = days.map((d) => Date.parse(d)).filter((t) => !Number.isNaN(t));
    const pad = Math.max(3 * 86400000, (Math.max(...times) - Math.min(...times)) * 0.08);
    return [new Date(Math.min(...times) - pad).toISOString().slice(0, 10), new Date(Math.max(...times) + pad).toISOString().slice(0, 10)];
  }

  // The timeline drawn as HTML (no Plotly): one row per outlet, earliest first, its dot placed on a shared date
  // axis at its first appearance and coloured by its stance; the dot's tooltip quotes the first wording.
  const TICKS = 3;  // dates on the axis: its two ends and its middle (a narrow card has no room for more)
  function dots(rows, range) {
    const [lo, hi] = range.map((d) => Date.parse(d));
    const at = (time) => `${(100 * (time - lo)) / Math.max(1, hi - lo)}%`;
    const scale = el("span", { class: "dot-track dot-scale" });
    for (let k = 0; k < TICKS; k += 1) {
      const time = lo + ((hi - lo) * k) / (TICKS - 1);
      const tick = el("span", { class: "tick", text: new Date(time).toISOString().slice(0, 10) });
      tick.style.left = at(time);
      scale.append(tick);
    }
    return el("ol", { class: "bars dots" }, N.barRow("", scale, "", { class: "bar-row dot-axis", "aria-hidden": "true" }),
      ...rows.map((o) => {
        const dot = el("span", { class: `point stance-${o.stance}`, title: `${o.first_day}: ${outletName(o)} (${o.stance})\n${o.first_text || ""}` });
        dot.style.left = at(Date.parse(o.first_day));
        dot.style.background = STANCE_COLORS[o.stance] || STANCE_COLORS.unclear;
        return N.barRow(outletName(o), el("span", { class: "dot-track" }, dot), o.first_day, { "data-label": outletName(o), "data-day": o.first_day });
      }));
  }

  // One dot per outlet at its first appearance, coloured by its stance. Fewer than two dates draw a lone dot
  // on a meaningless time axis: then a line says why there is no timeline.
  async function timeline(target, g) {
    const rows = g.per_outlet;
    const dated = rows.filter((o) => o.first_day);
    const days = new Set(g.members.filter((m) => m.day).map((m) => m.day));
    if (days.size < 2) {
      const datedMembers = g.members.filter((m) => m.day).length;
      const undated = g.members.length - datedMembers;
      target.classList.add("empty");
      target.replaceChildren(el("p", { class: "chart-note", text: datedMembers
        ? `All ${datedMembers} dated appearance(s) are on ${[...days][0]}${undated ? ` (${undated} undated)` : ""}: no timeline to draw.`
        : "No dated appearances: no timeline to draw." }));
      return false;
    }
    const undated = rows.length - dated.length;
    const note = undated ? el("p", { class: "chart-note", text: `${plural(undated, "outlet", "outlets")} without a date not shown: give a published date (JSON lines/CSV field or page metadata).` }) : null;
    const first = [...dated].sort((a, b) => a.first_day.localeCompare(b.first_day)).slice(0, TIMELINE_OUTLETS);
    const later = dated.length - first.length;
    const cut = later ? el("p", { class: "chart-note", id: "timeline-more", text: `The first ${first.length} outlets to carry it; ${plural(later, "later outlet", "later outlets")} not drawn (every outlet is in the table below).` }) : null;
    target.replaceChildren(dots(first, dateRange(first.map((o) => o.first_day))));
    if (note) target.after(note);
    if (cut) target.after(cut);
    return true;
  }

  async function claimPage() {
    const id = params.get("id");
    if (!id || !/^\d+$/.test(id)) return showError("No claim group given.");
    const g = await api(`/api/claims/${encodeURIComponent(id)}`);
    document.title = `${g.canonical} · narrascope`;
    const chart = el("div", { class: "plot", id: "plot-timeline" });
    const first = g.first_appearance;
    const all = params.get("appearances") === "all";
    const shown = all ? g.members : g.members.slice(0, SHOWN_APPEARANCES);
    const hidden = g.members.length - shown.length;
    const more = hidden ? el("p", { class: "more", id: "members-more" }, `${shown.length} of ${g.members.length} appearances shown, earliest first; ${hidden} more: `,
      link(q("/claim", { id: id, appearances: "all" }), "show all"), " (or the ", link(`/api/claims/${encodeURIComponent(id)}`, "JSON"), ")") : null;
    put(el("h1", { id: "claim-title", text: g.canonical }),
      el("p", { class: "meta" }, el("span", { id: "spread", text: spread(g.counts) }), " · ", link(`/api/claims/${encodeURIComponent(id)}`, "JSON")),
      first ? el("p", { class: "first" }, "First appearance: ", link(q("/article", { id: first.article_id }), first.title || first.article_id),
        el("span", { text: ` (${first.outlet || "unknown outlet"}, ${first.published || "undated"})` })) : null,
      el("div", { class: "grid" },
        section("First appearance per outlet", chart, el("p", { class: "legend", id: "stance-legend" }, ...Object.entries(STANCE_COLORS).map(([s]) => el("span", { class: `stance stance-${s}`, text: s })),
          el("span", { class: "muted", text: "stance of the outlet towards the claim (its most frequent)" }))),
        section("Source → relay → outlet", chainList(g.chains))),
      section("Each outlet", outletTable(g.per_outlet)),
      section("In each language and wording", wordingList(g.wordings)),
      section("Appearances", el("ol", { id: "members" }, ...shown.map((m) => el("li", {},
        el("span", { class: "muted", text: `${m.day || "undated"} · ${m.outlet || "unknown outlet"} · ` }),
        link(q("/article", { id: m.article_id }), m.title || m.article_id), " ", el("q", { text: m.text }),
        el("span", { class: "muted", text: [m.source && ` source: ${m.source}`, m.relay && ` via ${m.relay}`].filter(Boolean).join(" ·") }), " · ",
        memberStance(m)))), more));
    if (!(await timeline(chart, g))) document.getElementById("stance-legend").remove();  // no dots to explain
  }

  N.pages.claims = claimsPage;
  N.pages.claim = claimPage;
})(window.narrascope);
