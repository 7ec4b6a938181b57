// Behaviour the templates ask for with data attributes, so that no page needs an inline
// handler (the Content-Security-Policy allows scripts from the portal's static files only).
//   <button data-portal-print>        prints the page
//   <select data-portal-autosubmit>   submits its form when the choice changes
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-portal-print]");
  if (button) {
    event.preventDefault();
    window.print();
  }
});
document.addEventListener("change", (event) => {
  const field = event.target.closest("[data-portal-autosubmit]");
  if (field && field.form) {
    field.form.requestSubmit ? field.form.requestSubmit() : field.form.submit();
  }
});

// <p data-portal-scroll-hint="ID">  the hint above a wide table: shown only while the box ID
//                                   is narrower than its table (kept up to date on resize).
function portalScrollHints() {
  document.querySelectorAll("[data-portal-scroll-hint]").forEach((hint) => {
    const box = document.getElementById(hint.dataset.portalScrollHint);
    hint.hidden = !box || box.scrollWidth <= box.clientWidth + 1;
  });
}
// [data-portal-focus]  the first field a refused save marked: scrolled into view (inside its
//                      scrolling grid too) and focused, so the person lands on the cell.
function portalFocusFirstError() {
  const field = document.querySelector("[data-portal-focus]");
  if (field) {
    field.scrollIntoView({ block: "center", inline: "center" });
    field.focus({ preventScroll: true });
  }
}
document.addEventListener("DOMContentLoaded", () => {
  portalScrollHints();
  portalFocusFirstError();
});
window.addEventListener("resize", portalScrollHints);
