import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { generateTransformer } from '../../../bench/generate/index.js';
import { nameScope, namespaceScope, nodeScope, NodeScopes } from '../../../src/core/graph/scopes.js';
import { buildGraphView, buildModelView, listGraphs, MAIN_GRAPH, resolveGraph } from '../../../src/core/graph/viewModel.js';
import type { GraphView } from '../../../src/core/graph/viewModelTypes.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../../../src/core/model/proto.js';
import { walkModel } from '../../../src/core/model/walk.js';
import { testCases, testdataRoot } from '../../helpers/testdata.js';

const hostile = '<img src=x onerror=alert(1)>';

function floatInput(name: string, dims: number[]): ValueInfoProto {
  return { name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: dims.map((d) => ({ dimValue: d })) } } } };
}

function weight(name: string, dims: number[]): TensorProto {
  return { name, dataType: DataType.FLOAT, dims, floatData: new Array(dims.reduce((a, b) => a * b, 1)).fill(0.5) };
}

/** Round-trips through bytes, as the editor sees files. */
function model(nodes: NodeProto[], extra: Partial<NonNullable<ModelProto['graph']>> = {}): ModelProto {
  return decodeModel(
    encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: { name: 'g', node: nodes, input: [floatInput('x', [1, 3, 8, 8])], output: [floatInput('y', [1, 64, 8, 8])], ...extra },
    }),
  );
}

function mainView(m: ModelProto): GraphView {
  return buildGraphView(m, resolveGraph(m, MAIN_GRAPH)!);
}

const valueNamed = (g: GraphView, name: string) => g.values.findIndex((v) => v.name === name);

test('weights and Constant nodes feeding a node are folded into it, not drawn', () => {
  const m = model(
    [
      { opType: 'Constant', name: 'shape_const', output: ['shape'], attribute: [{ name: 'value', type: 4, t: { dataType: DataType.INT64, dims: [2], int64Data: [1, -1] } }] },
      { opType: 'Conv', name: 'conv', input: ['x', 'W', 'B'], output: ['c'], attribute: [{ name: 'kernel_shape', type: 7, ints: [3, 3] }] },
      { opType: 'Reshape', name: 'reshape', input: ['c', 'shape'], output: ['y'] },
    ],
    { initializer: [weight('W', [64, 3, 3, 3]), weight('B', [64])] },
  );
  const g = mainView(m);
  const conv = g.nodes[1];
  assert.deepEqual(conv.folded, [1, 2], 'W and B are folded into Conv');
  assert.equal(g.values[conv.inputs[1]].kind, 'initializer');
  assert.deepEqual(g.values[conv.inputs[1]].shape, [64, 3, 3, 3]);
  assert.deepEqual(g.nodes[2].folded, [1], 'the Constant feeding Reshape.shape is folded');
  assert.equal(g.nodes[0].hidden, true, 'the Constant node is not drawn');
  assert.deepEqual(g.values[valueNamed(g, 'shape')].shape, [2], 'a Constant output gets its type from the tensor');
  assert.equal(g.values[valueNamed(g, 'shape')].type, 'int64');
  assert.deepEqual(g.inputs.map((v) => g.values[v].name), ['x'], 'initializers are not graph inputs');
  const c = g.values[valueNamed(g, 'c')];
  assert.equal(c.producer, 1);
  assert.deepEqual(c.consumers, [2]);
});

test('a Constant that is also a graph output stays drawn', () => {
  const m = model([{ opType: 'Constant', name: 'k', output: ['y'], attribute: [{ name: 'value_float', type: 1, f: 2 }] }]);
  const g = mainView(m);
  assert.notEqual(g.nodes[0].hidden, true);
  assert.equal(g.values[g.outputs[0]].name, 'y');
  assert.equal(g.values[g.outputs[0]].producer, 0);
});

