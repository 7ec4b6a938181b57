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

// Rows of a Django formset added and removed in the page (the meeting record's people and
// agenda), instead of blank rows that only a save brings:
//   <tbody data-portal-formset-rows="P">        the rows of the formset with prefix P
//   <template data-portal-formset-template="P"> its empty form, fields named P-__prefix__-…
//   <button data-portal-formset-add="P">        appends a row and counts it in P-TOTAL_FORMS
//   [data-portal-formset-row]                   a row; in it [data-portal-formset-delete]
//                                               holds the DELETE box, which the row's
//                                               [data-portal-formset-remove] button ticks
//                                               before hiding the row (a new row is saved
//                                               as nothing, an existing one is deleted).
function portalFormsetRow(row) {
  const box = row.querySelector("[data-portal-formset-delete]");
  const remove = row.querySelector("[data-portal-formset-remove]");
  if (box && remove) {
    box.classList.add("d-none");
    remove.classList.remove("d-none");
  }
}
function portalFormsets() {
  document.querySelectorAll("[data-portal-formset-row]").forEach(portalFormsetRow);
  document.querySelectorAll("[data-portal-formset-add]").forEach((button) => {
    button.classList.remove("d-none");
  });
}
document.addEventListener("click", (event) => {
  const add = event.target.closest("[data-portal-formset-add]");
  if (add) {
    const prefix = add.dataset.portalFormsetAdd;
    const total = document.getElementById(`id_${prefix}-TOTAL_FORMS`);
    const template = document.querySelector(`[data-portal-formset-template="${prefix}"]`);
    const rows = document.querySelector(`[data-portal-formset-rows="${prefix}"]`);
    if (!total || !template || !rows) return;
    const index = Number(total.value);
    const html = template.innerHTML.replaceAll("__prefix__", String(index));
    rows.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    const row = rows.lastElementChild;
    portalFormsetRow(row);
    const first = row.querySelector("input:not([type=hidden]), select, textarea");
    if (first) first.focus();
    return;
  }
  const remove = event.target.closest("[data-portal-formset-remove]");
  if (remove) {
    const row = remove.closest("[data-portal-formset-row]");
    const box = row && row.querySelector('input[type="checkbox"][name$="-DELETE"]');
    if (!box) return;
    box.checked = true;
    row.hidden = true;
    const next = row.parentElement.querySelector("[data-portal-formset-row]:not([hidden]) [data-portal-formset-remove]");
    const add = row.closest("section, form").querySelector("[data-portal-formset-add]");
    (next || add || document.body).focus();
  }
});
document.addEventListener("DOMContentLoaded", portalFormsets);
