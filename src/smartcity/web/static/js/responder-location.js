// While the unit is on duty, send the phone's position to the platform every 30 seconds, so
// that dispatch measures distances from where the unit really is.
(function () {
  "use strict";
  var last = null;

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  function onDutyUnits() {
    return Array.prototype.filter.call(document.querySelectorAll("[data-unit]"), function (el) {
      return el.dataset.unitStatus !== "off_duty";
    }).map(function (el) { return el.dataset.unit; });
  }

  function send() {
    var units = onDutyUnits();
    if (!units.length || !last) { return; }
    units.forEach(function (id) {
      fetch("/api/units/" + id + "/location", {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
        body: JSON.stringify({ lat: last.lat, lon: last.lon }),
      }).catch(function () {});  // the next tick tries again
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-responder]");
    if (!root || !navigator.geolocation) { return; }
    navigator.geolocation.watchPosition(function (p) {
      var first = last === null;
      last = { lat: p.coords.latitude, lon: p.coords.longitude };
      if (first) { send(); }
    }, function () {}, { enableHighAccuracy: true, maximumAge: 15000, timeout: 20000 });
    setInterval(send, Number(root.dataset.locationSeconds || 30) * 1000);
  });
})();
