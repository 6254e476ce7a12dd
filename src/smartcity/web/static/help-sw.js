// Service worker of the resident's help app (scope /help): keeps the page and its assets so
// that the help button works with no network. Page: network first, the cached copy offline.
// Assets: cache first. Requests (POST) are never touched: the page queues them in IndexedDB.
"use strict";
var CACHE = "smartcity-help-v2";
var ASSETS = [
  "/help",
  "/help/manifest.webmanifest",
  "/static/js/offline-store.js",
  "/static/js/help-queue.js",
  "/static/js/help-app.js",
  "/static/js/app.js",
  "/static/css/app.css",
  "/static/help-icon.svg",
  "/static/vendor/htmx/htmx.min.js",
  "/static/vendor/leaflet/leaflet.js",
  "/static/vendor/leaflet/leaflet.css",
  "/static/vendor/fonts/sarabun.css",
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
      var old = keys.filter(function (k) { return k.indexOf("smartcity-help-") === 0 && k !== CACHE; });
      return Promise.all(old.map(function (k) { return caches.delete(k); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function keep(request, response) {
  if (response.ok) {
    var copy = response.clone();
    caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
  }
  return response;
}

function networkFirst(request) {
  return fetch(request).then(function (response) { return keep(request, response); }).catch(function () {
    return caches.match(request, { ignoreSearch: true }).then(function (hit) { return hit || Response.error(); });
  });
}

function cacheFirst(request) {
  return caches.match(request, { ignoreSearch: true }).then(function (hit) {
    return hit || fetch(request).then(function (response) { return keep(request, response); });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) { return; }
  if (url.pathname.indexOf("/static/") === 0) { event.respondWith(cacheFirst(request)); return; }
  if (url.pathname === "/help" || url.pathname.indexOf("/help/") === 0) {
    event.respondWith(networkFirst(request));
  }
});
