// Inference snippets and serving exports. The Node snippet is run with onnxruntime-node and the curl one
// against a running server; the Python one is parsed by Python (CI has no onnxruntime for Python), and
// the C# one is checked for the types it declares (no .NET here): both counted as checked, not run.
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { writeModelAtomic } from '../../../src/core/model/modelFile.js';
import { DataType, onnx, toLong } from '../../../src/core/model/proto.js';
import { ModelServer } from '../../../src/core/serve/server.js';
import { kserveManifest, kubernetesName, tritonConfig } from '../../../src/core/serve/servingExport.js';
import { modelSignature } from '../../../src/core/serve/signature.js';
import { inferenceSnippet } from '../../../src/core/serve/snippets.js';
import { linearModel, tensorInfo } from '../../helpers/models.js';
import { passThroughModel } from '../runtime/runtimeModels.js';
import { runCli as cli } from '../../helpers/cli.js';

// Inside the repository, so the Node snippet's `import 'onnxruntime-node'` resolves as in a user's project.
const dir = join(process.cwd(), 'test', '.tmp', `serve-snippets-${process.pid}`);
mkdirSync(dir, { recursive: true });
after(() => rmSync(dir, { recursive: true, force: true }));

const typesPath = join(dir, 'types.onnx');
writeFileSync(typesPath, passThroughModel());
const types = modelSignature(decodeModel(readFileSync(typesPath)), 'types');

/** Two inputs sharing a symbolic dim, one unnamed dynamic dim, a scalar. */
function mixedModel(): onnx.ModelProto {
  const unnamed = new onnx.ValueInfoProto({ name: 'mask', type: { tensorType: { elemType: DataType.BOOL, shape: { dim: [{ dimParam: 'batch' }, {}] } } } });
  return new onnx.ModelProto({
    irVersion: toLong(8), opsetImport: [{ domain: '', version: toLong(17) }],
    graph: {
      name: 'mixed',
      node: [{ opType: 'Identity', input: ['ids'], output: ['ids_out'] }, { opType: 'Identity', input: ['mask'], output: ['mask_out'] }, { opType: 'Identity', input: ['scale'], output: ['scale_out'] }],
      input: [tensorInfo('ids', DataType.INT64, ['batch', 'sequence length']), unnamed, tensorInfo('scale', DataType.FLOAT, [])],
      output: [tensorInfo('ids_out', DataType.INT64, ['batch', 'sequence length']), tensorInfo('mask_out', DataType.BOOL, ['batch', 'mask_dim']), tensorInfo('scale_out', DataType.FLOAT, [])],
    },
  });
}
const mixedPath = join(dir, 'mixed.onnx');
writeFileSync(mixedPath, encodeModel(mixedModel()));
const mixed = modelSignature(mixedModel(), 'mixed');

test('the Node snippet runs with onnxruntime-node: every element type, symbolic dims as variables', () => {
  for (const [signature, path, expected] of [
    [types, typesPath, [/out_1 float32 \[ 1, 3 \]/, /out_7 int64 \[ 1, 3 \]/, /out_8 string \[ 1, 3 \]/, /out_10 float16 \[ 1, 3 \]/, /out_9 bool \[ 1, 3 \]/]],
    [mixed, mixedPath, [/ids_out int64 \[ 2, 5 \]/, /mask_out bool \[ 2, 1 \]/, /scale_out float32 \[\]/]],
  ] as const) {
    const code = inferenceSnippet('node', signature, { modelPath: path, dims: { batch: 2, 'sequence length': 5 } });
    const file = join(dir, `${signature.name}.mjs`);
    writeFileSync(file, code);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    assert.equal(run.status, 0, `${run.stderr}\n${code}`);
    for (const pattern of expected) assert.match(run.stdout, pattern);
  }
  const code = inferenceSnippet('node', mixed, { modelPath: mixedPath });
  assert.match(code, /const batch = 1; \/\/ batch\nconst sequence_length = 1; \/\/ sequence length\nconst mask_1 = 1; \/\/ mask\[1\]/);
  assert.match(code, /"ids": new ort\.Tensor\('int64', new BigInt64Array\(batch \* sequence_length\), \[batch, sequence_length\]\)/);
});

test('the curl snippet calls the running endpoint and gets the outputs', async () => {
  const server = await ModelServer.start({ modelPath: mixedPath, port: 0 });
  try {
    const code = inferenceSnippet('curl', mixed, { modelPath: mixedPath, url: server.url, dims: { batch: 2 } });
    // Not spawnSync: the server answers from this process's event loop.
    const run = await promisify(execFile)('bash', ['-c', code], { encoding: 'utf8' });
    const response = JSON.parse(run.stdout) as { outputs: Array<{ name: string; shape: number[]; data: unknown[] }> };
    assert.deepEqual(response.outputs.map((o) => [o.name, o.shape]), [['ids_out', [2, 1]], ['mask_out', [2, 1]], ['scale_out', []]]);
    assert.deepEqual(response.outputs[1].data, [false, false]);
  } finally {
    await server.close();
  }
});

