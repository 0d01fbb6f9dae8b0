"use strict";
// Review mode: the queue of articles, most uncertain first, and one article's judgments, one at a time,
// keyboard first: a accept, r reject, n/j/↓ next judgment, k/↑ previous, u undo, → next article. A key acts on
// the highlighted row, and the evidence of that judgment is listed and highlighted in the text.
// Every write is a JSON POST (or DELETE) to the API with the token header; every text is set as text.
(function () {
  const N = window.narrascope;
  const { el, api, q, put, section, link, params, highlightedText } = N;
  const QUEUE_FILTERS = ["source", "narrative", "language"];

  function percent(value) {
    return value === null || value === undefined ? "—" : `${Math.round(value * 100)}%`;
  }

  function progressLine(p) {
    const stale = p.stale ? ` · ${p.stale} stale correction(s): their words are gone from a changed text (kept, not applied, exported or trained on)` : "";
    return `${p.reviewed} of ${p.articles} article(s) reviewed · ${p.decisions} decision(s) · agreement with the model so far: ${percent(p.agreement)}${stale}`;
  }

  function queueFilters() {
    const found = {};
    for (const name of QUEUE_FILTERS) if (params.get(name)) found[name] = params.get(name);
    return found;
  }

  // ---- the queue -----------------------------------------------------------------------------------------
  async function queuePage() {
    const filters = queueFilters();
    const [found, facets] = await Promise.all([
      api(q("/api/review/queue", Object.assign({ limit: 100 }, filters))),
      api(q("/api/stats/narratives", { by: "source" })),
    ]);
    const form = el("form", { class: "filters", id: "review-filters" });
    const controls = {  // the corpus page's controls: dropdowns with article counts, a language code box
      source: ["Outlet", N.facetSelect(facets.outlet_articles)],
      narrative: ["Narrative", N.facetSelect(facets.totals)],
      language: ["Language", el("input", { type: "text", size: 4, placeholder: "en" })],
    };
    for (const name of QUEUE_FILTERS) {
      const [label, control] = controls[name];
      control.name = name;
      control.id = `r-${name}`;
      if (filters[name]) control.value = filters[name];
      form.append(el("label", { for: `r-${name}` }, label, control));
    }
    const rows = found.items.map((a, i) => el("tr", { class: a.reviewed ? "reviewed" : "" },
      el("td", { text: String(i + 1) }),
      el("td", {}, link(q("/review", Object.assign({ id: a.id }, filters)), a.title || a.id)),
      el("td", { text: a.source || "" }), el("td", { text: a.language || "" }),
      el("td", { class: "score", title: `margin ${a.margin.toFixed(4)} · entropy ${a.entropy.toFixed(4)}`, text: a.uncertainty.toFixed(3) }),
      el("td", { class: "entropy", text: a.entropy.toFixed(3) }),
      el("td", { class: "labels" }, a.narratives.join("; "),
        ...(a.candidates || []).map((c) => el("span", { class: "withheld", text: ` ${c.label} ${Number(c.score).toFixed(2)}?` }))),
      el("td", { text: a.reviewed ? "✓" : "" })));
    put(el("h1", { text: "Review queue" }), form,
      el("p", { class: "summary", id: "review-progress", text: progressLine(found.progress) }),
      section("Articles with withheld narrative candidates to confirm first (greyed with “?”), then most uncertain first (uncertainty: 1 − the margin between the model's two most probable narratives; ties broken by the entropy over all its narrative scores, then the newest article)",
        el("table", { id: "review-queue" },
          el("thead", {}, el("tr", {}, ...["#", "Title", "Outlet", "Lang.", "Uncertainty", "Entropy", "Narratives", "Reviewed"].map((h) => el("th", { text: h })))),
          el("tbody", {}, ...rows))));
  }

  // ---- one article ---------------------------------------------------------------------------------------
  function judgments(doc) {
    const items = [];
    // withheld candidates first: the model picked them but its score did not earn them; confirm or reject
    const candidate = (h) => h.asserted === false && h.label !== "Other" && !h.correction;
    const hits = doc.narratives || [];
    for (const h of [...hits.filter(candidate), ...hits.filter((h) => !candidate(h))]) {
      const kind = candidate(h) ? `withheld ${h.level}: confirm?` : h.level;
      items.push({ layer: "narrative", key: h.label, title: h.label, kind: kind, score: h.score, state: h, body: { label: h.label }, evidence: h.evidence || [] });
    }
    for (const e of doc.entities || []) {
      if (!["Protagonist", "Antagonist", "Innocent"].includes(e.main_role) && !e.candidate_role && !e.correction) continue;
      const role = ["Protagonist", "Antagonist", "Innocent"].includes(e.main_role) ? e.main_role : `${e.main_role} (best: ${e.candidate_role || "—"})`;
      items.push({ layer: "entity", key: e.entity, title: `${e.entity}: ${role} ${(e.fine_roles || []).join(", ")}`, kind: "entity role", score: e.score, state: e, body: { entity: e.entity },
        evidence: (e.framing && e.framing.length ? e.framing : e.mentions || []) });
    }
    for (const t of doc.techniques || []) {
      if (t.asserted === false && !t.correction) continue;
      items.push({ layer: "technique", key: `${t.start}-${t.end}-${t.technique}`, title: `${t.technique}: “${t.text}”`, kind: "technique", score: t.score, state: t, body: { label: t.technique, start: t.start, end: t.end },
        evidence: [{ start: t.start, end: t.end, text: t.text }] });
    }
    return items;
  }

  function stateText(state) {
    if (!state.correction) return state.rejected ? "rejected with its narrative (or as Other)" : "undecided";
    if (state.source === "analyst") return `added by ${state.correction.user}`;
    return `${state.correction.action}ed by ${state.correction.user}`.replace("rejecteded", "rejected").replace("changeed", "changed");
  }

  // Offsets of the selection inside the article text, in UTF-16 units of raw_text (the container's text is
  // exactly raw_text); `N.toCodePoints` turns them into the API's.
  function selectionOffsets(container) {
    const selection = window.getSelection();
    if (!selection || selection.rangeCount === 0 || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    if (!container.contains(range.startContainer) || !container.contains(range.endContainer)) return null;
    function offsetOf(node, offset) {
      const walker = document.createTreeWalker(container, NodeFilter.SHOW_TEXT);
      let total = 0;
      for (let n = walker.nextNode(); n; n = walker.nextNode()) {
        if (n === node) return total + offset;
        total += n.textContent.length;
      }
      return null;
    }
    const start = offsetOf(range.startContainer, range.startOffset);
    const end = offsetOf(range.endContainer, range.endOffset);
    return start !== null && end !== null && end > start ? { start, end } : null;
  }

  async function articleReview(id) {
    const filters = queueFilters();
    const [doc, labels, queue] = await Promise.all([
      api(`/api/articles/${encodeURIComponent(id)}`).then(N.inUnits), api("/api/review/labels"),
      api(q("/api/review/queue", Object.assign({ limit: 500 }, filters))),
    ]);
    const state = { doc, items: judgments(doc), focus: Number(sessionStorage.getItem(`review-focus:${id}`) || 0), done: [] };
    const status = el("p", { class: "muted", id: "review-status", role: "status" });
    const progress = el("p", { class: "summary", id: "review-progress", text: progressLine(queue.progress) });
    const list = el("ol", { id: "judgments", class: "judgments" });
    const evidence = el("ol", { id: "review-evidence", class: "evidence" });
    const text = el("div", {});
    const order = queue.items.map((a) => a.id);
    const next = order[order.indexOf(id) + 1] || order.find((other) => other !== id && !queue.items.find((a) => a.id === other).reviewed);

    function render() {
      state.items = judgments(state.doc);
      state.focus = Math.max(0, Math.min(state.focus, state.items.length - 1));
      sessionStorage.setItem(`review-focus:${id}`, String(state.focus));
      list.replaceChildren(...state.items.map((item, i) => el("li", {
        class: ["judgment", `layer-${item.layer}`, i === state.focus ? "focused" : "", item.state.rejected ? "is-rejected" : "", item.state.correction ? "decided" : ""].join(" ").trim(),
        "data-layer": item.layer, "data-key": item.key, "data-index": i,
      }, el("span", { class: "kind muted", text: `${item.kind} · ` }), el("span", { class: "label", text: item.title }), " ",
        el("span", { class: "score", text: typeof item.score === "number" ? item.score.toFixed(2) : "" }), " ",
        el("span", { class: "state muted", text: `· ${stateText(item.state)}` }))));
      const current = state.items[state.focus];
      const shown = current ? current.evidence : [];
      evidence.replaceChildren(...(shown.length ? shown.map((ev) => el("li", {}, el("q", { text: ev.text || (state.doc.raw_text || "").slice(ev.start, ev.end) }),
        typeof ev.score === "number" ? el("span", { class: "score", text: ` ${ev.score.toFixed(2)}` }) : null))
        : [el("li", { class: "muted", text: "The model gave no evidence sentence for this judgment." })]));
      const spans = (state.doc.techniques || []).filter((t) => !t.rejected && (t.asserted !== false))
        .map((t) => ({ start: t.start, end: t.end, kind: "technique", label: t.technique }))
        .concat(shown.map((ev) => ({ start: ev.start, end: ev.end, kind: "evidence", label: `evidence: ${current.title}`, narrative: 0 })));
      text.replaceChildren(highlightedText(state.doc.raw_text || "", spans));
      const focused = list.children[state.focus];
      if (focused) focused.scrollIntoView({ block: "nearest" });
    }

    async function reload(message) {
      const [fresh, progressNow] = await Promise.all([api(`/api/articles/${encodeURIComponent(id)}`).then(N.inUnits), api(q("/api/review/queue", Object.assign({ limit: 1 }, filters)))]);
      state.doc = fresh;
      progress.textContent = progressLine(progressNow.progress);
      status.textContent = message;
      render();
    }

    async function send(body) {
      try {
        const stored = await api(`/api/articles/${encodeURIComponent(id)}/corrections`, {
          method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body),
        });
        state.done.push(stored.id);
        await reload(`Stored: ${stored.action} ${stored.label || stored.entity || ""}`);
        return stored;
      } catch (err) {
        status.textContent = `Not stored: ${err.message}`;
        return null;
      }
    }

    // The highlighted row is the one decided (its index read from the page, not from a counter a key pressed
    // during a store could have moved); then the row after it is highlighted.
    async function decide(action) {
      const row = list.querySelector("li.focused");
      const index = row ? Number(row.dataset.index) : -1;
      const item = state.items[index];
      if (!item) return;
      const stored = await send(Object.assign({ layer: item.layer, action: action }, item.body));
      if (stored && index < state.items.length - 1) { state.focus = index + 1; render(); }
    }

    async function undo() {
      const mine = state.done.pop();
      const last = mine || ((state.doc.corrections || []).slice(-1)[0] || {}).id;
      if (!last) { status.textContent = "Nothing to undo."; return; }
      try {
        await api(`/api/corrections/${encodeURIComponent(last)}`, { method: "DELETE" });
        await reload(`Undone: correction ${last}`);
      } catch (err) { status.textContent = `Not undone: ${err.message}`; }
    }

    // Add what the model missed: a narrative, an entity role for the selected words, a technique span.
    const narrativeChoice = el("select", { id: "add-narrative" }, ...[...labels.narratives, ...labels.subnarratives].map((l) => el("option", { value: l, text: l })));
    const techniqueChoice = el("select", { id: "add-technique" }, ...labels.techniques.map((l) => el("option", { value: l, text: l })));
    const roleChoice = el("select", { id: "change-role" }, ...Object.entries(labels.roles).flatMap(([main, fines]) => [main, ...fines]).map((r) => el("option", { value: r, text: r })));
    const adders = el("div", { class: "adders" },
      el("p", {}, narrativeChoice, " ", el("button", { type: "button", id: "add-narrative-button", text: "Add narrative", onclick: () => send({ layer: "narrative", action: "add", label: narrativeChoice.value }) })),
      el("p", {}, roleChoice, " ", el("button", { type: "button", id: "change-role-button", text: "Change focused entity's role", onclick: () => {
        const item = state.items[state.focus];
        if (!item || item.layer !== "entity") { status.textContent = "Focus an entity first (n / k)."; return; }
        send({ layer: "entity", action: "change", entity: item.body.entity, label: roleChoice.value });
      } })),
      el("p", {}, techniqueChoice, " ", el("button", { type: "button", id: "add-technique-button", text: "Mark selected words", onclick: () => {
        const offsets = selectionOffsets(text.firstChild);
        if (!offsets) { status.textContent = "Select words of the article text first."; return; }
        const raw = state.doc.raw_text || "";  // the page counts UTF-16 units, the API code points
        send({ layer: "technique", action: "add", label: techniqueChoice.value, start: N.toCodePoints(raw, offsets.start), end: N.toCodePoints(raw, offsets.end) });
      } })));

    document.title = `Review: ${doc.title || doc.id} · narrascope`;
    put(el("h1", { id: "title", text: `Review: ${doc.title || doc.id}` }), progress,
      el("p", { class: "muted keys", text: "Keys: a accept · r reject · n / j / ↓ next · k / ↑ previous · u undo · → next article · ← queue" }),
      el("div", { class: "article-layout" },
        el("article", { class: "card" }, text),
        el("aside", { class: "side" }, section("Judgments", list, status), section("Evidence of the highlighted judgment", evidence), section("Add or change", adders),
          el("p", {}, link(q("/review", filters), "← queue"), " ", next ? link(q("/review", Object.assign({ id: next }, filters)), "next article →") : null))));
    render();

    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target;
      if (target && ["INPUT", "SELECT", "TEXTAREA"].includes(target.tagName)) return;
      const key = event.key;
      if (key === "a") decide("accept");
      else if (key === "r") decide("reject");
      else if (key === "u") undo();
      else if (["n", "j", "ArrowDown"].includes(key)) { state.focus += 1; render(); }
      else if (["k", "ArrowUp"].includes(key)) { state.focus -= 1; render(); }
      else if (key === "ArrowRight" && next) window.location.assign(q("/review", Object.assign({ id: next }, filters)));
      else if (key === "ArrowLeft") window.location.assign(q("/review", filters));
      else return;
      event.preventDefault();
    });
  }

  N.pages.review = function reviewPage() {
    const id = params.get("id");
    return id ? articleReview(id) : queuePage();
  };
})();
