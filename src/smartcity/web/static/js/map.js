// City map: zones coloured by kind with a legend and a toggle per kind, places as markers.
// Works with no tile server: the map then fits the zones on a plain background.
(function () {
  "use strict";

  var ZONE_COLOURS = {
    community: "#2563eb",
    pa_zone: "#7c3aed",
    safety_zone: "#059669",
    hazard_area: "#dc2626"
  };
  var PLACE_COLOURS = {
    market: "#d97706",
    park: "#16a34a",
    school: "#0891b2",
    temple: "#ca8a04",
    hospital: "#dc2626",
    health_unit: "#e11d48",
    shelter: "#9333ea",
    police: "#1d4ed8",
    government: "#475569",
    other: "#64748b"
  };
  var SPARE = ["#0f766e", "#b45309", "#be185d", "#4338ca", "#65a30d", "#0369a1"];

  function colourFor(table, kind) {
    if (table[kind]) return table[kind];
    var hash = 0;
    for (var i = 0; i < kind.length; i++) hash = (hash * 31 + kind.charCodeAt(i)) >>> 0;
    return SPARE[hash % SPARE.length];
  }

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function localName(props, lang) {
    return lang === "en" && props.name_en ? props.name_en : props.name_th || props.code || "";
  }

  function popup(props, cfg, kindLabel, href) {
    var box = el("div", "map-popup");
    var title = el("strong", "", localName(props, cfg.lang));
    box.appendChild(title);
    var other = cfg.lang === "en" ? props.name_th : props.name_en;
    if (other && other !== title.textContent) box.appendChild(el("div", "muted", other));
    box.appendChild(el("div", "small", kindLabel + (props.code ? " · " + props.code : "")));
    if (props.is_sample) box.appendChild(el("span", "badge badge-sample", cfg.labels.sample));
    if (href) {
      var link = el("a", "", cfg.labels.open + " ›");
      link.href = href;
      box.appendChild(el("div")).appendChild(link);
    }
    return box;
  }

  function fetchJSON(url) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) throw new Error(url + ": " + response.status);
        return response.json();
      });
  }

  function addNoBaseNote(map, text) {
    var Note = L.Control.extend({
      options: { position: "bottomleft" },
      onAdd: function () { return el("div", "map-note", text); }
    });
    map.addControl(new Note());
  }

  function orderedKinds(groups, known) {
    var order = Object.keys(known);
    return Object.keys(groups).sort(function (a, b) {
      var ia = order.indexOf(a), ib = order.indexOf(b);
      return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || a.localeCompare(b);
    });
  }

  function addLegend(map, node, cfg, zoneGroups, placeGroups) {
    var Legend = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var box = el("div", "map-legend");
        box.setAttribute("data-legend", "");
        L.DomEvent.disableClickPropagation(box);
        L.DomEvent.disableScrollPropagation(box);
        var heading = el("button", "legend-title", cfg.labels.legend);
        heading.type = "button";
        function setOpen(open) {
          heading.setAttribute("aria-expanded", open ? "true" : "false");
          box.classList.toggle("collapsed", !open);
        }
        heading.addEventListener("click", function () {
          setOpen(heading.getAttribute("aria-expanded") !== "true");
        });
        setOpen(node.clientWidth >= 600); // folded on phones so it does not hide the map
        box.appendChild(heading);
        var body = el("div", "legend-body");
        box.appendChild(body);
        var zoneKinds = orderedKinds(zoneGroups, cfg.zone_kinds);
        if (zoneKinds.length) body.appendChild(el("div", "legend-group", cfg.labels.zone_layers));
        zoneKinds.forEach(function (kind) {
          body.appendChild(toggleRow(map, zoneGroups[kind], cfg.zone_kinds[kind] || kind,
            colourFor(ZONE_COLOURS, kind), "swatch", "zone:" + kind));
        });
        var placeKinds = orderedKinds(placeGroups, cfg.place_kinds);
        if (placeKinds.length) body.appendChild(el("div", "legend-group", cfg.labels.place_layer));
        placeKinds.forEach(function (kind) {
          body.appendChild(toggleRow(map, placeGroups[kind], cfg.place_kinds[kind] || kind,
            colourFor(PLACE_COLOURS, kind), "dot", "place:" + kind));
        });
        return box;
      }
    });
    map.addControl(new Legend());
  }

  function toggleRow(map, layer, text, colour, shape, key) {
    var label = el("label", "legend-row");
    var box = el("input");
    box.type = "checkbox";
    box.checked = true;
    box.setAttribute("data-layer", key);
    box.addEventListener("change", function () {
      if (box.checked) map.addLayer(layer); else map.removeLayer(layer);
    });
    var mark = el("span", shape);
    mark.style.background = colour;
    label.appendChild(box);
    label.appendChild(mark);
    label.appendChild(el("span", "", text));
    return label;
  }

  function draw(node, cfg, zones, places) {
    node.textContent = "";
    var map = L.map(node, { zoomControl: true, zoomSnap: 0.25, attributionControl: !!cfg.tiles });
    if (cfg.tiles) {
      L.tileLayer(cfg.tiles.url, { attribution: cfg.tiles.attribution || "", maxZoom: 19 }).addTo(map);
    } else {
      node.classList.add("map-no-tiles");
      addNoBaseNote(map, cfg.labels.no_base);
    }
    var zoneGroups = {};
    var bounds = L.latLngBounds([]);
    (zones && zones.features || []).forEach(function (feature) {
      var props = feature.properties || {};
      var kind = props.kind || "other";
      var colour = colourFor(ZONE_COLOURS, kind);
      var layer = L.geoJSON(feature, {
        style: {
          color: colour, weight: 2, opacity: 0.9, fillColor: colour, fillOpacity: 0.18,
          className: "zone-shape zone-" + kind
        }
      });
      var href = cfg.sources && props.id ? "/zones/" + props.id : null;
      layer.bindPopup(popup(props, cfg, cfg.zone_kinds[kind] || kind, href));
      layer.bindTooltip(localName(props, cfg.lang), { sticky: true });
      (zoneGroups[kind] = zoneGroups[kind] || L.layerGroup().addTo(map)).addLayer(layer);
      bounds.extend(layer.getBounds());
    });
    var placeGroups = {};
    (places && places.features || []).forEach(function (feature) {
      var props = feature.properties || {};
      var c = feature.geometry && feature.geometry.coordinates;
      if (!c) return;
      var kind = props.kind || "other";
      var marker = L.circleMarker([c[1], c[0]], {
        radius: 7, weight: 2, color: "#ffffff", fillColor: colourFor(PLACE_COLOURS, kind),
        fillOpacity: 0.95, className: "place-marker place-" + kind
      });
      marker.bindPopup(popup(props, cfg, cfg.place_kinds[kind] || kind,
        props.id ? "/places/" + props.id : null));
      marker.bindTooltip(localName(props, cfg.lang));
      (placeGroups[kind] = placeGroups[kind] || L.layerGroup().addTo(map)).addLayer(marker);
      bounds.extend(marker.getLatLng());
    });
    if (cfg.legend) addLegend(map, node, cfg, zoneGroups, placeGroups);
    if (bounds.isValid()) {
      map.fitBounds(bounds, { padding: [16, 16], maxZoom: cfg.zoom || 17 });
    } else if (cfg.center) {
      map.setView(cfg.center, cfg.zoom || 14);
    } else {
      map.setView([13.75, 100.5], 6); // Thailand, when nothing is known yet
    }
    node.setAttribute("data-ready", "true");
    // Other layers (the live devices layer) attach themselves to the drawn map.
    node.smartcityMap = map;
    node.dispatchEvent(new CustomEvent("smartcity:map-ready", { bubbles: true, detail: { map: map } }));
    return map;
  }

  function start(node) {
    var cfgNode = document.getElementById(node.getAttribute("data-map"));
    if (!cfgNode || typeof L === "undefined") return;
    var cfg = JSON.parse(cfgNode.textContent);
    if (!cfg.sources) {
      draw(node, cfg, cfg.zones, cfg.places);
      return;
    }
    // One request after the other: on the embedded SQLite store every request takes the
    // database lock, and two layers in turn are as quick as two at once.
    var zones;
    fetchJSON(cfg.sources.zones)
      .then(function (data) { zones = data; return fetchJSON(cfg.sources.places); })
      .then(function (places) { draw(node, cfg, zones, places); })
      .catch(function (err) {
        node.textContent = "";
        node.appendChild(el("p", "map-error", cfg.labels.load_failed));
        if (window.console) console.error(err);
      });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-map]"), start);
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
