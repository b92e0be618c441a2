// Constants as the editor shows them, on the committed real-exporter fixtures: small constants show their
// values in the boxes they are folded into, the model's statistics count the weights kept in Constant
// nodes, the node counts add up the same way everywhere, and a node's index says which numbering it uses.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { smallConstantText } from '../../../src/core/graph/constantText.js';
import { buildModelView, isConstantNode } from '../../../src/core/graph/viewModel.js';
import type { ModelView } from '../../../src/core/graph/viewModelTypes.js';
import { decodeModel } from '../../../src/core/model/decode.js';
import { DataType, toLong, type ModelProto } from '../../../src/core/model/proto.js';
import { tensorByteSize } from '../../../src/core/model/summary.js';
import { constantNodeTensor } from '../../../src/core/model/tensorValues.js';
import { walkModel } from '../../../src/core/model/walk.js';
import { indexText, nodeCountText, weightsText } from '../../../webview/counts.js';
import { planScene } from '../../../webview/scene.js';

const fixtures = join(import.meta.dirname, '../../fixtures/exported');
const measure = (text: string) => text.length * 7;
const fonts = { title: 't', text: 'x', mono: 'm' };

function load(name: string): { model: ModelProto; view: ModelView } {
  const model = decodeModel(readFileSync(join(fixtures, name, 'model.onnx')));
  return { model, view: buildModelView(model, `${name}.onnx`) };
}

/** The text lines of every drawn box of the main graph, fully expanded. */
function boxLines(view: ModelView): string[] {
  const plan = planScene(view.main, new Set(view.main.groups.map((g) => g.path)), 'TB', measure, { ...fonts });
  return plan.items.flatMap((i) => i.lines.map((l) => `${i.title}: ${l}`));
}

test('small constants show their values in the box: scalars, short lists, and shapes for the rest', () => {
  assert.equal(smallConstantText({ dataType: DataType.FLOAT, dims: [], floatData: [0.5] }), '0.5');
  assert.equal(smallConstantText({ dataType: DataType.INT64, dims: [2], int64Data: [1, 2] }), '[1, 2]');
  assert.equal(smallConstantText({ dataType: DataType.BOOL, dims: [1], int32Data: [1] }), '[true]');
  assert.equal(smallConstantText({ dataType: DataType.FLOAT, dims: [9], floatData: new Array(9).fill(1) }), undefined, 'more than 8 values: the shape is shown instead');
  assert.equal(smallConstantText({ dataType: DataType.FLOAT, dims: [0] }), '[]');

  // silero (torchscript): the sample rate the Equal compares with, Mul's 0.5, Unsqueeze's axes.
  const silero = boxLines(load('silero_like_torchscript').view);
  for (const line of ['Equal: B = 16000', 'Mul: B = 0.5', 'Unsqueeze: axes = [0]']) assert.ok(silero.includes(line), `${line} in ${silero.join(' | ')}`);
  // The detector keeps every weight in a Constant node: its `* 0.5` reads as a value, its Conv weights as shapes.
  const detector = boxLines(load('detector_opset11_constants').view);
  assert.ok(detector.includes('Mul: B = 0.5'), detector.filter((l) => l.startsWith('Mul')).join(' | '));
  assert.ok(detector.some((l) => /^Conv: W ⟨8×3×3×3⟩$/.test(l)), 'a Conv weight shows its shape');
});

