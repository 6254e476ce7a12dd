// Devices layer of the dashboard map: markers coloured by status, kept live by the SSE stream.
// Attaches to the map that map.js draws; reloads the layer when the stream says it dropped
// messages (the browser was too slow or asleep), so the colours never stay wrong.
(function () {
  "use strict";

  var cfgNode = document.getElementById("devices-live-config");
  if (!cfgNode || typeof L === "undefined" || typeof EventSource === "undefined") return;
  var cfg = JSON.parse(cfgNode.textContent);
  var markers = {}; // device id -> circle marker
  var counts = {};
  var countNodes = {};
  var layer = L.layerGroup();
  var STATUSES = ["online", "degraded", "offline", "unknown"];

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function colour(status) { return cfg.colours[status] || cfg.colours.unknown; }

  function localName(p) {
    return cfg.lang === "en" && p.name_en ? p.name_en : p.name_th || p.code;
  }

  function tooltip(p) {
    return localName(p) + " · " + (cfg.labels.statuses[p.status] || p.status);
  }

  function paint(marker) {
    var p = marker.feature.properties;
    marker.setStyle({ fillColor: colour(p.status) });
    marker.setTooltipContent(tooltip(p));
    var path = marker.getElement && marker.getElement();
    if (path) {
      path.setAttribute("data-device", p.code);
      path.setAttribute("data-status", p.status);
    }
  }

  function recount() {
    STATUSES.forEach(function (s) { counts[s] = 0; });
    Object.keys(markers).forEach(function (id) {
      var s = markers[id].feature.properties.status;
      counts[s] = (counts[s] || 0) + 1;
    });
    STATUSES.forEach(function (s) { if (countNodes[s]) countNodes[s].textContent = String(counts[s]); });
  }

  function popup(p) {
    var box = el("div", "map-popup");
    box.appendChild(el("strong", "", localName(p)));
    box.appendChild(el("div", "small", p.code));
    var link = el("a", "", cfg.labels.open + " ›");
    link.href = "/devices/" + p.id;
    box.appendChild(el("div")).appendChild(link);
    return box;
  }

  function draw(collection) {
    layer.clearLayers();
    markers = {};
    (collection.features || []).forEach(function (feature) {
      var c = feature.geometry.coordinates;
      var p = feature.properties;
      var marker = L.circleMarker([c[1], c[0]], {
        radius: 8, weight: 2, color: "#ffffff", fillColor: colour(p.status), fillOpacity: 0.95,
        className: "device-marker"
      });
      marker.feature = feature;
      marker.bindTooltip(tooltip(p));
      marker.bindPopup(popup(p));
      layer.addLayer(marker);
      markers[p.id] = marker;
      paint(marker);
    });
    recount();
  }

  function load() {
    return fetch(cfg.source, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) throw new Error(cfg.source + ": " + r.status); return r.json(); })
      .then(draw);
  }

  function addLegend(map) {
    var Legend = L.Control.extend({
      options: { position: "topright" },
      onAdd: function () {
        var box = el("div", "map-legend");
        box.setAttribute("data-devices-legend", "");
        L.DomEvent.disableClickPropagation(box);
        var row = el("label", "legend-row");
        var toggle = el("input");
        toggle.type = "checkbox";
        toggle.checked = true;
        toggle.setAttribute("data-layer", "devices");
        toggle.addEventListener("change", function () {
          if (toggle.checked) map.addLayer(layer); else map.removeLayer(layer);
        });
        row.appendChild(toggle);
        row.appendChild(el("strong", "", cfg.labels.layer));
        box.appendChild(row);
        STATUSES.forEach(function (s) {
          var line = el("div", "legend-row");
          var dot = el("span", "dot");
          dot.style.background = colour(s);
          line.appendChild(dot);
          line.appendChild(el("span", "", cfg.labels.statuses[s] + " "));
          countNodes[s] = line.appendChild(el("span", "muted", "0"));
          countNodes[s].setAttribute("data-count", s);
          box.appendChild(line);
        });
        return box;
      }
    });
    map.addControl(new Legend());
  }

  function onStatus(event) {
    var msg = JSON.parse(event.data);
    var marker = markers[msg.id];
    if (!marker) return;
    marker.feature.properties.status = msg["new"];
    paint(marker);
    recount();
  }

  function listen(mapNode) {
    var source = new EventSource(cfg.stream, { withCredentials: true });
    var hellos = 0;
    source.addEventListener("hello", function () {
      // A reconnect may have missed changes while the stream was down: reload the layer.
      if (hellos++ > 0) load();
      mapNode.setAttribute("data-live", "open");
    });
    source.addEventListener("status", onStatus);
    source.addEventListener("dropped", function () { load(); });
    source.addEventListener("error", function () { mapNode.setAttribute("data-live", "retrying"); });
    // Other panels (the alerts panel) listen on this one connection instead of opening another.
    mapNode.smartcityLive = source;
    mapNode.dispatchEvent(new CustomEvent("smartcity:live-ready", { bubbles: true, detail: { source: source } }));
  }

  function attach(mapNode, map) {
    if (mapNode.getAttribute("data-devices") === "attached") return;
    mapNode.setAttribute("data-devices", "attached");
    layer.addTo(map);
    addLegend(map);
    load().then(function () {
      mapNode.setAttribute("data-devices", "ready");
      listen(mapNode);
    }).catch(function (err) { if (window.console) console.error(err); });
  }

  var node = document.getElementById("map");
  if (!node) return;
  if (node.smartcityMap) attach(node, node.smartcityMap);
  else node.addEventListener("smartcity:map-ready", function (e) { attach(node, e.detail.map); });
})();
