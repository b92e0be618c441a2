// Float16 conversion: float weights (initializers and Constant nodes), values and compute become
// float16, in the main graph and in If/Loop/Scan bodies; ops that must stay float32 (a block list like
// onnxconverter-common's, anything outside the default domain, user exclusions) are kept and fenced
// with Cast nodes, inside a body too where it captures an outer value by name. Graph inputs and outputs
// can stay float32 with Casts at the boundary.
import { AttributeType, DataType, onnx, toLong, type GraphProto, type NodeProto, type TensorProto } from '../../model/proto.js';
import { arrayToTensor, constantNodeTensor, elementCount, tensorDims, tensorToArray } from '../../model/tensorValues.js';
import { floatToHalf } from '../../model/floatFormats.js';
import { subgraphsOf } from '../../model/walk.js';
import type { QuantizeOptions } from './options.js';
import { Rewriter } from './rewriter.js';
import { intAttribute } from '../graphEdit.js';
import { ScopedMap } from '../../ops/scopedMap.js';

/**
 * Kept in float32: ops whose results change meaning in half precision (indices from TopK/NMS, Range
 * lengths, CumSum drift, Resize coordinates) or that have no float16 form (ML ops, quantization ops).
 * LSTM/GRU/RNN: onnxruntime 1.30 (CPU) crashes loading a float16 LSTM at its default optimization level,
 * so no missing-kernel message comes back for the retry in quantizeTransform.ts to act on.
 */
