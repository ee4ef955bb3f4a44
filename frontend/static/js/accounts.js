// Account pages: show only the organisation fields that apply, search organisations,
// select the one-time token for copying. Every form works without this file.
(function () {
  "use strict";
  var choice = document.querySelector("[data-org-choice]");
  if (choice) {
    var panels = choice.querySelectorAll("[data-org-panel]");
    var update = function () {
      var checked = choice.querySelector("input[name=organisation_mode]:checked");
      var mode = checked ? checked.value : "none";
      panels.forEach(function (panel) { panel.hidden = panel.getAttribute("data-org-panel") !== mode; });
    };
    choice.addEventListener("change", update);
    update();

    var search = choice.querySelector("[data-org-search]");
    var select = choice.querySelector("select[name=organisation_id]");
    var timer = null;
    if (search && select) {
      search.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () {
          var url = "/api/v1/organisations?limit=100&q=" + encodeURIComponent(search.value);
          fetch(url, { headers: { "Accept": "application/json" } })
            .then(function (r) { return r.ok ? r.json() : []; })
            .then(function (items) {
              var keep = select.value;
              Array.prototype.slice.call(select.options, 1).forEach(function (o) { o.remove(); });
              items.forEach(function (org) {
                var option = new Option(org.name, org.id, false, String(org.id) === keep);
                select.add(option);
              });
            })
            .catch(function () { /* keep the list as it was */ });
        }, 250);
      });
    }
  }
  var token = document.querySelector("[data-select-on-focus]");
  if (token) { token.addEventListener("focus", function () { token.select(); }); }
})();
