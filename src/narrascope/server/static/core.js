"use strict";
// The narrascope web UI, shared part: DOM helpers and the API client, as `window.narrascope`. Page modules
// (corpus.js, article.js, ...) register themselves in `narrascope.pages`; app.js picks one. The UI only calls
// the JSON API and builds every node with createElement and textContent: article text, titles, outlets and
// URLs are hostile and must render as inert text.
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

  // The header's one control for withheld judgments (below the score threshold): on, every link and API call
  // carries include_withheld=true, so the same URL reproduces the same view.
  const withheld = params.get("include_withheld") === "true";
  // The header's switch to the model's own view: off (the default), every count, filter, chart and export is
  // the corrected view (analysts' corrections applied); on, every link and API call carries view=model.
  const modelView = params.get("view") === "model";

  function q(path, query) {
    const search = new URLSearchParams();
    if (withheld && !(query && "include_withheld" in query)) search.set("include_withheld", "true");
    if (modelView && !(query && "view" in query)) search.set("view", "model");
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

  // ---- offsets -----------------------------------------------------------------------------------------
  // The API's offsets count Unicode code points of raw_text (Python's str); a JavaScript string counts UTF-16
  // code units (an emoji is two). This is the one place the UI converts: `inUnits(doc)` turns every
  // {start, end} of an analysis into code units of its raw_text for the page, once; `toCodePoints(text, n)`
  // turns an offset of the page (a selection) back into the API's.
  function unitIndex(text) {  // code point index -> code unit index, one entry per code point and one past the end
    const index = [0];
    let units = 0;
    for (const ch of text) { units += ch.length; index.push(units); }
    return index;
  }

  function inUnits(doc) {
    if (!doc || doc.offsetsInUnits) return doc;
    const index = unitIndex(doc.raw_text || "");
    const at = (n) => index[Math.max(0, Math.min(n, index.length - 1))];
    const convert = (value) => {
      if (Array.isArray(value)) { value.forEach(convert); return; }
      if (!value || typeof value !== "object") return;
      if (Number.isInteger(value.start) && Number.isInteger(value.end)) { value.start = at(value.start); value.end = at(value.end); }
      for (const [key, child] of Object.entries(value)) if (key !== "offsets") convert(child);
    };
    for (const [key, child] of Object.entries(doc)) if (key !== "offsets") convert(child);
    doc.offsetsInUnits = true;
    return doc;
  }

  function toCodePoints(text, units) {
    return Array.from(String(text).slice(0, units)).length;
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

  // Plotly (1.2 MB to parse, which holds the page for a few hundred ms) is run the first time a chart needs it:
  // only the corpus page's charts below its first screen do (first screens draw their charts as HTML). That
  // page fetches it into the browser's cache once ready, and runs it when one of them scrolls into view.
  const PLOTLY_SRC = "/static/plotly-basic.min.js";
  let plotlyLoading = null;
  function plotlyReady() {
    if (window.Plotly) return Promise.resolve(true);
    if (!plotlyLoading) {
      plotlyLoading = new Promise((resolve) => {
        const script = document.createElement("script");
        script.src = PLOTLY_SRC;
        script.addEventListener("load", () => resolve(Boolean(window.Plotly)));
        script.addEventListener("error", () => resolve(false));
        document.head.append(script);
      });
    }
    return plotlyLoading;
  }
  // Fetched into the browser's cache, not run
  function prefetchPlotly() {
    if (!window.Plotly && !plotlyLoading) fetch(PLOTLY_SRC).catch(() => undefined);
  }

  // The page marks itself ready (body[data-ready]) once its first screen is complete; work for what lies below
  // it waits until then, so that it cannot delay the first screen.
  const afterReadyQueue = [];
  function afterReady(work) {
    if (document.body.dataset.ready) setTimeout(work, 0);
    else afterReadyQueue.push(work);
  }
  function markReady(state) {
    document.body.dataset.ready = state;
    for (const work of afterReadyQueue.splice(0)) setTimeout(work, 0);
  }

  // Draw a chart now when it is on the first screen (the promise waits for it), or, once the page is ready, when
  // it scrolls into view: a page of six charts is ready once the ones in view are drawn, and loading Plotly for
  // the ones below (its parse holds the page for a few hundred ms) waits until the reader goes there.
  function drawWhenVisible(target, draw) {
    let drawn = null;
    const drawOnce = () => {
      if (!drawn) {
        target.dataset.drawn = "1";
        drawn = draw().catch(() => undefined);
      }
      return drawn;
    };
    return new Promise((resolve) => {
      const inView = new IntersectionObserver((entries) => {
        inView.disconnect();
        if (entries.some((e) => e.isIntersecting)) return drawOnce().then(resolve);
        resolve();
        afterReady(() => {
          const near = new IntersectionObserver((later) => {
            if (!later.some((e) => e.isIntersecting)) return;
            near.disconnect();
            drawOnce();
          });
          near.observe(target);
        });
      });
      inView.observe(target);
    });
  }

  async function plot(target, data, layout) {
    if (!(await plotlyReady())) {
      target.append(el("p", { class: "muted", text: "Plotly did not load." }));
      return;
    }
    const base = { margin: { l: 60, r: 20, t: 10, b: 60 }, height: 320, font: { size: 11 }, legend: { orientation: "h", y: -0.25 } };
    return window.Plotly.newPlot(target, data, Object.assign(base, layout || {}), { displaylogo: false, responsive: true });
  }

  // One row of a chart drawn as HTML: its label (text, or a link), its track (a bar, parts of a bar, a dot on a
  // date axis) and the number or date it shows; `attrs` name the row for tooltips and tests.
  function barRow(label, track, value, attrs) {
    return el("li", Object.assign({ class: "bar-row" }, attrs), el("span", { class: "bar-label" }, label), track,
      el("span", { class: "bar-count", text: value }));
  }

  // A ranked bar chart drawn as HTML, without Plotly: one row per {label, articles}, biggest first, each with its
  // count written beside its bar (the longest bar is the largest count) and its label a link when `href` gives
  // one. The full label stays in the row's tooltip when the column cuts it.
  function barList(rows, options) {
    const { color, href } = options || {};
    const largest = Math.max(1, ...rows.map((r) => r.articles));
    return el("ol", { class: "bars" }, ...rows.map((r) => {
      const bar = el("span", { class: "bar" });
      bar.style.width = `${(100 * r.articles) / largest}%`;
      if (color) bar.style.background = color;
      return barRow(href ? link(href(r.label), r.label) : r.label, el("span", { class: "bar-track" }, bar), r.articles,
        { title: `${r.label}: ${r.articles} articles`, "data-label": r.label, "data-count": r.articles });
    }));
  }

  // Bars split into parts (the roles of an entity in each outlet), drawn as HTML like `barList`: one row per
  // {label, parts: {name: count}}, the longest bar the largest total, each part coloured by `colors[name]`, with
  // a legend of the parts above.
  function stackedBars(rows, colors) {
    const names = Object.keys(colors).filter((name) => rows.some((r) => r.parts[name]));
    const total = (r) => names.reduce((n, name) => n + (r.parts[name] || 0), 0);
    const largest = Math.max(1, ...rows.map(total));
    const legend = el("p", { class: "bars-legend" }, ...names.map((name) => {
      const swatch = el("span", { class: "swatch" });
      swatch.style.background = colors[name];
      return el("span", { class: "legend-item" }, swatch, name);
    }));
    return el("div", { class: "stacked" }, legend, el("ol", { class: "bars" }, ...rows.map((r) => {
      const shown = names.filter((name) => r.parts[name]);
      const track = el("span", { class: "bar-track" }, ...shown.map((name) => {
        const part = el("span", { class: "bar part", title: `${r.label}: ${name} ${r.parts[name]} articles`, "data-part": name });
        part.style.width = `${(100 * r.parts[name]) / largest}%`;
        part.style.background = colors[name];
        return part;
      }));
      const breakdown = shown.map((name) => `${name} ${r.parts[name]}`).join(", ");
      return barRow(r.label, track, total(r), { title: `${r.label}: ${breakdown}`, "data-label": r.label, "data-count": total(r) });
    })));
  }

  // A filter dropdown whose options say how many articles each matches (the corpus and review pages share it):
  // `totals` are {label, articles} rows of /api/stats/*, or plain strings.
  function facetSelect(totals) {
    const node = el("select", {}, el("option", { value: "", text: "any" }));
    for (const t of totals) {
      node.append(typeof t === "string" ? el("option", { value: t, text: t }) : el("option", { value: t.label, text: `${t.label} (${t.articles} articles)` }));
    }
    return node;
  }

  // A judgment an analyst decided, marked where it is shown: "analyst: added" (accepted, changed role).
  function correctedMark(action) {
    if (!action || modelView) return null;
    const words = { add: "added", accept: "accepted", change: "changed", reject: "rejected" };
    return el("span", { class: "corrected-mark", title: "an analyst's correction: the corrected view counts it", text: `analyst: ${words[action] || action}` });
  }

  // The header's two switches (withheld judgments, the model's view): each keeps its choice in the URL.
  function setupToggle(id, key, value, on) {
    const box = document.getElementById(id);
    if (!box) return;
    box.checked = on;
    box.addEventListener("change", () => {
      const next = new URLSearchParams(window.location.search);
      if (box.checked) next.set(key, value); else next.delete(key);
      next.delete("offset");
      const text = next.toString();
      window.location.assign(text ? `${window.location.pathname}?${text}` : window.location.pathname);
    });
  }

  // A calibrated score as an analyst reads it at a glance ("likely 0.82"); the same bands as the table's.
  const SCORE_WORDS = [[0.9, "very likely"], [0.7, "likely"], [0.4, "possible"], [0, "unlikely"]];
  function inWords(value) {
    const number = Number(value);
    return `${SCORE_WORDS.find(([bound]) => number >= bound)[1]} ${number.toFixed(2)}`;
  }

  function setupWithheld() {
    setupToggle("show-withheld", "include_withheld", "true", withheld);
    setupToggle("model-view", "view", "model", modelView);
    if (withheld || modelView) {  // the header's page links keep the choices
      for (const a of document.querySelectorAll("header nav a, header a.brand")) {
        const path = a.getAttribute("href");
        if (path && path.startsWith("/") && path !== "/docs") a.setAttribute("href", q(path, {}));
      }
    }
  }

  window.narrascope = {
    main, params, withheld, modelView, correctedMark, facetSelect, inUnits, toCodePoints, setupWithheld, inWords, ROLE_COLORS, TOKEN_KEY, el, safeHref, link, externalLink, plotText, q, put, section, showError, api, plot, prefetchPlotly, barRow, barList, stackedBars, drawWhenVisible, afterReady, markReady,
    pages: {},
  };
})();
