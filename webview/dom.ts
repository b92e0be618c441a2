// Small DOM helpers. Text always goes in through textContent: model strings are data, never markup.
export function el<K extends keyof HTMLElementTagNameMap>(tag: K, className?: string, text?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

/** A custom element (webview-ui-toolkit) with text. */
export function custom(tag: string, className?: string, text?: string): HTMLElement {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

export function codicon(name: string): HTMLElement {
  const icon = el('span', `codicon codicon-${name}`);
  icon.setAttribute('aria-hidden', 'true');
  return icon;
}

/** An icon button from the toolkit, labelled for screen readers and with a tooltip. */
export function iconButton(icon: string, label: string, onClick: () => void): HTMLElement {
  const button = custom('vscode-button');
  button.setAttribute('appearance', 'icon');
  button.setAttribute('aria-label', label);
  button.title = label;
  button.append(codicon(icon));
  button.addEventListener('click', onClick);
  return button;
}

export function textButton(text: string, onClick: () => void, appearance: 'primary' | 'secondary' = 'secondary'): HTMLElement {
  const button = custom('vscode-button', undefined, text);
  button.setAttribute('appearance', appearance);
  button.addEventListener('click', onClick);
  return button;
}
