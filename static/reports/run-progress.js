/* The report run page: while the report is built, ask the server how far it is every few seconds and
   reload the page when it is done or failed. No library; without JavaScript the page says "refresh". */
(function () {
  "use strict";
  // A form marked data-busy says at once that it was sent (its button disabled and relabelled), so a
  // second click does not send it twice.
  Array.prototype.forEach.call(document.querySelectorAll("form[data-busy]"), function (form) {
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[type=submit]");
      if (button) { button.disabled = true; button.textContent = form.dataset.busy; }
      form.setAttribute("aria-busy", "true");
    });
  });
  var box = document.getElementById("run-state");
  if (!box || box.dataset.finished === "true") { return; }
  var url = box.dataset.progressUrl;
  var delay = 2000;

  function show(state) {
    var label = box.querySelector('[data-field="status_label"]');
    var bar = box.querySelector('[data-field="progress"]');
    var message = box.querySelector('[data-field="message"]');
    if (label) { label.textContent = state.status_label; }
    if (bar) { bar.value = state.progress; bar.textContent = state.progress + "%"; }
    if (message) { message.textContent = state.message; }
  }

  function poll() {
    fetch(url, { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { if (!response.ok) { throw new Error(response.status); } return response.json(); })
      .then(function (state) {
        show(state);
        // Finished, or stuck (its worker gone): the page shows the result, or the button to try again.
        if (state.finished || (state.stuck && box.dataset.stuck !== "true")) { window.location.reload(); return; }
        window.setTimeout(poll, delay);
      })
      .catch(function () { delay = Math.min(delay * 2, 30000); window.setTimeout(poll, delay); });
  }
  window.setTimeout(poll, delay);
})();
