// The print button of a document: shown only where a script runs (Ctrl+P works anyway).
document.querySelectorAll("[data-print]").forEach(function (button) {
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
});
