// Float16 conversion: float weights, values and compute become float16; ops that must stay float32
// (a block list like onnxconverter-common's, anything outside the default domain, nodes with
// subgraphs, user exclusions) are kept and fenced with Cast nodes. Graph inputs and outputs can stay
// float32 with Casts at the boundary.
import { AttributeType, DataType, onnx, toLong, type GraphProto, type NodeProto, type TensorProto } from '../../model/proto.js';
import { arrayToTensor, constantNodeTensor, tensorToArray } from '../../model/tensorValues.js';
import { floatToHalf } from '../../model/floatFormats.js';
import { hasSubgraphs } from '../../model/graphQueries.js';
import type { QuantizeOptions } from './options.js';
import { type Rewriter } from './rewriter.js';
import { intAttribute } from '../graphEdit.js';

/**
 * Kept in float32: ops whose results change meaning in half precision (indices from TopK/NMS, Range
 * lengths, CumSum drift, Resize coordinates) or that have no float16 form (ML ops, quantization ops).
 */
export const fp32Ops: readonly string[] = [
  'ArrayFeatureExtractor', 'Binarizer', 'CastMap', 'CategoryMapper', 'DictVectorizer', 'FeatureVectorizer', 'Imputer',
  'LabelEncoder', 'LinearClassifier', 'LinearRegressor', 'Normalizer', 'OneHotEncoder', 'RandomUniformLike', 'SVMClassifier',
  'SVMRegressor', 'Scaler', 'TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'ZipMap', 'NonMaxSuppression', 'TopK',
  'RoiAlign', 'Resize', 'Range', 'CumSum', 'Min', 'Max', 'Upsample', 'QuantizeLinear', 'DequantizeLinear',
  'DynamicQuantizeLinear', 'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'Multinomial', 'Bernoulli', 'EyeLike',
  'STFT', 'DFT', 'MelWeightMatrix', 'HannWindow', 'HammingWindow', 'BlackmanWindow', 'SequenceEmpty', 'ConcatFromSequence',
  'SplitToSequence', 'SequenceAt', 'SequenceConstruct', 'SequenceInsert', 'SequenceErase', 'SequenceLength',
];

const FLOAT = DataType.FLOAT;
const HALF = DataType.FLOAT16;
const fp16Max = 65504;

/** float32 values -> float16 bits, clamped to the finite float16 range (onnxconverter-common does too). */
export function toHalfBits(data: Float32Array): Uint16Array {
  const out = new Uint16Array(data.length);
  for (let i = 0; i < data.length; i++) {
    let x = data[i];
    if (x > fp16Max) x = fp16Max;
    else if (x < -fp16Max) x = -fp16Max;
    out[i] = floatToHalf(x);
  }
  return out;
}

function halfTensor(rw: Rewriter, tensor: TensorProto, name: string): TensorProto {
  const array = tensorToArray(tensor, rw.reader);
  return arrayToTensor(name, { dtype: HALF, dims: array.dims, data: toHalfBits(array.data as Float32Array) });
}

