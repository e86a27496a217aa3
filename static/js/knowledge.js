// Knowledge on the ticket pages (knowledge/ticket_hooks.py). Without script the pages work as they are.
(function () {
  "use strict";
  // The log form: up to three articles matching the summary and service, fetched 400 ms after typing stops.
  var box = document.getElementById("kb-suggestions");
  var summary = document.getElementById("id_summary");
  var service = document.getElementById("id_service");
  if (box && summary) {
    var timer = null;
    var last = "";
    var fetchSuggestions = function () {
      var q = summary.value.trim();
      var key = q + "|" + (service ? service.value : "");
      if (key === last) return;
      last = key;
      if (q.length < 3) { box.innerHTML = ""; return; }
      var url = box.dataset.url + "?q=" + encodeURIComponent(q) + (service && service.value ? "&service=" + encodeURIComponent(service.value) : "");
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (answer) { return answer.ok ? answer.text() : ""; })
        .then(function (html) { box.innerHTML = html; })
        .catch(function () { /* the form works without suggestions */ });
    };
    var later = function () { clearTimeout(timer); timer = setTimeout(fetchSuggestions, 400); };
    summary.addEventListener("input", later);
    if (service) service.addEventListener("change", later);
    if (summary.value.trim()) fetchSuggestions();
  }
  // The ticket page: "Insert into reply" puts the article's line into the reply box.
  var reply = document.querySelector(".reply textarea");
  document.querySelectorAll(".kb-insert").forEach(function (button) {
    if (!reply) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      reply.value = (reply.value ? reply.value.replace(/\s*$/, "") + "\n\n" : "") + button.dataset.line;
      reply.focus();
    });
  });
})();
