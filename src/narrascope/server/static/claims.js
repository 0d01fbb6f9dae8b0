"use strict";
// The claim pages: claim groups, and one group's provenance.
(function (N) {
  const { el, link, q, put, section, showError, api, plot, plotText, params } = N;

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
        el("span", { class: "muted", text: [m.source && ` source: ${m.source}`, m.relay && ` via ${m.relay}`].filter(Boolean).join(" ·") }), " · ",
        el("span", { class: `stance${m.stance_asserted === 0 ? " withheld" : ""}`, text: N.withheld && m.stance_score !== null && m.stance_score !== undefined ? `${m.stance} ${Number(m.stance_score).toFixed(2)}` : m.stance }))))));
    const dated = g.members.filter((m) => m.day);
    const days = new Set(dated.map((m) => m.day));
    if (days.size < 2) {  // one date draws a lone dot on a meaningless time axis
      const undated = g.members.length - dated.length;
      timeline.replaceChildren(el("p", { class: "chart-note", text: dated.length
        ? `All ${dated.length} dated appearance(s) are on ${[...days][0]}${undated ? ` (${undated} undated)` : ""}: no timeline to draw.`
        : "No dated appearances: no timeline to draw." }));
      return;
    }
    await plot(timeline, [{ type: "scatter", mode: "lines+markers", x: dated.map((m) => m.day), y: dated.map((m) => plotText(m.outlet || "unknown")),
      text: dated.map((m) => plotText(m.text)), marker: { size: 12 }, line: { dash: "dot" } }],
    { xaxis: { type: "date", tickformat: "%Y-%m-%d", automargin: true }, yaxis: { type: "category", automargin: true }, margin: { l: 20, r: 20, t: 10, b: 40 } });
  }

  N.pages.claims = claimsPage;
  N.pages.claim = claimPage;
})(window.narrascope);
