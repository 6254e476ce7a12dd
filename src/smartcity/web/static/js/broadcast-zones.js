// PA zone picker: each [data-zone-picker] draws its zones on a Leaflet map; clicking a zone
// toggles the matching checkbox (the list stays the source of truth, so the form works
// without the map and without JavaScript).
(function () {
  "use strict";

  var ON = { color: "#b91c1c", weight: 3, fillOpacity: 0.45 };
  var OFF = { color: "#7c3aed", weight: 1, fillOpacity: 0.15 };

  function setup(picker) {
    var holder = picker.querySelector("[data-zone-map]");
    var data = picker.querySelector("[data-zones-geojson]");
    if (!holder || !data || typeof L === "undefined") return;
    var geojson = JSON.parse(data.textContent || "{}");
    var map = L.map(holder, { attributionControl: false });
    var layers = {};

    function box(id) {
      return picker.querySelector('[data-zone-box="' + id + '"]');
    }
    function paint(id) {
      var b = box(id);
      if (layers[id]) layers[id].setStyle(b && b.checked ? ON : OFF);
    }

    var group = L.geoJSON(geojson, {
      style: OFF,
      onEachFeature: function (feature, layer) {
        var id = String(feature.properties.id);
        layers[id] = layer;
        layer.options.className = "pa-zone pa-zone-" + feature.properties.code;
        layer.bindTooltip(feature.properties.name_th || feature.properties.code);
        layer.on("click", function () {
          var b = box(id);
          if (!b) return;
          b.checked = !b.checked;
          paint(id);
        });
      }
    }).addTo(map);
    picker.addEventListener("change", function (ev) {
      var id = ev.target && ev.target.getAttribute("data-zone-box");
      if (id) paint(id);
    });
    var bounds = group.getBounds();
    if (bounds.isValid()) map.fitBounds(bounds, { padding: [10, 10] });
    else map.setView([16.44, 100.35], 13);
    // paths exist only once the map has a view: tag them for tests and paint the chosen ones
    Object.keys(layers).forEach(function (id) {
      var path = layers[id].getElement && layers[id].getElement();
      if (path) path.setAttribute("data-zone-shape", id);
      paint(id);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-zone-picker]").forEach(setup);
  });
})();
