// Device page: a chart of the last 24 hours per metric (uPlot), extended live from the stream.
(function () {
  "use strict";

  function init() {
    var node = document.querySelector("[data-chart]");
    if (!node || typeof uPlot === "undefined") return;
    var cfg = JSON.parse(document.getElementById(node.getAttribute("data-chart")).textContent);
    var metrics = Object.keys(cfg.series).sort();
    if (!metrics.length) {
      var empty = document.createElement("p");
      empty.className = "muted";
      empty.textContent = node.getAttribute("data-empty");
      node.appendChild(empty);
      node.setAttribute("data-ready", "empty");
      return;
    }
    var metric = metrics.indexOf("level_m") >= 0 ? "level_m" : metrics[0];
    var data = cfg.series[metric];
    var plot = new uPlot({
      width: Math.max(320, node.clientWidth || 600),
      height: 260,
      tzDate: function (ts) { return uPlot.tzDate(new Date(ts * 1e3), cfg.timezone); },
      series: [{}, { label: metric, stroke: "#2563eb", width: 2, points: { show: data[0].length < 60 } }],
      axes: [{}, {}]
    }, [data[0].slice(), data[1].slice()], node);
    node.setAttribute("data-ready", "true");
    node.setAttribute("data-metric", metric);
    window.addEventListener("resize", function () {
      plot.setSize({ width: Math.max(320, node.clientWidth), height: 260 });
    });
    if (typeof EventSource === "undefined") return;
    var source = new EventSource(cfg.stream, { withCredentials: true });
    source.addEventListener("hello", function () {
      var note = document.querySelector("[data-live-note]");
      if (note) note.hidden = false;
    });
    source.addEventListener("telemetry", function (event) {
      JSON.parse(event.data).devices.forEach(function (d) {
        if (d.id !== cfg.device_id || d.values[metric] === undefined) return;
        data[0].push(Date.parse(d.ts) / 1e3);
        data[1].push(d.values[metric]);
        plot.setData([data[0].slice(), data[1].slice()]);
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
