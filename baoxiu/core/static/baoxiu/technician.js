// Shares the technician's position while a job is en route (the page sets
// data-share-location). One report every 30 s at most; the server keeps one
// per 15 s and refuses positions when no job is en route.
(function () {
  "use strict";
  var root = document.querySelector("[data-share-location]");
  if (!root || !("geolocation" in navigator)) { return; }
  var url = root.getAttribute("data-location-url");
  var token = root.getAttribute("data-csrf");
  var status = document.getElementById("location-status");
  var lastSent = 0;
  function show(text) { if (status) { status.textContent = text; } }
  function send(position) {
    var now = Date.now();
    if (now - lastSent < 30000) { return; }
    lastSent = now;
    var body = new URLSearchParams();
    body.set("latitude", position.coords.latitude.toFixed(6));
    body.set("longitude", position.coords.longitude.toFixed(6));
    body.set("accuracy", Math.round(position.coords.accuracy || 0));
    fetch(url, { method: "POST", body: body, headers: { "X-CSRFToken": token },
                 credentials: "same-origin" })
      .then(function (r) { show(r.ok ? root.getAttribute("data-ok-text") : ""); })
      .catch(function () { show(""); });
  }
  navigator.geolocation.watchPosition(send, function () {
    show(root.getAttribute("data-denied-text"));
  }, { enableHighAccuracy: true, maximumAge: 15000, timeout: 20000 });
})();
