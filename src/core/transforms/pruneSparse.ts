// Sparse storage for pruned weights: zeros stored densely take as many bytes as any other value, so a
// pruned model only shrinks on disk when its initializers move to sparse_initializer (COO: the non-zero
// values plus their int64 positions). This computes where that pays off and converts when asked.
import { dataTypeInfo } from '../model/dataTypes.js';
import type { ExternalDataReader } from '../model/externalData.js';
import { DataType, int64ToNumber, onnx, toLong, type ModelProto, type TensorProto } from '../model/proto.js';
import { arrayToTensor, tensorToArray, toFloat64, type ElementArray } from '../model/tensorValues.js';
import { tensorByteSize } from '../model/summary.js';
import { defaultOpset } from '../model/graphQueries.js';
import { convertOpset } from '../opset/convert.js';
import { cloneModel } from './graphEdit.js';

export interface SparseCandidate {
  name: string;
  elements: number;
  nonZeros: number;
  denseBytes: number;
  /** values + int64 linear indices. */
  sparseBytes: number;
}

export interface SparseEstimate {
  /** Tensors that get smaller sparse. */
  candidates: SparseCandidate[];
  denseBytes: number;
  sparseBytes: number;
}

const storable = new Set<number>([DataType.FLOAT, DataType.FLOAT16, DataType.DOUBLE, DataType.BFLOAT16, DataType.INT8, DataType.UINT8, DataType.INT32, DataType.INT64]);

/** Main-graph initializers that would be smaller as sparse tensors (read only). */
export function sparseEstimate(model: ModelProto, external?: ExternalDataReader, names?: Set<string>): SparseEstimate {
  const candidates: SparseCandidate[] = [];
  for (const t of model.graph?.initializer ?? []) {
    if (!t.name || !storable.has(t.dataType ?? 0) || (names && !names.has(t.name))) continue;
    const values = toFloat64(tensorToArray(t, external));
    let nonZeros = 0;
    for (const v of values) if (v !== 0) nonZeros++;
    const bytesPer = dataTypeInfo(t.dataType ?? 0).bits / 8;
    const denseBytes = tensorByteSize(t);
    const sparseBytes = nonZeros * (bytesPer + 8);
    if (sparseBytes < denseBytes) candidates.push({ name: t.name, elements: values.length, nonZeros, denseBytes, sparseBytes });
  }
  return {
    candidates,
    denseBytes: candidates.reduce((n, c) => n + c.denseBytes, 0),
    sparseBytes: candidates.reduce((n, c) => n + c.sparseBytes, 0),
  };
}

/** Moves the named initializers into sparse_initializer (COO with linearized int64 indices). */
export function toSparseInitializers(model: ModelProto, names: Set<string>, external?: ExternalDataReader): ModelProto {
  const copy = cloneModel(model);
  const graph = copy.graph!;
  const keep: TensorProto[] = [];
  const sparse: onnx.ISparseTensorProto[] = [...(graph.sparseInitializer ?? [])];
  for (const t of graph.initializer ?? []) {
    if (!t.name || !names.has(t.name)) {
      keep.push(t);
      continue;
    }
    const array = tensorToArray(t, external);
    const numeric = toFloat64(array);
    const positions: number[] = [];
    for (let i = 0; i < numeric.length; i++) if (numeric[i] !== 0) positions.push(i);
    const source = array.data as Exclude<ElementArray, string[]>;
    const Ctor = source.constructor as new (n: number) => Exclude<ElementArray, string[]>;
    const values = new Ctor(positions.length);
    positions.forEach((p, k) => {
      (values as Float32Array)[k] = (source as Float32Array)[p];
    });
    sparse.push(onnx.SparseTensorProto.create({
      values: arrayToTensor(t.name, { dtype: array.dtype, dims: [positions.length], data: values }),
      indices: arrayToTensor(`${t.name}_indices`, { dtype: DataType.INT64, dims: [positions.length], data: BigInt64Array.from(positions, (p) => BigInt(p)) }),
      dims: array.dims.map((d) => toLong(d)),
    }));
  }
  graph.initializer = keep;
  graph.sparseInitializer = sparse;
  return copy;
}

/** sparse_initializer came with IR version 6. */
const sparseIrVersion = 6;

/**
 * A model with sparse initializers at the IR version that has them: an older one is raised through the
 * opset converter (the opset stays), with a note for the report.
 */
export function raiseIrForSparse(model: ModelProto): { model: ModelProto; note?: string } {
  const ir = int64ToNumber(model.irVersion);
  if (ir >= sparseIrVersion || !(model.graph?.sparseInitializer?.length)) return { model };
  const converted = convertOpset(model, defaultOpset(model), { irVersion: sparseIrVersion });
  return { model: converted.model, note: `Raised the IR version from ${ir} to ${sparseIrVersion}, the first with sparse_initializer.` };
}
