"use strict";
// The paste page: analyse one article (and store it) through the API.
(function (N) {
  const { el, link, q, put, api } = N;

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
          result.replaceChildren(N.articleView(found));
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

  N.pages.analyze = analyzePage;
})(window.narrascope);
