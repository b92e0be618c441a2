// Inferred shapes in the graph: on the real torchscript export of a small CNN, whose intermediate values
// have no declared shapes, the view model carries inference's shapes flagged as inferred, the edges show
// them in italics (with a legend), and hovers and the side panel say what is declared and what inferred.
// Inference runs once per model; a model whose inference fails still opens with its declared shapes.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { DimAliases } from '../../../src/core/graph/dimAliases.js';
import { nodeDetail } from '../../../src/core/graph/nodeDetail.js';
import { ModelShapes } from '../../../src/core/graph/shapeSources.js';
import { buildGraphView, buildModelView, listGraphs, MAIN_GRAPH, resolveGraph } from '../../../src/core/graph/viewModel.js';
import type { GraphView, ModelView, ValueView } from '../../../src/core/graph/viewModelTypes.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, type ModelProto } from '../../../src/core/model/proto.js';
import { inferModelShapes } from '../../../src/core/ops/modelShapes.js';
import { runLayoutJob } from '../../../webview/layoutJob.js';
import { edgeRows, itemRows } from '../../../webview/overlays.js';
import { composeScene, planScene, type Scene } from '../../../webview/scene.js';
import { sceneToSvg } from '../../../webview/svgExport.js';
import type { Theme } from '../../../webview/theme.js';
import { defaultViewState } from '../../../webview/viewState.js';

const fixtures = join(import.meta.dirname, '../../fixtures/exported');
const measure = (text: string) => text.length * 7;
const fonts = { title: 't', text: 'x', mono: 'm' };
const pool = '/pool/MaxPool_output_0';
const poolShape = ['batch', 8, 'floor(height/2)', 'floor(width/2)'];

function cnn(): ModelProto {
  return decodeModel(readFileSync(join(fixtures, 'cnn_torchscript/model.onnx')));
}

function scene(view: ModelView): Scene {
  const graph = view.main;
  const plan = planScene(graph, new Set(defaultViewState(graph, 1500).expanded), 'TB', measure, fonts, { dims: new DimAliases(view.dims) });
  return composeScene(plan, runLayoutJob(plan.job, new Map()));
}

function value(graph: GraphView, name: string): ValueView {
  const found = graph.values.find((v) => v.name === name);
  assert.ok(found, `no value ${name}`);
  return found;
}

const text = (rows: Array<[string, string]>) => rows.map(([k, v]) => `${k} ${v}`.trim());

/** The fixture with value_info added for some values, as other exporters write it; round-tripped through bytes. */
function withValueInfo(model: ModelProto, infos: Array<[string, Array<number | string | null>]>): ModelProto {
  const graph = model.graph!;
  graph.valueInfo = [...(graph.valueInfo ?? []), ...infos.map(([name, dims]) => ({
    name,
    type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : typeof d === 'string' ? { dimParam: d } : {})) } } },
  }))];
  return decodeModel(encodeModel(model));
}

test('intermediate values of a torchscript export get inferred shapes, flagged; declared ones stay declared', () => {
  const model = cnn();
  assert.equal(model.graph!.valueInfo?.length ?? 0, 0, 'the export declares no intermediate shapes');
  const view = buildModelView(model, 'cnn.onnx');
  const g = view.main;
  assert.equal(g.shapesInferred, true);
  const p = value(g, pool);
  assert.deepEqual(p.shape, poolShape);
  assert.equal(p.type, 'float');
  assert.equal(p.inferred, true);
  assert.equal(p.declared, undefined, 'nothing declared');
  assert.deepEqual(value(g, '/conv1/Conv_output_0').shape, ['batch', 8, 'height', 'width']);
  assert.deepEqual(value(g, '/gap/GlobalAveragePool_output_0').shape, ['batch', 16, 1, 1]);
  assert.deepEqual(value(g, '/Flatten_output_0').shape, ['batch', 16]);
  assert.equal(value(g, '/Flatten_output_0').inferred, true);
  for (const name of ['image', 'logits']) {
    const v = value(g, name);
    assert.equal(v.inferred, undefined, `${name} is declared`);
    assert.equal(v.inference, undefined, `inference agrees on ${name}`);
  }
  assert.deepEqual(value(g, 'logits').shape, ['batch', 10]);
  const flagged = g.values.filter((v) => v.inferred).map((v) => v.name).sort();
  assert.deepEqual(flagged, ['/Flatten_output_0', '/Relu_1_output_0', '/Relu_output_0', '/conv1/Conv_output_0', '/conv2/Conv_output_0', '/gap/GlobalAveragePool_output_0', pool].sort());
  assert.deepEqual(view.dims, {}, 'no inferred dim name needs an alias here');
});