test('small int64, int32 and float constants read from raw_data show as the same values held in typed fields', () => {
  const raw = (dataType: number, dims: number[], bytes: ArrayBufferView) => ({ dataType, dims, rawData: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength) });
  const cases: Array<[ReturnType<typeof raw>, Parameters<typeof smallConstantText>[0], string]> = [
    [raw(DataType.INT64, [], BigInt64Array.of(-9007199254740993n)), { dataType: DataType.INT64, dims: [], int64Data: [toLong(-9007199254740993n)] }, '-9007199254740993'],
    [raw(DataType.INT64, [3], BigInt64Array.of(1n, -1n, 0n)), { dataType: DataType.INT64, dims: [3], int64Data: [1, -1, 0] }, '[1, -1, 0]'],
    [raw(DataType.INT32, [2], Int32Array.of(-2147483648, 7)), { dataType: DataType.INT32, dims: [2], int32Data: [-2147483648, 7] }, '[-2147483648, 7]'],
    [raw(DataType.FLOAT, [4], Float32Array.of(0.1, -0, 1e-9, Infinity)), { dataType: DataType.FLOAT, dims: [4], floatData: [0.1, -0, 1e-9, Infinity] }, '[0.1, 0, 1e-9, inf]'],
    [raw(DataType.FLOAT, [1, 2], Float32Array.of(NaN, 123456.7)), { dataType: DataType.FLOAT, dims: [1, 2], floatData: [NaN, 123456.7] }, '[NaN, 1.235e+5]'],
  ];
  for (const [fromRaw, fromFields, text] of cases) {
    assert.equal(smallConstantText(fromRaw), smallConstantText(fromFields), text);
    assert.equal(smallConstantText(fromRaw), text);
  }
  // raw_data of the wrong length is unreadable either way: no text.
  assert.equal(smallConstantText({ dataType: DataType.INT64, dims: [2], rawData: new Uint8Array(12) }), undefined);
});

test('model statistics count the weights held in Constant nodes and say so', () => {
  const { model, view } = load('detector_opset11_constants');
  let count = 0;
  let bytes = 0;
  for (const visit of walkModel(model)) {
    for (const node of visit.nodes) {
      if (!isConstantNode(node)) continue;
      count++;
      bytes += tensorByteSize(constantNodeTensor(node)!);
    }
  }
  assert.ok(count > 100 && bytes > 100_000, `${count} constants, ${bytes} bytes`);
  assert.deepEqual(view.stats.constants, { count, bytes });
  assert.equal(view.summary.initializers.count, 0, 'the detector has no initializers');
  assert.match(weightsText(view), new RegExp(`^0 initializers, 0 B · ${count} constants, \\d+(\\.\\d+)? KiB \\(in Constant nodes\\)$`));
});

test('node counts: drawn nodes plus folded Constant nodes are every node, in the main graph and in all graphs', () => {
  for (const name of ['silero_like_torchscript', 'silero_like_dynamo', 'detector_opset11_constants', 'transformer_torchscript']) {
    const { view } = load(name);
    const { nodes, folded } = view.stats;
    assert.equal(nodes.main + folded.main, view.summary.nodes.top, name);
    assert.equal(nodes.all + folded.all, view.summary.nodes.total, name);
    assert.equal(nodes.main, view.main.nodes.filter((n) => !n.hidden).length, `${name}: the status bar's count is the panel's`);
    assert.equal(view.graphs.reduce((n, g) => n + g.nodes, 0), nodes.all, `${name}: the graph list adds up`);
    const text = nodeCountText(view);
    assert.ok(text.startsWith(`${nodes.main} in the main graph`), text);
    if (view.graphs.length > 1) assert.ok(text.includes(`${nodes.all} in all graphs`), text);
    if (folded.all) assert.ok(text.includes(`(${folded.all} Constant nodes folded into their consumers not counted)`), text);
  }
});

test("a node's index says which numbering it uses when folded Constant nodes are counted in it", () => {
  const { view } = load('detector_opset11_constants');
  const graph = view.main;
  const last = graph.nodes.length - 1 - [...graph.nodes].reverse().findIndex((n) => !n.hidden);
  const drawn = graph.nodes.filter((n) => !n.hidden).length;
  assert.equal(indexText(graph, last), `#${last} in the file (Constant nodes counted) · #${drawn - 1} of ${drawn} drawn`);
  const { view: plain } = load('cnn_dynamo');
  assert.equal(indexText(plain.main, 2), `#2 of ${plain.main.nodes.length}`);
});
