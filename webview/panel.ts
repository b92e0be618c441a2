// The side panel: model properties, the selected node (attributes, inputs, outputs), the selected
// tensor (storage, statistics, histogram, values page by page). Details come from the host on demand.
import type { GraphEntry, GraphView, ModelView, NodeDetail, PortView, TensorDetail, TensorRef } from '../src/core/graph/viewModelTypes.js';
import type { EditAction, EditTarget, ProblemsSummary, RuntimeOverlay } from '../src/protocol.js';
import { isControl, nodeOrigin } from '../src/core/graph/controlFlow.js';
import { formatBytes, formatCount, formatDims, formatNumber } from '../src/core/format.js';
import { indexText, nodeCountText, weightsText } from './counts.js';
import type { DiffOverlay } from '../src/core/diff/diffOverlay.js';
import { diffDetails } from './diffDetails.js';
import { codicon, custom, el, iconButton, textButton } from './dom.js';
import { shapeRows } from './shapeRows.js';
import { nodeModulePath } from '../src/core/source/modulePath.js';
import { parseStackTrace, STACK_TRACE_KEY, type SourceFrame } from '../src/core/source/stackTrace.js';

export interface PanelHost {
  requestNode(graph: string, node: number): Promise<NodeDetail>;
  requestTensor(ref: TensorRef, offset: number, count: number): Promise<TensorDetail>;
  openGraph(id: string): void;
  revealNode(index: number): void;
  selectValue(index: number): void;
  /** Opens VS Code's Problems panel. */
  showProblems(): void;
  /** Runs ONNX: Fix Model Problems... on this model. */
  fixProblems(): void;
  /** Shows an If/Loop/Scan node's bodies in place in the graph, or closes them. */
  toggleInline(index: number): void;
  /** Opens a stack frame's file at its line beside the graph; says when the file is not here. */
  openSource(file: string, line: number): Promise<{ opened: boolean; message?: string }>;
  /** Runs one of the model edits (the host asks for the new value). */
  edit(action: EditAction, target: EditTarget): void;
}

const PAGE = 100;

function dimsText(shape: Array<number | string | null> | undefined): string {
  return shape ? formatDims(shape) : '(shape unknown)';
}

/**
 * A port's type as the node table shows it: the shape, and where only inference knows it, says so and what
 * the file declares; where inference disagrees with the file, what it gives.
 */
function portShape(p: PortView, inferenceRan: boolean): string {
  if (!p.type) return inferenceRan ? 'type unknown (not declared, not inferred)' : 'type unknown (no value_info)';
  const shown = `${p.type}${dimsText(p.shape)}`;
  if (p.inferred) return `${shown} · inferred (declared: ${p.declared === undefined ? 'none' : p.declared === null ? 'rank unknown' : formatDims(p.declared)})`;
  if (p.inference !== undefined) return `${shown} · inferred: ${p.inference === null ? 'rank unknown' : formatDims(p.inference)}`;
  return shown;
}

export class SidePanel {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private model?: ModelView;
  private overlay: RuntimeOverlay | null = null;
  private diff: DiffOverlay | null = null;
  private problems?: ProblemsSummary;
  /** The model table's Problems cell, while the model is shown. */
  private readonly problemsCell = el('div', 'problems');
  private token = 0;

  constructor(private readonly host: PanelHost) {
    this.element = el('aside', 'panel');
    this.element.setAttribute('aria-label', 'Properties');
    this.body = el('div', 'panel-body');
    this.element.append(this.body);
  }

  setOverlay(overlay: RuntimeOverlay | null): void {
    this.overlay = overlay;
  }

  /** A model diff over the main graph: a selected node of it shows its diff status and, after Compare numbers, its numbers. */
  setDiff(diff: DiffOverlay | null): void {
    this.diff = diff;
  }

