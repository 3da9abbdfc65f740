// Idle automatic logoff on the client (002 §33): the server enforces it too; this makes the screen
// leave personal data as soon as the limit passes, even without a click.
(function () {
  "use strict";
  var body = document.body;
  var limit = parseInt(body.getAttribute("data-idle-logoff") || "0", 10);
  if (!limit) { return; }
  var logoutUrl = body.getAttribute("data-logout-url");
  var last = Date.now();
  ["mousemove", "keydown", "click", "scroll", "touchstart"].forEach(function (name) {
    document.addEventListener(name, function () { last = Date.now(); }, { passive: true });
  });
  setInterval(function () {
    if (Date.now() - last > limit * 1000) {
      window.location.assign("/login/?idle=1&next=" + encodeURIComponent(window.location.pathname));
    }
  }, 1000);
  // Send the CSRF token with HTMX requests.
  document.addEventListener("htmx:configRequest", function (evt) {
    var m = document.cookie.match(/csrftoken=([^;]+)/);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    var token = input ? input.value : (m ? m[1] : "");
    if (token) { evt.detail.headers["X-CSRFToken"] = token; }
  });
  // A print button (the CSP allows no inline handlers).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  void logoutUrl;
})();
