// The running weighted total of the scoring form: the same formula as app/reviews/scoring.py
// (each score mapped to 0–10 by its scale, Σ weight·score / Σ weight over all criteria,
// an empty score counts as 0). The server recomputes it on every save.
(function () {
  "use strict";
  function total(form) {
    var inputs = form.querySelectorAll("[data-score]");
    var weights = 0, sum = 0;
    inputs.forEach(function (input) {
      var weight = parseFloat(input.dataset.weight), min = parseFloat(input.dataset.min), max = parseFloat(input.dataset.max);
      weights += weight;
      var value = parseFloat(String(input.value).replace(",", "."));
      if (!isNaN(value) && value >= min && value <= max) {
        sum += weight * 10 * (value - min) / (max - min);
      }
    });
    return weights > 0 ? sum / weights : 0;
  }
  document.querySelectorAll("[data-review-form]").forEach(function (form) {
    var output = form.querySelector("[data-total]");
    function update() { output.textContent = total(form).toFixed(2); }
    form.addEventListener("input", update);
    update();
  });
})();
