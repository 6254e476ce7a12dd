// The dashboard's open-alerts panel: refreshed from the server (htmx) whenever the live stream
// that live-map.js already holds says an alert changed, so the page opens no second stream.
// Clicking an alert zooms the map to its device.
(function () {
  "use strict";

  var ZOOM = 17;

  function panel() { return document.getElementById("alerts-panel"); }

  function refresh() {
    var node = panel();
    // Typing a note must not be wiped by a refresh: try again once the field loses focus.
    if (node && node.contains(document.activeElement) && document.activeElement.tagName === "INPUT") {
      document.activeElement.addEventListener("blur", refresh, { once: true });
      return;
    }
    if (node && window.htmx) window.htmx.trigger(node, "alerts-changed");
  }

  function follow(source) {
    source.addEventListener("alert", refresh);
    source.addEventListener("dropped", refresh); // messages were lost: read the truth again
    var hellos = 0;
    source.addEventListener("hello", function () { if (hellos++ > 0) refresh(); });
    var node = panel();
    if (node) node.setAttribute("data-live", "open");
  }

  function zoom(target) {
    var item = target.closest("[data-zoom]");
    var mapNode = document.getElementById("map");
    if (!item || !mapNode || !mapNode.smartcityMap) return;
    var lat = parseFloat(item.getAttribute("data-lat"));
    var lon = parseFloat(item.getAttribute("data-lon"));
    if (isNaN(lat) || isNaN(lon)) return;
    mapNode.smartcityMap.setView([lat, lon], ZOOM);
    mapNode.setAttribute("data-zoomed-device", item.getAttribute("data-device-id"));
    mapNode.scrollIntoView({ behavior: "smooth", block: "center" });
  }

  document.addEventListener("click", function (e) {
    if (e.target.closest && e.target.closest("#alerts-panel [data-zoom]")) zoom(e.target);
  });
  document.addEventListener("keydown", function (e) {
    if ((e.key === "Enter" || e.key === " ") && e.target.closest && e.target.closest("#alerts-panel [data-zoom]")) {
      e.preventDefault();
      zoom(e.target);
    }
  });

  var mapNode = document.getElementById("map");
  if (mapNode && mapNode.smartcityLive) follow(mapNode.smartcityLive);
  else document.addEventListener("smartcity:live-ready", function (e) { follow(e.detail.source); });
})();
