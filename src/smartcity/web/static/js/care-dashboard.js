// Care maps (dashboard, person, household): community zones drawn from the platform's own
// GeoJSON (no tile server needed), and households as dots coloured by their ADL group.
(function () {
  "use strict";

  var COLOURS = { social: "#16a34a", homebound: "#d97706", bedbound: "#dc2626", "": "#6b7280" };

  function getJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : { features: [] }; });
  }

  function dot(latlng, group) {
    var colour = COLOURS[group || ""] || COLOURS[""];
    return L.circleMarker(latlng, { radius: 6, color: "#fff", weight: 1, fillColor: colour, fillOpacity: 0.9 });
  }

  function drawZones(map, url) {
    return getJSON(url).then(function (data) {
      var zones = L.geoJSON(data, {
        filter: function (f) { return f.properties.kind === "community"; },
        style: function () { return { color: "#2563eb", weight: 1, fillOpacity: 0.05 }; }
      }).addTo(map);
      return zones;
    });
  }

  function start(node) {
    var map = L.map(node, { zoomControl: true, attributionControl: false });
    map.setView([16.443, 100.347], 14);
    var point = node.getAttribute("data-point");
    var homes = node.getAttribute("data-households-url");
    drawZones(map, node.getAttribute("data-zones-url")).then(function (zones) {
      if (point) {
        var ll = JSON.parse(point);
        dot(ll, "").addTo(map);
        map.setView(ll, 16);
        return null;
      }
      if (zones.getLayers().length) map.fitBounds(zones.getBounds());
      return homes ? getJSON(homes) : null;
    }).then(function (data) {
      if (data) {
        L.geoJSON(data, {
          pointToLayer: function (f, ll) {
            var marker = dot(ll, f.properties.group);
            marker.on("click", function () { window.location.href = "/care/households/" + f.properties.id; });
            return marker;
          }
        }).addTo(map);
        node.setAttribute("data-homes", String(data.features.length));
      }
      node.setAttribute("data-ready", "true");
    });
  }

  function startAll() {
    if (!window.L) return;
    document.querySelectorAll("[data-care-map]").forEach(start);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", startAll);
  else startAll();
})();
