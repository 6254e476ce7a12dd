// Offline visit queue: visits wait in IndexedDB with a key made on the phone, and are sent
// to POST /api/care/visits with that key as Idempotency-Key until the server answers. The
// server stores one visit per key, so sending twice (two triggers, a lost answer) is harmless.
(function () {
  "use strict";
  var DB = "smartcity-visits", STORE = "queue", RETRY_MS = 30000, KEEP_SENT = 20;
  var running = null, retryTimer = null;

  function openDb() {
    return new Promise(function (resolve, reject) {
      var req = indexedDB.open(DB, 1);
      req.onupgradeneeded = function () { req.result.createObjectStore(STORE, { keyPath: "key" }); };
      req.onsuccess = function () { resolve(req.result); };
      req.onerror = function () { reject(req.error); };
    });
  }

  function tx(mode, work) {
    return openDb().then(function (db) {
      return new Promise(function (resolve, reject) {
        var t = db.transaction(STORE, mode), out = work(t.objectStore(STORE));
        t.oncomplete = function () { db.close(); resolve(out && "result" in out ? out.result : out); };
        t.onerror = function () { db.close(); reject(t.error); };
      });
    });
  }

  function all() { return tx("readonly", function (s) { return s.getAll(); }); }
  function put(item) { return tx("readwrite", function (s) { s.put(item); }); }

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

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
    return all().then(function (items) {
      var sent = items.filter(function (i) { return i.status === "sent"; });
      sent.sort(function (a, b) { return a.savedAt < b.savedAt ? 1 : -1; });
      var old = sent.slice(KEEP_SENT);
      return old.length ? tx("readwrite", function (s) { old.forEach(function (i) { s.delete(i.key); }); }) : null;
    });
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
