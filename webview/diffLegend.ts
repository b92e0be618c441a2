// The diff legend over the graph's top right corner: what each colour means with its count, the nodes of
// the first model that the shown one no longer has (they are not in this graph, so they are listed here),
// the change stops with previous / next buttons (F7 / Shift+F7 do the same), and the numbers: a button
// that runs both models, then how many values part and the first diverging nodes (click to reveal). Model
// strings reach the page only through textContent.
import type { DiffOverlay, DiffPaint } from '../src/core/diff/diffOverlay.js';
import { formatCount } from '../src/core/format.js';
import type { DiffLayout } from '../src/protocol.js';
import { cssColour, diffColours, type DiffKey } from './diffColours.js';
import { iconButton, textButton } from './dom.js';

type Row = { key: DiffKey | 'unchanged'; label: string; title: string };

const rows: Row[] = [
  { key: 'changed', label: 'changed', title: 'Paired with a node of the first model; attributes, inputs, outputs, types or bodies differ. Hover one to see what.' },
  { key: 'inserted', label: 'inserted', title: 'Not in the first model.' },
  { key: 'replaced', label: 'replaced group', title: 'Nodes that stand for nodes of the first model as a unit (a Gemm became six quantized nodes, dequantize nodes in front of a node, a chain computing a former initializer).' },
  { key: 'removed', label: 'removed', title: 'Nodes of the first model the shown one does not have (listed below): removed, folded into initializers, or replaced.' },
  { key: 'unchanged', label: 'unchanged', title: 'Paired and equal: not coloured.' },
];

/** The rows of the first model's legend, side by side: its removed nodes are painted, the second's new ones listed. */
const firstRows: Row[] = [
  { key: 'changed', label: 'changed', title: 'Paired with a node of the second model; attributes, inputs, outputs, types or bodies differ. Hover one to see what.' },
  { key: 'removed', label: 'removed', title: 'Not in the second model: removed, or folded into an initializer.' },
  { key: 'replaced', label: 'replaced group', title: 'Nodes the second model replaced as a unit (a Gemm that became six quantized nodes).' },
  { key: 'inserted', label: 'inserted', title: 'Nodes of the second model this one does not have (listed below): inserted, or replacing nodes of this one.' },
  { key: 'unchanged', label: 'unchanged', title: 'Paired and equal: not coloured.' },
];

const whyText: Record<string, string> = { removed: 'removed', folded: 'folded', replaced: 'replaced', inserted: 'inserted', gained: 'inserted in front of a node', unfolded: 'computes a former initializer' };

export class DiffLegend {
  readonly element: HTMLElement;

  /**
   * `numbers`: run both models (the host paints the heat); `reveal`: select a node of the main graph by
   * index; `toggleLayout`: switch between the overlay and both models side by side.
   */
  constructor(private readonly step: (delta: 1 | -1) => void, private readonly numbers?: () => void, private readonly reveal?: (node: number) => void, private readonly toggleLayout?: () => void) {
    this.element = document.createElement('div');
    this.element.className = 'diff-legend';
    this.element.setAttribute('role', 'region');
    this.element.setAttribute('aria-label', 'Model diff');
    this.element.hidden = true;
  }

  /** `at`: the change stop selected (-1: none yet); `layout`: how the diff is shown now, for the toggle. */
  show(diff: DiffOverlay | null, at = -1, layout: DiffLayout = 'overlay'): void {
    const box = this.element;
    // Stepping redraws the legend: the removed list stays open if the user opened it.
    const wasOpen = box.querySelector('details')?.open === true;
    box.replaceChildren();
    box.hidden = !diff;
    if (!diff) return;
    const head = document.createElement('div');
    head.className = 'diff-head';
    const first = diff.side === 'first';
    head.textContent = first ? `First model, diffed with ${diff.otherName}` : `Diff against ${diff.otherName}`;
    box.append(head);
    if (this.toggleLayout) {
      const sideBySide = layout === 'sideBySide';
      const toggle = iconButton(sideBySide ? 'diff-single' : 'diff-sidebyside', sideBySide ? 'Show the diff over this model only' : 'Show both models side by side', () => this.toggleLayout?.());
      toggle.classList.add('diff-layout');
      toggle.dataset.layout = layout;
      head.append(toggle);
    }
    for (const row of first ? firstRows : rows) {
      const count = diff.counts[row.key as DiffPaint];
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
    const otherOnly = first ? diff.counts.inserted : diff.counts.removed;
    if (diff.removed.length) {
      const details = document.createElement('details');
      details.className = 'diff-removed';
      details.open = wasOpen;
      const summary = document.createElement('summary');
      summary.textContent = `Not in this model (${formatCount(otherOnly)})`;
      details.append(summary);
      const list = document.createElement('ul');
      for (const node of diff.removed) {
        const item = document.createElement('li');
        item.textContent = `${node.op} ${node.name || '(unnamed)'} · ${whyText[node.why] ?? node.why}`;
        list.append(item);
      }
      if (otherOnly > diff.removed.length) {
        const more = document.createElement('li');
        more.textContent = `… ${formatCount(otherOnly - diff.removed.length)} more (see the text summary)`;
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
    if (diff.stopsOnlyInFirst) where.title = first ? `${diff.stopsOnlyInFirst} more only in the second model (inserted), listed above` : `${diff.stopsOnlyInFirst} more only in the first model (removed or folded), listed above`;
    nav.append(where);
    if (n) nav.append(iconButton('arrow-up', 'Previous change (Shift+F7)', () => this.step(-1)), iconButton('arrow-down', 'Next change (F7)', () => this.step(1)));
    box.append(nav);
    this.showNumbers(diff);
  }

  private showNumbers(diff: DiffOverlay): void {
    const section = document.createElement('div');
    section.className = 'diff-numbers';
    const heat = diff.divergence;
    if (!heat) {
      if (!this.numbers) return;
      const run = textButton('Compare numbers', () => this.numbers?.());
      run.title = 'Run both models on the same inputs (the remembered test inputs of the first) and paint where their values part';
      section.append(run);
      this.element.append(section);
      return;
    }
    const line = document.createElement('div');
    line.className = 'diff-numbers-count';
    line.title = `${heat.inputs}; rtol ${heat.tolerance.rtol}, atol ${heat.tolerance.atol}${heat.skipped ? `; ${heat.skipped} pairs not comparable` : ''}${heat.batches > 1 ? `; ${heat.batches} runs per model` : ''}`;
    const swatch = document.createElement('span');
    swatch.className = 'swatch heat';
    line.append(swatch, document.createTextNode(`${formatCount(heat.beyond)} of ${formatCount(heat.compared)} values beyond tolerance`));
    section.append(line);
    if (heat.first.length) {
      const head = document.createElement('div');
      head.textContent = 'Numbers part first at:';
      section.append(head);
      const list = document.createElement('ul');
      list.className = 'diff-first';
      for (const f of heat.first.slice(0, 8)) {
        const item = document.createElement('li');
        if (f.node !== undefined && this.reveal) {
          const link = document.createElement('a');
          link.href = '#';
          link.textContent = f.label;
          link.title = `Reveal ${f.label} (output ${f.value})`;
          const node = f.node;
          link.addEventListener('click', (event) => {
            event.preventDefault();
            this.reveal?.(node);
          });
          item.append(link);
        } else item.textContent = f.label;
        list.append(item);
      }
      if (heat.first.length > 8) {
        const more = document.createElement('li');
        more.textContent = `… ${heat.first.length - 8} more`;
        list.append(more);
      }
      section.append(list);
    }
    this.element.append(section);
  }
}