  /** What the model checker found: a count that opens the Problems panel, and a fix button when one applies. */
  setProblems(summary: ProblemsSummary | undefined): void {
    this.problems = summary;
    const cell = this.problemsCell;
    cell.replaceChildren();
    if (!summary || summary.state === 'checking') {
      cell.append(el('span', 'muted', 'Checking…'));
      return;
    }
    if (summary.state === 'failed') {
      cell.append(el('span', 'muted', `Not checked: ${summary.message ?? 'the checker failed'}`));
      return;
    }
    const parts = ([[summary.errors, 'error'], [summary.warnings, 'warning'], [summary.infos, 'info']] as const)
      .filter(([n]) => n > 0)
      .map(([n, word]) => `${formatCount(n)} ${word}${n === 1 || word === 'info' ? '' : 's'}`);
    if (!parts.length) {
      cell.append(codicon('pass'), document.createTextNode(' No problems found'));
      return;
    }
    cell.append(codicon(summary.errors ? 'error' : summary.warnings ? 'warning' : 'info'), document.createTextNode(` ${parts.join(', ')} — `));
    cell.append(this.link('see Problems', 'Show the problems in the Problems panel', () => this.host.showProblems()));
    if (summary.fixable) cell.append(textButton('Fix Model Problems…', () => this.host.fixProblems()));
  }

  /** The selected main-graph node's diff status, what changed and (after Compare numbers) its numbers per output. */
  private showDiff(index: number, outputs: string[]): void {
    const details = this.diff && diffDetails(this.diff, index, outputs);
    if (!details) return;
    const section = this.section('Diff', 'diff');
    section.classList.add('diff-details');
    this.table(section, [['Status', details.status], ...details.notes.map((line): [string, string] => ['', line])]);
    if (!details.numbers) return;
    if (!details.numbers.length) section.append(el('p', 'muted', 'Numbers not compared (no paired output).'));
    for (const output of details.numbers) {
      const table = this.table(section, [['Output', output.value], ...output.rows]);
      table.classList.add('diff-numbers');
    }
  }

  private section(title: string, icon?: string): HTMLElement {
    const section = el('section', 'panel-section');
    const heading = el('h2');
    if (icon) heading.append(codicon(icon));
    heading.append(document.createTextNode(title));
    section.append(heading);
    this.body.append(section);
    return section;
  }

  private table(parent: HTMLElement, rows: Array<[string, string | Node]>, className = 'props'): HTMLTableElement {
    const table = el('table', className);
    for (const [key, value] of rows) {
      const tr = el('tr');
      const th = el('th', undefined, key);
      th.scope = 'row';
      const td = el('td');
      if (typeof value === 'string') td.textContent = value;
      else td.append(value);
      tr.append(th, td);
      table.append(tr);
    }
    parent.append(table);
    return table;
  }

  private link(text: string, label: string, onClick: () => void): HTMLElement {
    const a = custom('vscode-link', undefined, text);
    a.setAttribute('role', 'button');
    a.setAttribute('aria-label', label);
    a.tabIndex = 0;
    a.addEventListener('click', (event) => {
      event.preventDefault();
      onClick();
    });
    a.addEventListener('keydown', (event) => {
      if ((event as KeyboardEvent).key === 'Enter') onClick();
    });
    return a;
  }

  /** A small pencil (or other icon) button that asks the host for an edit. */
  private editButton(action: EditAction, target: EditTarget, label: string, icon = 'edit'): HTMLElement {
    const button = iconButton(icon, label, () => this.host.edit(action, target));
    button.classList.add('edit-button');
    return button;
  }

  /** A table cell: text followed by edit buttons. */
  private withEdits(text: string, ...buttons: HTMLElement[]): HTMLElement {
    const cell = el('span', 'editable');
    cell.append(el('span', undefined, text), ...buttons);
    return cell;
  }

