// DOM helpers of the results view: elements built with textContent only, so model strings stay text.
export type Child = Node | string | undefined | false;

export function el<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: { class?: string; title?: string } = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (attrs.class) node.className = attrs.class;
  if (attrs.title) node.title = attrs.title;
  for (const child of children) {
    if (child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** Wide tables scroll sideways inside a narrow panel instead of squeezing their cells. */
export function table(headers: string[], rows: HTMLTableRowElement[], cls?: string): HTMLDivElement {
  return el('div', { class: 'scroll' }, el('table', { class: cls }, el('thead', {}, el('tr', {}, ...headers.map((h) => el('th', {}, h)))), el('tbody', {}, ...rows)));
}

export function cell(text: string, cls?: string, title?: string): HTMLTableCellElement {
  return el('td', { class: cls, title }, text);
}

export function button(label: string, onClick: () => void, secondary = false): HTMLButtonElement {
  const b = el('button', { class: secondary ? 'secondary' : undefined }, label);
  b.type = 'button';
  b.addEventListener('click', onClick);
  return b;
}
