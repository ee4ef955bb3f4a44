// Ask before removing an endpoint; select the one-time secret for copying.
document.querySelectorAll("form[data-confirm]").forEach(function (form) {
  form.addEventListener("submit", function (event) {
    if (!window.confirm(form.dataset.confirm)) event.preventDefault();
  });
});
document.querySelectorAll("[data-secret]").forEach(function (input) {
  input.addEventListener("focus", function () { input.select(); });
});