  showModel(model: ModelView, current: GraphView): void {
    this.token++;
    this.model = model;
    this.body.replaceChildren();
    const s = model.summary;
    const section = this.section('Model', 'symbol-structure');
    section.classList.add('model');
    const opsets = Object.entries(s.opsets).map(([d, v]) => `${d} ${v}`).join(', ');
    this.table(section, [
      ['File', model.fileName],
      ['IR version', String(s.irVersion)],
      ['Producer', this.withEdits([s.producer, s.producerVersion].filter(Boolean).join(' ') || '—', this.editButton('editMetadata', { metadataKey: '@producer' }, 'Edit producer'))],
      ...(s.domain ? [['Domain', s.domain] as [string, string]] : []),
      ['Version', this.withEdits(String(s.modelVersion ?? 0), this.editButton('editMetadata', { metadataKey: '@version' }, 'Edit model version'))],
      ['Opsets', opsets || '—'],
      ['Graph', s.graphName || '—'],
      ['Nodes', nodeCountText(model)],
      ['Weights', weightsText(model)],
      ['Problems', this.problemsCell],
    ]);
    this.setProblems(this.problems);
    const doc = el('p', 'doc', s.docString || '');
    if (!s.docString) doc.append(el('span', 'muted', 'No doc string'));
    doc.append(this.editButton('editMetadata', { metadataKey: '@doc' }, 'Edit doc string'));
    section.append(doc);
    const metadata = Object.entries(s.metadata);
    const meta = this.section('Metadata', 'tag');
    meta.classList.add('metadata');
    if (metadata.length) this.table(meta, metadata.map(([key, value]) => [key, this.withEdits(value, this.editButton('editMetadata', { metadataKey: key }, `Edit metadata ${key}`))]));
    meta.append(textButton('Add Metadata…', () => this.host.edit('editMetadata', { metadataKey: '@new' })));
    const signature = this.section('Inputs and outputs', 'arrow-swap');
    signature.classList.add('signature');
    const rows: Array<[string, string | Node]> = [];
    const row = (what: 'input' | 'output', v: { name: string; type: string; shape?: Array<number | string | null> | null }) => {
      const buttons = [
        this.editButton('renameValue', { graph: '', value: v.name }, `Rename ${what} ${v.name}`),
        this.editButton('setShape', { graph: '', value: v.name }, `Set shape of ${what} ${v.name}`, 'symbol-ruler'),
      ];
      if (what === 'input') buttons.push(this.editButton('inputType', { graph: '', value: v.name }, `Change type of input ${v.name}`, 'symbol-enum'));
      else buttons.push(this.editButton('removeOutput', { graph: '', value: v.name }, `Remove output ${v.name}`, 'trash'));
      rows.push([what === 'input' ? 'Input' : 'Output', this.withEdits(`${v.name}: ${v.type}${dimsText(v.shape ?? undefined)}`, ...buttons)]);
    };
    for (const input of s.inputs) row('input', input);
    for (const output of s.outputs) row('output', output);
    this.table(signature, rows);
    signature.append(textButton('Batch Dimension…', () => this.host.edit('batchDim', {})));
    const others = model.graphs.filter((g) => g.id !== '');
    if (others.length) {
      const graphs = this.section(`Subgraphs and functions (${others.length})`, 'type-hierarchy');
      const list = el('ul', 'graph-list');
      for (const entry of others.slice(0, 500)) list.append(this.graphItem(entry));
      if (others.length > 500) list.append(el('li', 'muted', `… ${others.length - 500} more`));
      graphs.append(list);
    }
    const ops = Object.entries(s.ops).sort((a, b) => b[1] - a[1]);
    if (ops.length) {
      const opsSection = this.section('Operators', 'symbol-method');
      this.table(opsSection, ops.slice(0, 40).map(([op, n]) => [op, formatCount(n)]), 'props ops');
      if (ops.length > 40) opsSection.append(el('p', 'muted', `… ${ops.length - 40} more operator types`));
    }
    if (current.id !== '') {
      const here = this.section('This graph', 'circuit-board');
      this.table(here, [
        ['Graph', current.title],
        ['Kind', current.kind],
        ['Nodes', formatCount(current.nodes.filter((n) => !n.hidden).length)],
        ['Inputs', current.inputs.map((v) => current.values[v].name).join(', ') || '—'],
        ['Outputs', current.outputs.map((v) => current.values[v].name).join(', ') || '—'],
      ]);
    }
  }

