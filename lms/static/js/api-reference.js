// Draws the API reference from the OpenAPI document with Swagger UI (vendored from npm, served by the app).
document.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("api-reference");
  if (!root || typeof window.SwaggerUIBundle !== "function") return;
  window.SwaggerUIBundle({
    url: root.dataset.spec,
    domNode: root,
    deepLinking: false, // its links sit inside each operation's toggle button, which screen readers cannot use
    validatorUrl: null, // never send the document to an outside validator
    defaultModelsExpandDepth: 0,
  });
});
