// The Try Request panel (webview side): a form from the served model's inputs (each from the example,
// inline JSON or a .npy file) and the last answer. Built with textContent only; the host sends the request.
import { formatDims, formatDuration, formatNumber, formatValue } from '../../src/core/format.js';
import type { InputChoice, TryAnswer } from '../../src/core/serve/tryRequest.js';
import type { FromTryView, ToTryView, TryInputView, TryModelView } from '../../src/protocol.js';
import { button, cell, el, table } from '../results/elements.js';

declare function acquireVsCodeApi(): { postMessage(message: FromTryView): void };

const vscode = acquireVsCodeApi();
const app = document.getElementById('app')!;
const post = (message: FromTryView) => vscode.postMessage(message);

/** One input's field: its source and what each source holds. */
interface Field {
  input: TryInputView;
  source: HTMLSelectElement;
  text: HTMLTextAreaElement;
  file: { path?: string; label: HTMLSpanElement; row: HTMLDivElement };
}

/** The form on the page and its answer area; rebuilt when a model is posted. */
interface Page {
  fields: Field[];
  binary?: HTMLInputElement;
  send?: HTMLButtonElement;
  answer: HTMLDivElement;
  stopped: boolean;
}
const page: Page = { fields: [], answer: el('div'), stopped: false };

function fieldFor(input: TryInputView, hasExample: boolean): { element: HTMLDivElement; field: Field } {
  const source = el('select');
  source.setAttribute('aria-label', `Values of ${input.name}`);
  const options: Array<[InputChoice['kind'], string]> = [['json', 'Values (JSON)'], ['file', '.npy file']];
  if (hasExample && input.example) options.unshift(['example', 'Example (from the input specification)']);
  for (const [value, label] of options) {
    const option = el('option', {}, label);
    option.value = value;
    source.append(option);
  }
  const text = el('textarea');
  text.setAttribute('aria-label', `JSON values of ${input.name}`);
  text.spellcheck = false;
  text.placeholder = input.dims.length ? `nested lists, shape [${input.dims.join(', ')}]` : 'a single value';
  text.value = input.exampleJson ?? '';
  const label = el('span', { class: 'muted' }, 'no file chosen');
  const row = el('div', { class: 'source' }, button('Choose…', () => post({ type: 'pickFile', input: input.name }), true), label);
  const field: Field = { input, source, text, file: { label, row } };
  const sync = () => {
    text.hidden = source.value !== 'json';
    row.hidden = source.value !== 'file';
  };
  source.addEventListener('change', sync);
  sync();
  const shape = `${input.datatype}[${input.dims.join(', ')}]`;
  const element = el('div', { class: 'input' },
    el('div', { class: 'head' }, el('strong', { class: 'code' }, input.name), el('span', { class: 'code muted' }, shape),
      input.example && el('span', { class: 'muted' }, `example: [${input.example.shape.join(', ')}]${input.example.note ? ` ${input.example.note}` : ''}`)),
    el('div', { class: 'source' }, source), text, row);
  return { element, field };
}

function choices(): Record<string, InputChoice> | undefined {
  const out: Record<string, InputChoice> = {};
  for (const f of page.fields) {
    const kind = f.source.value as InputChoice['kind'];
    if (kind === 'file') {
      if (!f.file.path) {
        showFailure(`Choose a .npy file for '${f.input.name}'.`);
        return undefined;
      }
      out[f.input.name] = { kind, path: f.file.path };
    } else if (kind === 'json') out[f.input.name] = { kind, text: f.text.value };
    else out[f.input.name] = { kind: 'example' };
  }
  return out;
}

