// WebAuthn (生体認証) registration and sign-in with the vendored @simplewebauthn/browser (no CDN).
(function () {
  "use strict";
  var lib = window.SimpleWebAuthnBrowser;
  var status = document.getElementById("webauthn-status");
  function token() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }
  function say(text) { if (status) { status.textContent = text; } }
  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token() },
      body: body ? JSON.stringify(body) : "{}"
    }).then(function (r) {
      return r.json().then(function (data) {
        if (!r.ok) { throw new Error(data.error || "エラーが発生しました。"); }
        return data;
      });
    });
  }
  function wire(id, start) {
    var button = document.getElementById(id);
    if (!button || !lib) { return; }
    if (!lib.browserSupportsWebAuthn()) {
      say("このブラウザは生体認証（WebAuthn）に対応していません。");
      button.disabled = true;
      return;
    }
    button.addEventListener("click", function () {
      button.disabled = true;
      say("端末の指示に従って本人確認をしてください…");
      post(button.getAttribute("data-options-url"))
        .then(function (options) { return start({ optionsJSON: options }); })
        .then(function (response) { return post(button.getAttribute("data-verify-url"), response); })
        .then(function (data) { say("確認できました。"); window.location.assign(data.next || "/"); })
        .catch(function (err) { say(err && err.message ? err.message : "確認できませんでした。"); button.disabled = false; });
    });
  }
  if (lib) {
    wire("webauthn-register", lib.startRegistration);
    wire("webauthn-sign-in", lib.startAuthentication);
  }
})();
