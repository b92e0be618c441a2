// The diff legend over the graph's top right corner: what each colour means with its count, the nodes of
// the first model that the shown one no longer has (they are not in this graph, so they are listed here),
// and the change stops with previous / next buttons (F7 / Shift+F7 do the same). Model strings reach the
// page only through textContent.
import type { DiffOverlay, DiffPaint } from '../src/core/diff/diffOverlay.js';
import { formatCount } from '../src/core/format.js';
import { cssColour, diffColours, type DiffKey } from './diffColours.js';
import { iconButton } from './dom.js';

const rows: Array<{ key: DiffKey | 'unchanged'; label: string; title: string }> = [
  { key: 'changed', label: 'changed', title: 'Paired with a node of the first model; attributes, inputs, outputs, types or bodies differ. Hover one to see what.' },
  { key: 'inserted', label: 'inserted', title: 'Not in the first model.' },
  { key: 'replaced', label: 'replaced group', title: 'Nodes that stand for nodes of the first model as a unit (a Gemm became six quantized nodes, dequantize nodes in front of a node, a chain computing a former initializer).' },
  { key: 'removed', label: 'removed', title: 'Nodes of the first model the shown one does not have (listed below): removed, folded into initializers, or replaced.' },
  { key: 'unchanged', label: 'unchanged', title: 'Paired and equal: not coloured.' },
];

const whyText: Record<string, string> = { removed: 'removed', folded: 'folded', replaced: 'replaced' };

export class DiffLegend {
  readonly element: HTMLElement;

  constructor(private readonly step: (delta: 1 | -1) => void) {
    this.element = document.createElement('div');
    this.element.className = 'diff-legend';
    this.element.setAttribute('role', 'region');
    this.element.setAttribute('aria-label', 'Model diff');
    this.element.hidden = true;
  }

  /** `at`: the change stop selected (-1: none yet). */
  show(diff: DiffOverlay | null, at = -1): void {
    const box = this.element;
    // Stepping redraws the legend: the removed list stays open if the user opened it.
    const wasOpen = box.querySelector('details')?.open === true;
    box.replaceChildren();
    box.hidden = !diff;
    if (!diff) return;
    const head = document.createElement('div');
    head.className = 'diff-head';
    head.textContent = `Diff against ${diff.otherName}`;
    box.append(head);
    for (const row of rows) {
      const count = row.key === 'removed' ? diff.counts.removed : diff.counts[row.key as DiffPaint];
      const line = document.createElement('div');
      line.className = 'diff-row';
      line.dataset.status = row.key;
      line.title = row.title;
      const swatch = document.createElement('span');
      swatch.className = 'swatch';
      if (row.key !== 'unchanged') {
        const c = diffColours[row.key];
        swatch.style.background = cssColour(c.fill, c.fillFallback);
        swatch.style.borderLeft = `4px solid ${cssColour(c.stripe, c.stripeFallback)}`;
      }
      const number = document.createElement('span');
      number.className = 'count';
      number.textContent = formatCount(count);
      line.append(swatch, number, document.createTextNode(` ${row.label}`));
      box.append(line);
    }
    if (diff.removed.length) {
      const details = document.createElement('details');
      details.className = 'diff-removed';
      details.open = wasOpen;
      const summary = document.createElement('summary');
      summary.textContent = `Not in this model (${formatCount(diff.counts.removed)})`;
      details.append(summary);
      const list = document.createElement('ul');
      for (const node of diff.removed) {
        const item = document.createElement('li');
        item.textContent = `${node.op} ${node.name || '(unnamed)'} · ${whyText[node.why] ?? node.why}`;
        list.append(item);
      }
      if (diff.counts.removed > diff.removed.length) {
        const more = document.createElement('li');
        more.textContent = `… ${formatCount(diff.counts.removed - diff.removed.length)} more (see the text summary)`;
        list.append(more);
      }
      details.append(list);
      box.append(details);
    }
    const nav = document.createElement('div');
    nav.className = 'diff-nav';
    const where = document.createElement('span');
    where.className = 'diff-stop';
    const n = diff.stops.length;
    where.textContent = n === 0 ? 'No changes in this graph' : at >= 0 ? `Change ${at + 1} of ${n}` : `${formatCount(n)} change${n === 1 ? '' : 's'}`;
    if (diff.stopsOnlyInFirst) where.title = `${diff.stopsOnlyInFirst} more only in the first model (removed or folded), listed above`;
    nav.append(where);
    if (n) nav.append(iconButton('arrow-up', 'Previous change (Shift+F7)', () => this.step(-1)), iconButton('arrow-down', 'Next change (F7)', () => this.step(1)));
    box.append(nav);
  }
}