function renderModel(model: TryModelView): void {
  page.stopped = false;
  const built = model.inputs.map((input) => fieldFor(input, !model.problem));
  page.fields = built.map((b) => b.field);
  const binary = el('input');
  binary.type = 'checkbox';
  page.binary = binary;
  page.send = button('Send Request', () => {
    const picked = choices();
    if (picked) post({ type: 'send', choices: picked, binary: binary.checked });
  });
  page.answer = el('div', { class: 'answer' }, el('p', { class: 'muted' }, 'No request sent yet.'));
  app.replaceChildren(
    el('h1', {}, `Try ${model.modelName}`),
    el('p', { class: 'muted code' }, `POST ${model.inferUrl}`),
    model.problem
      ? el('p', { class: 'bad' }, `No example request: ${model.problem} Give every input as JSON or a .npy file.`)
      : el('p', { class: 'muted' }, `Example inputs: ${model.exampleSummary}`),
    el('h2', {}, 'Inputs'),
    ...built.map((b) => b.element),
    el('div', { class: 'actions' }, page.send, el('label', {}, binary, 'Binary tensor data (Inference-Header-Content-Length)')),
    el('h2', {}, 'Response'),
    page.answer,
  );
}

function showFailure(message: string): void {
  page.answer.replaceChildren(el('p', { class: 'bad' }, message));
  if (page.send) page.send.disabled = page.stopped;
}

function previewText(o: NonNullable<TryAnswer['outputs']>[number]): string {
  if (!o.preview.length) return '';
  const shown = o.preview.map((v) => (typeof v === 'string' ? JSON.stringify(v) : formatValue(v))).join(', ');
  return o.stats.count > o.preview.length ? `${shown}, …` : shown;
}

function renderAnswer(answer: TryAnswer, at: string): void {
  const ok = answer.status === 200;
  const status = answer.status === 0 ? 'no answer' : `${answer.status} ${answer.statusText}`;
  const children: Node[] = [
    el('p', {}, el('span', { class: `badge ${ok ? 'pass' : 'fail'}` }, status), ` in ${formatDuration(answer.ms)}`),
    el('dl', {},
      el('dt', {}, 'Sent'), el('dd', { class: 'code' }, `${answer.sent.join(', ')}; ${answer.binary ? 'binary' : 'JSON'}, ${answer.requestBytes} bytes`),
      el('dt', {}, 'Received'), el('dd', {}, `${answer.responseBytes} bytes at ${new Date(at).toLocaleTimeString()}`)),
  ];
  if (answer.error) children.push(el('p', { class: 'bad' }, answer.error));
  if (answer.outputs) {
    const rows = answer.outputs.map((o) => el('tr', {},
      cell(o.name, 'code'), cell(o.datatype), cell(formatDims(o.shape), 'code'),
      cell(formatNumber(o.stats.min), 'num'), cell(formatNumber(o.stats.max), 'num'), cell(formatNumber(o.stats.mean), 'num'), cell(formatNumber(o.stats.std), 'num'),
      cell(String(o.stats.nan), 'num'),
      cell(previewText(o), 'preview', o.preview.length ? `First ${o.preview.length} of ${o.stats.count} values` : undefined)));
    children.push(table(['Output', 'Type', 'Shape', 'Min', 'Max', 'Mean', 'Std', 'NaN', 'Values'], rows));
  }
  page.answer.replaceChildren(...children);
  if (page.send) page.send.disabled = page.stopped;
}

window.addEventListener('message', (event: MessageEvent<ToTryView>) => {
  const message = event.data;
  switch (message.type) {
    case 'model': renderModel(message.model); break;
    case 'sending':
      if (page.send) page.send.disabled = true;
      page.answer.replaceChildren(el('p', { class: 'sending' }, 'Sending…'));
      break;
    case 'answer': renderAnswer(message.answer, message.at); break;
    case 'failed': showFailure(message.message); break;
    case 'filePicked': {
      const field = page.fields.find((f) => f.input.name === message.input);
      if (field && message.path) {
        field.file.path = message.path;
        field.file.label.textContent = message.label ?? message.path;
        field.file.label.className = 'code';
      }
      break;
    }
    case 'stopped':
      page.stopped = true;
      if (page.send) page.send.disabled = true;
      app.prepend(el('p', { class: 'bad' }, 'Serving stopped: run ONNX: Serve Model to send again.'));
      break;
  }
});

post({ type: 'ready' });
