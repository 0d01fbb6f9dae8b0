"use strict";
// "Stories": articles published more than once (syndicated copies, re-posts, one file under several ids), from
// /api/stories, most copies first; each copy with its date, outlet and title, linked to its article page. Same
// rules as every page: only JSON from the API, every node built with createElement/textContent.
(function (ns) {
  const { el, link, q, put, section, api, params } = ns;
  const PAGE = 25;

  function storyTable(story) {
    const rows = (story.members || story.articles.map((id) => ({ id: id }))).map((m) => el("tr", { class: "story-copy" },
      el("td", { text: m.published || "" }),
      el("td", { text: m.source || "" }),
      el("td", {}, link(q("/article", { id: m.id }), m.title || m.id),
        m.id === story.first_article ? el("span", { class: "muted", text: " (first stored)" }) : null)));
    return el("table", { class: "stories" },
      el("thead", {}, el("tr", {}, ...["Published", "Outlet", "Article"].map((h) => el("th", { text: h })))),
      el("tbody", {}, ...rows));
  }

  async function storiesPage() {
    const offset = Math.max(0, parseInt(params.get("offset") || "0", 10) || 0);
    const found = await api(q("/api/stories", { limit: PAGE, offset: offset }));
    const total = found.total === undefined ? null : found.total;
    const pager = el("p", { class: "pager" },
      offset > 0 ? link(q("/stories", { offset: Math.max(0, offset - PAGE) }), "← previous") : null, " ",
      found.items.length === PAGE && (total === null || offset + PAGE < total) ? link(q("/stories", { offset: offset + PAGE }), "next →") : null);
    const what = total === null ? `${found.items.length} stor${found.items.length === 1 ? "y" : "ies"}` : `${total} stor${total === 1 ? "y" : "ies"}`;
    put(el("h1", { text: "Stories" }),
      el("p", { class: "summary", id: "stories-summary",
        text: `${what} published more than once (near-duplicate copies: syndication, re-posts), most copies first. ` +
          "Claim groups and trends count a story once, however many copies it has." }),
      ...(found.items.length
        ? found.items.map((story) => section(`${story.copies} copies`, storyTable(story)))
        : [el("p", { class: "muted", text: "No article is stored more than once." })]),
      pager);
  }

  ns.pages.stories = storiesPage;
})(window.narrascope);
