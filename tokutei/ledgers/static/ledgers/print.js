// Print buttons on the ledgers' printable pages (CSP: no inline scripts).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-print]");
  if (button) { window.print(); }
});
