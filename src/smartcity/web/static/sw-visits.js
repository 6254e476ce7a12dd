// Service worker of the health worker's pages: keeps the care pages and their assets so that
// a visit can be recorded with no network. Pages: network first, the cached copy offline.
// Assets: cache first. Writes (POST) are never touched: the page queues them in IndexedDB.
"use strict";
var CACHE = "smartcity-visits-v2";
var ASSETS = [
  "/static/js/offline-store.js",
  "/static/js/visit-queue.js",
  "/static/js/visit-form.js",
  "/static/js/visit-map.js",
  "/static/js/app.js",
  "/static/css/app.css",
  "/static/vendor/htmx/htmx.min.js",
  "/static/vendor/leaflet/leaflet.js",
  "/static/vendor/leaflet/leaflet.css",
  "/static/vendor/fonts/sarabun.css",
  "/care/my-day",
];

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      // One missing asset must not stop the rest from being kept.
      return Promise.all(ASSETS.map(function (url) { return cache.add(url).catch(function () {}); }));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (keys) {
      return Promise.all(keys.filter(function (k) { return k !== CACHE; }).map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function networkFirst(request) {
  return fetch(request).then(function (response) {
    if (response.ok) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request, { ignoreSearch: true }).then(function (hit) {
      return hit || Response.error();
    });
  });
}

function cacheFirst(request) {
  return caches.match(request, { ignoreSearch: true }).then(function (hit) {
    return hit || fetch(request).then(function (response) {
      if (response.ok) {
        var copy = response.clone();
        caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
      }
      return response;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) { event.respondWith(cacheFirst(request)); return; }
  if (url.pathname.indexOf("/care/") === 0 && url.pathname.indexOf(".js") < 0) {
    event.respondWith(networkFirst(request));
  }
});
