/** Builds an element: attributes by `setAttribute`, children as nodes or text (never parsed as HTML). */
export function h<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  attrs: Record<string, string | boolean> = {},
  ...children: (Node | string)[]
): HTMLElementTagNameMap[K] {
  const el = doc.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) el.append(typeof child === 'string' ? doc.createTextNode(child) : child);
  return el;
}

/** Shows or hides with the `hidden` attribute (the stylesheet makes `[hidden]` win over `display`). */
export function show(el: HTMLElement, visible: boolean): void {
  if (el.hidden === !visible) return;
  el.hidden = !visible;
}
