// If/Loop bodies and model-local functions are converted with the graph; other domains are left alone;
// what was done is reported; bad targets and ops unknown at the model's opset are refused in one line.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { encodeModel } from '../../../src/core/model/decode.js';
import { int64ToNumber, onnx, type GraphProto, type ModelProto } from '../../../src/core/model/proto.js';
import { convertOpset } from '../../../src/core/opset/convert.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { a, BOOL, F, graph, I64, inputsFor, maxDifference, model, n, run, tensor } from './models.js';

const client = RuntimeClient.start({ timeoutMs: 60_000 });
after(() => client.dispose());

async function sameOutputs(source: ModelProto, converted: ModelProto): Promise<void> {
  const feeds = inputsFor(source);
  assert.ok(maxDifference(await run(client, source, feeds), await run(client, converted, feeds)) <= 1e-5);
}

function refused(f: () => unknown, message: RegExp): void {
  assert.throws(f, (e: unknown) => e instanceof UserError && message.test(e.message) && !e.message.includes('\n'));
}

const branch = (name: string, nodes: ReturnType<typeof n>[], out: string): GraphProto => ({ ...graph({ inputs: [], outputs: [[out, F, [2, 3, 4]]], nodes }, name) });

function ifModel(opset: number, thenNodes: ReturnType<typeof n>[]): ModelProto {
  return model(opset, {
    inputs: [['X', F, [2, 3, 4]], ['C', BOOL, []]], outputs: [['Y', F, [2, 3, 4]]],
    nodes: [n('If', ['C'], ['Y'], { then_branch: a.g(branch('then', thenNodes, 't')), else_branch: a.g(branch('else', [n('Neg', ['X'], ['e'])], 'e')) }, 'choose')],
  });
}

test('If branches are converted: a Softmax over several axes in a branch (11 to 13)', async () => {
  const source = ifModel(11, [n('Softmax', ['X'], ['t'], { axis: a.i(1) })]);
  const r = convertOpset(source, 13);
  const thenBranch = r.model.graph!.node![0].attribute!.find((x) => x.name === 'then_branch')!.g!;
  assert.deepEqual(thenBranch.node!.map((x) => x.opType), ['Flatten', 'Softmax', 'Shape', 'Reshape']);
  assert.equal(r.changes[0].graph, 'choose.then_branch');
  for (const c of [true, false]) {
    const feeds = { ...inputsFor(source), C: { dtype: BOOL, dims: [], data: Uint8Array.of(c ? 1 : 0) } };
    assert.ok(maxDifference(await run(client, source, feeds), await run(client, r.model, feeds)) <= 1e-6);
  }
});

test('a refusal inside a branch names the branch', () => {
  refused(() => convertOpset(ifModel(12, [n('ArgMax', ['X'], ['i'], { select_last_index: a.i(1), keepdims: a.i(1) }), n('Cast', ['i'], ['t'], { to: a.i(1) })]), 11),
    /node 'argmax_i' \(ArgMax in choose\.then_branch\), opset 12 → 11: its attribute select_last_index=1/);
});

test('Loop bodies are converted: Unsqueeze/Squeeze axes become inputs of the body (12 to 13)', async () => {
  const body = graph({
    inputs: [['i', I64, []], ['cond', BOOL, []], ['acc', F, [3]]],
    outputs: [['cond_out', BOOL, []], ['acc_out', F, [3]]],
    nodes: [
      n('Identity', ['cond'], ['cond_out']),
      n('Unsqueeze', ['X'], ['u'], { axes: a.ints([0]) }),
      n('Squeeze', ['u'], ['s'], { axes: a.ints([0]) }),
      n('Add', ['acc', 's'], ['acc_out']),
    ],
  }, 'body');
  const source = model(12, {
    inputs: [['X', F, [3]], ['A', F, [3]]], outputs: [['Y', F, [3]]],
    initializers: [tensor('M', I64, [], [3]), tensor('T', BOOL, [], [1])],
    nodes: [n('Loop', ['M', 'T', 'A'], ['Y'], { body: a.g(body) })],
  });
  const r = convertOpset(source, 13);
  const converted = r.model.graph!.node![0].attribute![0].g!;
  assert.deepEqual(converted.node!.map((x) => x.input!.length), [1, 2, 2, 2]);
  assert.equal((converted.initializer ?? []).length, 2, 'the axes are initializers of the body');
  await sameOutputs(source, r.model);
});

