// The IndexedDB store behind the offline queues (home visits, help requests): one object store
// of items keyed by a client-made UUID, with the few operations the queues need.
(function () {
  "use strict";

  function newKey() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64; b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  function offlineStore(dbName, storeName) {
    function openDb() {
      return new Promise(function (resolve, reject) {
        var req = indexedDB.open(dbName, 1);
        req.onupgradeneeded = function () { req.result.createObjectStore(storeName, { keyPath: "key" }); };
        req.onsuccess = function () { resolve(req.result); };
        req.onerror = function () { reject(req.error); };
      });
    }

    function tx(mode, work) {
      return openDb().then(function (db) {
        return new Promise(function (resolve, reject) {
          var t = db.transaction(storeName, mode), out = work(t.objectStore(storeName));
          t.oncomplete = function () { db.close(); resolve(out && "result" in out ? out.result : out); };
          t.onerror = function () { db.close(); reject(t.error); };
        });
      });
    }

    return {
      all: function () { return tx("readonly", function (s) { return s.getAll(); }); },
      put: function (item) { return tx("readwrite", function (s) { s.put(item); }); },
      // Keep the newest ``keep`` items that are done; older ones leave the phone.
      prune: function (isDone, keep) {
        return this.all().then(function (items) {
          var done = items.filter(isDone);
          done.sort(function (a, b) { return a.savedAt < b.savedAt ? 1 : -1; });
          var old = done.slice(keep);
          return old.length ? tx("readwrite", function (s) { old.forEach(function (i) { s.delete(i.key); }); }) : null;
        });
      },
    };
  }

  window.smartcityOffline = { store: offlineStore, newKey: newKey };
})();
