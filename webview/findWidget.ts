// The find widget of the toolbar: a text field (Ctrl+F), the count of results, and the list of results
// over the canvas. Typing marks every match on the canvas; Enter and Shift+Enter (or a click in the list)
// jump to the next and previous one, the arrow keys move in the list, Escape clears. Matching itself is
// in find.ts.
import { formatCount } from '../src/core/format.js';
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import { codicon, custom, el } from './dom.js';
import { findInGraph, type FindResult } from './find.js';
import type { GraphCanvas } from './graphView.js';

/** Results listed; the count says how many more there are. */
const LISTED = 200;

export interface FindHost {
  /** The graph shown now. */
  graph(): GraphView | undefined;
  canvas(): Pick<GraphCanvas, 'itemOfNode' | 'setMatches' | 'revealNode' | 'focus'>;
  /** A tensor result was chosen: show it in the panel. */
  showTensor(index: number): void;
}

export class FindWidget {
  /** The field and the count go in the toolbar, the list over the canvas. */
  readonly field: HTMLElement & { value: string };
  readonly count: HTMLElement;
  readonly list: HTMLUListElement;
  private found: FindResult[] = [];
  private index = -1;

  constructor(private readonly host: FindHost) {
    this.field = custom('vscode-text-field', 'find-field') as HTMLElement & { value: string };
    this.field.setAttribute('placeholder', 'Find nodes, operators, tensors');
    this.field.setAttribute('aria-label', 'Find nodes, operators and tensors (Ctrl+F)');
    this.field.setAttribute('size', '28');
    const icon = codicon('search');
    icon.setAttribute('slot', 'start');
    this.field.append(icon);
    this.count = el('span', 'find-count');
    this.count.setAttribute('aria-live', 'polite');
    this.list = el('ul', 'find-results');
    this.list.setAttribute('role', 'listbox');
    this.list.setAttribute('aria-label', 'Find results');
    this.list.hidden = true;
    this.field.addEventListener('input', () => this.run());
    this.field.addEventListener('keydown', (event: KeyboardEvent) => this.onKey(event));
  }

  /** Ctrl+F: into the field, its text selected. */
  focus(): void {
    this.field.focus();
    this.field.shadowRoot?.querySelector('input')?.select();
  }

  clear(): void {
    this.found = [];
    this.index = -1;
    this.list.hidden = true;
    this.count.textContent = '';
    this.host.canvas().setMatches(new Set());
  }

  private run(): void {
    const graph = this.host.graph();
    const query = this.field.value ?? '';
    if (!graph || !query.trim()) {
      this.clear();
      return;
    }
    const { results, total } = findInGraph(graph, query);
    this.found = results;
    this.index = results.length ? 0 : -1;
    this.count.textContent = total ? `${formatCount(total)} found` : 'No results';
    this.host.canvas().setMatches(this.matches());
    this.list.replaceChildren();
    results.slice(0, LISTED).forEach((r, i) => {
      const li = el('li', 'find-result');
      li.setAttribute('role', 'option');
      li.id = `find-${i}`;
      li.append(codicon(r.kind === 'node' ? 'symbol-method' : 'symbol-variable'), el('span', 'label', r.label), el('span', 'detail', r.detail));
      li.addEventListener('click', () => {
        this.index = i;
        void this.jump();
      });
      this.list.append(li);
    });
    if (total > LISTED) this.list.append(el('li', 'muted', `… ${formatCount(total - LISTED)} more; refine the search`));
    this.list.hidden = results.length === 0;
    this.markCurrent();
  }

  /** The canvas items that show a result: the node's box, or the collapsed group around it. */
  private matches(): Set<string> {
    const matches = new Set<string>();
    for (const r of this.found) {
      if (r.node < 0) continue;
      const item = this.host.canvas().itemOfNode(r.node);
      if (item) matches.add(item);
    }
    return matches;
  }

  private markCurrent(): void {
    this.list.querySelectorAll('.find-result').forEach((li, i) => {
      li.setAttribute('aria-selected', String(i === this.index));
      if (i === this.index) li.scrollIntoView({ block: 'nearest' });
    });
    if (this.index >= 0) this.field.setAttribute('aria-activedescendant', `find-${this.index}`);
  }

  /** Shows the current result: reveals its node (opening groups) and marks it. */
  private async jump(): Promise<void> {
    const r = this.found[this.index];
    if (!r) return;
    const canvas = this.host.canvas();
    this.markCurrent();
    if (r.node >= 0) await canvas.revealNode(r.node);
    if (r.kind === 'tensor') this.host.showTensor(r.index);
    if (!this.host.graph()) return;
    // Revealing may have opened groups: the items that show the results are found anew.
    canvas.setMatches(this.matches(), r.node >= 0 ? canvas.itemOfNode(r.node) : undefined);
  }

  private onKey(event: KeyboardEvent): void {
    const n = this.found.length;
    if (event.key === 'Enter') {
      event.preventDefault();
      if (!n) this.run();
      else if (event.shiftKey) this.index = (this.index - 1 + n) % n;
      else if (this.index < 0) this.index = 0;
      void this.jump().then(() => {
        if (!event.shiftKey && this.found.length) this.index = (this.index + 1) % this.found.length;
      });
    } else if (event.key === 'ArrowDown' && n) {
      event.preventDefault();
      this.index = Math.min(n - 1, this.index + 1);
      this.markCurrent();
    } else if (event.key === 'ArrowUp' && n) {
      event.preventDefault();
      this.index = Math.max(0, this.index - 1);
      this.markCurrent();
    } else if (event.key === 'Escape') {
      this.field.value = '';
      this.clear();
      this.host.canvas().focus();
    }
  }
}
