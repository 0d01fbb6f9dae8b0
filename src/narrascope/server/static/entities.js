"use strict";
// The entity pages: entities by articles, and how each outlet frames one entity.
(function (N) {
  const { el, link, q, put, section, showError, api, params, ROLE_COLORS } = N;
  const CHART_OUTLETS = 30;  // the chart's bars: the outlets with the most articles about the entity
  const SHOWN_ARTICLES = 100;  // the article table's first rows, then "show all"

  // ---- entities ----------------------------------------------------------------------------------------
  async function entitiesPage() {
    const term = params.get("q") || "";
    const [found, cov] = await Promise.all([api(q("/api/entities", { q: term, limit: 200 })), api(q("/api/coverage", {}))]);
    const counted = N.withheld ? "articles, withheld roles included" : "articles with an asserted role";
    const form = el("form", { class: "filters" }, el("input", { type: "search", name: "q", value: term, placeholder: "entity name" }), el("button", { text: "Search" }));
    form.addEventListener("submit", (e) => { e.preventDefault(); window.location.assign(q("/entities", { q: form.elements.namedItem("q").value })); });
    const covers = el("p", { class: "coverage", id: "coverage", text: `Entity framing covers ${cov.entities} of ${cov.articles} articles (the others are in a language it does not cover, or too short to judge).` });
    put(el("h1", { text: "Entities" }), form, covers, section(`Entities by ${counted}`,
      el("table", { id: "entities" }, el("thead", {}, el("tr", {}, ...["Actor", "Articles", "Articles per role", "Languages", "Forms"].map((h) => el("th", { text: h })))),
        el("tbody", {}, ...found.items.map((e) => el("tr", {},
          el("td", {}, link(q("/entity", { name: e.actor_id || e.entity }), e.entity)), el("td", { text: e.articles }),
          el("td", { text: Object.entries(e.roles).map(([r, n]) => `${r} ${n}`).join(", ") }),
          el("td", { class: "languages", text: (e.languages || []).join(", ") }),
          el("td", { class: "forms", text: formsText(e.forms) })))))));
  }

  // "Лавров (ru, 3), Sergei Lavrov (en, 2), ..." — the first few surface forms, most articles first
  function formsText(forms) {
    const shown = (forms || []).slice(0, 8).map((f) => `${f.form} (${f.language || "?"}, ${f.articles})`);
    return shown.join(", ") + ((forms || []).length > 8 ? ` … ${forms.length - 8} more` : "");
  }

  // Merge this actor into another one, or split one of its entity names out: corrections kept across re-ingests.
  function actorCorrections(found) {
    const status = el("p", { class: "status", id: "actor-status", role: "status" });
    async function send(body) {
      try {
        const stored = await api("/api/actors/corrections", {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        });
        status.textContent = `Stored: ${stored.action} (correction ${stored.id}; undo with DELETE /api/actors/corrections/${stored.id})`;
      } catch (err) { status.textContent = `Not stored: ${err.message}`; }
    }
    const into = el("input", { type: "text", id: "merge-into", placeholder: "actor to merge into (name or id)" });
    const merge = el("form", { class: "filters", id: "merge-actor" }, into, el("button", { text: "Merge into" }));
    merge.addEventListener("submit", async (e) => {
      e.preventDefault();
      const target = into.value.trim();
      if (!target) { status.textContent = "Name the actor to merge into."; return; }
      try {
        const other = await api(q("/api/entity", { name: target, include_withheld: "true" }));
        await send({ action: "merge", actor: found.actor_id, into: other.actor_id });
      } catch (err) { status.textContent = `Not stored: ${err.message}`; }
    });
    const names = (found.entities || []).length > 1 ? el("ul", { id: "actor-entities" }, ...found.entities.map((name) => {
      const button = el("button", { type: "button", text: "Split out" });
      button.addEventListener("click", () => send({ action: "split", actor: found.actor_id, entity: name }));
      return el("li", {}, el("span", { text: `${name} ` }), button);
    })) : el("p", { text: "One entity name: nothing to split." });
    return section("Correct this actor", merge, names, status);
  }

  async function entityPage() {
    const name = params.get("name");
    if (!name) return showError("No entity given.");
    const found = await api(q("/api/entity", { name: name }));  // a query: any name, "." and ".." too
    const chart = el("div", { class: "plot", id: "plot-entity" });
    const perSource = new Map();  // articles per outlet and role, summed over roles: the height of its bar
    for (const r of found.by_source) perSource.set(r.source, (perSource.get(r.source) || 0) + r.articles);
    const ranked = [...perSource.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([s]) => s);
    const sources = ranked.slice(0, CHART_OUTLETS);
    const cell = new Map(found.by_source.map((r) => [`${r.role}\u0000${r.source}`, r.articles]));
    const roles = [...new Set(found.by_source.map((r) => r.role))];
    const perRole = roles.map((role) => `${role} ${found.by_source.filter((r) => r.role === role).reduce((n, r) => n + r.articles, 0)}`);
    const counted = found.withheld_articles && !N.withheld
      ? `Articles that cast it in an asserted role; in ${found.withheld_articles} more its role is withheld (below the threshold: "show withheld judgments").`
      : "Articles per role; withheld roles (below the threshold) shown greyed as uncertain or mentioned.";
    const withheldRole = (a) => !a.asserted;
    const outlets = found.articles.some((a) => a.source);
    const all = params.get("articles") === "all";
    const shown = all ? found.articles : found.articles.slice(0, SHOWN_ARTICLES);
    const hidden = found.articles.length - shown.length;
    const more = hidden ? el("p", { class: "more", id: "entity-articles-more" }, `${shown.length} of ${found.articles.length} articles shown, earliest first; ${hidden} more: `,
      link(q("/entity", { name: name, articles: "all" }), "show all")) : null;
    const cutNote = ranked.length > sources.length ? el("p", { class: "chart-note", id: "entity-outlets-more", text: `The ${sources.length} outlets with the most articles about it; ${ranked.length - sources.length} more outlet(s) not drawn (the counts above include them).` }) : null;
    put(el("h1", { text: found.entity }),
      el("p", { class: "summary", id: "entity-summary", text: `${counted} ${perRole.join(" · ")}` }),
      el("p", { class: "forms", id: "entity-forms", text: `Forms: ${formsText(found.forms)}; languages: ${(found.languages || []).join(", ")}` }),
      actorCorrections(found),
      section("How each outlet frames it (articles)", chart),
      section("Articles", el("table", { id: "entity-articles" }, el("thead", {}, el("tr", {}, ...["Article", outlets ? "Outlet" : null, "Published", "Role", "Score", "Fine roles"].filter(Boolean).map((h) => el("th", { text: h })))),
        el("tbody", {}, ...shown.map((a) => el("tr", { class: withheldRole(a) ? "withheld" : "" },
          el("td", {}, link(q("/article", { id: a.id }), a.title || a.id)), outlets ? el("td", { text: a.source || "" }) : null,
          el("td", { text: a.published || "" }),
          el("td", { class: withheldRole(a) ? "role-withheld" : `role-${a.role}`, text: withheldRole(a) && a.candidate_role ? `${a.role} (${a.candidate_role}?)` : a.role }),
          el("td", { class: "score", text: Number(a.score).toFixed(2) }), el("td", { text: a.fine_roles }))))), more));
    if (sources.length < 2) {
      chart.replaceChildren(el("p", { class: "chart-note", text: sources.length && sources[0] !== "(unknown)"
        ? `One outlet only (${sources[0]}): nothing to compare.` : "No outlets: these articles have no source field, URL or site name." }));
      return;
    }
    const colors = Object.fromEntries(roles.map((role) => [role, ROLE_COLORS[role] || "#98a2b3"]));
    chart.replaceChildren(N.stackedBars(sources.map((source) => ({
      label: source, parts: Object.fromEntries(roles.map((role) => [role, cell.get(`${role}\u0000${source}`) || 0])),
    })), colors));
    if (cutNote) chart.after(cutNote);
  }

  N.pages.entities = entitiesPage;
  N.pages.entity = entityPage;
})(window.narrascope);
