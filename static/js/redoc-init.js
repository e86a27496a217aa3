// Starts Redoc on the API documentation page (templates/drf_spectacular/redoc.html): a static file, as the
// page's Content-Security-Policy runs no inline script. The schema's address and Redoc's settings are
// data attributes of the container.
(function () {
  "use strict";
  var container = document.getElementById("redoc-container");
  if (!container || !window.Redoc) {
    return;
  }
  var options = JSON.parse(container.dataset.settings || "{}");
  window.Redoc.init(container.dataset.schemaUrl, options, container);
})();
