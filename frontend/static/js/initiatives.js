// The submission form: keep a copy of what is typed in this browser (restored if a save was lost,
// e.g. after the session expired) and save the draft in the background every 30 seconds.
(function () {
  "use strict";
  var form = document.querySelector("form.initiative-form");
  if (!form) return;
  var key = form.dataset.draftKey, status = form.querySelector(".autosave-status");
  var url = form.dataset.autosave, dirty = false;
  function snapshot() {
    var data = {};
    form.querySelectorAll("input[name], textarea[name], select[name]").forEach(function (el) {
      if (el.type === "hidden" || el.type === "file") return;
      if (el.type === "checkbox") { (data[el.name] = data[el.name] || []); if (el.checked) data[el.name].push(el.value); }
      else data[el.name] = el.value;
    });
    return data;
  }
  function restore(data) {
    Object.keys(data).forEach(function (name) {
      form.querySelectorAll('[name="' + name + '"]').forEach(function (el) {
        if (el.type === "checkbox") el.checked = data[name].indexOf(el.value) >= 0;
        else el.value = data[name];
      });
    });
  }
  if (key !== "initiative-new") { try { localStorage.removeItem("initiative-new"); } catch (e) { /* ignore */ } }
  var saved = null;
  try { saved = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { saved = null; }
  if (saved && JSON.stringify(saved) !== JSON.stringify(snapshot())) {
    var button = document.createElement("button");
    button.type = "button"; button.className = "secondary";
    button.textContent = document.documentElement.lang === "en" ? "Restore text not yet saved" : "Khôi phục nội dung chưa lưu";
    button.addEventListener("click", function () { restore(saved); button.remove(); });
    form.querySelector(".actions").prepend(button);
  }
  form.addEventListener("input", function () {
    dirty = true;
    try { localStorage.setItem(key, JSON.stringify(snapshot())); } catch (e) { /* storage full or disabled */ }
  });
  form.addEventListener("submit", function () { dirty = false; });
  if (!url) return;
  setInterval(function () {
    if (!dirty) return;
    dirty = false;
    var body = new FormData(form);
    body.delete("action");
    body.delete("file");  // files go with the form's own buttons, never in the background
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                 headers: { "X-CSRF-Token": form.querySelector('[name="csrf_token"]').value } })
      .then(function (r) {
        if (r.ok) { try { localStorage.removeItem(key); } catch (e) { /* ignore */ } }
        if (status) status.textContent = r.ok ? status.dataset.saved || "✓" : "";
      }).catch(function () { dirty = true; });
  }, 30000);
})();
