// Kizuna: refresh SLA timers every minute between page loads. The server renders the first text;
// texts come from the page (#sla-formats) so they stay in the user's language.
(function () {
  "use strict";
  var SOON = 4 * 3600 * 1000;
  function fill(text, values) {
    return text.replace(/%\((\w+)\)[ds]/g, function (_, key) { return values[key]; });
  }
  function duration(ms, f) {
    var mins = Math.max(0, Math.floor(ms / 60000));
    var d = Math.floor(mins / 1440), h = Math.floor((mins % 1440) / 60), m = mins % 60;
    if (d) { return fill(f.dh, { days: d, hours: h }); }
    if (h) { return fill(f.hm, { hours: h, minutes: m }); }
    return fill(f.m, { minutes: m });
  }
  function update() {
    var source = document.getElementById("sla-formats");
    if (!source) { return; }
    var f = JSON.parse(source.textContent), now = Date.now();
    document.querySelectorAll("[data-sla-due]").forEach(function (el) {
      var left = Date.parse(el.getAttribute("data-sla-due")) - now;
      if (isNaN(left)) { return; }
      var state = left <= 0 ? "breached" : (left < SOON ? "soon" : "ok");
      el.textContent = left <= 0 ? fill(f.over, { duration: duration(-left, f) }) : fill(f.left, { duration: duration(left, f) });
      el.classList.toggle("danger", state === "breached");
      el.classList.toggle("warning", state === "soon");
      el.setAttribute("data-state", state);
    });
  }
  setInterval(update, 60000);
})();
