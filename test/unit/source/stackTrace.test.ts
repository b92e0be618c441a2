// Stack traces and module paths as torch's exporters wrote them, read from the committed real exports
// (test/fixtures/exported): exact frames of named nodes, module paths from name_scopes and node names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { test } from 'node:test';
import { decodeModel } from '../../../src/core/model/decode.js';
import type { ModelProto, NodeProto } from '../../../src/core/model/proto.js';
import { walkModel } from '../../../src/core/model/walk.js';
import { modulePathFromNodeName, nodeModulePath, parsePythonStringList } from '../../../src/core/source/modulePath.js';
import { nodeSources, nodesAtLine } from '../../../src/core/source/nodeSources.js';
import { nodeFrames, parseStackTrace } from '../../../src/core/source/stackTrace.js';

const root = new URL('../../fixtures/exported/', import.meta.url);
const load = (name: string): ModelProto => decodeModel(readFileSync(new URL(`${name}/model.onnx`, root)));
const node = (model: ModelProto, name: string): NodeProto => {
  for (const visit of walkModel(model)) for (const n of visit.nodes) if (n.name === name) return n;
  throw new Error(`no node ${name}`);
};
const script = '/src/onnx-lens/scripts/make-exported-fixtures.py';
const site = '/opt/venv/lib/python3.11/site-packages/torch/nn/modules';
const own = (line: number, code: string) => ({ file: script, line, function: 'forward', code, sitePackages: false, generated: false });

test('a node of a module: its line in the script, then torch\'s own module in site-packages', () => {
  const frames = nodeFrames(node(load('cnn_dynamo'), 'node_Conv_22').metadataProps);
  assert.deepEqual(frames, [
    own(74, 'x = self.pool(F.relu(self.bn1(self.conv1(image))))'),
    { file: `${site}/batchnorm.py`, line: 210, function: 'forward', code: 'return F.batch_norm(', sitePackages: true, generated: false },
  ]);
});

test('a functional call has one frame', () => {
  assert.deepEqual(nodeFrames(node(load('cnn_dynamo'), 'node_relu').metadataProps), [own(74, 'x = self.pool(F.relu(self.bn1(self.conv1(image))))')]);
});

test('nested modules give one frame per forward, outermost first', () => {
  const frames = nodeFrames(node(load('transformer_dynamo'), 'node_MatMul_7').metadataProps);
  assert.deepEqual(frames.map((f) => [f.file, f.line, f.sitePackages]), [
    [script, 133, false],
    [script, 115, false],
    [script, 89, false],
    [`${site}/linear.py`, 134, true],
  ]);
  assert.equal(frames[2].code, 'qkv = self.qkv(x).reshape(b, s, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)');
});

test('a frame without code, at a relative path (torch\'s runtime asserts)', () => {
  assert.deepEqual(nodeFrames(node(load('transformer_dynamo'), 'node_Shape_0').metadataProps), [
    { file: 'torch/fx/passes/runtime_assert.py', line: 24, function: 'insert_deferred_runtime_asserts', sitePackages: false, generated: false },
  ]);
});

test('frames in FX-generated code are marked generated (a torch.cond branch)', () => {
  const frames = nodeFrames(node(load('cond_dynamo'), 'node_linear').metadataProps);
  assert.equal(frames[0].file, script);
  assert.equal(frames[0].line, 164);
  assert.equal(frames[0].code, 'return torch.cond(x.sum() > 0, when_positive, otherwise, (x,))');
  const generated = frames.filter((f) => f.generated).map((f) => f.file);
  assert.deepEqual(generated, ['<eval_with_key>.43', '<eval_with_key>.44']);
});

test('every frame in the script quotes the script\'s own line', () => {
  const lines = readFileSync(fileURLToPath(new URL('../../../scripts/make-exported-fixtures.py', import.meta.url)), 'utf8').split('\n');
  let checked = 0;
  for (const name of ['cnn_dynamo', 'transformer_dynamo', 'cond_dynamo', 'silero_like_dynamo']) {
    for (const source of nodeSources(load(name))) {
      for (const f of source.frames.filter((f) => f.file === script)) {
        assert.equal(lines[f.line - 1].trim(), f.code, `${name} ${source.nodeName} line ${f.line}`);
        checked++;
      }
    }
  }
  assert.ok(checked >= 100, `${checked} frames checked`);
});

test('parseStackTrace: quotes in paths, CRLF, noise lines', () => {
  assert.deepEqual(parseStackTrace('Traceback:\r\n  File "C:\\\\x\\\\a \\"b\\".py", line 3, in <module>\r\n    y = f(x)\r\n    ^^^^\r\n'), [
    { file: 'C:\\x\\a "b".py', line: 3, function: '<module>', code: 'y = f(x)', sitePackages: false, generated: false },
  ]);
  assert.deepEqual(parseStackTrace(''), []);
});

test('module path from name_scopes and class_hierarchy', () => {
  const m = nodeModulePath(node(load('transformer_dynamo'), 'node_MatMul_7'));
  assert.deepEqual(m, {
    path: 'block.attn.qkv',
    from: 'name_scopes',
    scopes: [
      { path: '', className: '__main__.TinyTransformer' },
      { path: 'block', className: '__main__.Block' },
      { path: 'block.attn', className: '__main__.Attention' },
      { path: 'block.attn.qkv', className: 'torch.nn.modules.linear.Linear' },
    ],
  });
  assert.equal(nodeModulePath(node(load('cnn_dynamo'), 'node_Conv_22'))?.path, 'bn1');
  // A functional op in the root module, and shape arithmetic outside every module.
  assert.equal(nodeModulePath(node(load('cnn_dynamo'), 'node_relu'))?.path, '');
  assert.deepEqual(nodeModulePath(node(load('transformer_dynamo'), 'node_Shape_0'))?.scopes, []);
});

test('module path from torchscript node names', () => {
  const model = load('transformer_torchscript');
  assert.deepEqual(nodeModulePath(node(model, '/block/attn/qkv/MatMul')), {
    path: 'block.attn.qkv',
    from: 'node_name',
    scopes: [{ path: '' }, { path: 'block' }, { path: 'block.attn' }, { path: 'block.attn.qkv' }],
  });
  assert.equal(nodeModulePath(node(model, '/Range'))?.path, '');
  assert.equal(nodeModulePath(node(load('cnn_torchscript'), '/conv1/Conv'))?.path, 'conv1');
  assert.equal(modulePathFromNodeName('/layer1/conv/Conv')?.path, 'layer1.conv');
  assert.equal(nodeModulePath(node(model, 'Identity_22')), undefined);
});

test('parsePythonStringList reads repr lists and refuses others', () => {
  assert.deepEqual(parsePythonStringList("['', 'a.b', \"it's\", 'x\\'y']"), ['', 'a.b', "it's", "x'y"]);
  assert.deepEqual(parsePythonStringList('[]'), []);
  assert.equal(parsePythonStringList("['a' 'b']"), undefined);
  assert.equal(parsePythonStringList('a, b'), undefined);
});

test('nodesAtLine finds the nodes a line made, through any frame', () => {
  const sources = nodeSources(load('cnn_dynamo'));
  const isScript = (f: string) => f === script;
  assert.deepEqual(nodesAtLine(sources, 75, isScript).map((s) => s.nodeName), ['node_Conv_23', 'node_relu_1']);
  assert.deepEqual(nodesAtLine(sources, 77, isScript).map((s) => s.nodeName), ['node_linear']);
  assert.deepEqual(nodesAtLine(sources, 76, () => false), []);
});
