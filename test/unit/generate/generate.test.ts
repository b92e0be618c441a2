import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { ExternalDataReader } from '../../../src/core/model/externalData.js';
import { GraphIndex } from '../../../src/core/model/graphIndex.js';
import { onnx, toLong, type ModelProto, type NodeProto } from '../../../src/core/model/proto.js';
import { tensorToArray } from '../../../src/core/model/tensorValues.js';
import { generateCnn, generateMlp, generateTransformer, writeExternalDataModel } from '../../../bench/generate/index.js';
import { sampleModel } from '../../../bench/generate/sample.js';
import { tempDir as makeTempDir } from '../../helpers/models.js';
import { onnxCheck } from '../../helpers/python.js';

const small = { layers: 2, hidden: 32, heads: 4, vocab: 64, maxPositions: 16 };
const dirs: string[] = [];
const tempDir = () => {
  dirs.push(makeTempDir('onnx-lens-generate-'));
  return dirs[dirs.length - 1];
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const samplePath = fileURLToPath(new URL('../../fixtures/sample.onnx', import.meta.url));

function writeModel(dir: string, name: string, model: ModelProto): string {
  const path = join(dir, name);
  writeFileSync(path, encodeModel(model));
  return path;
}

/** Every node input is a graph input, an initializer or an earlier node's output: the file is sorted. */
function assertSorted(model: ModelProto): void {
  const graph = model.graph!;
  const known = new Set<string>([...(graph.input ?? []).map((v) => v.name!), ...(graph.initializer ?? []).map((t) => t.name!), '']);
  for (const node of graph.node ?? []) {
    for (const input of node.input ?? []) assert.ok(known.has(input), `${node.name} reads ${input} before it is produced`);
    for (const output of node.output ?? []) known.add(output);
  }
}

function opOf(index: GraphIndex, name: string): NodeProto | undefined {
  return index.producer(name)?.node;
}

test('the committed sample model is exactly what `npm run sample` generates', () => {
  const committed = readFileSync(samplePath);
  assert.equal(Buffer.compare(Buffer.from(encodeModel(sampleModel())), committed), 0, 'run `npm run sample` and commit test/fixtures/sample.onnx');
  const model = decodeModel(committed);
  assert.ok(committed.length < 400 * 1024, `sample is ${committed.length} bytes`);
  assert.ok((model.graph?.node?.length ?? 0) > 100);
});

test('generators are deterministic for a seed and differ across seeds', () => {
  const a = encodeModel(generateTransformer({ ...small, seed: 7 }));
  const b = encodeModel(generateTransformer({ ...small, seed: 7 }));
  const c = encodeModel(generateTransformer({ ...small, seed: 8 }));
  assert.equal(Buffer.compare(Buffer.from(a), Buffer.from(b)), 0);
  assert.notEqual(Buffer.compare(Buffer.from(a), Buffer.from(c)), 0);
  assert.equal(Buffer.compare(Buffer.from(encodeModel(generateCnn({ seed: 3 }))), Buffer.from(encodeModel(generateCnn({ seed: 3 })))), 0);
});

test('the transformer has exporter-style scoped names and shape chains for every head split and merge', () => {
  const model = generateTransformer(small);
  const graph = model.graph!;
  assertSorted(model);
  const names = (graph.node ?? []).map((n) => n.name!);
  assert.equal(new Set(names).size, names.length, 'node names are unique');
  for (const name of ['/model/layers.0/self_attn/q_proj/MatMul', '/model/layers.1/mlp/fc2/Add', '/model/layers.0/input_layernorm/ReduceMean_1', '/model/embed_tokens/Gather', '/lm_head/MatMul']) {
    assert.ok(names.includes(name), `missing ${name}`);
  }
  assert.ok((graph.initializer ?? []).some((t) => t.name === 'model.layers.1.self_attn.k_proj.weight'));
  const index = GraphIndex.build(graph);
  const reshapes = (graph.node ?? []).filter((n) => n.opType === 'Reshape' && n.name!.includes('/self_attn/'));
  assert.equal(reshapes.length, small.layers * 4, 'q, k, v split and one merge per layer');
  for (const reshape of reshapes) {
    const concat = opOf(index, reshape.input![1]);
    assert.equal(concat?.opType, 'Concat', reshape.name!);
    const unsqueezes = concat!.input!.map((i) => opOf(index, i)).filter((n) => n?.opType === 'Unsqueeze');
    assert.equal(unsqueezes.length, 2, `${reshape.name}: batch and sequence dims`);
    for (const unsqueeze of unsqueezes) {
      const gather = opOf(index, unsqueeze!.input![0]);
      assert.equal(gather?.opType, 'Gather');
      assert.equal(opOf(index, gather!.input![0])?.opType, 'Shape');
    }
  }
  const perLayer = (graph.node!.length - generateTransformer({ ...small, layers: 1 }).graph!.node!.length);
  assert.ok(perLayer > 100 && perLayer < 130, `${perLayer} nodes per layer`);
  assert.deepEqual(graph.output?.map((o) => o.name), ['logits']);
});

test('node metadata and Constant-node weights change only what they say', () => {
  const plain = generateTransformer(small);
  const rich = generateTransformer({ ...small, nodeMetadata: true });
  assert.equal(Number(rich.irVersion), 10, 'node metadata_props need IR 10');
  const q = rich.graph!.node!.find((n) => n.name === '/model/layers.1/self_attn/q_proj/MatMul')!;
  const namespace = q.metadataProps?.find((p) => p.key === 'namespace')?.value ?? '';
  assert.match(namespace, /^: TransformerLM\/model: TransformerModel\/model\.layers\.1: DecoderLayer\/model\.layers\.1\.self_attn: Attention\/model\.layers\.1\.self_attn\.q_proj: torch\.nn\.modules\.linear\.Linear\//);
  // Without the metadata it is byte for byte the plain model.
  const stripped = onnx.ModelProto.decode(encodeModel(rich));
  stripped.irVersion = toLong(8);
  for (const node of stripped.graph?.node ?? []) node.metadataProps = [];
  assert.equal(Buffer.compare(Buffer.from(encodeModel(stripped)), Buffer.from(encodeModel(plain))), 0);

  const constants = generateTransformer({ ...small, constantWeights: true });
  assert.equal(constants.graph!.initializer!.length, 0);
  const index = GraphIndex.build(constants.graph!);
  const weight = constants.graph!.node!.find((n) => n.name === '/model/layers.0/self_attn/q_proj/MatMul')!.input![1];
  assert.deepEqual(index.constantTensor(weight)?.dims?.map(Number), [small.hidden, small.hidden]);

  const mixed = generateTransformer({ ...small, constantWeights: 'vectors' });
  assert.ok(mixed.graph!.initializer!.length > 0 && mixed.graph!.initializer!.every((t) => t.dims!.length === 2), 'matrices stay initializers');
  const mixedIndex = GraphIndex.build(mixed.graph!);
  const bias = mixed.graph!.node!.find((n) => n.name === '/model/layers.0/self_attn/q_proj/Add')!.input![1];
  assert.equal(mixedIndex.producer(bias)?.node.opType, 'Constant');
});

test('generated models pass onnx.checker with full shape inference', () => {
  const dir = tempDir();
  const models: Array<[string, ModelProto]> = [
    ['transformer.onnx', generateTransformer(small)],
    ['transformer-constants.onnx', generateTransformer({ ...small, constantWeights: true })],
    ['cnn-mixed.onnx', generateCnn({ blocks: [1], channels: 4, imageSize: 8, constantWeights: 'vectors' })],
    ['cnn.onnx', generateCnn({ blocks: [1, 2], channels: 8, imageSize: 16 })],
    ['mlp.onnx', generateMlp({ inputs: 20, hidden: [16, 12], outputs: 4 })],
  ];
  for (const [name, model] of models) assert.equal(onnxCheck(writeModel(dir, name, model)), '', name);
  assert.equal(onnxCheck(samplePath), '', 'sample.onnx');
});

test('the CNN has residual blocks with downsampling and a Gemm head', () => {
  const model = generateCnn({ blocks: [2, 2], channels: 8, imageSize: 16, classes: 5 });
  assertSorted(model);
  const names = model.graph!.node!.map((n) => n.name);
  for (const name of ['/conv1/Conv', '/bn1/BatchNormalization', '/layer1/layer1.1/conv2/Conv', '/layer2/layer2.0/downsample/downsample.0/Conv', '/fc/Gemm']) {
    assert.ok(names.includes(name), `missing ${name}`);
  }
  assert.ok(model.graph!.initializer!.some((t) => t.name === 'layer2.0.downsample.1.running_var'));
  assert.equal(model.graph!.node!.filter((n) => n.opType === 'Add').length, 4);
  assert.deepEqual(model.graph!.output![0].type!.tensorType!.shape!.dim!.map((d) => d.dimParam || Number(d.dimValue)), ['batch_size', 5]);
});

test('the external-data model points every weight at its slice of the side file', () => {
  const dir = tempDir();
  const { modelPath, dataPath, dataBytes } = writeExternalDataModel(dir, { layers: 3, width: 48, seed: 5 });
  assert.equal(statSync(dataPath).size, dataBytes);
  assert.equal(dataBytes, 3 * 48 * 48 * 4);
  const model = decodeModel(readFileSync(modelPath));
  assert.ok(statSync(modelPath).size < 4096, 'the weights are not inside the .onnx');
  const reader = ExternalDataReader.forModel(modelPath);
  try {
    const weights = model.graph!.initializer!.map((t) => tensorToArray(t, reader));
    assert.deepEqual(weights.map((w) => w.dims), [[48, 48], [48, 48], [48, 48]]);
    const values = weights.map((w) => w.data as Float32Array);
    const bound = 1 / Math.sqrt(48);
    for (const v of values) assert.ok(v.every((x) => Math.abs(x) <= bound) && v.some((x) => x !== 0));
    assert.notDeepEqual(values[0], values[1]);
  } finally {
    reader.close();
  }
  assert.equal(onnxCheck(modelPath), '');
});
