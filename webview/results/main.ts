// The test run results view (webview side). Builds the page from posted data with textContent only.
// The inputs table (inputsTable.ts) edits the run's input specification; Run Again sends the edited one.
import { formatCosine, formatDims, formatDuration, formatNumber, formatPercent, formatValue } from '../../src/core/format.js';
import type { OutputReport } from '../../src/core/runtime/testRun.js';
import type { FailureData, FromResultsView, ResultsData, ToResultsView } from '../../src/protocol.js';
import { button, cell, el, table, type Child } from './elements.js';
import { InputsEditor } from './inputsTable.js';

declare function acquireVsCodeApi(): { postMessage(message: FromResultsView): void };

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
const post = (message: FromResultsView) => vscode.postMessage(message);

/** The inputs table on the page, which the host's file answers go to. */
interface Page {
  inputs?: InputsEditor;
}
const page: Page = {};

function previewText(o: OutputReport): string {
  if (!o.preview.length) return '';
  const shown = o.preview.map((v) => (typeof v === 'string' ? JSON.stringify(v) : formatValue(v))).join(', ');
  return o.stats.count > o.preview.length ? `${shown}, …` : shown;
}

function outputsTable(outputs: OutputReport[], compared: boolean): HTMLDivElement {
  const headers = ['Output', 'Type', 'Shape', 'Min', 'Max', 'Mean', 'Std', 'NaN', 'Inf'];
  if (compared) headers.push('Max abs err', 'Max rel err', 'Cosine', 'Mismatches', '');
  headers.push('Values');
  const rows = outputs.map((o) => {
    const c = o.comparison;
    const s = o.stats;
    const row = el('tr', { class: c && !c.pass ? 'fail' : undefined },
      cell(o.name, 'code'), cell(o.dtype), cell(formatDims(o.shape), 'code'),
      cell(formatNumber(s.min), 'num'), cell(formatNumber(s.max), 'num'), cell(formatNumber(s.mean), 'num'), cell(formatNumber(s.std), 'num'),
      cell(String(s.nan), s.nan ? 'num bad' : 'num'), cell(String(s.inf), s.inf ? 'num bad' : 'num'));
    if (compared) {
      row.append(
        cell(c ? formatNumber(c.maxAbsError) : '', 'num'), cell(c ? formatNumber(c.maxRelError) : '', 'num'), cell(c ? formatCosine(c.cosine) : '', 'num'),
        cell(c ? `${c.mismatches} / ${c.count}` : '', 'num'),
        cell(c ? (c.pass ? '✓ match' : `✗ ${c.problem ?? 'differs'}`) : '', c ? (c.pass ? 'ok' : 'bad') : undefined),
      );
    }
    row.append(cell(previewText(o), 'preview', o.preview.length ? `First ${o.preview.length} of ${o.stats.count} values` : undefined));
    return row;
  });
  return table(headers, rows);
}

function definitions(pairs: Array<[string, Child]>): HTMLDListElement {
  const list = el('dl');
  for (const [term, value] of pairs) list.append(el('dt', {}, term), el('dd', {}, value));
  return list;
}

/** Run Again (with or without capture) with the inputs as edited; nothing is sent while a field is unusable. */
function runAgain(label: string, capture: boolean, secondary = false): HTMLButtonElement {
  return button(label, () => {
    const spec = page.inputs?.current();
    if (spec) post({ type: 'rerun', spec, capture });
  }, secondary);
}

function renderFailure(data: FailureData): void {
  const title = data.otherModelName ? `${data.modelName} vs ${data.otherModelName}` : data.modelName;
  page.inputs = data.inputs ? new InputsEditor(data.inputs, post) : undefined;
  app.replaceChildren(
    el('h1', {}, title, el('span', { class: 'badge fail' }, 'did not run')),
    el('p', { class: 'bad failure' }, data.message),
    el('div', { class: 'actions' }, page.inputs && runAgain('Run Again', false), button('Copy as JSON', () => post({ type: 'copyJson' }), true)),
    page.inputs?.element ?? el('p', { class: 'muted' }, 'Run the command again to choose the inputs.'),
  );
}

