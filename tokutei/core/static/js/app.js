// Idle automatic logoff on the client (002 §33): the server enforces it too; this makes the screen
// leave personal data as soon as the limit passes, even without a click.
(function () {
  "use strict";
  var body = document.body;
  var limit = parseInt(body.getAttribute("data-idle-logoff") || "0", 10);
  if (!limit) { return; }
  var logoutUrl = body.getAttribute("data-logout-url");
  var keepAliveUrl = body.getAttribute("data-keep-alive-url");
  // The server counts a request as activity, not a key pressed in a form: the limit runs from the page's
  // last request. A minute before it, a warning offers to go on (one request), so a half-typed form is
  // not lost; without an answer the page leaves the personal data when the limit passes.
  var WARN_BEFORE = 60;
  var lastRequest = Date.now();
  var warning = document.getElementById("idle-warning");
  var remaining = warning ? warning.querySelector("[data-idle-remaining]") : null;
  function csrfToken() {
    var m = document.cookie.match(/csrftoken=([^;]+)/);
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : (m ? m[1] : "");
  }
  function keepAlive() {
    if (!keepAliveUrl) { return; }
    fetch(keepAliveUrl, { method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": csrfToken() } })
      .then(function (r) { if (r.ok) { lastRequest = Date.now(); if (warning) { warning.hidden = true; } } });
  }
  if (warning) {
    warning.querySelector("[data-idle-continue]").addEventListener("click", keepAlive);
  }
  document.addEventListener("htmx:afterRequest", function () { lastRequest = Date.now(); });
  setInterval(function () {
    var left = limit - Math.floor((Date.now() - lastRequest) / 1000);
    if (left <= 0) {
      window.location.assign("/login/?idle=1&next=" + encodeURIComponent(window.location.pathname));
      return;
    }
    if (warning) {
      warning.hidden = left > WARN_BEFORE;
      if (remaining) { remaining.textContent = String(left); }
    }
  }, 1000);
  // Send the CSRF token with HTMX requests.
  document.addEventListener("htmx:configRequest", function (evt) {
    var token = csrfToken();
    if (token) { evt.detail.headers["X-CSRFToken"] = token; }
  });
  // A print button (the CSP allows no inline handlers).
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  void logoutUrl;
})();

// Irreversible actions (issue 18): a form with data-confirm="…" is sent only after a confirmation that
// spells out the consequence (the dialog in base.html); the button pressed is sent as it was pressed.
(function () {
  "use strict";
  var dialog = document.getElementById("confirm-dialog");
  if (!dialog || typeof dialog.showModal !== "function") { return; }
  var text = dialog.querySelector("[data-confirm-text]");
  var pending = null;
  document.addEventListener("submit", function (evt) {
    var form = evt.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-confirm")) { return; }
    if (form.getAttribute("data-confirmed") === "1") { form.removeAttribute("data-confirmed"); return; }
    evt.preventDefault();
    pending = { form: form, submitter: evt.submitter || null };
    text.textContent = form.getAttribute("data-confirm");
    dialog.showModal();
  }, true);
  dialog.querySelector("[data-confirm-yes]").addEventListener("click", function () {
    dialog.close();
    if (!pending) { return; }
    var p = pending;
    pending = null;
    p.form.setAttribute("data-confirmed", "1");
    if (p.submitter && typeof p.form.requestSubmit === "function") { p.form.requestSubmit(p.submitter); }
    else { p.form.requestSubmit(); }
  });
  dialog.querySelector("[data-confirm-no]").addEventListener("click", function () { pending = null; dialog.close(); });
})();

// 本人確認 at intake (issue 18 item 3): only the chosen route's documents are shown. The page is rendered with
// every group, each marked data-routes="route …"; without JavaScript all stay visible and the server checks
// that a document ticked belongs to the route. A box hidden is unticked, so it is not sent.
(function () {
  "use strict";
  function apply(form) {
    var chosen = form.querySelector("input[name=route]:checked");
    if (!chosen) { return; }
    form.querySelectorAll("[data-routes]").forEach(function (el) {
      var show = el.getAttribute("data-routes").split(" ").indexOf(chosen.value) >= 0;
      el.hidden = !show;
      if (!show) {
        el.querySelectorAll("input[type=checkbox]").forEach(function (box) { box.checked = false; });
      }
    });
  }
  document.querySelectorAll("form[data-route-choice]").forEach(function (form) {
    apply(form);
    form.addEventListener("change", function (evt) {
      if (evt.target instanceof HTMLInputElement && evt.target.name === "route") { apply(form); }
    });
  });
})();
