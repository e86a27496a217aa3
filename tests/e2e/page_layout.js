// What tests/e2e/test_every_page.py asserts of a page's layout and labels: returns a list of problems.
(() => {
  const view = document.documentElement.clientWidth;
  const visible = (el) => { const s = getComputedStyle(el); const r = el.getBoundingClientRect();
    return s.display !== 'none' && s.visibility !== 'hidden' && r.width > 0 && r.height > 0; };
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '')
    + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : '');
  const scroller = (el) => { for (let p = el.parentElement; p && p !== document.body; p = p.parentElement) {
      const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll') return p; } return null; };
  // A deliberate scroll container is visibly one: a named region a keyboard can reach, with a visible edge.
  const visiblyScrolls = (box) => { const s = getComputedStyle(box);
    const named = box.getAttribute('aria-label') || box.getAttribute('aria-labelledby');
    const edged = (s.borderLeftStyle !== 'none' && parseFloat(s.borderLeftWidth) > 0)
      || (s.borderRightStyle !== 'none' && parseFloat(s.borderRightWidth) > 0) || s.boxShadow !== 'none';
    return Boolean(named) && box.tabIndex >= 0 && edged; };
  const problems = [];
  if (document.documentElement.scrollWidth > view)
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth}px in ${view}px`);
  for (const el of document.body.querySelectorAll('*')) {
    if (!visible(el)) continue;
    const r = el.getBoundingClientRect();
    if (r.right > view + 1 && !scroller(el)) problems.push(`${describe(el)} reaches ${Math.round(r.right)}px of ${view}px`);
  }
  for (const table of document.querySelectorAll('table')) {
    if (!visible(table)) continue;
    const box = table.parentElement;
    const box_ = scroller(table);
    const clipped = table.scrollWidth > table.clientWidth + 1 || table.getBoundingClientRect().width > box.clientWidth + 1;
    if (clipped && !(box_ && visiblyScrolls(box_)))
      problems.push(`table ${describe(table)} is clipped: ${table.scrollWidth}px in ${box.clientWidth}px`
        + (box_ ? ' (its scroll container is not visibly one)' : ''));
  }
  for (const input of document.querySelectorAll('input[type=radio], input[type=checkbox]')) {
    if (!visible(input)) continue;
    const label = input.closest('label') || input.labels[0];
    const r = input.getBoundingClientRect();
    if (r.width > 48) problems.push(`${input.type} ${input.name} is ${Math.round(r.width)}px wide`);
    if (label) { const l = label.getBoundingClientRect();
      const lineHeight = parseFloat(getComputedStyle(label).lineHeight) || 24;
      const centre = r.top + r.height / 2;
      if (centre < l.top - 2 || centre > l.top + Math.max(lineHeight, r.height) + 2)
        problems.push(`${input.type} ${input.name} sits off its label's first line`); }
  }
  for (const field of document.querySelectorAll('input, select, textarea')) {
    if (['hidden', 'submit', 'button', 'reset', 'image'].includes(field.type) || !visible(field)) continue;
    const named = field.labels.length || field.getAttribute('aria-label') || field.getAttribute('aria-labelledby')
      || field.getAttribute('title');
    if (!named) problems.push(`${describe(field)} name=${field.name} has no label`);
  }
  return problems;
})
