// The models a bench run measures: generated ones (cached in bench/.models/ by their parameters and the
// generator's source), the bundled sample, the streamed external-data model (in a temporary folder), and
// any .onnx files in the folder named by ONNX_LENS_BENCH_MODELS.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { encodeModel } from '../src/core/model/decode.js';
import type { ModelProto } from '../src/core/model/proto.js';
import { generateCnn, generateControlFlow, generateMlp, generateTransformer, writeExternalDataModel, type CnnOptions, type ControlFlowOptions, type MlpOptions, type TransformerOptions } from './generate/index.js';

export interface BenchModel {
  name: string;
  path: string;
  description: string;
  fileBytes: number;
  /** Bytes in the external-data file, not read when opening. */
  externalBytes?: number;
  origin: 'generated' | 'sample' | 'fixture' | 'user';
  /** Sizes for symbolic dims when the model is run. */
  runDims?: Record<string, number>;
  /** Which figures use it. */
  roles: Role[];
}

export type Role = 'decode' | 'info' | 'layout' | 'run' | 'external' | 'fold' | 'quantize' | 'webview' | 'diff' | 'serve';

type Spec =
  | { kind: 'transformer'; options: TransformerOptions }
  | { kind: 'cnn'; options: CnnOptions }
  | { kind: 'mlp'; options: MlpOptions }
  | { kind: 'control-flow'; options: ControlFlowOptions };

interface GeneratedModel {
  name: string;
  spec: Spec;
  roles: Role[];
  runDims?: Record<string, number>;
}

export interface ModelSizes {
  quick: boolean;
  /** Layers of the ~50,000-node transformer (BENCH_LAYERS overrides). */
  largeLayers: number;
  /** Size of the external-data model in MiB (BENCH_EXTERNAL_MB overrides). */
  externalMiB: number;
}

export const root = resolve(import.meta.dirname, '..');
export const modelDir = join(root, 'bench', '.models');

export function modelSizes(env: NodeJS.ProcessEnv): ModelSizes {
  const quick = env.BENCH_QUICK === '1';
  return {
    quick,
    largeLayers: Number(env.BENCH_LAYERS) || (quick ? 45 : 460),
    externalMiB: Number(env.BENCH_EXTERNAL_MB) || (quick ? 256 : 2048),
  };
}

function generatedModels(sizes: ModelSizes): GeneratedModel[] {
  const seq = { batch_size: 1, sequence_length: 32 };
  return [
    { name: 'mlp', spec: { kind: 'mlp', options: { inputs: 784, hidden: [512, 256], outputs: 10 } }, roles: ['decode', 'run', 'serve'], runDims: { batch_size: 8 } },
    {
      // About 1 ms per run on one thread (15 MB of weights read per run): the model issue 19 states the
      // serving overhead goal for.
      name: 'mlp-1ms', spec: { kind: 'mlp', options: { inputs: 784, hidden: [2048, 1024], outputs: 10 } }, roles: ['run', 'serve'], runDims: { batch_size: 8 },
    },
    {
      name: 'cnn',
      spec: { kind: 'cnn', options: { blocks: sizes.quick ? [1, 1, 1] : [2, 2, 2, 2], channels: 32, imageSize: 64, classes: 100 } },
      roles: ['decode', 'layout', 'run', 'fold', 'quantize', 'webview'],
      runDims: { batch_size: 1 },
    },
    {
      name: 'transformer-small',
      spec: { kind: 'transformer', options: { layers: sizes.quick ? 4 : 12, hidden: 128, heads: 4, vocab: 1000, maxPositions: 128 } },
      roles: ['decode', 'layout', 'run', 'fold', 'quantize', 'webview'],
      runDims: seq,
    },
    {
      // About 88 MB of weights in few nodes, like a small BERT: the model of issue 2's `info` target.
      name: 'transformer-88mb',
      spec: { kind: 'transformer', options: { layers: 6, hidden: 512, heads: 8, vocab: 3072, maxPositions: 512 } },
      roles: ['decode', 'info', 'quantize'],
      runDims: seq,
    },
    {
      // Many nodes, few weight bytes, with the dynamo exporter's node metadata (IR 10).
      name: sizes.quick ? 'transformer-5k' : 'transformer-50k',
      spec: largeTransformer(sizes.largeLayers),
      roles: ['decode', 'info', 'layout', 'webview', 'diff'],
      runDims: seq,
    },
    {
      // 1,000 If nodes whose branches read the enclosing graph by name (a torchscript export's conditionals):
      // the cost of a body must not grow with the whole graph.
      name: 'if-1000', spec: { kind: 'control-flow', options: { blocks: sizes.quick ? 200 : 1000 } },
      roles: ['decode', 'webview'], runDims: { batch_size: 4 },
    },
  ];
}

function generate(spec: Spec): ModelProto {
  switch (spec.kind) {
    case 'transformer': return generateTransformer(spec.options);
    case 'cnn': return generateCnn(spec.options);
    case 'mlp': return generateMlp(spec.options);
    case 'control-flow': return generateControlFlow(spec.options);
  }
}

/** Changes whenever a generator's source changes, so that the cache never serves a stale model. */
function generatorHash(): string {
  const dir = join(root, 'bench', 'generate');
  const hash = createHash('sha256');
  for (const file of readdirSync(dir).sort()) hash.update(file).update(readFileSync(join(dir, file)));
  return hash.digest('hex');
}

