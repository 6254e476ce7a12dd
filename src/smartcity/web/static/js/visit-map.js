// The day's stops on a small Leaflet map, numbered in route order (no tile server needed).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.querySelector("[data-visit-map]");
    if (!el || !window.L) { return; }
    var start = JSON.parse(el.dataset.start), points = JSON.parse(el.dataset.points);
    var map = L.map(el, { attributionControl: false });
    var line = [start];
    L.circleMarker(start, { radius: 6, color: "#555" }).addTo(map);
    points.forEach(function (p) {
      if (p.lat === null || p.lon === null) { return; }
      line.push([p.lat, p.lon]);
      L.marker([p.lat, p.lon], {
        icon: L.divIcon({ className: "stop-icon", html: "<b>" + p.order + "</b>", iconSize: [22, 22] }),
      }).bindPopup(p.order + ". " + p.name).addTo(map);
    });
    L.polyline(line, { color: "#1565c0", weight: 3 }).addTo(map);
    map.fitBounds(L.latLngBounds(line).pad(0.2));
  });
})();
