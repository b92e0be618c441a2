import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GraphIndex } from '../../../src/core/model/graphIndex.js';
import { tensorStats } from '../../../src/core/model/stats.js';
import { ModelShapes } from '../../../src/core/graph/shapeSources.js';
import { describeOp, describeValue, type DescribeContext } from '../../../src/core/text/describe.js';
import { parseModelText } from '../../../src/core/text/parser.js';
import { LineIndex, nameAt, opAt } from '../../../src/core/text/sourceMap.js';

const text = [
  '<ir_version: 8, opset_import: ["" : 15, "com.microsoft" : 1]>',
  'g (float[N,2] X) => (float[N,2] Y)',
  '<float[2] W = {1.5, -0.5}, float[64] big = {...}>',
  '{',
  '  [mm] T = Mul(X, W)',
  '  U = com.microsoft.Gelu(T)',
  '  Y = Add(U, big)',
  '}',
].join('\n');

function context(runtime?: DescribeContext['runtime']): DescribeContext {
  const parsed = parseModelText(text);
  assert.ok(parsed.model);
  const lines = new LineIndex(text);
  const indexes = new Map<number, GraphIndex>();
  return {
    map: parsed.map, model: parsed.model, elided: new Set(parsed.elided.map((e) => e.name)), runtime,
    indexFor: (scope) => {
      const graph = parsed.map.scopes[scope].graph;
      if (!graph) return undefined;
      if (!indexes.has(scope)) indexes.set(scope, GraphIndex.build(graph));
      return indexes.get(scope);
    },
    lineOf: (offset) => lines.position(offset).line + 1,
  };
}

const at = (ctx: DescribeContext, marker: string, skip = 0) => nameAt(ctx.map, text.indexOf(marker) + skip)!;

test('hover on a value: type, producer, consumers', () => {
  const ctx = context();
  const md = describeValue(at(ctx, 'Gelu(T)', 5), ctx);
  assert.match(md, /\*\*`T`\*\* — value/);
  assert.match(md, /type not recorded in the model/);
  const x = describeValue(at(ctx, 'Mul(X', 4), ctx);
  assert.match(x, /\*\*`X`\*\* — graph input/);
  assert.match(x, /`float\[N,2\]` \(rank 2\)/);
  assert.match(md, /Produced by `Mul` `mm` \(line 5\)/);
  assert.match(md, /Consumed by 1 node:\n- `com\.microsoft\.Gelu` \(line 6\)/);
});

test('hover on an initializer: statistics and a preview; elided values say so', () => {
  const ctx = context();
  const md = describeValue(at(ctx, 'W = {', 0), ctx);
  assert.match(md, /initializer/);
  assert.match(md, /min -0\.5 · max 1\.5 · mean 0\.5 · std 1/);
  assert.match(md, /`\[1\.5, -0\.5\]`/);
  const big = describeValue(at(ctx, 'big)', 0), ctx);
  assert.match(big, /Values elided in this text/);
});

test('hover with a test run shows the runtime shape and statistics', () => {
  const stats = tensorStats(Float64Array.of(0, 1, 2, 3, 4, 5));
  const ctx = context({ values: new Map([['U', { dtype: 'float', shape: [3, 2], stats }]]), intermediates: true });
  const md = describeValue(at(ctx, 'U = ', 0), ctx);
  assert.match(md, /\*\*Last test run\*\* `float\[3,2\]`/);
  assert.match(md, /min 0 · max 5 · mean 2\.5/);
  const outputsOnly = context({ values: new Map(), intermediates: false });
  assert.match(describeValue(at(outputsOnly, 'U = ', 0), outputsOnly), /Not captured by the last test run/);
});

test('hover on an op type: domain and opset in use', () => {
  const ctx = context();
  assert.match(describeOp(opAt(ctx.map, text.indexOf('Mul('))!, ctx), /\*\*`Mul`\*\* — domain `ai\.onnx`, opset 15/);
  assert.match(describeOp(opAt(ctx.map, text.indexOf('Gelu'))!, ctx), /domain `com\.microsoft`, opset 1/);
});

