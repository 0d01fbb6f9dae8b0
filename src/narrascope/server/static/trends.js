"use strict";
// "New and growing" and "Alerts": pages registered in core.js's `narrascope.pages` (app.js routes), same rules:
// only JSON from the API, every node built with createElement/textContent, links through safeHref.
(function (ns) {
  const { el, link, externalLink, q, put, section, api, params } = ns;
  const KIND_TITLES = { narrative: "Narratives", subnarrative: "Subnarratives", claim: "Claim groups", outlet: "Outlets" };
  const FILTER_OF = { narrative: "narrative", subnarrative: "subnarrative", outlet: "source" };

  // The corpus page's article list behind one number: the item's filter and the period's dates.
  function articlesLink(kind, item, range, text) {
    if (kind === "claim") return link(q("/claim", { id: item.key }), text);
    return link(q("/", { [FILTER_OF[kind]]: item.key, date_from: range.from, date_to: range.to }), text);
  }

  function growthText(item) {
    const sign = item.growth > 0 ? "+" : "";
    const ratio = item.ratio === null ? (item.current > 0 ? " (new in period)" : "") : ` (×${item.ratio})`;
    return `${sign}${item.growth}${ratio}`;
  }

  function kindTable(kind, items, data) {
    if (!items.length) return el("p", { class: "muted", text: "Nothing in these two periods." });
    const head = ["", KIND_TITLES[kind].replace(/s$/, ""), `Now (${data.current.from} – ${data.current.to})`,
      `Before (${data.previous.from} – ${data.previous.to})`, "Growth", "First seen"];
    if (kind === "claim") head.push("Outlets now / before");
    const rows = items.map((item) => el("tr", { class: `trend-row${item.new ? " is-new" : ""}` },
      el("td", {}, item.new ? el("span", { class: "badge-new", text: "new" }) : null),
      el("td", {}, kind === "claim" ? link(q("/claim", { id: item.key }), item.label) : articlesLink(kind, item, data.current, item.label)),
      el("td", {}, articlesLink(kind, item, data.current, String(item.current))),
      el("td", {}, articlesLink(kind, item, data.previous, String(item.previous))),
      el("td", { class: item.growth > 0 ? "up" : item.growth < 0 ? "down" : "", text: growthText(item) }),
      el("td", { text: item.first_seen || "" }),
      kind === "claim" ? el("td", { text: `${item.current_outlets} / ${item.previous_outlets}` }) : null));
    return el("table", { id: `trends-${kind}`, class: "trends" },
      el("thead", {}, el("tr", {}, ...head.map((h) => el("th", { text: h })))), el("tbody", {}, ...rows));
  }

  async function trendsPage() {
    const period = params.get("period") === "week" ? "week" : "day";
    const until = /^\d{4}-\d{2}-\d{2}$/.test(params.get("until") || "") ? params.get("until") : "";
    const data = await api(q("/api/trends", { period: period, until: until, limit: 25 }));
    const periodSelect = el("select", { name: "period", id: "trend-period" },
      el("option", { value: "day", text: "day", selected: period === "day" ? "selected" : null }),
      el("option", { value: "week", text: "week", selected: period === "week" ? "selected" : null }));
    const untilInput = el("input", { type: "date", name: "until", id: "trend-until", value: until || data.current.to });
    const form = el("form", { class: "filters" }, el("label", {}, "Period ", periodSelect), el("label", {}, "Ending ", untilInput),
      el("button", { type: "submit", text: "Show" }));
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      window.location.assign(q("/trends", { period: periodSelect.value, until: untilInput.value }));
    });
    put(el("h1", { text: "New and growing" }), form,
      el("p", { class: "summary", id: "trend-summary",
        text: `Articles published ${data.current.from} – ${data.current.to} against ${data.previous.from} – ${data.previous.to}; ` +
          `new items first, then by growth. Each number links to its articles.${data.undated ? ` ${data.undated} undated article(s) are not counted.` : ""}` }),
      ...Object.keys(KIND_TITLES).filter((k) => data.kinds[k]).map((kind) => section(KIND_TITLES[kind], kindTable(kind, data.kinds[kind], data))));
  }

  async function alertsPage() {
    const rule = params.get("rule") || "";
    const found = await api(q("/api/alerts", { rule: rule, limit: 200 }));
    const rows = found.items.map((a) => el("tr", { class: "alert-row" },
      el("td", { text: a.created_at }), el("td", {}, link(q("/alerts", { rule: a.rule }), a.rule)), el("td", { text: a.kind }),
      el("td", { class: "alert-message", text: a.message }),
      el("td", {}, a.article_id ? link(q("/article", { id: a.article_id }), "article") : a.details.group !== undefined ? link(q("/claim", { id: a.details.group }), "claim") : null,
        " ", a.details.url ? externalLink(a.details.url) : null,
        // a claim alert: each article that brought the claim to a new outlet
        ...(!a.article_id ? (a.details.articles || []).flatMap((id, i) => [" ", link(q("/article", { id: id }), `article ${i + 1}`)]) : []))));
    put(el("h1", { text: "Alerts" }),
      el("p", { class: "summary", id: "alerts-summary", text: `${found.total} alert(s)${rule ? ` of rule ${rule}` : ""}, newest first` }),
      rule ? el("p", {}, link("/alerts", "all rules")) : null,
      section("Alerts", found.items.length ? el("table", { id: "alerts" },
        el("thead", {}, el("tr", {}, ...["When", "Rule", "Kind", "Alert", "Evidence"].map((h) => el("th", { text: h })))),
        el("tbody", {}, ...rows)) : el("p", { class: "muted", text: "No alerts yet: run `narrascope watch --rules FILE`." })));
  }

  ns.pages.trends = trendsPage;
  ns.pages.alerts = alertsPage;
})(window.narrascope);
