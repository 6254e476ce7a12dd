// The help button: take the phone's position (or a tap on the map), the optional text, phone
// and photo, put the request in the phone's queue, then send it if the network is there.
(function () {
  "use strict";
  var MAX_SIDE = 1280, MAX_BYTES = 900000;
  var position = null, marker = null, map = null, photo = null;

  function setWhere(form, label, lat, lon, source) {
    position = { lat: Math.round(lat * 1e6) / 1e6, lon: Math.round(lon * 1e6) / 1e6, source: source };
    var state = document.querySelector("[data-where-state]");
    state.textContent = label;
    state.dataset.source = source;
    if (map) {
      if (marker) { marker.setLatLng([lat, lon]); } else { marker = L.marker([lat, lon]).addTo(map); }
      map.setView([lat, lon], Math.max(map.getZoom(), 16));
    }
  }

  function startMap(form) {
    var el = document.querySelector("[data-help-map]");
    if (!el || !window.L) { return; }
    map = L.map(el, { attributionControl: false }).setView(JSON.parse(el.dataset.centre), 14);
    if (el.dataset.tiles) { L.tileLayer(el.dataset.tiles, { maxZoom: 19 }).addTo(map); }
    // A tap is the fallback when the phone gives no position, and a correction when it is off.
    map.on("click", function (e) { setWhere(form, form.dataset.labelTapped, e.latlng.lat, e.latlng.lng, "tap"); });
  }

  function watchPosition(form) {
    var state = document.querySelector("[data-where-state]");
    if (!navigator.geolocation) { state.textContent = form.dataset.labelTap; return; }
    navigator.geolocation.watchPosition(function (p) {
      if (position && position.source === "tap") { return; }  // the person's own choice wins
      setWhere(form, form.dataset.labelLocated, p.coords.latitude, p.coords.longitude, "gps");
      position.accuracy = Math.min(100000, Math.round(p.coords.accuracy));
    }, function () {
      if (!position) { state.textContent = form.dataset.labelTap; }
    }, { enableHighAccuracy: true, maximumAge: 30000, timeout: 15000 });
  }

  // Shrink the photo on the phone: a 1 MB limit on a slow line matters more than pixels.
  function readPhoto(file) {
    return new Promise(function (resolve) {
      var img = new Image(), url = URL.createObjectURL(file);
      img.onload = function () {
        var scale = Math.min(1, MAX_SIDE / Math.max(img.width, img.height));
        var canvas = document.createElement("canvas");
        canvas.width = Math.round(img.width * scale); canvas.height = Math.round(img.height * scale);
        canvas.getContext("2d").drawImage(img, 0, 0, canvas.width, canvas.height);
        URL.revokeObjectURL(url);
        var quality = 0.8, data = canvas.toDataURL("image/jpeg", quality);
        while (data.length * 0.75 > MAX_BYTES && quality > 0.3) {
          quality -= 0.15; data = canvas.toDataURL("image/jpeg", quality);
        }
        resolve(data.length * 0.75 > MAX_BYTES ? null : data.split(",")[1]);
      };
      img.onerror = function () { URL.revokeObjectURL(url); resolve(null); };
      img.src = url;
    });
  }

  function body(form) {
    var out = { text: form.elements.text.value.trim().slice(0, 500), phone: form.elements.phone.value.trim() };
    if (!/^\+?[0-9 -]{0,20}$/.test(out.phone)) { out.phone = ""; }
    if (position) {
      out.lat = position.lat; out.lon = position.lon;
      if (position.accuracy !== undefined) { out.accuracy_m = position.accuracy; }
    }
    if (photo) { out.photo_b64 = photo; out.photo_type = "image/jpeg"; }
    return out;
  }

  function showStatus(form, state, text) {
    var status = document.querySelector("[data-help-status]");
    status.dataset.state = state;
    status.textContent = text || form.dataset["label" + state[0].toUpperCase() + state.slice(1)];
  }

  function showNet() {
    var el = document.querySelector("[data-net-state]");
    el.dataset.online = String(navigator.onLine);
    el.textContent = navigator.onLine ? el.dataset.labelOnline : el.dataset.labelOffline;
  }

  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-help-form]");
    if (!form) { return; }
    var lastKey = null;
    showNet();
    window.addEventListener("online", showNet);
    window.addEventListener("offline", showNet);
    startMap(form);
    watchPosition(form);
    form.elements.photo.addEventListener("change", function () {
      var file = form.elements.photo.files[0];
      photo = null;
      if (file) { readPhoto(file).then(function (data) { photo = data; }); }
    });
    document.addEventListener("help:item", function (e) {
      if (e.detail.key !== lastKey) { return; }
      showStatus(form, e.detail.status, e.detail.status === "sent" ? e.detail.message : e.detail.error);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("[data-help-button]");
      button.disabled = true;  // one press, one request; re-enabled for a later, new request
      window.helpQueue.enqueue(body(form)).then(function (item) {
        lastKey = item.key;
        showStatus(form, "queued");
        window.helpQueue.render();
        if (!navigator.onLine) { return; }
        showStatus(form, "sending");
        window.helpQueue.sync().then(window.helpQueue.all).then(function (items) {
          var mine = items.filter(function (i) { return i.key === item.key; })[0];
          if (mine && mine.status === "queued") { showStatus(form, "queued"); }  // retried later
        });
      }).finally(function () {
        setTimeout(function () { button.disabled = false; }, 3000);
      });
    });
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register("/help-sw.js", { scope: "/help" }).catch(function () {});
    }
  });
})();
