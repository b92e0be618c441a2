// The view's wire format (columns and a string table): what the webview reads back is the very view the
// JSON of it was, on every graph of libonnx-testdata's models and the real-exporter fixtures (subgraphs,
// functions, bodies composed in place), on fields the columns do not hold, on names the UTF-16 slicing
// could cut wrong, and it is smaller than the JSON it replaces.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { composeInline, controlPath, isControl } from '../../../src/core/graph/controlFlow.js';
import { decodeModelView, encodeModelView } from '../../../src/core/graph/viewBytes.js';
import { buildGraphView, buildModelView, listGraphs, resolveGraph } from '../../../src/core/graph/viewModel.js';
import type { GraphView, ModelView } from '../../../src/core/graph/viewModelTypes.js';
import { readModelView, writeModelView } from '../../../src/core/graph/viewWire.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { ModelShapes } from '../../../src/core/graph/shapeSources.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { generateTransformer } from '../../../bench/generate/index.js';
import { testCases } from '../../helpers/testdata.js';

const fixtures = join(import.meta.dirname, '../../fixtures');
const exported = readdirSync(join(fixtures, 'exported'), { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => join(fixtures, 'exported', d.name, 'model.onnx'));

/** What the webview got when the view crossed as JSON. */
const asJson = (view: unknown): unknown => JSON.parse(JSON.stringify(view));

function roundTrip(view: ModelView, what: string): void {
  const bytes = encodeModelView(view);
  assert.equal(bytes.byteOffset, 0, what);
  assert.equal(bytes.buffer.byteLength, bytes.byteLength, `${what}: a buffer of its own, so it can be transferred`);
  assert.deepEqual(decodeModelView(bytes), asJson(view), what);
}

/** The model's view, and the same with each other graph as `main` (subgraphs and functions), and with control nodes' bodies composed in. */
function viewsOf(model: ModelProto, name: string): Array<[string, ModelView]> {
  const shapes = new ModelShapes(model);
  const view = buildModelView(model, name, shapes);
  const result: Array<[string, ModelView]> = [[name, view]];
  const bodies = new Map<string, GraphView>();
  for (const entry of listGraphs(model)) {
    if (entry.id === '') continue;
    const source = resolveGraph(model, entry.id);
    assert.ok(source, `${name}: graph ${entry.id} resolves`);
    const graph = buildGraphView(model, source, shapes);
    bodies.set(entry.id, graph);
    result.push([`${name} ${entry.id}`, { ...view, main: graph }]);
  }
  // Every control node of the main graph open in place: nodes with origins, values with graph and group, `sources`.
  const open = new Set<string>();
  view.main.nodes.forEach((node, i) => {
    if (isControl(node)) open.add(controlPath('', i));
  });
  if (open.size) {
    for (const g of view.main.groups) open.add(g.path);
    const composed = composeInline(view.main, open, bodies).graph;
    result.push([`${name} inline`, { ...view, main: composed }]);
  }
  return result;
}

test('every graph of libonnx-testdata and the exporter fixtures reads back as its JSON', () => {
  const files = [join(fixtures, 'sample.onnx'), ...exported, ...testCases().map((c) => c.model)];
  assert.ok(files.length > 1000, 'libonnx-testdata is there');
  let graphs = 0;
  let inline = 0;
  for (const file of files) {
    for (const [what, view] of viewsOf(decodeModel(readFileSync(file)), file)) {
      roundTrip(view, what);
      graphs++;
      if (what.endsWith(' inline')) inline++;
    }
  }
  assert.ok(graphs > files.length, 'subgraphs and functions were read too');
  assert.ok(inline > 0, 'views with bodies composed in place were read too');
});

test('fields the columns do not hold, and odd values of the ones they do, come back as they went', () => {
  const view: ModelView = {
    fileName: 'odd.onnx',
    summary: asJson(buildModelView(decodeModel(readFileSync(join(fixtures, 'sample.onnx'))), 'x').summary) as ModelView['summary'],
    stats: { nodes: { main: 2, all: 2 }, folded: { main: 0, all: 0 }, constants: { count: 0, bytes: 0 } },
    graphs: [],
    dims: { 'p2o.DynamicDimension.0': 'd0' },
    main: {
      id: '', title: 'main', kind: 'main', inputs: [0], outputs: [2], shapesInferred: true, sources: { 2: [1] },
      nodes: [
        // A name that starts every value's name, with characters outside the BMP and of two and three UTF-8 bytes.
        { name: 'é/𝔘nicode/节点', op: 'Relu', domain: '', inputs: [0], outputs: [1], folded: [], group: 0, subgraphs: [{ attribute: 'body', graph: '/0.body' }], captures: [0], carried: 1, calls: 'fn:x:y', origin: { graph: '/0.body', index: 3 } },
        { name: '', op: 'Constant', domain: 'com.microsoft', inputs: [-1, 1], outputs: [2], folded: [1], group: -1, hidden: true },
      ],
      values: [
        { name: 'in😀', type: 'float', shape: ['p2o.DynamicDimension.0', null, 3, 0], kind: 'input', producer: -1, consumers: [0], declared: null, carried: true, graph: '/0.body', group: 0 },
        { name: 'é/𝔘nicode/节点_output_0', type: '', kind: 'value', producer: 0, consumers: [1, 1], inferred: true, inference: [2, 'n'] },
        // Dims no Int32 holds, and an empty name after an unnamed producer.
        { name: '', type: 'seq(tensor(float))', shape: [-1, 2.5, 2 ** 40], kind: 'constant', producer: 1, consumers: [], output: true, data: '[1, 2]' },
        { name: 'x', type: 'int64', shape: [], kind: 'outer', producer: -1, consumers: [] },
      ],
      groups: [{ name: 'é', path: '/é', parent: -1, size: 1, kind: 'control', node: 0, graph: '/0.body', title: 'the full é' }],
    },
  };
  roundTrip(view, 'odd');
  // Bytes at an offset that is not 4-aligned (a view into a larger buffer) are read too.
  const bytes = encodeModelView(view);
  const shifted = new Uint8Array(bytes.byteLength + 1).subarray(1);
  shifted.set(bytes);
  assert.deepEqual(decodeModelView(shifted), asJson(view));
});

test('bytes of another format are refused, not misread', () => {
  const json = new TextEncoder().encode(JSON.stringify({ fileName: 'x' }));
  assert.throws(() => decodeModelView(json), /format/);
  assert.throws(() => decodeModelView(new Uint8Array(0)), /format/);
});

test('the page reads the bytes with its own text decoder, and they are well under half the JSON of a transformer', () => {
  // The benchmark's transformer (as the exporter names nodes and values), at 4 layers.
  const model = decodeModel(encodeModel(generateTransformer({ layers: 4, hidden: 16, heads: 2, ffn: 32, vocab: 20, nodeMetadata: true })));
  const view = buildModelView(model, 'model.onnx');
  assert.ok(view.main.nodes.length > 200);
  const decoded: Uint8Array[] = [];
  const bytes = writeModelView(view, (text) => new TextEncoder().encode(text));
  const read = readModelView(bytes, (part) => {
    decoded.push(part);
    return new TextDecoder().decode(part);
  });
  assert.deepEqual(read, asJson(view));
  assert.equal(decoded.length, 2, 'one JSON part and one string table');
  const json = new TextEncoder().encode(JSON.stringify(view)).byteLength;
  assert.ok(bytes.byteLength < json / 2, `${bytes.byteLength} bytes against ${json} of JSON`);
});
