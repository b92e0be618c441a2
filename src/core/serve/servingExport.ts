// Hand the model to a serving engine: a Triton model repository (config.pbtxt beside the model) and a
// KServe InferenceService manifest that serves that repository.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ModelProto } from '../model/proto.js';
import { allTensors } from '../model/modelFile.js';
import { externalLocation, isExternal, resolveInside } from '../model/externalData.js';
import type { ModelSignature, TensorSignature } from './signature.js';

export interface TritonOptions {
  /** Largest batch Triton may form when the model has a shared dynamic batch dim. Default 8. */
  maxBatchSize?: number;
  /** CPU instances of the model. Default 1. */
  instances?: number;
}

/** Triton's batching applies when every input and output starts with the same dynamic dim. */
export function sharedBatchDim(signature: ModelSignature): string | undefined {
  const all = [...signature.inputs, ...signature.outputs];
  const first = all[0]?.dims[0];
  if (typeof first !== 'string' || all.some((t) => t.dims[0] !== first)) return undefined;
  return first;
}

const pbString = (text: string) => JSON.stringify(text);

function tensorBlock(t: TensorSignature, batched: boolean): string[] {
  const shape = batched ? t.shape.slice(1) : t.shape;
  // A scalar is declared [1] and reshaped to rank 0, as Triton's docs prescribe.
  const dims = shape.length ? shape : [1];
  return [
    '  {',
    `    name: ${pbString(t.name)}`,
    `    data_type: TYPE_${t.datatype === 'BYTES' ? 'STRING' : t.datatype}`,
    `    dims: [ ${dims.join(', ')} ]`,
    ...(shape.length ? [] : ['    reshape: { shape: [ ] }']),
    '  }',
  ];
}

export function tritonConfig(signature: ModelSignature, options: TritonOptions = {}): string {
  const batched = sharedBatchDim(signature) !== undefined;
  const list = (key: string, tensors: TensorSignature[]) => [
    `${key} [`, ...tensors.flatMap((t, i) => [...tensorBlock(t, batched).slice(0, -1), i === tensors.length - 1 ? '  }' : '  },']), ']',
  ];
  return [
    `name: ${pbString(signature.name)}`,
    'platform: "onnxruntime_onnx"',
    `max_batch_size: ${batched ? options.maxBatchSize ?? 8 : 0}`,
    ...list('input', signature.inputs),
    ...list('output', signature.outputs),
    'instance_group [',
    `  { count: ${options.instances ?? 1}, kind: KIND_CPU }`,
    ']',
    '',
  ].join('\n');
}

/** Writes DIR/<name>/config.pbtxt and DIR/<name>/1/model.onnx (with its external data files); returns the files written. */
export function writeTritonRepository(dir: string, modelPath: string, model: ModelProto, signature: ModelSignature, options: TritonOptions = {}): string[] {
  const versionDir = join(dir, signature.name, '1');
  mkdirSync(versionDir, { recursive: true });
  const written: string[] = [];
  const copy = (from: string, to: string) => {
    mkdirSync(dirname(to), { recursive: true });
    copyFileSync(from, to);
    written.push(to);
  };
  copy(modelPath, join(versionDir, 'model.onnx'));
  const locations = new Set<string>();
  for (const tensor of allTensors(model)) if (isExternal(tensor)) locations.add(externalLocation(tensor).location);
  // The same containment rule as reading: a location that leaves the model's folder is refused.
  for (const location of locations) copy(resolveInside(dirname(modelPath), location), join(versionDir, location.replace(/\\/g, '/')));
  const config = join(dir, signature.name, 'config.pbtxt');
  writeFileSync(config, tritonConfig(signature, options));
  written.push(config);
  return written;
}

/** A DNS-1123 label, as Kubernetes names must be. */
export function kubernetesName(name: string): string {
  const label = name.toLowerCase().replace(/[^a-z0-9-]+/g, '-').replace(/^[^a-z]+/, '').replace(/-+$/, '').slice(0, 63).replace(/-+$/, '');
  return label || 'onnx-model';
}

/** An InferenceService serving a Triton repository that holds this model (storageUri: where that repository is uploaded). */
export function kserveManifest(signature: ModelSignature, storageUri: string): string {
  return [
    'apiVersion: serving.kserve.io/v1beta1',
    'kind: InferenceService',
    'metadata:',
    `  name: ${kubernetesName(signature.name)}`,
    'spec:',
    '  predictor:',
    '    model:',
    '      modelFormat:',
    '        name: onnx',
    '      protocolVersion: v2',
    `      storageUri: ${JSON.stringify(storageUri)}`,
    '',
  ].join('\n');
}
