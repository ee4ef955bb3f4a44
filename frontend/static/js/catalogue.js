// Search-as-you-type: title suggestions under the search box (the page works without this file).
(function () {
  "use strict";
  var input = document.getElementById("q"), list = document.getElementById("q-list");
  if (!input || !list || !window.fetch) { return; }
  var timer = null, active = -1;
  function close() { list.hidden = true; input.setAttribute("aria-expanded", "false"); active = -1; }
  function pick(k) {
    var items = list.children;
    if (active >= 0 && items[active]) { items[active].setAttribute("aria-selected", "false"); }
    active = (k + items.length) % items.length;
    items[active].setAttribute("aria-selected", "true");
    input.setAttribute("aria-activedescendant", items[active].id);
  }
  function choose(text) { input.value = text; close(); input.form.submit(); }
  function show(words) {
    list.textContent = "";
    words.forEach(function (w, k) {
      var li = document.createElement("li");
      li.id = "q-opt-" + k; li.setAttribute("role", "option"); li.textContent = w;
      li.addEventListener("mousedown", function (e) { e.preventDefault(); choose(w); });
      list.appendChild(li);
    });
    active = -1; input.removeAttribute("aria-activedescendant");
    list.hidden = !words.length; input.setAttribute("aria-expanded", words.length ? "true" : "false");
  }
  input.addEventListener("input", function () {
    clearTimeout(timer);
    var text = input.value.trim();
    if (text.length < 2) { close(); return; }
    timer = setTimeout(function () {
      fetch(input.dataset.suggest + "?q=" + encodeURIComponent(text), { headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : { suggestions: [] }; })
        .then(function (body) { if (input.value.trim() === text) { show(body.suggestions); } })
        .catch(close);
    }, 200);
  });
  input.addEventListener("keydown", function (e) {
    if (list.hidden) { return; }
    if (e.key === "ArrowDown" || e.key === "ArrowUp") { e.preventDefault(); pick(active + (e.key === "ArrowDown" ? 1 : -1)); }
    else if (e.key === "Enter" && active >= 0) { e.preventDefault(); choose(list.children[active].textContent); }
    else if (e.key === "Escape") { e.preventDefault(); close(); }
  });
  input.addEventListener("blur", close);
})();