test('name scopes become groups; single-node scopes dissolve, lone subscopes merge', () => {
  const names = [
    '/encoder/layers.0/attn/MatMul',
    '/encoder/layers.0/attn/Softmax',
    '/encoder/layers.0/mlp/Relu',
    '/encoder/layers.0/mlp/Add',
    '/encoder/layers.1/attn/MatMul',
    '/encoder/layers.1/attn/Softmax',
    '/head/dense/only/Gemm',
    'plain',
  ];
  const nodes: NodeProto[] = names.map((name, i) => ({ opType: 'Relu', name, input: [i === 0 ? 'x' : `t${i - 1}`], output: [i === names.length - 1 ? 'y' : `t${i}`] }));
  const g = mainView(model(nodes));
  const paths = g.groups.map((x) => x.path).sort();
  assert.deepEqual(paths, ['/encoder', '/encoder/layers.0', '/encoder/layers.0/attn', '/encoder/layers.0/mlp', '/encoder/layers.1/attn'].sort());
  const layers1 = g.groups.find((x) => x.path === '/encoder/layers.1/attn')!;
  assert.equal(layers1.name, 'layers.1/attn', 'a scope holding only one subscope is merged into it');
  assert.equal(g.groups[layers1.parent].path, '/encoder');
  assert.equal(g.groups.find((x) => x.path === '/encoder')!.size, 6);
  assert.equal(g.nodes[6].group, -1, 'a scope with one node dissolves into the top level');
  assert.equal(g.nodes[7].group, -1);
  const attn0 = g.groups.findIndex((x) => x.path === '/encoder/layers.0/attn');
  assert.equal(g.nodes[0].group, attn0);
  for (const group of g.groups) if (group.parent >= 0) assert.ok(group.parent < g.groups.indexOf(group), 'parents come before children');
});

test('scope parsing: PyTorch names and the dynamo exporter namespace', () => {
  assert.deepEqual(nameScope('/model/layers.3/self_attn/q_proj/MatMul'), ['model', 'layers.3', 'self_attn', 'q_proj']);
  assert.deepEqual(nameScope('MatMul_12'), []);
  assert.deepEqual(nameScope('/Relu'), []);
  assert.deepEqual(
    namespaceScope(': __main__.Model/encoder: Encoder/encoder.layers.0: Layer/encoder.layers.0.attn: Attention/linear: aten.linear.default'),
    ['encoder', 'layers.0', 'attn'],
  );
});

test('scopes read for a whole graph (module paths split once) are those of nodeScope, node by node', () => {
  const ns = (namespace: string, name = 'n'): NodeProto => ({ name, opType: 'Relu', metadataProps: [{ key: 'namespace', value: namespace }] });
  const crafted: NodeProto[] = [
    ns(': M/encoder: Encoder/encoder.layers.0: Layer/linear: aten.linear.default'),
    ns(': M/encoder: Encoder/encoder.layers.0: Layer/relu: aten.relu.default'),
    // The same module path, but the last segment a module class: it is a scope of its own.
    ns(': M/encoder: Encoder/encoder.layers.0: Layer/encoder.layers.0.attn: Attention'),
    ns(': M/encoder: Encoder/encoder.layers.1: Layer/linear: aten.linear.default'),
    // Back to a path seen before, not the last one; a longer path that starts with the last one.
    ns(': M/encoder: Encoder/encoder.layers.0: Layer/add: aten.add.Tensor'),
    ns(': M/encoder: Encoder/encoder.layers.0: Layer/x/linear: aten.linear.default'),
    ns('no_slash: Model'),
    ns('/'),
    { name: '/model/layers.0/attn/MatMul', opType: 'MatMul' },
    { name: '/model/layers.0/attn/Add', opType: 'Add' },
    { name: '/model/layers.0/Add', opType: 'Add' },
    { name: 'If_0_else_branch__Inline_0__/decoder/Conv', opType: 'Conv' },
    { name: 'Relu_3', opType: 'Relu' },
    { name: '/model/layers.0/attn/Mul', opType: 'Mul' },
  ];
  const m = decodeModel(encodeModel(generateTransformer({ layers: 2, hidden: 16, heads: 2, vocab: 20, nodeMetadata: true })));
  const exported = ['transformer_dynamo', 'transformer_torchscript', 'cond_dynamo'].map((name) => decodeModel(readFileSync(join(import.meta.dirname, '..', '..', 'fixtures', 'exported', name, 'model.onnx'))));
  let compared = 0;
  for (const nodes of [crafted, m.graph!.node!, ...exported.map((x) => x.graph!.node!)]) {
    const scopes = new NodeScopes();
    for (const node of nodes) {
      assert.deepEqual(scopes.of(node), nodeScope(node), `${node.name}`);
      compared++;
    }
  }
  assert.ok(compared > 200, `compared ${compared} nodes`);
});

test('a view of a graph edited since its index was built still numbers every slot by its name', () => {
  const m = decodeModel(encodeModel(generateTransformer({ layers: 1, hidden: 8, heads: 2, vocab: 10 })));
  const source = resolveGraph(m, MAIN_GRAPH)!;
  assert.ok(source.index.indexes(source.nodes));
  const last = source.nodes[source.nodes.length - 1];
  // Added and reordered after the index was built: its per-slot numbers no longer fit these nodes.
  source.nodes.push({ opType: 'Relu', name: 'added', input: [last.output![0]], output: ['added_out'] });
  source.nodes.reverse();
  assert.ok(!source.index.indexes(source.nodes));
  const view = buildGraphView(m, source);
  source.nodes.forEach((node, n) => {
    (node.input ?? []).forEach((name, i) => assert.equal(name ? view.values[view.nodes[n].inputs[i]].name : '', name ?? ''));
    (node.output ?? []).forEach((name, o) => assert.equal(name ? view.values[view.nodes[n].outputs[o]].name : '', name ?? ''));
  });
});

