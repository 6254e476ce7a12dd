// Disaster page: zones on a plain map, click to draw an area, or pick a zone from the list.
// The chosen area goes into the form as GeoJSON (drawn) or a zone id; the server does the rest.
(function () {
  "use strict";

  var COLOURS = { hazard_area: "#dc2626", community: "#2563eb" };

  function start() {
    var node = document.getElementById("disaster-map");
    var form = document.querySelector("[data-area-form]");
    if (!node || !form || !window.L) return;
    var cfg = JSON.parse(document.getElementById("disaster-map-config").textContent);
    var map = L.map(node, { zoomControl: true, attributionControl: false });
    map.setView([16.443, 100.347], 14);
    var zoneLayers = {};
    var vertices = [];
    var sketch = null;
    var geometryInput = form.querySelector("[data-geometry]");
    var select = form.querySelector("[data-zone-select]");

    fetch(cfg.zones_url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; })
      .then(function (data) {
        var all = L.geoJSON(data, {
          filter: function (f) { return COLOURS[f.properties.kind]; },
          style: function (f) {
            return { color: COLOURS[f.properties.kind], weight: 1, fillOpacity: 0.08 };
          },
          onEachFeature: function (f, layer) { zoneLayers[String(f.properties.id)] = layer; }
        }).addTo(map);
        if (all.getLayers().length) map.fitBounds(all.getBounds());
        node.setAttribute("data-ready", "true");
      });

    function redraw() {
      if (sketch) map.removeLayer(sketch);
      sketch = vertices.length ? L.polygon(vertices, { color: "#b45309", weight: 2 }).addTo(map) : null;
    }

    function highlight(id) {
      Object.keys(zoneLayers).forEach(function (key) {
        zoneLayers[key].setStyle({ weight: key === id ? 3 : 1, fillOpacity: key === id ? 0.3 : 0.08 });
      });
    }

    map.on("click", function (event) {
      if (select.value) { select.value = ""; highlight(""); }
      vertices.push([event.latlng.lat, event.latlng.lng]);
      geometryInput.value = "";
      redraw();
    });

    form.querySelector("[data-draw-finish]").addEventListener("click", function () {
      if (vertices.length < 3) return;
      var ring = vertices.map(function (v) { return [v[1], v[0]]; });
      ring.push(ring[0]);
      geometryInput.value = JSON.stringify({ type: "Polygon", coordinates: [ring] });
    });

    form.querySelector("[data-draw-clear]").addEventListener("click", function () {
      vertices = [];
      geometryInput.value = "";
      redraw();
    });

    select.addEventListener("change", function () {
      vertices = [];
      geometryInput.value = "";
      redraw();
      highlight(select.value);
      var layer = zoneLayers[select.value];
      if (layer) map.fitBounds(layer.getBounds());
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