/** Element types of the graph's values: declared ones, then propagated through the nodes. */
export function elementTypes(graph: GraphProto): Map<string, number> {
  const types = new Map<string, number>();
  for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    const t = v.type?.tensorType?.elemType;
    if (v.name && t) types.set(v.name, t);
  }
  for (const t of graph.initializer ?? []) if (t.name) types.set(t.name, t.dataType ?? 0);
  const intOut = new Set(['Shape', 'Size', 'ArgMax', 'ArgMin', 'NonZero', 'NonMaxSuppression']);
  const boolOut = new Set(['Equal', 'Less', 'LessOrEqual', 'Greater', 'GreaterOrEqual', 'And', 'Or', 'Xor', 'Not', 'IsNaN', 'IsInf']);
  // Nodes are visited in file order, repeated until nothing changes (graphs are not always sorted).
  for (let changed = true, pass = 0; changed && pass < 8; pass++) {
    changed = false;
    for (const node of graph.node ?? []) {
      const outs = node.output ?? [];
      const ins = node.input ?? [];
      const set = (name: string | undefined, t: number | undefined) => {
        if (name && t && !types.has(name)) {
          types.set(name, t);
          changed = true;
        }
      };
      const op = node.opType ?? '';
      const attrInt = (n: string) => {
        const a = (node.attribute ?? []).find((x) => x.name === n);
        return a?.i != null ? Number(a.i) : undefined;
      };
      if (node.domain && node.domain !== 'ai.onnx') continue;
      if (op === 'Constant') set(outs[0], constantNodeTensor(node)?.dataType ?? undefined);
      else if (op === 'Cast') set(outs[0], attrInt('to'));
      else if (op === 'CastLike') set(outs[0], types.get(ins[1]));
      else if (intOut.has(op)) set(outs[0], DataType.INT64);
      else if (boolOut.has(op)) set(outs[0], DataType.BOOL);
      else if (op === 'ConstantOfShape') {
        const value = (node.attribute ?? []).find((a) => a.name === 'value')?.t;
        set(outs[0], value?.dataType ?? FLOAT);
      } else if (op === 'Where') set(outs[0], types.get(ins[1]));
      else if (op === 'TopK' || op === 'MaxPool' || op === 'Unique') {
        set(outs[0], types.get(ins[0]));
        for (const o of outs.slice(1)) set(o, DataType.INT64);
      } else if (op === 'Dropout') {
        set(outs[0], types.get(ins[0]));
        set(outs[1], DataType.BOOL);
      } else if (op === 'QuantizeLinear') set(outs[0], ins[2] ? types.get(ins[2]) : DataType.UINT8);
      else if (op === 'DequantizeLinear') set(outs[0], types.get(ins[1]));
      else if (op === 'DynamicQuantizeLinear') {
        set(outs[0], DataType.UINT8);
        set(outs[1], FLOAT);
        set(outs[2], DataType.UINT8);
      } else if (op === 'MatMulInteger' || op === 'ConvInteger') set(outs[0], DataType.INT32);
      else if (op === 'OneHot') set(outs[0], types.get(ins[2]));
      else if (op === 'RandomNormal' || op === 'RandomUniform' || op === 'EyeLike' || op === 'RandomNormalLike' || op === 'RandomUniformLike') {
        set(outs[0], attrInt('dtype') ?? (ins[0] ? types.get(ins[0]) : FLOAT));
      } else if (op === 'If' || op === 'Loop' || op === 'Scan') continue;
      else if (op === 'LayerNormalization' || op === 'BatchNormalization') for (const o of outs) set(o, types.get(ins[0]));
      else if (op === 'Split') for (const o of outs) set(o, types.get(ins[0]));
      else {
        const first = ins.find((i) => i && types.has(i));
        if (first) set(outs[0], types.get(first));
      }
    }
  }
  return types;
}

export interface Float16Counts {
  converted: number;
  kept: number;
  casts: number;
  weights: number;
}