test('the generated transformer groups by its exporter namespace metadata into layers', () => {
  const m = decodeModel(encodeModel(generateTransformer({ layers: 3, hidden: 16, heads: 2, vocab: 20, nodeMetadata: true })));
  const view = buildModelView(m, 'transformer.onnx');
  const g = view.main;
  assert.equal(g.nodes.length, m.graph!.node!.length, 'one view node per model node');
  const layerGroups = g.groups.filter((x) => /layers\.\d+$/.test(x.name));
  assert.equal(layerGroups.length, 3, `one group per layer, found ${g.groups.map((x) => x.path).join(', ')}`);
  const drawn = g.nodes.filter((n) => !n.hidden).length;
  const topLevel = g.nodes.filter((n) => !n.hidden && n.group === -1).length + g.groups.filter((x) => x.parent === -1).reduce((n, x) => n + x.size, 0);
  assert.equal(topLevel, drawn, 'every drawn node is in exactly one place');
  assert.ok(g.nodes.some((n) => n.hidden), 'Constant weights are folded');
});

test('If, Loop and Scan bodies are separate graphs with captured values marked as outer', () => {
  const root = testdataRoot();
  for (const [name, op, attributes] of [
    ['node/test_if', 'If', ['else_branch', 'then_branch']],
    ['node/test_loop11', 'Loop', ['body']],
    ['node/test_scan_sum', 'Scan', ['body']],
  ] as const) {
    const m = decodeModel(readFileSync(join(root, name, 'model.onnx')));
    const graphs = listGraphs(m);
    const subgraphs = graphs.filter((g) => g.kind === 'subgraph');
    assert.equal(subgraphs.length, attributes.length, name);
    const main = mainView(m);
    const node = main.nodes.findIndex((n) => n.op === op);
    assert.deepEqual(main.nodes[node].subgraphs?.map((s) => s.attribute).sort(), [...attributes].sort(), name);
    for (const sub of main.nodes[node].subgraphs ?? []) {
      const source = resolveGraph(m, sub.graph);
      assert.ok(source, `${name}: ${sub.graph} resolves`);
      const view = buildGraphView(m, source);
      assert.equal(view.kind, 'subgraph');
      assert.equal(view.nodes.length, source.nodes.length);
      assert.ok(graphs.some((g) => g.id === sub.graph && g.parent === MAIN_GRAPH));
    }
  }
  // A branch that reads `x` from the enclosing graph: `x` is an outer value there, typed from the outer graph.
  const branch = (out: string) => ({ name: out, node: [{ opType: 'Relu', input: ['x'], output: [out] }], output: [floatInput(out, [1, 3, 8, 8])] });
  const withIf = model(
    [
      { opType: 'Constant', name: 'c', output: ['cond'], attribute: [{ name: 'value', type: 4, t: { dataType: DataType.BOOL, dims: [], int32Data: [1] } }] },
      { opType: 'If', name: 'if', input: ['cond'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g: branch('a') }, { name: 'else_branch', type: 5, g: branch('b') }] },
    ],
  );
  const then = buildGraphView(withIf, resolveGraph(withIf, '/1.then_branch')!);
  const x = then.values[valueNamed(then, 'x')];
  assert.equal(x.kind, 'outer');
  assert.equal(x.producer, -1);
  assert.deepEqual(x.shape, [1, 3, 8, 8], 'typed from the enclosing graph');
  assert.equal(then.title, 'if ▸ then', 'a short readable path');
  assert.equal(then.fullTitle, 'if.then_branch', 'the full name for hovers');
  const loop = decodeModel(readFileSync(join(root, 'node/test_loop11', 'model.onnx')));
  assert.equal(resolveGraph(loop, '/99.body'), undefined, 'unknown ids resolve to nothing');
  assert.equal(resolveGraph(loop, 'fn:x:y'), undefined);
});

