// Signature pad for the lock-opening register: draws on #signature-pad with a
// finger, pen or mouse, and keeps a PNG data URL in the form's hidden
// "signature" field. No inline script (the CSP forbids it).
(function () {
  "use strict";
  function start() {
    var canvas = document.getElementById("signature-pad");
    var field = document.querySelector("input[name=signature]");
    if (!canvas || !field) return;
    var ctx = canvas.getContext("2d");
    var drawing = false, drawn = false;
    ctx.lineWidth = 2.5; ctx.lineCap = "round"; ctx.strokeStyle = "#111";
    function point(e) {
      var r = canvas.getBoundingClientRect();
      return { x: (e.clientX - r.left) * canvas.width / r.width, y: (e.clientY - r.top) * canvas.height / r.height };
    }
    canvas.addEventListener("pointerdown", function (e) {
      drawing = true; var p = point(e); ctx.beginPath(); ctx.moveTo(p.x, p.y);
      canvas.setPointerCapture(e.pointerId);
    });
    canvas.addEventListener("pointermove", function (e) {
      if (!drawing) return; var p = point(e); ctx.lineTo(p.x, p.y); ctx.stroke(); drawn = true;
    });
    function finish() { if (drawing && drawn) field.value = canvas.toDataURL("image/png"); drawing = false; }
    canvas.addEventListener("pointerup", finish);
    canvas.addEventListener("pointerleave", finish);
    var clear = document.getElementById("signature-clear");
    if (clear) clear.addEventListener("click", function () {
      ctx.clearRect(0, 0, canvas.width, canvas.height); field.value = ""; drawn = false;
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start); else start();
})();
