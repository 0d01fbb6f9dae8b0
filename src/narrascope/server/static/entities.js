"use strict";
// The entity pages: entities by articles, and how each outlet frames one entity.
(function (N) {
  const { el, link, q, put, section, showError, api, plot, plotText, params, ROLE_COLORS } = N;

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
    const found = await api(`/api/entities/${encodeURIComponent(name)}`);
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

  N.pages.entities = entitiesPage;
  N.pages.entity = entityPage;
})(window.narrascope);
