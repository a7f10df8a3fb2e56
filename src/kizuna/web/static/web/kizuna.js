// Kizuna: small behaviours on top of htmx. No build step.
(function () {
  "use strict";
  function toast(text, kind) {
    var box = document.getElementById("toast");
    if (!box) { return; }
    box.textContent = text;
    box.className = "toast" + (kind ? " " + kind : "");
    box.hidden = false;
    clearTimeout(box._timer);
    box._timer = setTimeout(function () { box.hidden = true; }, 6000);
  }
  window.kizunaToast = toast;
  document.addEventListener("htmx:responseError", function (event) {
    var xhr = event.detail.xhr;
    toast((document.documentElement.lang === "ja" ? "サーバーエラーが発生しました" : "The server could not complete the request") +
      " (HTTP " + xhr.status + ")", "error");
  });
  document.addEventListener("htmx:sendError", function () {
    toast(document.documentElement.lang === "ja" ? "サーバーに接続できません。通信環境を確認してください。" :
      "Cannot reach the server. Check your connection.", "error");
  });
  // Server-sent notices: a view may answer with an HX-Trigger {"kizuna:toast": {"text": ..., "kind": ...}}.
  document.addEventListener("kizuna:toast", function (event) {
    toast(event.detail.text, event.detail.kind);
  });
  // The phone menu button is a <label> for a hidden checkbox: Enter and Space toggle it too.
  document.addEventListener("keydown", function (event) {
    var button = event.target.closest && event.target.closest(".nav-toggle-button");
    if (!button || (event.key !== "Enter" && event.key !== " ")) { return; }
    event.preventDefault();
    var box = document.getElementById(button.htmlFor);
    box.checked = !box.checked;
    button.setAttribute("aria-expanded", String(box.checked));
  });
  document.addEventListener("change", function (event) {
    if (event.target.id !== "nav-toggle") { return; }
    var button = document.querySelector(".nav-toggle-button");
    if (button) { button.setAttribute("aria-expanded", String(event.target.checked)); }
  });
  // Close the user menu when clicking elsewhere.
  document.addEventListener("click", function (event) {
    document.querySelectorAll("details.user-menu[open]").forEach(function (menu) {
      if (!menu.contains(event.target)) { menu.removeAttribute("open"); }
    });
  });
})();
