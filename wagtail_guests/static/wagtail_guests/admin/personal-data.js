// The "Print" button of the personal data page (kept out of the HTML for strict CSPs).
document.querySelectorAll("[data-personal-data-print]").forEach((button) => {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
});
