// The resident's help requests wait in IndexedDB with a client key made on the phone, and are
// sent to POST /api/help until the server answers. The server keeps one incident per key, so a
// second send (two triggers, an answer lost on a bad line) never makes a second incident.
(function () {
  "use strict";
  var DB = "smartcity-help", STORE = "requests", RETRY_MS = 15000, KEEP = 10;
  var running = null, retryTimer = null;

  var store = window.smartcityOffline.store(DB, STORE), newKey = window.smartcityOffline.newKey;
  var all = store.all, put = store.put;

  // Keep the request on the phone first: sending is a separate step that may come much later.
  function enqueue(body) {
    var key = newKey();
    body.client_key = key;
    var item = { key: key, body: body, status: "queued", savedAt: new Date().toISOString() };
    return put(item).then(function () { emit(item); return item; });
  }

  function sendOne(item) {
    return fetch("/api/help", {
      method: "POST",
      credentials: "omit",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(item.body),
    }).then(function (r) {
      if (r.status === 200 || r.status === 201) {
        return r.json().then(function (a) {
          item.status = "sent"; item.incidentId = a.incident_id;
          item.message = document.documentElement.lang === "en" ? a.message : a.message_th;
          delete item.body.photo_b64;  // sent: the photo need not stay on the phone
          return put(item).then(function () { emit(item); });
        });
      }
      // Rate limit, server trouble: try again later. Other refusals will not get better.
      if (r.status === 429 || r.status >= 500) { throw new Error("retry later: " + r.status); }
      return r.json().catch(function () { return {}; }).then(function (p) {
        item.status = "rejected"; item.error = p.detail_th || p.detail || String(r.status);
        return put(item).then(function () { emit(item); });
      });
    });
  }

  // One sync at a time in this page; a trigger during a sync runs one more pass after it, so a
  // request queued meanwhile is not left waiting for the next trigger.
  function sync() {
    if (running) { return running.then(sync); }
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
    return store.prune(function (i) { return i.status !== "queued"; }, KEEP);
  }

  function emit(item) {
    document.dispatchEvent(new CustomEvent("help:item", { detail: item }));
  }

  function render() {
    var list = document.querySelector("[data-help-list]");
    if (!list) { return Promise.resolve(); }
    return all().then(function (items) {
      items.sort(function (a, b) { return a.savedAt < b.savedAt ? 1 : -1; });
      list.textContent = "";
      items.forEach(function (i) {
        var li = document.createElement("li");
        li.dataset.helpItem = i.key;
        li.dataset.status = i.status;
        var label = list.dataset["label" + i.status[0].toUpperCase() + i.status.slice(1)] || i.status;
        li.textContent = new Date(i.savedAt).toLocaleString() + " · " + label + (i.error ? " · " + i.error : "");
        list.appendChild(li);
      });
    });
  }

  window.helpQueue = { enqueue: enqueue, sync: sync, all: all, render: render };
  window.addEventListener("online", function () { sync(); });
  document.addEventListener("DOMContentLoaded", function () {
    render().then(function () { if (navigator.onLine) { sync(); } });
  });
})();
