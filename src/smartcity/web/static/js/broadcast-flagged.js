// Flagged PA zones (a broadcast left speakers silent there) drawn red on a Leaflet map.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var holder = document.querySelector("[data-flagged-map]");
    var data = document.querySelector("[data-flagged-geojson]");
    if (!holder || !data || typeof L === "undefined") return;
    var geojson = JSON.parse(data.textContent || "{}");
    var map = L.map(holder, { attributionControl: false });
    var group = L.geoJSON(geojson, {
      style: { color: "#b91c1c", weight: 2, fillColor: "#dc2626", fillOpacity: 0.4 }
    }).addTo(map);
    var bounds = group.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
    else map.setView([16.44, 100.35], 13);
  });
})();