  private graphItem(entry: GraphEntry): HTMLElement {
    const li = el('li');
    li.append(codicon(entry.kind === 'function' ? 'symbol-function' : 'type-hierarchy-sub'));
    const link = this.link(entry.title, `Open ${entry.kind} ${entry.fullTitle}`, () => this.host.openGraph(entry.id));
    if (entry.fullTitle !== entry.title) link.title = entry.fullTitle;
    li.append(link);
    li.append(el('span', 'muted', ` ${formatCount(entry.nodes)} ${entry.nodes === 1 ? 'node' : 'nodes'}`));
    return li;
  }

  /** `slot`: a folded constant input to inspect right away. */
  async showNode(graph: GraphView, index: number, slot?: number): Promise<void> {
    const token = ++this.token;
    const node = graph.nodes[index];
    this.body.replaceChildren();
    const section = this.section(node.domain ? `${node.domain}.${node.op}` : node.op, 'symbol-method');
    section.classList.add('node');
    const loading = el('p', 'muted', 'Loading…');
    section.append(loading);
    // A node of a body shown in place is asked for where it really is.
    const origin = nodeOrigin(graph, index);
    let detail: NodeDetail;
    try {
      detail = await this.host.requestNode(origin.graph, origin.index);
    } catch (error) {
      if (token === this.token) loading.textContent = error instanceof Error ? error.message : String(error);
      return;
    }
    if (token !== this.token) return;
    loading.remove();
    const target: EditTarget = { graph: origin.graph, node: origin.index };
    this.table(section, [
      ['Name', this.withEdits(detail.name || '(unnamed)', this.editButton('renameNode', target, `Rename node ${detail.name}`))],
      ['Operator', detail.op],
      ['Domain', detail.domain || 'ai.onnx'],
      ['Index', indexText(graph, index)],
    ]);
    if (detail.calls) section.append(textButton('Open function', () => this.host.openGraph(detail.calls!)));
    section.append(textButton('Delete Node…', () => this.host.edit('deleteNode', target)));
    if (detail.docString) section.append(el('p', 'doc', detail.docString));
    if (origin.graph === '') this.showDiff(origin.index, node.outputs.map((v) => (v >= 0 ? graph.values[v]?.name ?? '' : '')));

    const attributes = this.section(`Attributes (${detail.attributes.length})`, 'symbol-property');
    attributes.classList.add('attributes');
    if (!detail.attributes.length) attributes.append(el('p', 'muted', 'None'));
    else {
      const table = el('table', 'props attrs');
      for (const a of detail.attributes) {
        const tr = el('tr');
        const th = el('th', undefined, a.name);
        th.scope = 'row';
        const td = el('td');
        const value = el('code', 'value', a.value);
        td.append(value, el('span', 'type', a.type));
        if (!a.tensor && !a.graphs?.length) td.append(this.editButton('editAttribute', { ...target, attribute: a.name }, `Edit attribute ${a.name}`));
        if (a.tensor) td.append(this.link('Inspect', `Inspect tensor attribute ${a.name}`, () => void this.showTensorBelow(a.tensor!, a.name)));
        for (const id of a.graphs ?? []) td.append(this.link('Open', `Open subgraph ${a.name}`, () => this.host.openGraph(id)));
        if (a.docString) td.append(el('div', 'doc', a.docString));
        tr.append(th, td);
        table.append(tr);
      }
      attributes.append(table);
    }
    attributes.append(textButton('Set Attribute…', () => this.host.edit('editAttribute', target)));
    const ports = (title: string, icon: string, list: PortView[]) => {
      const s = this.section(title, icon);
      const table = el('table', 'props ports');
      for (const p of list) {
        const tr = el('tr');
        const th = el('th', undefined, p.slot);
        th.scope = 'row';
        const td = el('td');
        if (!p.name) td.append(el('span', 'muted', '(omitted)'));
        else {
          // Names are unique within a graph; a composed view holds several graphs, so the node's own wins.
          const named = (v: { name: string; graph?: string }) => v.name === p.name;
          const own = graph.values.findIndex((v) => named(v) && (v.graph ?? graph.id) === origin.graph);
          const valueIndex = own >= 0 ? own : graph.values.findIndex(named);
          const constant = p.kind === 'initializer' || p.kind === 'constant';
          td.append(this.link(p.name, `${constant ? 'Inspect' : 'Show'} tensor ${p.name}`, () => {
            if (constant) void this.showTensorBelow({ graph: origin.graph, name: p.name }, p.name);
            else if (valueIndex >= 0) this.host.selectValue(valueIndex);
          }));
          td.append(el('span', 'type', `${portShape(p, graph.shapesInferred === true)}${constant ? ' · constant' : ''}`));
        }
        tr.append(th, td);
        table.append(tr);
      }
      s.append(table);
    };
    ports(`Inputs (${detail.inputs.length})`, 'arrow-down', detail.inputs);
    ports(`Outputs (${detail.outputs.length})`, 'arrow-up', detail.outputs);
    this.showSource(detail);
    // The stack trace is shown as frames in Source; the rest of the metadata as it is.
    const metadata = Object.entries(detail.metadata).filter(([key]) => key !== STACK_TRACE_KEY);
    if (metadata.length) this.table(this.section('Metadata', 'tag'), metadata);
    const subgraphs = graph.nodes[index].subgraphs ?? [];
    if (subgraphs.length) {
      const s = this.section('Subgraphs', 'type-hierarchy-sub');
      if (isControl(graph.nodes[index])) {
        const inPlace = graph.groups.some((g) => g.kind === 'control' && g.node === index);
        s.append(textButton(inPlace ? 'Close in place' : 'Show in place', () => this.host.toggleInline(index)));
      }
      for (const sub of subgraphs) s.append(textButton(`Open ${sub.attribute}`, () => this.host.openGraph(sub.graph)));
    }
    const port = slot !== undefined ? detail.inputs[slot] : undefined;
    if (port?.name) await this.showTensorBelow({ graph: origin.graph, name: port.name }, `${port.slot} · ${port.name}`);
  }

