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

/** A statistic (min, max, mean, std): five significant digits, or four in exponent form when very large or small. */
export function formatStat(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  if (value === 0) return '0';
  const abs = Math.abs(value);
  if (abs >= 1e5 || abs < 1e-3) return value.toExponential(3);
  return Number(value.toPrecision(5)).toString();
}

export function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n;
  let u = -1;
  do {
    v /= 1024;
    u++;
  } while (v >= 1024 && u < units.length - 1);
  return `${v.toFixed(v < 10 ? 2 : 1)} ${units[u]} (${formatNumber(n)} bytes)`;
}