export function prepareModels(sizes: ModelSizes, log: (line: string) => void): BenchModel[] {
  mkdirSync(modelDir, { recursive: true });
  const sourceHash = generatorHash();
  const models: BenchModel[] = [];
  const samplePath = join(root, 'test', 'fixtures', 'sample.onnx');
  models.push({
    name: 'sample', path: samplePath, origin: 'sample', description: 'the bundled sample (2-layer transformer)',
    fileBytes: statSync(samplePath).size, roles: ['decode', 'layout', 'run', 'fold', 'webview', 'serve'], runDims: { batch_size: 1, sequence_length: 32 },
  });
  for (const g of generatedModels(sizes)) models.push(cachedModel(g, sourceHash, log));
  const userDir = process.env.ONNX_LENS_BENCH_MODELS;
  if (userDir) {
    for (const file of readdirSync(userDir).filter((f) => f.endsWith('.onnx')).sort()) {
      const path = resolve(userDir, file);
      models.push({ name: file.replace(/\.onnx$/, ''), path, origin: 'user', description: 'from ONNX_LENS_BENCH_MODELS', fileBytes: statSync(path).size, roles: ['decode', 'info', 'layout', 'run', 'webview'] });
    }
  }
  return models;
}

function cachedModel(g: GeneratedModel, sourceHash: string, log: (line: string) => void): BenchModel {
  const key = createHash('sha256').update(JSON.stringify(g.spec)).update(sourceHash).digest('hex').slice(0, 12);
  const path = join(modelDir, `${g.name}-${key}.onnx`);
  if (!existsSync(path)) {
    const started = performance.now();
    const bytes = encodeModel(generate(g.spec));
    writeFileSync(path + '.tmp', bytes);
    renameSync(path + '.tmp', path);
    log(`generated ${g.name} (${(bytes.length / 2 ** 20).toFixed(1)} MiB) in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  }
  return { name: g.name, path, origin: 'generated', description: describe(g.spec), fileBytes: statSync(path).size, roles: g.roles, runDims: g.runDims };
}

/**
 * The scale curve's models: the large transformer's shape (109 nodes a layer, 21 around them; its 460
 * layers are the 50k point) at about 1k, 5k, 20k, 50k and 200k nodes; the first three in quick runs.
 */
export function prepareScaleModels(sizes: ModelSizes, log: (line: string) => void): BenchModel[] {
  mkdirSync(modelDir, { recursive: true });
  const sourceHash = generatorHash();
  const layers: Array<[string, number]> = [['1k', 9], ['5k', 46], ['20k', 183], ['50k', 460], ['200k', 1835]];
  return layers.slice(0, sizes.quick ? 3 : undefined).map(([size, count]) =>
    cachedModel({ name: `transformer-${size}`, spec: largeTransformer(count), roles: [] }, sourceHash, log));
}

function largeTransformer(layers: number): Spec {
  return { kind: 'transformer', options: { layers, hidden: 64, heads: 4, ffn: 256, vocab: 512, maxPositions: 128, nodeMetadata: true } };
}

/**
 * Real PyTorch exports from the test fixtures (see test/fixtures/exported/README.md) for the layout figure:
 * graphs whose drawings cross edges, where the crossing count tells layouts apart.
 */
export function exportedLayoutModels(): BenchModel[] {
  return ['transformer_torchscript', 'transformer_dynamo', 'detector_opset11_constants'].map((name) => {
    const path = join(root, 'test', 'fixtures', 'exported', name, 'model.onnx');
    return { name, path, origin: 'fixture', description: `exported by PyTorch (test fixture ${name})`, fileBytes: statSync(path).size, roles: ['layout'] };
  });
}

/** The external-data model, streamed into `dir` (a temporary folder the runner removes). */
export function prepareExternalModel(sizes: ModelSizes, dir: string, log: (line: string) => void): BenchModel {
  const width = 4096;
  const layers = Math.max(1, Math.round((sizes.externalMiB * 2 ** 20) / (width * width * 4)));
  const started = performance.now();
  const written = writeExternalDataModel(dir, { layers, width, seed: 9 });
  log(`wrote external-data model: ${(written.dataBytes / 2 ** 30).toFixed(2)} GiB in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return {
    name: `external-${Math.round(written.dataBytes / 2 ** 20)}mb`,
    path: written.modelPath,
    origin: 'generated',
    description: `${layers} MatMul weights of ${width}x${width} float in a side file`,
    fileBytes: statSync(written.modelPath).size,
    externalBytes: written.dataBytes,
    roles: ['external'],
  };
}

function describe(spec: Spec): string {
  switch (spec.kind) {
    case 'transformer': {
      const o = spec.options;
      return `transformer: ${o.layers} layers, hidden ${o.hidden}${o.nodeMetadata ? ', node metadata' : ''}`;
    }
    case 'cnn': return `ResNet-style CNN: stages ${(spec.options.blocks ?? []).join('/')}, width ${spec.options.channels}`;
    case 'mlp': return `MLP ${[spec.options.inputs, ...(spec.options.hidden ?? []), spec.options.outputs].join('-')}`;
    case 'control-flow': return `${spec.options.blocks} blocks of Relu, If (branches read the enclosing graph) and Add`;
  }
}
