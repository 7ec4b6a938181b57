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