test('model-local functions are converted, with Constant nodes for new constants, and their opset import follows', async () => {
  const source = model(12, {
    inputs: [['X', F, [1, 3]]], outputs: [['Y', F, [3]]],
    nodes: [n('SqueezeFirst', ['X'], ['Y'], {}, 'call')],
  }, 8);
  source.graph!.node![0].domain = 'local';
  source.opsetImport!.push({ domain: 'local', version: 1 });
  source.functions = [{
    name: 'SqueezeFirst', domain: 'local', input: ['x'], output: ['y'],
    node: [n('Squeeze', ['x'], ['s'], { axes: a.ints([0]) }), n('Relu', ['s'], ['y'])],
    opsetImport: [{ domain: '', version: 12 }],
  }];
  const r = convertOpset(source, 13);
  const fn = r.model.functions![0];
  assert.deepEqual(fn.node!.map((x) => x.opType), ['Constant', 'Squeeze', 'Relu']);
  assert.equal(int64ToNumber(fn.opsetImport!.find((o) => !o.domain)!.version), 13);
  assert.equal(r.changes[0].graph, "function 'local.SqueezeFirst'");
  await sameOutputs(source, r.model);
});

test('nodes of other domains are left as they are', () => {
  const source = model(12, { inputs: [['X', F, [2]]], outputs: [['Y', F, [2]]], nodes: [n('FusedGelu', ['X'], ['Y'])] });
  source.graph!.node![0].domain = 'com.microsoft';
  source.opsetImport!.push({ domain: 'com.microsoft', version: 1 });
  const r = convertOpset(source, 13);
  const bytes = (m: ModelProto) => onnx.NodeProto.encode(m.graph!.node![0]).finish();
  assert.ok(bytes(r.model).length > 10);
  assert.deepEqual(bytes(r.model), bytes(source));
  assert.equal(int64ToNumber(r.model.opsetImport!.find((o) => o.domain === 'com.microsoft')!.version), 1);
});

test('the result lists the ops whose version moved and the nodes rewritten', () => {
  const source = model(12, {
    inputs: [['X', F, [2, 3]]], outputs: [['Y', F, [2, 3]]],
    nodes: [n('Relu', ['X'], ['R1']), n('Relu', ['R1'], ['R2']), n('Softmax', ['R2'], ['Y'], { axis: a.i(1) }, 'sm')],
  });
  const r = convertOpset(source, 14);
  assert.deepEqual(r.versions, [{ op: 'Relu', from: 6, to: 14, nodes: 2 }, { op: 'Softmax', from: 11, to: 13, nodes: 1 }]);
  assert.deepEqual(r.changes.map((c) => [c.node, c.op, c.from, c.to]), [['sm', 'Softmax', 11, 13]]);
  assert.match(r.changes[0].what, /axis 1 is the last of 2: axis=-1 written/);
  assert.equal(r.from, 12);
  assert.equal(r.to, 14);
});

test('a model already at the target is returned as it is (a copy)', () => {
  const source = model(13, { inputs: [['X', F, [2]]], outputs: [['Y', F, [2]]], nodes: [n('Relu', ['X'], ['Y'])] });
  const r = convertOpset(source, 13);
  assert.notEqual(r.model, source);
  assert.deepEqual(encodeModel(r.model), encodeModel(source));
  assert.deepEqual([r.changes, r.versions, r.notes], [[], [], []]);
});

test('targets outside 1..26 and ops unknown at the model\'s opset are refused in one line', () => {
  const relu = model(13, { inputs: [['X', F, [2]]], outputs: [['Y', F, [2]]], nodes: [n('Relu', ['X'], ['Y'])] });
  for (const bad of [0, 27, 3.5, Number.NaN]) refused(() => convertOpset(relu, bad), /^The target opset must be a whole number from 1 to 26/);
  const unknown = model(13, { inputs: [['X', F, [2]]], outputs: [['Y', F, [2]]], nodes: [n('Frobnicate', ['X'], ['Y'], {}, 'odd')] });
  refused(() => convertOpset(unknown, 14), /node 'odd' \(Frobnicate\), opset 13 → 13: Frobnicate is not an operator of the ONNX default domain/);
  const early = model(10, { inputs: [['X', F, [2]]], outputs: [['Y', F, [2]]], nodes: [n('Gelu', ['X'], ['Y'], {}, 'g')] });
  refused(() => convertOpset(early, 13), /Gelu does not exist at opset 10 \(it came at opset 20\)/);
  const noGraph = { irVersion: 8, opsetImport: [{ domain: '', version: 13 }] };
  refused(() => convertOpset(noGraph, 14), /no graph/);
});