export function* rewriteFloat16(rw: Rewriter, options: QuantizeOptions): Generator<void, Float16Counts> {
  const graph = rw.graph;
  const types = elementTypes(graph);
  const block = new Set([...fp32Ops, ...options.keepFp32Ops]);
  const nodes = graph.node ?? [];
  const kept = (n: NodeProto) => block.has(n.opType ?? '') || (!!n.domain && n.domain !== 'ai.onnx') || hasSubgraphs(n) || rw.isExcluded(n);
  const isFloat = (name: string) => types.get(name) === FLOAT;
  const counts: Float16Counts = { converted: 0, kept: 0, casts: 0, weights: 0 };

  // Which float values end up float16: outputs of converted nodes, initializers a converted node reads,
  // graph inputs unless they stay float32.
  const half = new Set<string>();
  for (const node of nodes) {
    if (kept(node)) continue;
    for (const o of node.output ?? []) if (o && isFloat(o)) half.add(o);
  }
  const readers = new Map<string, NodeProto[]>();
  for (const node of nodes) for (const i of node.input ?? []) if (i) (readers.get(i) ?? readers.set(i, []).get(i)!).push(node);
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const graphInputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  for (const [name, tensor] of initializers) {
    if (tensor.dataType !== FLOAT || rw.isFedInput(name)) continue;
    if ((readers.get(name) ?? []).some((n) => !kept(n))) {
      yield;
      const converted = halfTensor(rw, tensor, name);
      Object.assign(tensor, { rawData: converted.rawData, dataType: HALF, floatData: [], externalData: [], dataLocation: 0 });
      half.add(name);
      counts.weights++;
      // IR < 4 lists initializers among the inputs: that entry's type follows.
      for (const v of graph.input ?? []) if (v.name === name && v.type?.tensorType) v.type.tensorType.elemType = HALF;
    }
  }
  if (!options.keepIoFp32) {
    for (const v of graph.input ?? []) {
      if (v.name && isFloat(v.name) && rw.isFedInput(v.name) && !initializers.has(v.name) && v.type?.tensorType) {
        v.type.tensorType.elemType = HALF;
        half.add(v.name);
      }
    }
  }

  // Casts where a value crosses between the float32 and float16 parts; one per value and direction.
  const casts = new Map<string, string>();
  const castTo = (name: string, to: number): string => {
    const key = `${to}:${name}`;
    let out = casts.get(key);
    if (!out) {
      out = rw.names.fresh(`${name}_${to === HALF ? 'float16' : 'float32'}`);
      rw.add(rw.node('Cast', [name], [out], `${name}_Cast_${to === HALF ? 'float16' : 'float32'}`, [intAttribute('to', to)]));
      casts.set(key, out);
      counts.casts++;
    }
    return out;
  };

  for (const node of nodes) {
    const keep = kept(node);
    if (keep) counts.kept++;
    else counts.converted++;
    node.input = (node.input ?? []).map((i) => {
      if (!i || !isFloat(i)) return i;
      if (keep && half.has(i)) return castTo(i, FLOAT);
      if (!keep && !half.has(i)) return castTo(i, HALF);
      return i;
    });
    if (!keep) convertAttributes(rw, node);
  }

  // Graph outputs: float32 when asked (Cast from the float16 value), else whatever their producer makes.
  for (const out of graph.output ?? []) {
    const name = out.name ?? '';
    if (!half.has(name)) continue;
    if (options.keepIoFp32 && !graphInputs.has(name)) {
      const renamed = rw.names.fresh(`${name}_float16`);
      for (const node of nodes) {
        node.output = (node.output ?? []).map((o) => (o === name ? renamed : o));
        node.input = (node.input ?? []).map((i) => (i === name ? renamed : i));
      }
      for (const n of rw.pendingNodes()) n.input = (n.input ?? []).map((i) => (i === name ? renamed : i));
      half.delete(name);
      half.add(renamed);
      rw.add(rw.node('Cast', [renamed], [name], `${name}_Cast_float32`, [intAttribute('to', FLOAT)]));
      counts.casts++;
      for (const v of graph.valueInfo ?? []) if (v.name === name) v.name = renamed;
    } else if (out.type?.tensorType) {
      out.type.tensorType.elemType = HALF;
    }
  }
  for (const v of graph.valueInfo ?? []) {
    if (v.name && half.has(v.name) && v.type?.tensorType?.elemType === FLOAT) v.type.tensorType.elemType = HALF;
  }
  return counts;
}

/** A converted node's float-typed attributes: Cast targets, Constant values, ConstantOfShape fills. */
function convertAttributes(rw: Rewriter, node: NodeProto): void {
  const op = node.opType ?? '';
  for (const a of node.attribute ?? []) {
    if (op === 'Cast' && a.name === 'to' && Number(a.i) === FLOAT) a.i = toLong(HALF);
    if ((op === 'Constant' || op === 'ConstantOfShape') && a.name === 'value' && a.t && a.t.dataType === FLOAT) a.t = halfTensor(rw, a.t, a.t.name ?? '');
  }
  if (op === 'Constant') {
    const a = node.attribute?.[0];
    if (a && (a.name === 'value_float' || a.name === 'value_floats')) {
      const t = constantNodeTensor(node)!;
      node.attribute = [onnx.AttributeProto.create({ name: 'value', type: AttributeType.TENSOR, t: halfTensor(rw, t, '') })];
    }
  }
  if (op === 'ConstantOfShape' && !(node.attribute ?? []).some((a) => a.name === 'value')) {
    node.attribute = [...(node.attribute ?? []), onnx.AttributeProto.create({ name: 'value', type: AttributeType.TENSOR, t: arrayToTensor('', { dtype: HALF, dims: [1], data: Uint16Array.of(0) }) })];
  }
}
