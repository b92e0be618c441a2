// The model editor's page. Every string from the model goes in through textContent, never innerHTML.
import type { HostMessage, WebviewMessage } from '../src/protocol.js';
import type { ModelSummary } from '../src/core/model/summary.js';

interface VsCodeApi {
  postMessage(message: WebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function dims(shape: Array<number | string | null> | null): string {
  return shape ? `[${shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]` : '';
}

function renderSummary(fileName: string, s: ModelSummary): void {
  const root = el('section', undefined, 'summary');
  root.append(el('h1', fileName));
  const table = el('table');
  const row = (k: string, v: string) => {
    const tr = el('tr');
    tr.append(el('th', k), el('td', v));
    table.append(tr);
  };
  row('IR version', String(s.irVersion));
  row('Producer', [s.producer, s.producerVersion].filter(Boolean).join(' ') || '—');
  row('Opsets', Object.entries(s.opsets).map(([d, v]) => `${d} ${v}`).join(', '));
  row('Nodes', `${s.nodes.top} top-level, ${s.nodes.total} in all`);
  row('Initializers', `${s.initializers.count} (${s.initializers.bytes} bytes)`);
  for (const input of s.inputs) row('Input', `${input.name}: ${input.type}${dims(input.shape)}`);
  for (const output of s.outputs) row('Output', `${output.name}: ${output.type}${dims(output.shape)}`);
  root.append(table);
  app.replaceChildren(root);
}

window.addEventListener('message', (event: MessageEvent<HostMessage>) => {
  const message = event.data;
  if (message.type === 'model') renderSummary(message.fileName, message.summary);
  else if (message.type === 'error') {
    const box = el('div', undefined, 'error');
    box.setAttribute('role', 'alert');
    box.append(el('h1', message.fileName), el('p', message.message));
    app.replaceChildren(box);
  }
});

vscode.postMessage({ type: 'ready' });