test('the Python snippet parses and names every input with its numpy type; the C# one declares the matching tensor types', () => {
  const python = inferenceSnippet('python', mixed, { modelPath: mixedPath });
  const file = join(dir, 'mixed.py');
  writeFileSync(file, python);
  const parsed = spawnSync('python3', ['-c', 'import ast, sys; ast.parse(open(sys.argv[1]).read())', file], { encoding: 'utf8' });
  assert.equal(parsed.status, 0, parsed.stderr);
  assert.match(python, /"ids": np\.zeros\(\(batch, sequence_length\), dtype=np\.int64\)/);
  assert.match(python, /"mask": np\.zeros\(\(batch, mask_1\), dtype=np\.bool_\)/);
  assert.match(python, /"scale": np\.random\.rand\(\*\(\)\)\.astype\(np\.float32\)/);
  assert.match(python, /output_names = \["ids_out", "mask_out", "scale_out"\]/);
  const csharp = inferenceSnippet('csharp', mixed, { modelPath: mixedPath });
  assert.match(csharp, /CreateFromTensor\("ids", new DenseTensor<long>\(new\[\] \{ batch, sequence_length \}\)\)/);
  assert.match(csharp, /CreateFromTensor\("mask", new DenseTensor<bool>/);
  assert.match(csharp, /CreateFromTensor\("scale", new DenseTensor<float>\(Array\.Empty<int>\(\)\)\)/);
  const typed = inferenceSnippet('csharp', types, { modelPath: typesPath });
  for (const t of ['float', 'double', 'Float16', 'sbyte', 'byte', 'short', 'ushort', 'int', 'uint', 'long', 'ulong', 'bool', 'string']) assert.match(typed, new RegExp(`DenseTensor<${t}>`));
});

test('Triton config: types, -1 dims, max_batch_size only for a shared dynamic batch, scalars reshaped', () => {
  const linear = modelSignature(linearModel(4, 3), 'linear');
  assert.equal(tritonConfig(linear), [
    'name: "linear"', 'platform: "onnxruntime_onnx"', 'max_batch_size: 8',
    'input [', '  {', '    name: "X"', '    data_type: TYPE_FP32', '    dims: [ 4 ]', '  }', ']',
    'output [', '  {', '    name: "Y"', '    data_type: TYPE_FP32', '    dims: [ 3 ]', '  }', ']',
    'instance_group [', '  { count: 1, kind: KIND_CPU }', ']', '',
  ].join('\n'));
  const config = tritonConfig(mixed, { instances: 2 });
  assert.match(config, /max_batch_size: 0/, 'scale has no batch dim: no Triton batching');
  assert.match(config, /name: "ids"\n {4}data_type: TYPE_INT64\n {4}dims: \[ -1, -1 \]/);
  assert.match(config, /name: "scale"\n {4}data_type: TYPE_FP32\n {4}dims: \[ 1 \]\n {4}reshape: \{ shape: \[ \] \}/);
  assert.match(config, /count: 2, kind: KIND_CPU/);
  assert.match(tritonConfig(types), /data_type: TYPE_STRING/);
});

test('KServe manifest: a DNS-1123 name, format onnx, protocol v2', () => {
  for (const [name, expected] of [['My_Model.v2', 'my-model-v2'], ['3d unet', 'd-unet'], ['___', 'onnx-model'], ['x'.repeat(80), 'x'.repeat(63)]]) {
    const label = kubernetesName(name);
    assert.equal(label, expected);
    assert.match(label, /^[a-z]([-a-z0-9]*[a-z0-9])?$/);
  }
  assert.equal(kserveManifest(mixed, 's3://bucket/models'), [
    'apiVersion: serving.kserve.io/v1beta1', 'kind: InferenceService', 'metadata:', '  name: mixed', 'spec:', '  predictor:', '    model:',
    '      modelFormat:', '        name: onnx', '      protocolVersion: v2', '      storageUri: "s3://bucket/models"', '',
  ].join('\n'));
});

test('export-serving writes the repository with the model and its external data, and never overwrites', () => {
  const modelDir = join(dir, 'ext');
  mkdirSync(modelDir, { recursive: true });
  const modelPath = join(modelDir, 'big.onnx');
  writeModelAtomic(modelPath, linearModel(64, 64), { externalData: 'all', location: 'big.data', threshold: 0 });
  const out = join(dir, 'triton');
  const run = cli('export-serving', modelPath, '--triton', out);
  assert.equal(run.status, 0, run.stderr);
  assert.deepEqual(readFileSync(join(out, 'big', '1', 'model.onnx')), readFileSync(modelPath));
  assert.deepEqual(readFileSync(join(out, 'big', '1', 'big.data')), readFileSync(join(modelDir, 'big.data')));
  assert.match(readFileSync(join(out, 'big', 'config.pbtxt'), 'utf8'), /max_batch_size: 8/);
  const again = cli('export-serving', modelPath, '--triton', out);
  assert.equal(again.status, 2);
  assert.match(again.stderr, /big exists: pick another folder/);
  const kserve = join(dir, 'kserve');
  const k = cli('export-serving', modelPath, '--kserve', kserve, '--storage-uri', 'gs://b/repo');
  assert.equal(k.status, 0, k.stderr);
  assert.ok(existsSync(join(kserve, 'repository', 'big', 'config.pbtxt')));
  assert.match(readFileSync(join(kserve, 'inferenceservice.yaml'), 'utf8'), /storageUri: "gs:\/\/b\/repo"/);
  assert.equal(cli('export-serving', modelPath).status, 2);
});

test('snippet CLI: the language is checked, --dims sets the variables', () => {
  const run = cli('snippet', mixedPath, '--lang', 'python', '--dims', 'batch=4');
  assert.equal(run.status, 0, run.stderr);
  assert.match(run.stdout, /^batch = 4 {2}# batch$/m);
  const bad = cli('snippet', mixedPath, '--lang', 'rust');
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--lang must be one of python, node, csharp, curl, not 'rust'/);
});
