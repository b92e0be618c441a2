// The inputs table of the results view: per input its type, declared shape, a number field per free
// axis (assumed sizes marked, with the resolver's reason), what was fed, and where the values come from
// (generated, an inline value, or a file). Edits change a copy of the run's input specification; "Run
// Again" sends it to the host, which checks it and resolves it with the core resolver.
import { formatDims } from '../../src/core/format.js';
import { distributions, formatInlineValue, formatShape, parseInlineValue, parseShape, type Distribution, type InputSpec } from '../../src/core/runtime/inputSpec.js';
import { copySpec, withDimSize, withDistribution, withFiles, withShape, withValue } from '../../src/core/runtime/inputSpecEdit.js';
import type { InputRow } from '../../src/core/runtime/inputTable.js';
import type { FromResultsView, InputsView } from '../../src/protocol.js';
import { button, cell, el, table } from './elements.js';

type Choice = 'generated' | 'value' | 'file';

const distributionLabels: Record<Distribution, string> = {
  normal: 'random normal (mean 0, std 1)',
  uniform: 'random uniform in [0, 1)',
  zeros: 'zeros',
  ones: 'ones',
};

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export class InputsEditor {
  readonly element: HTMLElement;
  private spec: InputSpec;
  private readonly baseline: string;
  /** Per input: what the user chose, and the file that feeds it. */
  private readonly choices = new Map<string, Choice>();
  private readonly files = new Map<string, string>();
  private readonly labels: Record<string, string>;
  /** Field problems by field id; "Run Again" waits until there are none. */
  private readonly errors = new Map<string, string>();
  private readonly rowsByName = new Map<string, HTMLTableRowElement>();
  private readonly pending: HTMLElement;
  private readonly problem: HTMLElement;

  constructor(private readonly view: InputsView, private readonly post: (message: FromResultsView) => void) {
    this.spec = copySpec(view.spec);
    this.baseline = JSON.stringify(this.spec);
    this.labels = { ...view.fileLabels };
    for (const row of view.table.rows) {
      if (row.file) this.files.set(row.name, row.file);
      this.choices.set(row.name, row.file ? 'file' : view.spec.values && row.name in view.spec.values ? 'value' : row.source === 'file' ? 'file' : 'generated');
    }
    this.pending = el('p', { class: 'pending' }, 'Edited: Run Again uses these inputs and remembers them for this model.');
    this.pending.hidden = true;
    this.problem = el('p', { class: 'bad' });
    this.problem.hidden = true;
    this.element = el('section', { class: 'inputs' });
    this.render();
  }

  /** The edited spec, or undefined (with the problems shown) while a field holds something unusable. */
  current(): InputSpec | undefined {
    if (this.errors.size) {
      this.problem.textContent = `Fix the inputs first: ${[...this.errors.values()].join(' ')}`;
      this.problem.hidden = false;
      return undefined;
    }
    return copySpec(this.spec);
  }

  /** The host's answer to a file request for `input`. */
  filePicked(input: string, path: string | undefined, label: string | undefined): void {
    if (path) {
      const previous = this.files.get(input);
      this.spec = withValue(withFiles(this.spec, { remove: this.unshared(input, previous), add: [path] }), input, undefined);
      this.files.set(input, path);
      this.labels[path] = label ?? path;
      this.choices.set(input, 'file');
    }
    this.refreshRow(input);
    this.changed();
  }

  private render(): void {
    const { table: data } = this.view;
    const select = el('select');
    select.setAttribute('aria-label', 'Generated values');
    for (const d of distributions) {
      const option = el('option', {}, distributionLabels[d]);
      option.value = d;
      select.append(option);
    }
    select.value = this.spec.distribution ?? 'normal';
    select.addEventListener('change', () => {
      this.spec = withDistribution(this.spec, select.value as Distribution);
      for (const label of this.element.querySelectorAll('.distribution')) label.textContent = select.value;
      this.changed();
    });
    const bar = el('div', { class: 'inputs-bar' }, el('label', {}, 'Generated values: ', select));
    const shared = data.sharedFiles.filter((f) => this.spec.files?.includes(f));
    if (shared.length) {
      bar.append(el('span', {}, `Files: ${shared.map((f) => this.labels[f] ?? f).join(', ')}`), button('Generate Instead', () => {
        this.spec = withFiles(this.spec, { remove: shared });
        for (const row of data.rows) if (row.source === 'file' && !row.file) this.choices.set(row.name, 'generated');
        this.render();
        this.changed();
      }, true));
    }
    const rows = data.rows.map((row) => this.row(row));
    const assumed = data.assumptions.length
      ? el('p', { class: 'muted' }, `Assumed: ${data.assumptions.map((a) => `${a.subject} = ${a.value} (${a.reason})`).join(' · ')}`)
      : undefined;
    this.element.replaceChildren(
      el('h2', {}, 'Inputs'),
      bar,
      table(['Input', 'Type', 'Declared', 'Size', 'Fed', 'Source'], rows, 'inputs-table'),
      assumed ?? '',
      this.pending,
      this.problem,
    );
  }

  private refreshRow(name: string): void {
    const row = this.view.table.rows.find((r) => r.name === name);
    const old = this.rowsByName.get(name);
    if (row && old) old.replaceWith(this.row(row));
  }

  private row(row: InputRow): HTMLTableRowElement {
    const choice = this.choices.get(row.name) ?? 'generated';
    const tr = el('tr', {},
      cell(row.name, 'code'),
      cell(row.dtype),
      cell(row.declared ? formatDims(row.declared) : 'not declared', 'code'),
      this.sizeCell(row, choice),
      cell(this.fedText(row), 'code'),
      this.sourceCell(row, choice));
    this.rowsByName.set(row.name, tr);
    return tr;
  }

  private fedText(row: InputRow): string {
    if (row.axes.some((a) => a.size === undefined)) return '';
    const shape = formatDims(row.axes.map((a) => a.size ?? null));
    return row.value !== undefined ? `${shape} = ${row.value}` : shape;
  }

  /** A number field per free axis of a generated input; a shape field when the model declares none. */
  private sizeCell(row: InputRow, choice: Choice): HTMLTableCellElement {
    const td = el('td');
    const sizes = el('div', { class: 'sizes' });
    if (choice !== 'generated') {
      td.append(el('span', { class: 'code muted' }, choice === 'value' ? 'from the value' : 'from the file'));
      return td;
    }
    td.append(sizes);
    if (!row.declared) {
      const field = el('input');
      field.type = 'text';
      field.placeholder = '1x3 ([] for a scalar)';
      field.value = this.spec.shapes?.[row.name] ? formatShape(this.spec.shapes[row.name]) : '';
      field.setAttribute('aria-label', `Shape of ${row.name}`);
      const id = `shape:${row.name}`;
      field.addEventListener('input', () => {
        try {
          const text = field.value.trim();
          this.spec = withShape(this.spec, row.name, text ? parseShape(text, row.name) : undefined);
          this.setError(id, field, undefined);
        } catch (error) {
          this.setError(id, field, errorText(error));
        }
      });
      const rank = this.view.table.assumptions.find((a) => a.subject === `rank of ${row.name}`);
      sizes.append(el('span', { class: 'axis' }, field, el('span', { class: 'caption' }, 'shape'),
        rank && !this.spec.shapes?.[row.name] ? el('span', { class: 'assumed', title: rank.reason }, 'assumed: a scalar — set it here') : undefined));
      return td;
    }
    row.axes.forEach((axis, index) => {
      if (axis.key === undefined) {
        sizes.append(el('span', { class: 'axis fixed' }, el('span', { class: 'code' }, String(axis.size ?? axis.declared)), el('span', { class: 'caption' }, 'fixed')));
        return;
      }
      const key = axis.key;
      const field = el('input');
      field.type = 'number';
      field.min = '0';
      field.step = '1';
      const size = this.sizeInSpec(row.name, index, key) ?? axis.size;
      field.value = size === undefined ? '' : String(size);
      field.dataset.key = key;
      field.setAttribute('aria-label', `${row.name} axis ${index} (${key})`);
      const id = `dim:${row.name}:${index}`;
      field.addEventListener('input', () => {
        const text = field.value.trim();
        if (!/^\d+$/.test(text)) {
          this.setError(id, field, `${row.name}[${index}] needs a whole number.`);
          return;
        }
        const size = Number(text);
        this.spec = withDimSize(this.spec, row.name, index, key, size);
        this.setError(id, field, undefined);
        // A symbol sizes every axis that carries it: the other fields follow, and none is assumed any more.
        const shared = !this.spec.shapes?.[row.name];
        for (const other of this.element.querySelectorAll<HTMLElement>('[data-key]')) {
          if (other.dataset.key !== key || (!shared && other.parentElement !== field.parentElement)) continue;
          if (other instanceof HTMLInputElement) other.value = String(size);
          else other.hidden = true;
        }
      });
      const caption = key === `${row.name}[${index}]` ? `axis ${index}` : key;
      const note = axis.assumed ? el('span', { class: 'assumed', title: axis.assumed }, `assumed: ${axis.size ?? '?'} — set it here`) : undefined;
      if (note) note.dataset.key = key;
      // Once the spec gives the size, it is no longer an assumption.
      if (note && this.sizeInSpec(row.name, index, key) !== undefined) note.hidden = true;
      sizes.append(el('span', { class: 'axis' }, field, el('span', { class: 'caption' }, caption), note));
    });
    if (!row.axes.length) sizes.append(el('span', { class: 'code muted' }, 'scalar'));
    return td;
  }

  /** The size the edited spec gives an axis (as the resolver reads it: whole shape, then axis, then symbol). */
  private sizeInSpec(input: string, axis: number, key: string): number | undefined {
    return this.spec.shapes?.[input]?.[axis] ?? this.spec.dims?.[`${input}[${axis}]`] ?? this.spec.dims?.[key];
  }

  private sourceCell(row: InputRow, choice: Choice): HTMLTableCellElement {
    const td = el('td', { class: 'source' });
    const sharedFile = row.source === 'file' && !row.file && !this.files.has(row.name) && choice === 'file';
    const select = el('select');
    select.setAttribute('aria-label', `Values of ${row.name}`);
    for (const [value, label] of [['generated', 'generated'], ['value', 'value'], ['file', 'file…']] as const) {
      const option = el('option', {}, label);
      option.value = value;
      select.append(option);
    }
    select.value = choice;
    select.disabled = sharedFile;
    if (sharedFile) select.title = 'Fed from the files above; Generate Instead to choose per input';
    select.addEventListener('change', () => this.choose(row, select.value as Choice, choice));
    td.append(select);
    if (choice === 'generated') {
      if (row.assumedValue && row.value !== undefined) td.append(' ', el('span', { class: 'assumed', title: row.assumedValue }, `assumed: ${row.value} — set it here`));
      else td.append(' ', el('span', { class: 'muted distribution' }, this.spec.distribution ?? 'normal'));
    } else if (choice === 'value') {
      const field = el('input');
      field.type = 'text';
      field.className = 'value';
      field.placeholder = '16000 or [0.5, 1, 2]';
      const given = this.spec.values?.[row.name];
      field.value = given !== undefined ? formatInlineValue(given) : row.value ?? '';
      field.setAttribute('aria-label', `Value of ${row.name}`);
      const id = `value:${row.name}`;
      const apply = () => {
        const text = field.value.trim();
        if (!text) {
          this.spec = withValue(this.spec, row.name, undefined);
          this.setError(id, field, `${row.name} needs a value.`);
          return;
        }
        try {
          this.spec = withValue(this.spec, row.name, parseInlineValue(text, row.name));
          this.setError(id, field, undefined);
        } catch (error) {
          this.setError(id, field, errorText(error));
        }
      };
      field.addEventListener('input', apply);
      td.append(' ', field);
      apply();
    } else {
      const file = this.files.get(row.name);
      const label = file ? this.labels[file] ?? file : sharedFile ? row.from : '';
      td.append(' ', el('span', { class: 'code' }, label));
      if (!sharedFile) td.append(' ', button('Choose…', () => this.post({ type: 'pickFile', input: row.name }), true));
    }
    return td;
  }

  private choose(row: InputRow, next: Choice, previous: Choice): void {
    if (next === 'file') {
      // The select shows the old choice until a file is picked (or again, when none is).
      this.choices.set(row.name, previous);
      this.post({ type: 'pickFile', input: row.name });
      return;
    }
    const file = this.files.get(row.name);
    if (file) {
      this.spec = withFiles(this.spec, { remove: this.unshared(row.name, file) });
      this.files.delete(row.name);
    }
    if (next === 'generated') {
      this.spec = withValue(this.spec, row.name, undefined);
      this.errors.delete(`value:${row.name}`);
    }
    this.choices.set(row.name, next);
    this.refreshRow(row.name);
    this.changed();
  }

  /** `file` when no other input takes its values from it (an .npz can feed several). */
  private unshared(input: string, file: string | undefined): string[] {
    if (!file) return [];
    return [...this.files.entries()].some(([name, f]) => name !== input && f === file) ? [] : [file];
  }

  private setError(id: string, field: HTMLInputElement, message: string | undefined): void {
    if (message) this.errors.set(id, message);
    else this.errors.delete(id);
    field.classList.toggle('invalid', message !== undefined);
    field.title = message ?? '';
    if (!this.errors.size) this.problem.hidden = true;
    this.changed();
  }

  private changed(): void {
    this.pending.hidden = JSON.stringify(this.spec) === this.baseline;
  }
}