test('names from the model cannot inject Markdown into a hover', () => {
  const hostile = '<ir_version: 8, opset_import: ["" : 15]> g (float X) => (float Y) { ["[click](https://example.com) *x*"] "`a`\nb" = Relu(X)  Y = Neg("`a`\nb") }';
  const parsed = parseModelText(hostile);
  assert.ok(parsed.model, parsed.diagnostics[0]?.message);
  const ctx: DescribeContext = { map: parsed.map, model: parsed.model, indexFor: (s) => (parsed.map.scopes[s].graph ? GraphIndex.build(parsed.map.scopes[s].graph!) : undefined), lineOf: () => 1 };
  const md = describeValue(nameAt(parsed.map, hostile.indexOf('Neg(') + 5)!, ctx);
  assert.match(md, /Produced by `Relu` `\[click\]\(https:\/\/example\.com\) \*x\*`/);
  assert.match(md, /\*\*`'a' b`\*\*/);
});

test('an input with an initializer shows its default values', () => {
  const text2 = '<ir_version: 3, opset_import: ["" : 6]> g (float[2] X = {1, 3}) => (float[2] Y) { Y = Neg(X) }';
  const parsed = parseModelText(text2);
  const ctx: DescribeContext = { map: parsed.map, model: parsed.model, indexFor: () => GraphIndex.build(parsed.model!.graph!), lineOf: () => 1 };
  const md = describeValue(nameAt(parsed.map, text2.indexOf('Neg(X') + 4)!, ctx);
  assert.match(md, /input with initializer/);
  assert.match(md, /\*\*Default values\*\* `float\[2\]`/);
  assert.match(md, /min 1 · max 3 · mean 2 · std 1/);
});

test('hover on a value says what the file declares and what shape inference gives, or that one is missing', () => {
  const parsed = parseModelText(text);
  assert.ok(parsed.model);
  const shapes = new ModelShapes(parsed.model);
  const ctx: DescribeContext = { ...context(), model: parsed.model, map: parsed.map, inferred: (scope) => {
    const graph = parsed.map.scopes[scope].graph;
    return graph && shapes.of(graph);
  } };
  const t = describeValue(at(ctx, 'Gelu(T)', 5), ctx);
  assert.match(t, /Declared: type not recorded in the model {2}\nInferred: `float\[N,2\]`/);
  const x = describeValue(at(ctx, 'Mul(X', 4), ctx);
  assert.match(x, /Declared: `float\[N,2\]` \(rank 2\) {2}\nInferred: the same/);
  const u = describeValue(at(ctx, 'Add(U', 4), ctx);
  assert.match(u, /Declared: type not recorded in the model {2}\nInferred: `float\[N,2\]`/, 'through the contrib Gelu');
  // An op of a domain inference knows nothing of: it says it cannot tell.
  const mystery = ['<ir_version: 8, opset_import: ["" : 15, "my.ops" : 1]>', 'g (float[N,2] X) => (float[N,2] Y)', '{', '  M = my.ops.Mystery(X)', '  Y = Relu(M)', '}'].join('\n');
  const other = parseModelText(mystery);
  assert.ok(other.model);
  const otherShapes = new ModelShapes(other.model);
  const lines = new LineIndex(mystery);
  const otherCtx: DescribeContext = {
    map: other.map, model: other.model, lineOf: (offset) => lines.position(offset).line + 1,
    indexFor: (scope) => GraphIndex.build(other.map.scopes[scope].graph!),
    inferred: (scope) => otherShapes.of(other.map.scopes[scope].graph!),
  };
  const m = describeValue(nameAt(other.map, mystery.indexOf('Relu(M') + 5)!, otherCtx);
  assert.match(m, /Declared: type not recorded in the model {2}\nInferred: nothing \(shape inference cannot tell\)/);
  const w = describeValue(at(ctx, 'W = {', 0), ctx);
  assert.doesNotMatch(w, /Inferred/, 'an initializer declares its shape in its tensor');
});
