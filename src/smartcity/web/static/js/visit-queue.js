// Offline visit queue: visits wait in IndexedDB with a key made on the phone, and are sent
// to POST /api/care/visits with that key as Idempotency-Key until the server answers. The
// server stores one visit per key, so sending twice (two triggers, a lost answer) is harmless.
(function () {
  "use strict";
  var DB = "smartcity-visits", STORE = "queue", RETRY_MS = 30000, KEEP_SENT = 20;
  var running = null, retryTimer = null;

  var store = window.smartcityOffline.store(DB, STORE), newKey = window.smartcityOffline.newKey;
  var all = store.all, put = store.put;

  function csrf() {
    var meta = document.querySelector('meta[name="csrf-token"]');
    return meta ? meta.content : "";
  }

  // Store a visit on the phone first; sending is a separate step that may happen much later.
  function enqueue(body) {
    var item = { key: newKey(), body: body, status: "queued", savedAt: new Date().toISOString() };
    return put(item).then(function () { render(); return item; });
  }

  function sendOne(item) {
    return fetch("/api/care/visits", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Idempotency-Key": item.key, "X-CSRF-Token": csrf() },
      body: JSON.stringify(item.body),
    }).then(function (r) {
      if (r.status === 200 || r.status === 201) {
        return r.json().then(function (v) { item.status = "sent"; item.visitId = v.id; return put(item); });
      }
      if (r.status === 401 || r.status >= 500) { throw new Error("retry later: " + r.status); }
      return r.json().catch(function () { return {}; }).then(function (p) {
        item.status = "rejected"; item.error = p.detail_th || p.detail || String(r.status); return put(item);
      });
    });
  }

  // One sync at a time in this page; a second trigger joins the running one.
  function sync() {
    if (running) { return running; }
    running = all().then(function (items) {
      var waiting = items.filter(function (i) { return i.status === "queued"; });
      return waiting.reduce(function (p, item) { return p.then(function () { return sendOne(item); }); }, Promise.resolve());
    }).catch(function () {
      clearTimeout(retryTimer);
      retryTimer = setTimeout(sync, RETRY_MS);
    }).then(prune).then(render).finally(function () { running = null; });
    return running;
  }

  function prune() {
    return store.prune(function (i) { return i.status === "sent"; }, KEEP_SENT);
  }

  function render() {
    var list = document.querySelector("[data-queue-list]");
    if (!list) { return Promise.resolve(); }
    return all().then(function (items) {
      var waiting = items.filter(function (i) { return i.status === "queued"; }).length;
      document.querySelector("[data-queue-count]").textContent = String(waiting);
      list.textContent = "";
      items.forEach(function (i) {
        var li = document.createElement("li");
        li.dataset.queueItem = i.key;
        li.dataset.status = i.status;
        li.textContent = (list.dataset["label" + i.status[0].toUpperCase() + i.status.slice(1)] || i.status) +
          " · " + new Date(i.savedAt).toLocaleString() + (i.error ? " · " + i.error : "");
        list.appendChild(li);
      });
    });
  }

  function showNet() {
    var el = document.querySelector("[data-net-state]");
    if (!el) { return; }
    el.dataset.online = String(navigator.onLine);
    el.textContent = navigator.onLine ? el.dataset.labelOnline : el.dataset.labelOffline;
  }

  window.visitQueue = { enqueue: enqueue, sync: sync, all: all, render: render };
  window.addEventListener("online", function () { showNet(); sync(); });
  window.addEventListener("offline", showNet);
  document.addEventListener("DOMContentLoaded", function () {
    showNet();
    var button = document.querySelector("[data-sync-now]");
    if (button) { button.addEventListener("click", sync); }
    render().then(function () { if (navigator.onLine) { sync(); } });
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/care/sw-visits.js", { scope: "/care/" }).catch(function () {});
    }
  });
})();
