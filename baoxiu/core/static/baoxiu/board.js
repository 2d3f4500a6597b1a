// Live countdowns on the dispatcher board: every [data-due] shows the time left
// (or overdue) and turns red once the deadline has passed. htmx replaces the
// board every 5 s; this keeps the seconds moving in between.
(function () {
  "use strict";
  function pad(n) { return n < 10 ? "0" + n : "" + n; }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("[data-due]").forEach(function (el) {
      var left = Math.round((Date.parse(el.getAttribute("data-due")) - now) / 1000);
      var abs = Math.abs(left);
      var text = Math.floor(abs / 3600) + ":" + pad(Math.floor(abs % 3600 / 60)) + ":" + pad(abs % 60);
      var label = el.getAttribute("data-label") || "";
      var word = el.getAttribute(left >= 0 ? "data-left" : "data-over") || "";
      el.textContent = label + " " + word + " " + text;
      el.classList.toggle("overdue", left < 0);
    });
  }
  tick();
  setInterval(tick, 1000);
})();