test('a subgraph sees types the enclosing graph only infers, and a captured value is no edge there', () => {
  // `r` has no declared type: the outer graph infers it from Relu(x). The branch reads it from outside.
  const branch = { name: 'then', node: [{ opType: 'Neg', input: ['r'], output: ['n'] }], output: [{ name: 'n' }] };
  const m = model([
    { opType: 'Relu', name: 'relu', input: ['x'], output: ['r'] },
    { opType: 'Constant', name: 'c', output: ['cond'], attribute: [{ name: 'value', type: 4, t: { dataType: DataType.BOOL, dims: [], int32Data: [1] } }] },
    { opType: 'If', name: 'if', input: ['cond'], output: ['y'], attribute: [{ name: 'then_branch', type: 5, g: branch }, { name: 'else_branch', type: 5, g: { ...branch, name: 'else' } }] },
  ]);
  const main = mainView(m);
  assert.deepEqual(main.values[valueNamed(main, 'r')].consumers, [], 'If uses r only inside its branches');
  const then = buildGraphView(m, resolveGraph(m, '/2.then_branch')!);
  const r = then.values[valueNamed(then, 'r')];
  assert.deepEqual({ kind: r.kind, type: r.type, shape: r.shape, consumers: r.consumers }, { kind: 'outer', type: 'float', shape: [1, 3, 8, 8], consumers: [0] });
});

test('hostile names are kept as data, byte for byte', () => {
  const m = model([{ opType: 'Relu', name: hostile, input: ['x'], output: [hostile + '"&'] }], { output: [floatInput(hostile + '"&', [1])] });
  const g = mainView(m);
  assert.equal(g.nodes[0].name, hostile);
  assert.equal(g.values[g.nodes[0].outputs[0]].name, hostile + '"&');
  assert.ok(JSON.stringify(g).includes(JSON.stringify(hostile).slice(1, -1)), 'serialized as a JSON string');
});

test('every libonnx-testdata model gives a consistent view of every graph', () => {
  const cases = testCases();
  let graphs = 0;
  for (const c of cases) {
    const m = decodeModel(readFileSync(c.model));
    const view = buildModelView(m, 'model.onnx');
    const entries = view.graphs;
    assert.equal(entries.length, [...walkModel(m)].length, `${c.name}: every graph is listed`);
    for (const entry of entries) {
      const source = resolveGraph(m, entry.id);
      assert.ok(source, `${c.name}: ${entry.id} resolves`);
      const g = entry.id === MAIN_GRAPH ? view.main : buildGraphView(m, source);
      graphs++;
      assert.equal(g.nodes.length, source.nodes.length, c.name);
      g.values.forEach((v, i) => {
        assert.ok(v.producer < g.nodes.length, c.name);
        if (v.producer >= 0) assert.ok(g.nodes[v.producer].outputs.includes(i), `${c.name}: producer of ${v.name} lists it`);
        for (const consumer of v.consumers) assert.ok(g.nodes[consumer].inputs.includes(i), `${c.name}: consumer of ${v.name} lists it`);
      });
      g.nodes.forEach((n) => {
        for (const slot of n.folded) assert.ok(['initializer', 'constant'].includes(g.values[n.inputs[slot]].kind), c.name);
      });
    }
  }
  assert.ok(cases.length > 1000 && graphs > cases.length, `${cases.length} models, ${graphs} graphs`);
});

test('model-local functions are graphs of their own, and the nodes calling them link there', () => {
  const m = decodeModel(
    encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }, { domain: 'custom', version: 1 }],
      functions: [{ name: 'Swish', domain: 'custom', input: ['a'], output: ['b'], opsetImport: [{ domain: '', version: 17 }], node: [{ opType: 'Sigmoid', input: ['a'], output: ['s'] }, { opType: 'Mul', input: ['a', 's'], output: ['b'] }] }],
      graph: { name: 'g', node: [{ opType: 'Swish', domain: 'custom', name: 'act', input: ['x'], output: ['y'] }], input: [floatInput('x', [2])], output: [floatInput('y', [2])] },
    }),
  );
  const main = mainView(m);
  assert.equal(main.nodes[0].calls, 'fn:custom:Swish');
  assert.equal(main.nodes[0].domain, 'custom');
  const entry = listGraphs(m).find((g) => g.id === 'fn:custom:Swish');
  assert.deepEqual(entry && { kind: entry.kind, title: entry.title, nodes: entry.nodes }, { kind: 'function', title: 'custom.Swish', nodes: 2 });
  const fn = buildGraphView(m, resolveGraph(m, 'fn:custom:Swish')!);
  assert.deepEqual(fn.inputs.map((v) => fn.values[v].name), ['a']);
  assert.deepEqual(fn.outputs.map((v) => fn.values[v].name), ['b']);
  assert.deepEqual(fn.values[fn.values.findIndex((v) => v.name === 's')].consumers, [1]);
});
