"use strict";
// Swagger UI from the swagger-ui-bundle package, started here rather than by an inline script (CSP).
window.addEventListener("DOMContentLoaded", function () {
  window.SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui" });
});
