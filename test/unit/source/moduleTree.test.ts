// The module tree of the committed real exports (test/fixtures/exported): from dynamo's name scopes with
// classes, from torchscript node names, and the per-module and per-line sums of kernel time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeModel } from '../../../src/core/model/decode.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { moduleTime, moduleTree, nodesUnder, slowestLines, type ModuleNode } from '../../../src/core/source/moduleTree.js';
import { DataType, onnx } from '../../../src/core/model/proto.js';
import { tensorInfo } from '../../helpers/models.js';

const root = new URL('../../fixtures/exported/', import.meta.url);
const load = (name: string): ModelProto => decodeModel(readFileSync(new URL(`${name}/model.onnx`, root)));
/** `path count` lines, depth first, as the tree view lists them. */
const outline = (m: ModuleNode, depth = 0): string[] => [`${'  '.repeat(depth)}${m.path || '(root)'} ${m.count}${m.className ? ' ' + m.className.split('.').pop() : ''}`, ...m.children.flatMap((c) => outline(c, depth + 1))];
const find = (m: ModuleNode, path: string): ModuleNode => {
  if (m.path === path) return m;
  for (const c of m.children) if (path.startsWith(c.path)) try { return find(c, path); } catch { /* a sibling with the same prefix */ }
  throw new Error(`no module ${path}`);
};

test('dynamo export: the module hierarchy with classes from name_scopes and class_hierarchy', () => {
  const tree = moduleTree(load('transformer_dynamo'));
  assert.equal(tree.from, 'name_scopes');
  assert.deepEqual(outline(tree.root), [
    '(root) 37 TinyTransformer',
    '  tokens 1 Embedding',
    '  positions 1 Embedding',
    '  block 27 Block',
    '    block.ln1 1 LayerNorm',
    '    block.attn 18 Attention',
    '      block.attn.qkv 2 Linear',
    '      block.attn.proj 2 Linear',
    '    block.ln2 1 LayerNorm',
    '    block.mlp 5 MLP',
    '      block.mlp.fc1 2 Linear',
    '      block.mlp.fc2 2 Linear',
    '  ln_f 1 LayerNorm',
    '  head 2 Linear',
  ]);
  const qkv = find(tree.root, 'block.attn.qkv');
  assert.equal(qkv.name, 'qkv');
  assert.deepEqual(qkv.own, ['node_MatMul_7', 'node_linear']);
  // Shape arithmetic outside every module stays at the root.
  assert.ok(tree.root.own.includes('node_Shape_0'));
  assert.equal(nodesUnder(tree.root).length, 37);
  assert.equal(nodesUnder(find(tree.root, 'block.mlp')).length, 5);
});

test('torchscript export: the same hierarchy from node names, without classes', () => {
  const tree = moduleTree(load('transformer_torchscript'));
  assert.equal(tree.from, 'scopes');
  assert.deepEqual(outline(tree.root).map((l) => l.trim().split(' ')[0]), ['(root)', 'tokens', 'positions', 'block', 'block.ln1', 'block.attn', 'block.attn.qkv', 'block.attn.proj', 'block.ln2', 'block.mlp', 'block.mlp.fc1', 'block.mlp.fc2', 'ln_f', 'head']);
  assert.equal(find(tree.root, 'block.attn').count, 44);
  assert.ok(find(tree.root, 'block.attn.qkv').own.every((n) => n.startsWith('/block/attn/qkv/')));
});

test('a model without module metadata or scoped names: every node at the root, and it says so', () => {
  const m = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    graph: { input: [tensorInfo('x', DataType.FLOAT, [2])], output: [tensorInfo('y', DataType.FLOAT, [2])], node: [{ name: 'a', opType: 'Relu', input: ['x'], output: ['t'] }, { name: 'b', opType: 'Neg', input: ['t'], output: ['y'] }] },
  });
  const tree = moduleTree(m);
  assert.equal(tree.from, 'none');
  assert.deepEqual(tree.root.children, []);
  assert.deepEqual(tree.root.own, ['a', 'b']);
});

test('kernel time sums per module and per making line; untimed modules have no time', () => {
  const m = load('transformer_dynamo');
  const tree = moduleTree(m);
  const times = new Map([['node_MatMul_7', 3], ['node_linear', 1], ['node_softmax', 2], ['node_embedding', 0.5]]);
  assert.equal(moduleTime(find(tree.root, 'block.attn.qkv'), times), 4);
  assert.equal(moduleTime(find(tree.root, 'block.attn'), times), 6);
  assert.equal(moduleTime(tree.root, times), 6.5);
  assert.equal(moduleTime(find(tree.root, 'head'), times), undefined);
  const lines = slowestLines(m, times);
  // The making line is the innermost frame in the user's code: line 89 (qkv) over torch's linear.py.
  assert.deepEqual(lines.map((l) => [l.line, l.time, l.nodes]), [[89, 4, ['node_MatMul_7', 'node_linear']], [92, 2, ['node_softmax']], [132, 0.5, ['node_embedding']]]);
  assert.ok(lines.every((l) => l.file.endsWith('make-exported-fixtures.py')));
});
