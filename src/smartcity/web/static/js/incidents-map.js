// Open incidents on a small Leaflet map, coloured by triage level (no tile server needed).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var el = document.querySelector("[data-incidents-map]");
    if (!el || !window.L) { return; }
    var map = L.map(el, { attributionControl: false }).setView(JSON.parse(el.dataset.centre), 14);
    fetch(el.dataset.source, { credentials: "same-origin" }).then(function (r) { return r.json(); }).then(function (data) {
      var layer = L.geoJSON(data, {
        pointToLayer: function (f, latlng) {
          return L.circleMarker(latlng, { radius: 8, color: "#333", weight: 1, fillColor: f.properties.colour, fillOpacity: 0.9 });
        },
        onEachFeature: function (f, marker) {
          marker.bindPopup('<a href="/incidents/' + f.properties.id + '">#' + f.properties.id + "</a> " +
            f.properties.kind + " · " + f.properties.status);
        },
      }).addTo(map);
      if (data.features.length) { map.fitBounds(layer.getBounds().pad(0.3), { maxZoom: 16 }); }
    });
  });
})();
