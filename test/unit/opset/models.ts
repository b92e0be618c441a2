// Small models for the converter tests, written at a chosen opset, and the onnxruntime comparison of a
// source model with its conversion.
import assert from 'node:assert/strict';
import { encodeModel } from '../../../src/core/model/decode.js';
import { AttributeType, DataType, onnx, toLong, type AttributeProto, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../../../src/core/model/proto.js';
import { arrayToTensor, fromFloat64, toFloat64, type TensorArray } from '../../../src/core/model/tensorValues.js';
import { minIrVersion } from '../../../src/core/opset/irVersion.js';
import type { RuntimeClient } from '../../../src/core/runtime/client.js';

type Value = Omit<AttributeProto, 'name'>;

/** Typed attribute values (an integer-valued float stays a float). */
export const a = {
  i: (v: number): Value => ({ type: AttributeType.INT, i: toLong(v) }),
  f: (v: number): Value => ({ type: AttributeType.FLOAT, f: v }),
  s: (v: string): Value => ({ type: AttributeType.STRING, s: new TextEncoder().encode(v) }),
  ints: (v: number[]): Value => ({ type: AttributeType.INTS, ints: v.map((x) => toLong(x)) }),
  floats: (v: number[]): Value => ({ type: AttributeType.FLOATS, floats: v }),
  t: (v: TensorProto): Value => ({ type: AttributeType.TENSOR, t: v }),
  g: (v: GraphProto): Value => ({ type: AttributeType.GRAPH, g: v }),
};

export function n(opType: string, inputs: string[], outputs: string[], attrs: Record<string, Value> = {}, name?: string): NodeProto {
  return onnx.NodeProto.create({
    opType, input: inputs, output: outputs, name: name ?? `${opType.toLowerCase()}_${outputs[0] ?? ''}`,
    attribute: Object.entries(attrs).map(([key, v]) => onnx.AttributeProto.create({ name: key, ...v })),
  });
}

export type Dims = Array<number | string> | undefined;
export const F = DataType.FLOAT;
export const I64 = DataType.INT64;
export const BOOL = DataType.BOOL;

export function info(name: string, elemType: number, dims?: Dims): onnx.IValueInfoProto {
  return {
    name,
    type: { tensorType: { elemType, ...(dims ? { shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: toLong(d) } : { dimParam: d })) } } : {}) } },
  };
}

export function tensor(name: string, elemType: number, dims: number[], values: number[]): TensorProto {
  return arrayToTensor(name, { dtype: elemType, dims, data: fromFloat64(elemType, values) });
}

/** Deterministic values in [-1, 1) (a fixed LCG), so that failures reproduce. */
export function values(count: number, seed = 1): number[] {
  let s = seed * 7919 + 13;
  return Array.from({ length: count }, () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1);
}

export interface GraphSpec {
  inputs: Array<[string, number, Dims]>;
  outputs: Array<[string, number, Dims]>;
  nodes: NodeProto[];
  initializers?: TensorProto[];
}

export function graph(spec: GraphSpec, name = 'g'): GraphProto {
  return {
    name,
    input: spec.inputs.map(([n2, t, d]) => info(n2, t, d)),
    output: spec.outputs.map(([n2, t, d]) => info(n2, t, d)),
    initializer: spec.initializers ?? [],
    node: spec.nodes,
  };
}

export function model(opset: number, spec: GraphSpec, irVersion = minIrVersion(opset)): ModelProto {
  const g = graph(spec);
  // IR 3 lists every initializer among the graph inputs.
  if (irVersion < 4) {
    for (const t of g.initializer ?? []) {
      if ((g.input ?? []).some((v) => v.name === t.name)) continue;
      g.input = [...(g.input ?? []), { name: t.name, type: { tensorType: { elemType: t.dataType, shape: { dim: (t.dims ?? []).map((d) => ({ dimValue: d })) } } } }];
    }
  }
  return onnx.ModelProto.create({ irVersion, producerName: 'onnx-lens-test', opsetImport: [{ domain: '', version: opset }], graph: g });
}

/** Inputs for every graph input that is not an initializer, from its declared type (symbolic dims are 2). */
export function inputsFor(m: ModelProto, seed = 1): Record<string, TensorArray> {
  const initializers = new Set((m.graph?.initializer ?? []).map((t) => t.name));
  const feeds: Record<string, TensorArray> = {};
  (m.graph?.input ?? []).forEach((v, k) => {
    if (!v.name || initializers.has(v.name)) return;
    const t = v.type!.tensorType!;
    const dims = (t.shape?.dim ?? []).map((d) => (d.dimValue != null ? Number(d.dimValue) : 2));
    const count = dims.reduce((p, d) => p * d, 1);
    const raw = values(count, seed + k);
    const elemType = t.elemType ?? DataType.FLOAT;
    const numbers = elemType === DataType.BOOL ? raw.map((x) => (x > 0 ? 1 : 0))
      : elemType === DataType.FLOAT || elemType === DataType.DOUBLE || elemType === DataType.FLOAT16 ? raw.map((x) => x * 3)
        : raw.map((x) => Math.floor((x + 1) * 3));
    feeds[v.name] = { dtype: elemType, dims, data: fromFloat64(elemType, numbers) };
  });
  return feeds;
}

/** Largest difference, relative to max(1, |expected|), between two runs' outputs of the same names. */
export function maxDifference(expected: Record<string, TensorArray>, actual: Record<string, TensorArray>): number {
  let worst = 0;
  for (const [name, e] of Object.entries(expected)) {
    const got = actual[name];
    assert.ok(got, `output '${name}' is missing`);
    assert.deepEqual(got.dims, e.dims, `output '${name}' shape`);
    const x = toFloat64(e);
    const y = toFloat64(got);
    for (let i = 0; i < x.length; i++) {
      if (Number.isNaN(x[i]) && Number.isNaN(y[i])) continue;
      worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(1, Math.abs(x[i])));
    }
  }
  return worst;
}

export async function run(client: RuntimeClient, m: ModelProto, feeds: Record<string, TensorArray>): Promise<Record<string, TensorArray>> {
  return client.run(encodeModel(m), feeds);
}

/** Whether onnxruntime can run a model at all (old opsets lack kernels). */
export async function runs(client: RuntimeClient, m: ModelProto, feeds: Record<string, TensorArray>): Promise<Record<string, TensorArray> | undefined> {
  try {
    return await run(client, m, feeds);
  } catch (error) {
    if (/Could not find an implementation|not a registered function|opset/i.test(String(error))) return undefined;
    throw error;
  }
}

/**
 * The model with the output shapes it left undeclared filled in from a run (onnx.checker wants a shape
 * on every graph output).
 */
export function withOutputShapes(m: ModelProto, outputs: Record<string, TensorArray> | undefined): ModelProto {
  if (!outputs) return m;
  const g = m.graph!;
  return {
    ...m,
    graph: {
      ...g,
      output: (g.output ?? []).map((o) => {
        const got = outputs[o.name ?? ''];
        if (o.type?.tensorType?.shape || !got) return o;
        return info(o.name ?? '', o.type!.tensorType!.elemType ?? 0, got.dims);
      }),
    },
  };
}

/** Op types of a model's main graph, in order. */
export function ops(m: ModelProto): string[] {
  return (m.graph?.node ?? []).map((x) => x.opType ?? '');
}

export function attribute(m: ModelProto, op: string, name: string): AttributeProto | undefined {
  return m.graph?.node?.find((x) => x.opType === op)?.attribute?.find((x) => x.name === name);
}
