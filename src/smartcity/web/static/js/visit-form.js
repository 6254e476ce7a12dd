// The visit form: read the fields, queue the visit on the phone, then try to send it.
(function () {
  "use strict";
  var FIELDS = ["sbp", "dbp", "glucose", "temperature", "spo2", "pulse", "weight"];

  function body(form) {
    var vitals = {};
    FIELDS.forEach(function (name) {
      var value = form.elements[name].value.trim();
      if (value !== "") { vitals[name] = Number(value); }
    });
    return {
      task_id: Number(form.dataset.task),
      person_id: Number(form.dataset.person),
      visited_at: new Date().toISOString(),
      vitals: vitals,
      notes: form.elements.notes.value,
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-visit-form]");
    if (!form) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var status = form.querySelector("[data-form-status]");
      window.visitQueue.enqueue(body(form)).then(function () {
        form.reset();
        status.textContent = form.dataset.labelQueued;
        status.dataset.state = "queued";
        if (navigator.onLine) { window.visitQueue.sync(); }
      });
    });
  });
})();
