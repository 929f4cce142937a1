// Building the staff pages' DOM from data: elements with their properties and children, text
// always as text (a name from a registration never becomes markup).

/** `tag` with `properties` assigned (`dataset` and `attributes` merged in) and `children` appended. */
export function element(tag, properties = {}, ...children) {
  const { dataset = {}, attributes = {}, ...rest } = properties;
  const node = Object.assign(document.createElement(tag), rest);
  Object.assign(node.dataset, dataset);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  node.append(...children.filter((child) => child !== null && child !== undefined));
  return node;
}

/**
 * Replaces a table body's rows with one row per item (`row(item)` gives its cells), showing
 * `empty` instead of the table when there are none. Keyboard focus on a control that has a
 * `data-focus-key` moves to the control with the same key in the new rows, so a list that
 * refreshes under someone working through it with the keyboard does not lose their place.
 */
export function fillRows(body, empty, items, row) {
  const focused = body.contains(document.activeElement) ? document.activeElement.dataset.focusKey : undefined;
  body.replaceChildren(...items.map((item) => element("tr", {}, ...row(item))));
  body.closest("table").hidden = items.length === 0;
  empty.hidden = items.length !== 0;
  if (focused) body.querySelector(`[data-focus-key="${CSS.escape(focused)}"]`)?.focus();
}

/** A table cell: text, or the nodes given. */
export function cell(...content) {
  return element("td", {}, ...content.map((part) => (part instanceof Node ? part : String(part ?? ""))));
}
