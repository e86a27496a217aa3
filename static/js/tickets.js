/* Ticket pages: small progressive enhancements. Every page works without this script. */
(function () {
  "use strict";

  function words(text) {
    return text.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function matches(option, wanted, extra) {
    var text = (option.textContent + " " + (option.getAttribute("data-keywords") || "") + " " + extra).toLowerCase();
    return wanted.every(function (word) { return text.indexOf(word) !== -1; });
  }

  /* A search box above a long <select>: typing narrows the options (and their optgroups). */
  function searchable(select) {
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-search";
    box.placeholder = select.getAttribute("data-searchable") === "people" ? "Type a name to narrow the list" : "Type to find a service";
    box.setAttribute("aria-label", box.placeholder);
    box.setAttribute("aria-controls", select.id);
    box.autocomplete = "off";
    select.parentNode.insertBefore(box, select);
    var original = Array.prototype.map.call(select.children, function (node) { return node.cloneNode(true); });

    box.addEventListener("input", function () {
      var wanted = words(box.value);
      var chosen = select.value;
      var found = [];
      select.textContent = "";
      original.forEach(function (node) {
        var copy = node.cloneNode(true);
        if (copy.tagName === "OPTGROUP") {
          var group = (copy.getAttribute("label") || "").toLowerCase();
          Array.prototype.slice.call(copy.children).forEach(function (option) {
            if (matches(option, wanted, group)) { found.push(option.value); } else { copy.removeChild(option); }
          });
          if (copy.children.length) { select.appendChild(copy); }
        } else if (!copy.value) {
          select.appendChild(copy); /* the "Choose..." line stays */
        } else if (matches(copy, wanted, "")) {
          found.push(copy.value);
          select.appendChild(copy);
        }
      });
      if (found.length === 1 && wanted.length) {
        select.value = found[0];
      } else {
        select.value = found.indexOf(chosen) !== -1 ? chosen : "";
      }
      if (select.value !== chosen) { select.dispatchEvent(new Event("change", { bubbles: true })); }
    });
  }

  /* Words of a summary that could name a service: short and common words say nothing about one. */
  var COMMON = ("the and not for with from this that have has was are can cannot does doesnt dont " +
    "working work works broken need needs please our their there since today again still any all " +
    "floor office room").split(" ");

  function stems(text) {
    return text.toLowerCase().split(/[^a-z0-9]+/).filter(function (word) {
      return word.length >= 3 && COMMON.indexOf(word) === -1;
    }).map(function (word) { return word.slice(0, 5); });
  }

  /* The service a summary names: the one whose name, keywords and category share the most words with it
     (by their first five letters: "printing" finds "printer"), when exactly one does best. */
  function suggestedService(select, summary, kind) {
    var wanted = stems(summary);
    if (!wanted.length) { return null; }
    var best = null, bestScore = 0, tie = false;
    Array.prototype.forEach.call(select.options, function (option) {
      if (!option.value) { return; }
      var kinds = (option.getAttribute("data-kinds") || "").split(" ");
      if (kind && kinds.indexOf(kind) === -1) { return; }
      var group = option.parentNode.tagName === "OPTGROUP" ? option.parentNode.getAttribute("label") : "";
      var own = stems(option.textContent + " " + (option.getAttribute("data-keywords") || "") + " " + group);
      var score = wanted.filter(function (stem) { return own.indexOf(stem) !== -1; }).length;
      if (score > bestScore) { best = option; bestScore = score; tie = false; }
      else if (score && score === bestScore) { tie = true; }
    });
    return tie ? null : best;
  }

  /* The log form: the kind decides what is asked (a fault: "How bad is it?"; a request: its service's
     questions, fetched from the server); the summary suggests the service until the person chooses one;
     a service that takes one kind of ticket implies it. */
  function logForm(form) {
    var service = form.querySelector("select[name=service]");
    var container = document.getElementById("request-questions");
    if (!service || !container || !window.fetch) { return; }
    var radios = Array.prototype.slice.call(form.querySelectorAll("input[name=kind]"));
    var summary = form.querySelector("input[name=summary]");
    var howBad = document.getElementById("how-bad");
    var howBadSet = howBad ? howBad.querySelector("fieldset") : null;
    var chosenByHand = !!service.value;

    function currentKind() {
      var checked = form.querySelector("input[name=kind]:checked");
      return checked ? checked.value : "";
    }

    function showHowBad(kind) {
      if (!howBad || !howBadSet) { return; }
      var request = kind === "request";
      howBad.hidden = request;
      howBadSet.disabled = request;  /* not sent, not checked */
      Array.prototype.forEach.call(howBadSet.querySelectorAll("input[type=radio]"), function (radio) {
        radio.required = kind === "incident";
      });
    }

    function refresh() {
      var option = service.options[service.selectedIndex];
      var kinds = option && option.getAttribute("data-kinds") ? option.getAttribute("data-kinds").split(" ") : [];
      var said = currentKind();
      radios.forEach(function (radio) {
        var offered = !kinds.length || kinds.indexOf(radio.value) !== -1;
        // A service the person chose rules out the kinds it does not take; a suggested one does not
        // (the person's own answer comes first, and a new suggestion follows it).
        radio.disabled = chosenByHand && !offered;
        if (radio.disabled) { radio.checked = false; }
        if (kinds.length === 1 && radio.value === kinds[0] && (chosenByHand || !said)) { radio.checked = true; }
      });
      var kind = currentKind();
      showHowBad(kind);
      var wanted = service.value && kind === "request" ? service.value + ":request" : "";
      if (wanted === (container.getAttribute("data-loaded") || "")) { return; }
      container.setAttribute("data-loaded", wanted);
      if (!wanted) { container.textContent = ""; return; }
      var url = container.getAttribute("data-url") + "?service=" + encodeURIComponent(service.value) + "&kind=request";
      fetch(url, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
        .then(function (response) { return response.ok ? response.text() : ""; })
        .then(function (html) {
          if (container.getAttribute("data-loaded") === wanted) { container.innerHTML = html; }
        })
        .catch(function () { /* without the questions the server shows them on sending */ });
    }

    function offers(kind) {
      var option = service.options[service.selectedIndex];
      var kinds = option && option.getAttribute("data-kinds") ? option.getAttribute("data-kinds").split(" ") : [];
      return !kind || kinds.indexOf(kind) !== -1;
    }

    function suggest() {
      if (chosenByHand || !summary) { return; }
      var kind = currentKind();
      var option = suggestedService(service, summary.value, kind);
      var value = option ? option.value : (service.value && !offers(kind) ? "" : service.value);
      if (value !== service.value) {
        service.value = value;
        refresh();
      }
    }

    service.addEventListener("change", function () {
      chosenByHand = !!service.value;  /* the person's choice (by hand or by the search box) stays */
      refresh();
    });
    radios.forEach(function (radio) {
      radio.addEventListener("change", function () { refresh(); suggest(); });
    });
    if (summary) { summary.addEventListener("input", suggest); }
    // A service chosen before this deferred script ran (a quick hand, the browser restoring the form)
    // fired its change event unheard: apply the form's state once now.
    refresh();
  }

  /* The ticket page's rarely used forms: a panel holds a link to the form's own page; opening the panel
     fetches the form (with its CSRF token) into it. If the fetch fails, the link stays. */
  function lazyPanel(panel) {
    var body = panel.querySelector("[data-form-body]");
    if (!body || !window.fetch) { return; }
    function load() {
      if (!panel.open || panel.getAttribute("data-loaded")) { return; }
      panel.setAttribute("data-loaded", "loading");
      fetch(panel.getAttribute("data-form-url") + "?fragment=1", {
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch" }
      })
        .then(function (response) {
          if (!response.ok) { throw new Error(String(response.status)); }
          return response.text();
        })
        .then(function (html) {
          body.innerHTML = html;
          panel.setAttribute("data-loaded", "yes");
        })
        .catch(function () { panel.removeAttribute("data-loaded"); });
    }
    panel.addEventListener("toggle", load);
    load(); /* opened before this deferred script ran */
  }

  document.querySelectorAll("select[data-searchable]").forEach(searchable);
  document.querySelectorAll("details[data-form-url]").forEach(lazyPanel);
  var form = document.getElementById("ticket-form");
  if (form) { logForm(form); }
}());
