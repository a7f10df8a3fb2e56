// Record pages: the Timeline / History tabs (WAI-ARIA tabs pattern, arrow keys move between tabs).
(function () {
  "use strict";
  function select(tab) {
    var list = tab.closest('[role="tablist"]');
    list.querySelectorAll('[role="tab"]').forEach(function (t) {
      var selected = t === tab;
      t.setAttribute("aria-selected", selected ? "true" : "false");
      t.tabIndex = selected ? 0 : -1;
      var panel = document.getElementById(t.getAttribute("aria-controls"));
      if (panel) { panel.hidden = !selected; }
    });
  }
  document.addEventListener("click", function (event) {
    var tab = event.target.closest('.tabs [role="tab"]');
    if (tab) { select(tab); }
  });
  document.addEventListener("keydown", function (event) {
    var tab = event.target.closest && event.target.closest('.tabs [role="tab"]');
    if (!tab || (event.key !== "ArrowRight" && event.key !== "ArrowLeft")) { return; }
    var tabs = Array.prototype.slice.call(tab.closest('[role="tablist"]').querySelectorAll('[role="tab"]'));
    var next = tabs[(tabs.indexOf(tab) + (event.key === "ArrowRight" ? 1 : tabs.length - 1)) % tabs.length];
    next.focus();
    next.click();
    event.preventDefault();
  });
  // A refused save (422): move the focus to the first field with an error, so keyboard and
  // screen-reader users land on the message.
  document.addEventListener("htmx:afterSettle", function (event) {
    var xhr = event.detail.xhr;
    if (!xhr || xhr.status !== 422) { return; }
    var field = document.querySelector(
      "#profile-panel .has-error :is(input, select, textarea), .quick-form .has-error :is(input, select, textarea)");
    if (field) { field.focus(); }
  });
})();