  /** Where the node came from in PyTorch: its module and the frames of its stack trace, as links. */
  private showSource(detail: NodeDetail): void {
    const frames = parseStackTrace(detail.metadata[STACK_TRACE_KEY] ?? '');
    const module = nodeModulePath({ name: detail.name, metadataProps: Object.entries(detail.metadata).map(([key, value]) => ({ key, value })) });
    if (!frames.length && !module) return;
    const section = this.section('Source', 'file-code');
    section.classList.add('source');
    if (module) {
      const inner = module.scopes.at(-1)?.className;
      this.table(section, [['Module', `${module.path || '(root module)'}${inner ? ` · ${inner}` : ''}`]]);
    }
    if (!frames.length) return;
    const list = el('ol', 'frames');
    for (const frame of frames) list.append(this.frameItem(frame));
    section.append(list);
  }

  private frameItem(frame: SourceFrame): HTMLElement {
    const li = el('li', 'frame');
    const place = `${frame.file.split(/[\\/]/).pop() ?? frame.file}:${frame.line}`;
    const greyed = (why: string) => {
      li.classList.add('unmapped');
      const span = el('span', 'frame-place', place);
      span.title = `${frame.file}:${frame.line} — ${why}`;
      return span;
    };
    if (frame.generated) li.append(greyed('code Python generated; there is no file'));
    else {
      const link = this.link(place, `Open ${frame.file} at line ${frame.line}`, () => {
        void this.host.openSource(frame.file, frame.line).then((result) => {
          if (!result.opened) link.replaceWith(greyed(result.message ?? 'not in the workspace'));
        }, (error: unknown) => link.replaceWith(greyed(error instanceof Error ? error.message : String(error))));
      });
      link.classList.add('frame-place');
      link.title = `${frame.file}:${frame.line}`;
      li.append(link);
    }
    if (frame.function) li.append(el('span', 'muted', ` in ${frame.function}`));
    if (frame.sitePackages) li.append(el('span', 'muted', ' · installed package'));
    if (frame.code) li.append(el('code', 'frame-code', frame.code));
    return li;
  }

  private tensorSection?: HTMLElement;