test('edges show inferred shapes in italics, the legend explains them, and the hover says both', () => {
  const view = buildModelView(cnn(), 'cnn.onnx');
  const s = scene(view);
  const g = view.main;
  const poolEdge = s.edges.find((e) => e.values.length === 1 && g.values[e.values[0]].name === pool);
  assert.ok(poolEdge);
  assert.equal(poolEdge.label, 'batch×8×floor(height/2)×floor(width/2)');
  assert.equal(poolEdge.inferred, true);
  const inputEdge = s.edges.find((e) => e.values.length === 1 && g.values[e.values[0]].name === 'image')!;
  assert.equal(inputEdge.label, 'batch×3×height×width');
  assert.equal(inputEdge.inferred, undefined, 'a declared shape is drawn upright');
  assert.equal(s.inferred, true, 'the legend shows its line');

  assert.deepEqual(text(edgeRows(g, null, poolEdge)).slice(0, 3), [pool, 'declared none (not in the file)', 'inferred float[batch,8,floor(height/2),floor(width/2)]']);
  assert.deepEqual(text(edgeRows(g, null, inputEdge)).slice(0, 3), ['image', 'declared float[batch,3,height,width]', 'inferred the same']);
  const node = s.items.find((i) => i.kind === 'node' && g.nodes[i.index].op === 'MaxPool')!;
  assert.ok(text(itemRows(g, null, node)).includes(`out ${pool}: float[batch,8,floor(height/2),floor(width/2)] (inferred)`));

  const colours = new Proxy({}, { get: () => '#123456' }) as Theme['categories'];
  const theme = { background: '#fff', nodeFill: '#eee', nodeBorder: '#ccc', text: '#000', subtext: '#555', edge: '#888', edgeLabel: '#555', edgeLabelInferred: '#777', focus: '#00f', match: '#f80', groupFill: '#eee', groupBorder: '#ccc', pillFill: '#ddd', pillText: '#000', heat: '#f00', highContrast: false, categories: colours, fonts: { title: 't', text: 'x', mono: 'm', family: 'sans', monoFamily: 'monospace' } } satisfies Theme;
  const svg = sceneToSvg(s, g, theme);
  assert.match(svg, /class="inferred" font-style="italic" fill="#777">batch×8×floor\(height\/2\)×floor\(width\/2\)</);
  assert.match(svg, /dominant-baseline="middle">batch×3×height×width</, 'the declared label stays upright');
});

test('a value declared with unnamed dims shows the inferred shape and keeps the declared one for the hover', () => {
  const model = withValueInfo(cnn(), [[pool, ['batch', 8, null, null]], ['/gap/GlobalAveragePool_output_0', ['batch', 16, 2, 2]]]);
  const g = buildModelView(model, 'cnn.onnx').main;
  const p = value(g, pool);
  assert.deepEqual(p.shape, poolShape, 'inference knows more than float[batch,8,?,?]');
  assert.equal(p.inferred, true);
  assert.deepEqual(p.declared, ['batch', 8, null, null]);
  const s = scene({ ...buildModelView(model, 'cnn.onnx'), main: g });
  const edge = s.edges.find((e) => e.values.length === 1 && g.values[e.values[0]].name === pool)!;
  assert.equal(edge.inferred, true);
  const rows = text(edgeRows(g, null, edge));
  assert.ok(rows.includes('declared float[batch,8,?,?]'), rows.join(' | '));
  assert.ok(rows.includes('inferred float[batch,8,floor(height/2),floor(width/2)]'), rows.join(' | '));

  // A declaration that contradicts inference (GlobalAveragePool makes 1×1): the file's shape is drawn, the hover tells.
  const gap = value(g, '/gap/GlobalAveragePool_output_0');
  assert.deepEqual(gap.shape, ['batch', 16, 2, 2]);
  assert.equal(gap.inferred, undefined);
  assert.deepEqual(gap.inference, ['batch', 16, 1, 1]);
  const gapEdge = s.edges.find((e) => e.values.length === 1 && g.values[e.values[0]].name === gap.name)!;
  assert.equal(gapEdge.inferred, undefined);
  const gapRows = text(edgeRows(g, null, gapEdge));
  assert.ok(gapRows.includes('declared float[batch,16,2,2]') && gapRows.includes('inferred float[batch,16,1,1]'), gapRows.join(' | '));
});