export const fp32Ops: readonly string[] = [
  'ArrayFeatureExtractor', 'Binarizer', 'CastMap', 'CategoryMapper', 'DictVectorizer', 'FeatureVectorizer', 'Imputer',
  'LabelEncoder', 'LinearClassifier', 'LinearRegressor', 'Normalizer', 'OneHotEncoder', 'RandomUniformLike', 'SVMClassifier',
  'SVMRegressor', 'Scaler', 'TreeEnsembleClassifier', 'TreeEnsembleRegressor', 'ZipMap', 'NonMaxSuppression', 'TopK',
  'RoiAlign', 'Resize', 'Range', 'CumSum', 'Min', 'Max', 'Upsample', 'QuantizeLinear', 'DequantizeLinear',
  'DynamicQuantizeLinear', 'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'Multinomial', 'Bernoulli', 'EyeLike',
  'STFT', 'DFT', 'MelWeightMatrix', 'HannWindow', 'HammingWindow', 'BlackmanWindow', 'SequenceEmpty', 'ConcatFromSequence',
  'SplitToSequence', 'SequenceAt', 'SequenceConstruct', 'SequenceInsert', 'SequenceErase', 'SequenceLength',
  'LSTM', 'GRU', 'RNN',
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

/**
 * Element types of the graph's values: declared ones, then propagated through the nodes. `seed` holds
 * the types of the enclosing scopes, which a body reads by name.
 */
export function elementTypes(graph: GraphProto, seed?: ReadonlyMap<string, number>): Map<string, number> {
  const types: Map<string, number> = seed ? new ScopedMap(seed) : new Map();
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
      } else if (op === 'If' || op === 'Loop' || op === 'Scan') {
        if (outs.every((o) => !o || types.has(o))) continue;
        // Outputs follow the body's outputs: If one to one, Loop after its condition, Scan one to one.
        const body = (node.attribute ?? []).find((a) => a.name === (op === 'If' ? 'then_branch' : 'body'))?.g;
        if (!body) continue;
        const inner = elementTypes(body, bodySeed(node, body, types));
        const bodyOuts = (body.output ?? []).slice(op === 'Loop' ? 1 : 0);
        outs.forEach((o, k) => set(o, bodyOuts[k]?.name ? inner.get(bodyOuts[k].name!) ?? bodyOuts[k].type?.tensorType?.elemType ?? undefined : undefined));
      }
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

interface Float16Pass {
  options: QuantizeOptions;
  block: Set<string>;
  exclude: Set<string>;
  counts: Float16Counts;
}

/** Kept in float32 by its own kind: blocked op, foreign domain, user exclusion. */
function keptOp(pass: Float16Pass, node: NodeProto): boolean {
  const op = node.opType ?? '';
  return pass.block.has(op) || (!!node.domain && node.domain !== 'ai.onnx') || pass.exclude.has(op) || (!!node.name && pass.exclude.has(node.name));
}

/** Names read by converted nodes of `graph` and of the bodies below it (a kept node's bodies stay float32). */
function convertedReads(pass: Float16Pass, graph: GraphProto, keepAll: boolean, into = new Set<string>(), kept?: (n: NodeProto) => boolean): Set<string> {
  for (const node of graph.node ?? []) {
    const keep = kept ? kept(node) : keepAll || keptOp(pass, node);
    if (!keep) for (const i of node.input ?? []) if (i) into.add(i);
    for (const sub of subgraphsOf(node)) convertedReads(pass, sub.graph, keep, into);
  }
  return into;
}

/** Ops that only move or reshape data: kept in float32 with the kept nodes they feed. */
const dataMovers = new Set(['Transpose', 'Reshape', 'Squeeze', 'Unsqueeze', 'Flatten', 'Identity']);

/**
 * The nodes of one graph that stay float32: kept ops, and data movers next to them: those whose float
 * outputs only kept nodes read, and those whose data input a kept node makes. The Casts then sit at the
 * compute nodes: no float16 round trip around a move (rounding for nothing), and no pattern such as
 * LSTM, Cast, Squeeze, Transpose in float16, on which onnxruntime 1.30's full optimization crashes.
 */
function keptNodes(pass: Float16Pass, rw: Rewriter, nodes: NodeProto[], keepAll: boolean, isFloat: (name: string) => boolean): Set<NodeProto> {
  const kept = new Set(nodes.filter((n) => keepAll || keptOp(pass, n)));
  const graphOutputs = new Set((rw.graph.output ?? []).map((o) => o.name ?? ''));
  for (let changed = true; changed;) {
    changed = false;
    for (const n of [...nodes].reverse()) {
      if (kept.has(n) || !dataMovers.has(n.opType ?? '') || (n.domain && n.domain !== 'ai.onnx')) continue;
      const outs = (n.output ?? []).filter((o) => o && isFloat(o));
      const onlyKept = outs.length > 0 && outs.every((o) => {
        const readers = rw.index.consumers(o);
        return !graphOutputs.has(o) && readers.length > 0 && readers.every((c) => c.inputIndex >= 0 && kept.has(c.node));
      });
      const producer = n.input?.[0] && isFloat(n.input[0]) ? rw.index.producer(n.input[0]) : undefined;
      if (onlyKept || (producer && kept.has(producer.node))) {
        kept.add(n);
        changed = true;
      }
    }
  }
  return kept;
}

/** Renames reads of `from` in a graph and the bodies under it (a graph output renamed to keep its float32 name). */
function renameReads(graph: GraphProto, from: string, to: string): void {
  for (const node of graph.node ?? []) {
    node.input = (node.input ?? []).map((i) => (i === from ? to : i));
    for (const sub of subgraphsOf(node)) {
      renameReads(sub.graph, from, to);
      for (const o of sub.graph.output ?? []) if (o.name === from) o.name = to;
    }
  }
}

export function* rewriteFloat16(rw: Rewriter, options: QuantizeOptions): Generator<void, Float16Counts> {
  const pass: Float16Pass = {
    options,
    block: new Set([...fp32Ops, ...options.keepFp32Ops]),
    exclude: new Set(options.exclude),
    counts: { converted: 0, kept: 0, casts: 0, weights: 0 },
  };
  yield* convertScope(pass, rw, elementTypes(rw.graph), new Map(), false);
  return pass.counts;
}

/**
 * Converts one graph; bodies of If/Loop/Scan are converted after their graph, with the outer scope's
 * types and float16 values in view, so that what a body captures by name is fenced inside the body.
 * A converted body's float outputs (and Loop/Scan inputs) are float16, which the node's outputs follow;
 * a kept node's bodies stay float32 (`keepAll`), with Casts inside them for the float16 values they capture.
 */
function* convertScope(pass: Float16Pass, rw: Rewriter, types: Map<string, number>, outerHalf: ReadonlyMap<string, true>, keepAll: boolean): Generator<void> {
  const { options, counts } = pass;
  const graph = rw.graph;
  const main = graph === rw.model.graph;
  const nodes = graph.node ?? [];
  const isFloat = (name: string) => types.get(name) === FLOAT;
  const keptHere = keptNodes(pass, rw, nodes, keepAll, isFloat);
  const kept = (n: NodeProto) => keptHere.has(n);

  // Which float values end up float16: outputs of converted nodes, initializers a converted node reads
  // (here or in a body), graph inputs unless they stay float32, a converted body's inputs.
  // A set: the enclosing scopes' float16 values read through, not copied into each body's.
  const half = new ScopedMap<string, true>(outerHalf);
  for (const node of nodes) {
    if (kept(node)) continue;
    for (const o of node.output ?? []) if (o && isFloat(o)) half.set(o, true);
  }
  if (!main && !keepAll) {
    for (const v of graph.input ?? []) {
      if (v.name && isFloat(v.name) && v.type?.tensorType) {
        v.type.tensorType.elemType = HALF;
        half.set(v.name, true);
      }
    }
  }
  const reads = convertedReads(pass, graph, keepAll, new Set(), kept);
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name ?? '', t]));
  const graphInputs = new Set((graph.input ?? []).map((v) => v.name ?? ''));
  for (const [name, tensor] of initializers) {
    if (tensor.dataType !== FLOAT || rw.isFedInput(name) || !reads.has(name)) continue;
    yield;
    const converted = halfTensor(rw, tensor, name);
    Object.assign(tensor, { rawData: converted.rawData, dataType: HALF, floatData: [], externalData: [], dataLocation: 0 });
    half.set(name, true);
    counts.weights++;
    // IR < 4 lists initializers among the inputs: that entry's type follows.
    for (const v of graph.input ?? []) if (v.name === name && v.type?.tensorType) v.type.tensorType.elemType = HALF;
  }
  if (main && !options.keepIoFp32) {
    for (const v of graph.input ?? []) {
      if (v.name && isFloat(v.name) && rw.isFedInput(v.name) && !initializers.has(v.name) && v.type?.tensorType) {
        v.type.tensorType.elemType = HALF;
        half.set(v.name, true);
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
    if (!keep && convertAttributes(rw, node)) counts.weights++;
  }

  if (main) {
    // Graph outputs: float32 when asked (Cast from the float16 value), else whatever their producer makes.
    for (const out of graph.output ?? []) {
      const name = out.name ?? '';
      if (!half.has(name)) continue;
      if (options.keepIoFp32 && !graphInputs.has(name)) {
        const renamed = rw.names.fresh(`${name}_float16`);
        for (const node of nodes) node.output = (node.output ?? []).map((o) => (o === name ? renamed : o));
        renameReads(graph, name, renamed);
        for (const n of rw.pendingNodes()) n.input = (n.input ?? []).map((i) => (i === name ? renamed : i));
        half.delete(name);
        half.set(renamed, true);
        types.set(renamed, FLOAT);
        rw.add(rw.node('Cast', [renamed], [name], `${name}_Cast_float32`, [intAttribute('to', FLOAT)]));
        counts.casts++;
        for (const v of graph.valueInfo ?? []) if (v.name === name) v.name = renamed;
      } else if (out.type?.tensorType) {
        out.type.tensorType.elemType = HALF;
      }
    }
  } else {
    // A body's float outputs: float16 in a converted body, float32 in a kept one; positional, so a
    // value of the other type is cast under a fresh name.
    for (const out of graph.output ?? []) {
      const name = out.name ?? '';
      if (!isFloat(name)) continue;
      const want = keepAll ? FLOAT : HALF;
      if ((want === HALF) !== half.has(name)) out.name = castTo(name, want);
      if (out.type?.tensorType) out.type.tensorType.elemType = want;
    }
  }
  for (const v of graph.valueInfo ?? []) {
    if (v.name && half.has(v.name) && v.type?.tensorType?.elemType === FLOAT) v.type.tensorType.elemType = HALF;
  }

  // The bodies, each with its own rewriter (fresh names shared), finished before this graph is.
  for (let i = 0; i < nodes.length; i++) {
    for (const sub of rw.index.subgraphs(i)) {
      const inner = new Rewriter(rw.model, rw.reader, options.exclude, { index: sub.index, names: rw.names });
      const innerTypes = elementTypes(sub.graph, bodySeed(nodes[i], sub.graph, types));
      yield* convertScope(pass, inner, innerTypes, half, kept(nodes[i]));
      inner.finish();
    }
  }
}

/** The outer types a body sees, plus its Loop/Scan inputs typed from the node's inputs where the body leaves them untyped. */
function bodySeed(node: NodeProto, body: GraphProto, outer: Map<string, number>): Map<string, number> {
  const seed = new ScopedMap(outer);
  const ins = node.input ?? [];
  (body.input ?? []).forEach((v, k) => {
    if (!v.name || v.type?.tensorType?.elemType) return;
    const from = node.opType === 'Loop' ? (k >= 2 ? ins[k] : undefined) : node.opType === 'Scan' ? ins[k] : undefined;
    const t = from ? outer.get(from) : undefined;
    if (t) seed.set(v.name, t);
  });
  return seed;
}

/** A converted node's float-typed attributes: Cast targets, Constant values, ConstantOfShape fills. */
function convertAttributes(rw: Rewriter, node: NodeProto): boolean {
  const op = node.opType ?? '';
  let weight = false;
  for (const a of node.attribute ?? []) {
    if (op === 'Cast' && a.name === 'to' && Number(a.i) === FLOAT) a.i = toLong(HALF);
    if ((op === 'Constant' || op === 'ConstantOfShape') && a.name === 'value' && a.t && a.t.dataType === FLOAT) {
      a.t = halfTensor(rw, a.t, a.t.name ?? '');
      // A Constant holding more than a scalar is a weight, as exporters that keep weights in Constant nodes write them.
      weight = op === 'Constant' && elementCount(tensorDims(a.t)) > 1;
    }
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
  return weight;
}