  private async showTensorBelow(ref: TensorRef, title: string): Promise<void> {
    this.tensorSection?.remove();
    const section = this.section(`Tensor ${title}`, 'symbol-array');
    section.classList.add('named');
    this.tensorSection = section;
    await this.fillTensor(section, ref, 0);
    section.scrollIntoView({ block: 'start' });
  }

  /** A value selected on the canvas (edge, input, output): its type, producer and consumers; values when constant. */
  async showValue(graph: GraphView, index: number): Promise<void> {
    ++this.token;
    const value = graph.values[index];
    this.body.replaceChildren();
    const section = this.section(value.name, 'symbol-variable');
    section.classList.add('value');
    const own = value.graph ?? graph.id;
    const target: EditTarget = { graph: own, value: value.name };
    section.querySelector('h2')?.append(this.editButton('renameValue', target, `Rename value ${value.name}`));
    const nodeLink = (n: number) => this.link(graph.nodes[n].name || `${graph.nodes[n].op} #${n}`, `Show node ${graph.nodes[n].name}`, () => this.host.revealNode(n));
    const consumers = el('div');
    value.consumers.slice(0, 50).forEach((c, i) => {
      if (i) consumers.append(document.createTextNode(', '));
      consumers.append(nodeLink(c));
    });
    if (value.consumers.length > 50) consumers.append(document.createTextNode(` … ${value.consumers.length - 50} more`));
    const kinds: Record<string, string> = { input: 'graph input', initializer: 'initializer (weight)', constant: 'Constant node output', outer: 'captured from the enclosing graph', value: 'computed' };
    const shapes = shapeRows(value, graph.shapesInferred === true).map(([k, v]): [string, string] => [k === 'type' ? 'Shape' : k === 'declared' ? 'Declared' : 'Inferred', v]);
    this.table(section, [
      ['Type', value.type || '?'],
      ...shapes,
      ['Kind', kinds[value.kind] + (value.output ? ', graph output' : '')],
      ['Producer', value.producer >= 0 ? nodeLink(value.producer) : '—'],
      ['Consumers', value.consumers.length ? consumers : '—'],
    ]);
    if (own === '') {
      const actions = el('div', 'edit-actions');
      if (value.kind === 'input' || value.output) actions.append(textButton('Set Shape…', () => this.host.edit('setShape', target)));
      if (value.kind === 'input') actions.append(textButton('Change Type…', () => this.host.edit('inputType', target)));
      if (value.kind === 'initializer') actions.append(textButton('Replace from .npy…', () => this.host.edit('replaceInitializer', target)));
      if (value.output) actions.append(textButton('Remove Output…', () => this.host.edit('removeOutput', target)));
      else if (value.kind === 'value') actions.append(textButton('Expose as Output', () => this.host.edit('exposeOutput', target)));
      if (actions.childElementCount) section.append(actions);
    }
    const runtime = this.overlay?.values[value.name];
    if (runtime) {
      const r = this.section('From the last test run', 'play');
      const rows: Array<[string, string]> = [['Type', `${runtime.dtype}${formatDims(runtime.shape)}`]];
      if (runtime.stats) for (const [k, v] of Object.entries(runtime.stats)) rows.push([k, formatNumber(v)]);
      this.table(r, rows);
    }
    if (value.kind === 'initializer' || value.kind === 'constant') {
      const tensor = this.section('Values', 'symbol-array');
      this.tensorSection = tensor;
      await this.fillTensor(tensor, { graph: value.graph ?? graph.id, name: value.name }, 0);
    }
  }