test("the side panel's node detail carries both shapes of its ports", () => {
  const model = withValueInfo(cnn(), [[pool, ['batch', 8, null, null]]]);
  const source = resolveGraph(model, MAIN_GRAPH)!;
  const index = source.nodes.findIndex((n) => n.opType === 'MaxPool');
  const detail = nodeDetail(model, source, index);
  assert.deepEqual(detail.outputs[0], { slot: '0', name: pool, type: 'float', shape: poolShape, kind: 'value', inferred: true, declared: ['batch', 8, null, null] });
  const relu = detail.inputs[0];
  assert.equal(relu.name, '/Relu_output_0');
  assert.equal(relu.inferred, true);
  assert.equal(relu.declared, undefined);
});

test('inference runs once per model for every graph the editor builds, subgraphs included', () => {
  const model = decodeModel(readFileSync(join(fixtures, 'silero_like_torchscript/model.onnx')));
  let runs = 0;
  const shapes = new ModelShapes(model, (m) => {
    runs++;
    return inferModelShapes(m);
  });
  const view = buildModelView(model, 'silero.onnx', shapes);
  const branches = listGraphs(model).filter((e) => e.kind === 'subgraph');
  assert.equal(branches.length, 2);
  for (const entry of branches) {
    const branch = buildGraphView(model, resolveGraph(model, entry.id)!, shapes);
    assert.equal(branch.shapesInferred, true);
    // The branch unsqueezes the outer `input[batch,time]`: the model-wide inference saw the outer shape.
    const unsqueezed = branch.values.find((v) => /^\/Unsqueeze(_1)?_output_0$/.test(v.name));
    assert.ok(unsqueezed, entry.id);
    assert.deepEqual(unsqueezed.shape, ['batch', 1, 'time']);
    assert.equal(unsqueezed.inferred, true);
  }
  assert.equal(runs, 1);
  assert.equal(value(view.main, '/Mul_2_output_0').inferred, true);
  assert.deepEqual(value(view.main, '/Mul_2_output_0').shape, ['batch', 16]);
});

test('when shape inference fails, the graph still opens with the declared shapes and says inference did not run', () => {
  // No real model we know makes inference throw (every rule's failure stays in its node): the failure is given.
  const model = cnn();
  const shapes = new ModelShapes(model, () => {
    throw new Error('inference broke\n    at somewhere (file.ts:1:1)');
  });
  const view = buildModelView(model, 'cnn.onnx', shapes);
  assert.equal(shapes.error, 'inference broke', 'one line for the log');
  const g = view.main;
  assert.equal(g.shapesInferred, undefined);
  assert.equal(g.nodes.length, 8, 'every node is there');
  assert.deepEqual(value(g, 'image').shape, ['batch', 3, 'height', 'width']);
  assert.deepEqual(value(g, 'logits').shape, ['batch', 10]);
  const p = value(g, pool);
  assert.equal(p.shape, undefined);
  assert.equal(p.type, '');
  assert.equal(g.values.some((v) => v.inferred || v.inference !== undefined || v.declared !== undefined), false);
  const s = scene(view);
  assert.equal(s.inferred, false, 'no legend line');
  const edge = s.edges.find((e) => e.values.length === 1 && g.values[e.values[0]].name === 'image')!;
  assert.ok(text(edgeRows(g, null, edge)).includes('inferred none (shape inference did not run)'));
});
