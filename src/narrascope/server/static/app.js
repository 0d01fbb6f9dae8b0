"use strict";
// The router: picks the page module named by <body data-page>. Page modules (corpus.js, article.js, ...) are
// loaded before this file (deferred scripts run in document order) and register in `narrascope.pages`.
(function (N) {
  function setupToken() {
    const form = document.getElementById("token-form");
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      window.sessionStorage.setItem(N.TOKEN_KEY, document.getElementById("token").value);
      window.location.reload();
    });
  }

  window.addEventListener("DOMContentLoaded", async () => {
    setupToken();
    N.setupWithheld();
    const render = N.pages[document.body.dataset.page] || N.pages.corpus;
    try {
      await render();
      N.markReady("1");
    } catch (err) {
      N.showError(`Could not load: ${err.message}`);
      N.markReady("error");
    }
  });
})(window.narrascope);