  private async fillTensor(section: HTMLElement, ref: TensorRef, offset: number): Promise<void> {
    const token = this.token;
    const content = el('div', 'tensor');
    content.append(el('p', 'muted', 'Reading values…'));
    section.querySelector('.tensor')?.remove();
    section.append(content);
    let detail: TensorDetail;
    try {
      detail = await this.host.requestTensor(ref, offset, PAGE);
    } catch (error) {
      if (token === this.token) content.replaceChildren(el('p', 'error-line', error instanceof Error ? error.message : String(error)));
      return;
    }
    if (token !== this.token) return;
    content.replaceChildren();
    const storage = detail.storage === 'external' && detail.external
      ? `external: ${detail.external.location} at offset ${formatCount(detail.external.offset)}${detail.external.length !== undefined ? `, ${formatCount(detail.external.length)} bytes` : ''}`
      : { raw: 'raw_data', typed: 'typed fields', empty: 'empty', external: 'external' }[detail.storage];
    this.table(content, [
      ['Name', detail.name],
      ['Type', detail.dtype],
      ['Shape', formatDims(detail.dims)],
      ['Elements', formatCount(detail.count)],
      ['Size', formatBytes(detail.bytes, { exact: true })],
      ['Storage', storage],
    ]);
    if (detail.error) content.append(el('p', 'error-line', detail.error));
    if (detail.stats) {
      const st = detail.stats;
      const stats = el('div', 'stats');
      stats.append(el('h3', undefined, 'Statistics'));
      this.table(stats, [
        ['min', formatNumber(st.min)],
        ['max', formatNumber(st.max)],
        ['mean', formatNumber(st.mean)],
        ['std', formatNumber(st.std)],
        ['zeros', formatCount(st.zeros)],
        ['NaN', formatCount(st.nan)],
        ['Inf', formatCount(st.inf)],
      ], 'props stats-table');
      if (st.histogram.counts.length) stats.append(histogram(st.histogram));
      content.append(stats);
    }
    if (detail.count > 0 && !detail.error) {
      const values = el('div', 'values');
      const end = detail.preview.offset + detail.preview.values.length;
      const header = el('div', 'values-header');
      header.append(el('h3', undefined, `Values ${formatCount(detail.preview.offset)}–${formatCount(Math.max(detail.preview.offset, end - 1))} of ${formatCount(detail.count)}`));
      const nav = el('span', 'values-nav');
      const prev = iconButton('chevron-left', 'Previous values', () => void this.fillTensor(section, ref, Math.max(0, detail.preview.offset - PAGE)));
      const next = iconButton('chevron-right', 'Next values', () => void this.fillTensor(section, ref, end));
      if (detail.preview.offset === 0) prev.setAttribute('disabled', '');
      if (end >= detail.count) next.setAttribute('disabled', '');
      nav.append(prev, next);
      header.append(nav);
      values.append(header);
      const grid = el('ol', 'value-grid');
      grid.start = detail.preview.offset;
      for (const v of detail.preview.values) grid.append(el('li', undefined, v));
      values.append(grid);
      content.append(values);
    }
  }
}

/**
 * `4 in the main graph, 346 in all graphs (343 Constant nodes folded into their consumers not counted)`:
 * the numbers the status bar and the graph list use.
 */
function histogram(h: { min: number; max: number; counts: number[] }): HTMLElement {
  const figure = el('figure', 'histogram');
  const canvas = el('canvas');
  const width = 260;
  const height = 72;
  const dpr = window.devicePixelRatio || 1;
  canvas.width = width * dpr;
  canvas.height = height * dpr;
  canvas.style.width = `${width}px`;
  canvas.style.height = `${height}px`;
  canvas.setAttribute('role', 'img');
  const max = Math.max(1, ...h.counts);
  canvas.setAttribute('aria-label', `Histogram of ${h.counts.length} bins from ${formatNumber(h.min)} to ${formatNumber(h.max)}; largest bin ${formatCount(max)} values`);
  const ctx = canvas.getContext('2d')!;
  ctx.scale(dpr, dpr);
  const style = getComputedStyle(document.body);
  ctx.fillStyle = style.getPropertyValue('--vscode-charts-blue').trim() || '#3794ff';
  const bar = width / h.counts.length;
  h.counts.forEach((count, i) => {
    if (!count) return;
    // Square-root scale keeps small bins visible next to a dominant one.
    const bh = Math.max(1, Math.sqrt(count / max) * (height - 2));
    ctx.fillRect(i * bar + 0.5, height - bh, Math.max(1, bar - 1), bh);
  });
  const caption = el('figcaption');
  caption.append(el('span', undefined, formatNumber(h.min)), el('span', undefined, formatNumber(h.max)));
  figure.append(canvas, caption);
  return figure;
}

