// Names for the widgets Django's admin draws by script without one (axe-core: aria-input-field-name,
// aria-prohibited-attr). Loaded on every admin page by templates/admin/base_site.html, before the widgets'
// own scripts: a MutationObserver names each widget as it appears, whenever it appears (autocomplete
// boxes at start-up and in each added inline row, their drop-downs when opened, filter_horizontal's
// boxes on window load).
'use strict';
(function () {
  // The id of the <label> of a field, given one.
  function labelIdOf(field) {
    const label = field && field.labels && field.labels[0];
    if (!label) return null;
    if (!label.id) label.id = field.id + '_label';
    return label.id;
  }

  // autocomplete_fields: Select2 hides the <select> (which has the label) and puts its own box right after
  // it, a combobox named by its current value only, and an empty one when nothing is chosen.
  function nameSelect2(container) {
    const select = container.previousElementSibling;
    if (!select || select.tagName !== 'SELECT') return;
    const labelId = labelIdOf(select);
    if (!labelId) return;
    const selection = container.querySelector('.select2-selection');
    const rendered = container.querySelector('.select2-selection__rendered');
    if (selection) {
      // The field's name, then its value ("Owner, Thandeka Mbele").
      selection.setAttribute('aria-labelledby', rendered && rendered.id ? `${labelId} ${rendered.id}` : labelId);
    }
    if (rendered && rendered.getAttribute('role') === 'textbox') rendered.setAttribute('aria-labelledby', labelId);
    for (const search of container.querySelectorAll('.select2-search__field')) {
      search.setAttribute('aria-labelledby', labelId);
    }
  }

  // An open drop-down hangs off <body>; its list's id names the <select>: select2-<id>-results.
  function nameDropdown(dropdown) {
    const results = dropdown.querySelector('.select2-results__options[id]');
    const match = results && /^select2-(.+)-results$/.exec(results.id);
    const labelId = match && labelIdOf(document.getElementById(match[1]));
    if (!labelId) return;
    results.setAttribute('aria-labelledby', labelId);
    for (const search of dropdown.querySelectorAll('.select2-search__field')) {
      search.setAttribute('aria-labelledby', labelId);
    }
  }

  function nameAll() {
    document.querySelectorAll('.select2-container').forEach(nameSelect2);
    document.querySelectorAll('.select2-dropdown').forEach(nameDropdown);
    // filter_horizontal: a magnifier icon whose aria-label names the filter box; a plain <span> may not
    // carry one, an image may.
    for (const icon of document.querySelectorAll('span.search-label-icon[aria-label]:not([role])')) {
      icon.setAttribute('role', 'img');
    }
  }

  let pending = false;
  // Only elements added or removed are watched: the attributes set here trigger nothing.
  new MutationObserver(() => {
    if (pending) return;
    pending = true;
    queueMicrotask(() => { pending = false; nameAll(); });
  }).observe(document.documentElement, { childList: true, subtree: true });
  document.addEventListener('DOMContentLoaded', nameAll);
})();