function render(data: ResultsData): void {
  const { report } = data;
  const status = report.pass === undefined
    ? el('span', { class: 'badge none' }, 'not compared')
    : el('span', { class: `badge ${report.pass ? 'pass' : 'fail'}` }, report.pass ? 'all outputs match' : 'outputs differ');
  const title = data.otherModelName ? `${data.modelName} vs ${data.otherModelName}` : data.modelName;
  const children: Node[] = [
    el('h1', {}, title, status),
    el('p', { class: 'muted' }, `Finished ${new Date(data.finishedAt).toLocaleString()} · inputs: ${data.inputs.table.summary}`),
    ...data.upgrades.map((text) => el('p', {}, `${text[0].toUpperCase()}${text.slice(1)}.`)),
    el('div', { class: 'actions' },
      runAgain('Run Again', false),
      data.captureOff && runAgain('Run with Tensor Capture', true, true),
      button('Copy as JSON', () => post({ type: 'copyJson' }), true)),
  ];
  page.inputs = new InputsEditor(data.inputs, post);
  children.push(page.inputs.element);

  for (const set of report.dataSets) {
    const heading = report.dataSets.length > 1 ? `Outputs: ${set.name}` : 'Outputs';
    children.push(el('h2', {}, heading));
    if (set.reference) {
      const verdict = set.pass ? 'every output matches' : `${set.outputs.filter((o) => o.comparison && !o.comparison.pass).length} output(s) differ`;
      children.push(el('p', { class: set.pass ? 'ok' : 'bad' },
        `Compared with ${set.reference === 'other model' ? data.otherModelName ?? 'the other model' : 'the expected outputs'} at rtol ${data.tolerance.rtol}, atol ${data.tolerance.atol}: ${verdict}.`));
    }
    children.push(outputsTable(set.outputs, set.reference !== undefined));
  }

  const l = report.latency;
  children.push(el('h2', {}, 'Latency'));
  if (l) {
    children.push(definitions([
      ['Runs', `${l.iterations} timed after ${data.warmup} warm-up`],
      ['Mean', formatDuration(l.mean)], ['p50', formatDuration(l.p50)], ['p90', formatDuration(l.p90)], ['p99', formatDuration(l.p99)],
      ['Min / max', `${formatDuration(l.min)} / ${formatDuration(l.max)}`],
      ['Session creation', formatDuration(l.sessionCreateMs)],
    ]));
  } else {
    children.push(el('p', { class: 'muted' }, 'Not timed (onnxLens.run.iterations is 0).'));
  }

  const s = report.settings;
  children.push(el('h2', {}, 'Settings'));
  const available = data.runtime.providers.map((p) => `${p.name}${p.bundled ? '' : ' (needs extra libraries)'}`).join(', ');
  children.push(definitions([
    ['Execution provider', el('span', {}, s.executionProviders.join(', '), el('span', { class: 'muted' }, `  · available: ${available}`))],
    ['Intra-op threads', s.intraOpThreads ? String(s.intraOpThreads) : 'onnxruntime default'],
    ['Graph optimization', s.graphOptimizationLevel],
    ['Tolerance', `rtol ${data.tolerance.rtol}, atol ${data.tolerance.atol}`],
    ['onnxruntime', `onnxruntime-node ${data.runtime.version}, in a separate process`],
  ]));

  children.push(el('h2', {}, 'Runtime tensors'));
  const c = data.capture;
  if (c) {
    const notes = [`${c.values} tensors captured: hover an edge in the graph to see its runtime type and statistics.`];
    if (c.subgraphValues) notes.push(`${c.subgraphValues} values inside subgraphs (If, Loop, Scan bodies) cannot be graph outputs, so they are not captured.`);
    if (c.skipped) notes.push(`${c.skipped} values could not be returned by onnxruntime (see the log).`);
    for (const note of notes) children.push(el('p', {}, note));
    if (c.slowest.length) {
      children.push(el('p', { class: 'muted' }, `Slowest nodes (kernel time per run, from ${c.profileRuns} unoptimized profiled runs):`));
      children.push(table(['Node', 'Op', 'Time', 'Share'], c.slowest.map((n) => {
        const link = el('a', { title: 'Reveal in the graph' }, n.name || '(unnamed)');
        link.tabIndex = 0;
        const reveal = () => post({ type: 'revealNode', name: n.name });
        link.addEventListener('click', reveal);
        link.addEventListener('keydown', (e) => { if (e.key === 'Enter') reveal(); });
        const bar = el('span', { class: 'bar' });
        bar.style.width = `${Math.max(1, Math.round(n.share * 120))}px`;
        return el('tr', {}, el('td', { class: 'code' }, link), cell(n.opType), cell(formatDuration(n.msPerRun), 'num'), el('td', {}, bar, ` ${formatPercent(n.share)}`));
      })));
    }
  } else {
    children.push(el('p', { class: 'muted' }, data.captureOff
      ? 'Only inputs and outputs were recorded. Turn on onnxLens.run.captureIntermediates (or use Run with Tensor Capture) to see every intermediate tensor and per-node time in the graph.'
      : 'No tensors were captured.'));
  }
  app.replaceChildren(...children);
}

window.addEventListener('message', (event: MessageEvent<ToResultsView>) => {
  const message = event.data;
  if (message.type === 'results') render(message.data);
  else if (message.type === 'failed') renderFailure(message.data);
  else if (message.type === 'filePicked') page.inputs?.filePicked(message.input, message.path, message.label);
  else if (message.type === 'running') {
    const note = document.getElementById('running') ?? el('p', { class: 'running' });
    note.id = 'running';
    note.textContent = message.step;
    app.prepend(note);
  }
});

post({ type: 'ready' });
