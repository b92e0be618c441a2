// Raises a model's default-domain opset so that newer quantization ops resolve (per-axis
// DequantizeLinear needs 13, blocked DequantizeLinear and int4 need 21). Most schema changes between
// opsets only add types or optional attributes; the ones that changed how a node is written are
// converted (axes and split attributes -> inputs) or, where that is not safe, refused with the op named.
import { UserError } from '../../errors.js';
import { AttributeType, DataType, int64ToNumber, onnx, toLong, type GraphProto, type ModelProto, type NodeProto } from '../../model/proto.js';
import { arrayToTensor } from '../../model/tensorValues.js';
import { walkGraph } from '../../model/walk.js';
import { allNames, defaultOpset } from '../../model/graphQueries.js';
import { NameAllocator } from '../graphEdit.js';

/** Ops whose meaning or form changed at a version, and that this upgrade cannot convert. */
const unconvertible: Array<[string, number, string]> = [
  ['Upsample', 10, 'is deprecated (Resize replaces it)'],
  ['Scatter', 11, 'is deprecated (ScatterElements replaces it)'],
  ['TopK', 10, 'takes k as an input from opset 10'],
  ['Slice', 10, 'takes starts/ends as inputs from opset 10'],
  ['Resize', 11, 'changed its coordinate modes at opset 11'],
  ['Pad', 11, 'takes pads as an input from opset 11'],
  ['RNN', 7, 'changed its attributes at opset 7'],
  ['GRU', 7, 'changed its attributes at opset 7'],
  ['LSTM', 7, 'changed its attributes at opset 7'],
  ['Scan', 9, 'changed its batch semantics at opset 9'],
  ['GridSample', 20, 'renamed its modes at opset 20'],
  ['DFT', 20, 'takes the axis as an input from opset 20'],
  ['GroupNormalization', 21, 'changed its scale and bias to per channel at opset 21'],
];

/** Elementwise ops that had explicit `broadcast`/`axis` attributes up to opset 6. */
const legacyBroadcast = new Set(['Add', 'Sub', 'Mul', 'Div', 'Pow', 'PRelu', 'Equal', 'Greater', 'Less', 'And', 'Or', 'Xor', 'Gemm']);

const reduceAxesInputSince: Record<string, number> = {
  ReduceSum: 13, ReduceMean: 18, ReduceMax: 18, ReduceMin: 18, ReduceProd: 18, ReduceL1: 18, ReduceL2: 18,
  ReduceLogSum: 18, ReduceLogSumExp: 18, ReduceSumSquare: 18,
};

export interface OpsetUpgrade {
  from: number;
  to: number;
  /** Nodes rewritten into their newer form. */
  converted: number;
}

function attr(node: NodeProto, name: string): onnx.IAttributeProto | undefined {
  return (node.attribute ?? []).find((a) => a.name === name);
}

function dropAttr(node: NodeProto, name: string): void {
  node.attribute = (node.attribute ?? []).filter((a) => a.name !== name);
}

function declaredRank(graph: GraphProto, name: string): number | undefined {
  for (const v of [...(graph.input ?? []), ...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
    if (v.name === name && v.type?.tensorType?.shape) return v.type.tensorType.shape.dim?.length ?? 0;
  }
  const init = (graph.initializer ?? []).find((t) => t.name === name);
  return init ? (init.dims ?? []).length : undefined;
}

/** Why the model cannot move from `from` to `to`, or undefined when it can. */
export function upgradeBlocker(model: ModelProto, to: number): string | undefined {
  const from = defaultOpset(model);
  if (from >= to) return undefined;
  if (from < 6) return `the model uses opset ${from}; opsets below 6 are too old to raise to ${to}`;
  for (const visit of walkGraph(model.graph!)) {
    for (const node of visit.nodes) {
      if (node.domain && node.domain !== 'ai.onnx') continue;
      for (const [op, since, why] of unconvertible) {
        if (node.opType === op && from < since && since <= to) return `${op} ${why}`;
      }
      if (legacyBroadcast.has(node.opType ?? '') && from < 7 && attr(node, 'axis') && attr(node, 'broadcast')?.i != null && int64ToNumber(attr(node, 'broadcast')!.i) !== 0) {
        return `${node.opType} uses the opset 6 broadcast along an axis, which later opsets do not have`;
      }
      if (node.opType === 'BatchNormalization' && from < 9) {
        const spatial = attr(node, 'spatial');
        if (spatial?.i != null && int64ToNumber(spatial.i) !== 1) return 'BatchNormalization with spatial=0 has no form in opset 9 or later';
        if ((node.output ?? []).filter(Boolean).length > 1) return 'BatchNormalization in training form has no inference form in later opsets';
      }
      if ((node.opType === 'Softmax' || node.opType === 'LogSoftmax' || node.opType === 'Hardmax') && from < 13) {
        const rank = visit.graph ? declaredRank(visit.graph, node.input?.[0] ?? '') : undefined;
        const axisAttr = attr(node, 'axis');
        const axis = axisAttr?.i != null ? int64ToNumber(axisAttr.i) : 1;
        if (rank === undefined) return `${node.opType} changed its axis semantics at opset 13 and the rank of its input is not declared`;
        if ((axis < 0 ? axis + rank : axis) !== rank - 1) return `${node.opType} over several axes cannot be written at opset 13 or later`;
      }
    }
  }
  return undefined;
}

/** Raises the default opset to `to` in place, converting nodes whose form changed. */
export function upgradeOpset(model: ModelProto, to: number): OpsetUpgrade {
  const from = defaultOpset(model);
  if (from >= to) return { from, to: from, converted: 0 };
  const blocker = upgradeBlocker(model, to);
  if (blocker) throw new UserError(`The model cannot be raised from opset ${from} to ${to}: ${blocker}.`);
  const names = new NameAllocator(allNames(model));
  let converted = 0;
  for (const visit of walkGraph(model.graph!)) {
    const graph = visit.graph!;
    const axesInput = (node: NodeProto, attrName: string) => {
      const a = attr(node, attrName);
      if (!a) return false;
      const values = (a.ints ?? []).map((v) => BigInt(int64ToNumber(v)));
      const name = names.fresh(`${node.name || node.opType}_${attrName}`);
      graph.initializer ??= [];
      graph.initializer.push(arrayToTensor(name, { dtype: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values) }));
      dropAttr(node, attrName);
      const inputs = [...(node.input ?? [])];
      while (inputs.length < 1) inputs.push('');
      inputs.splice(1, inputs.length - 1, name);
      node.input = inputs;
      return true;
    };
    for (const node of visit.nodes) {
      if (node.domain && node.domain !== 'ai.onnx') continue;
      const op = node.opType ?? '';
      let changed = false;
      if ((op === 'Squeeze' || op === 'Unsqueeze') && from < 13 && to >= 13) changed = axesInput(node, 'axes');
      else if (reduceAxesInputSince[op] && from < reduceAxesInputSince[op] && to >= reduceAxesInputSince[op]) changed = axesInput(node, 'axes');
      else if (op === 'Split') {
        if (from < 13 && to >= 13) changed = axesInputSplit(node, graph, names);
        if (to >= 18 && !(node.input?.[1]) && !attr(node, 'num_outputs')) {
          node.attribute = [...(node.attribute ?? []), onnx.AttributeProto.create({ name: 'num_outputs', type: AttributeType.INT, i: toLong(node.output?.length ?? 1) })];
          changed = true;
        }
      } else if (legacyBroadcast.has(op) && from < 7 && to >= 7 && (attr(node, 'broadcast') || attr(node, 'axis'))) {
        // Suffix-aligned broadcasting is what numpy-style broadcasting does from opset 7 on.
        dropAttr(node, 'broadcast');
        dropAttr(node, 'axis');
        changed = true;
      } else if (op === 'BatchNormalization' && from < 9 && to >= 9 && (attr(node, 'spatial') || attr(node, 'is_test'))) {
        dropAttr(node, 'spatial');
        dropAttr(node, 'is_test');
        node.output = (node.output ?? []).slice(0, 1);
        changed = true;
      } else if (op === 'Clip' && from < 11 && to >= 11) {
        const min = attr(node, 'min')?.f;
        const max = attr(node, 'max')?.f;
        const bound = (value: number | null | undefined, what: string) => {
          if (value == null) return '';
          const name = names.fresh(`${node.name || 'Clip'}_${what}`);
          graph.initializer ??= [];
          graph.initializer.push(arrayToTensor(name, { dtype: DataType.FLOAT, dims: [], data: Float32Array.of(value) }));
          return name;
        };
        node.input = [node.input?.[0] ?? '', bound(min, 'min'), bound(max, 'max')];
        while (node.input.length > 1 && node.input[node.input.length - 1] === '') node.input.pop();
        dropAttr(node, 'min');
        dropAttr(node, 'max');
        changed = true;
      } else if (op === 'Dropout' && from < 12 && to >= 12) {
        dropAttr(node, 'ratio');
        dropAttr(node, 'is_test');
        changed = true;
      } else if ((op === 'Softmax' || op === 'LogSoftmax' || op === 'Hardmax') && from < 13 && to >= 13) {
        dropAttr(node, 'axis');
        node.attribute = [...(node.attribute ?? []), onnx.AttributeProto.create({ name: 'axis', type: AttributeType.INT, i: toLong(-1) })];
        changed = true;
      }
      if (changed) converted++;
    }
  }
  for (const entry of model.opsetImport ?? []) if (!entry.domain || entry.domain === 'ai.onnx') entry.version = toLong(to);
  if (!(model.opsetImport ?? []).some((e) => !e.domain || e.domain === 'ai.onnx')) {
    model.opsetImport = [...(model.opsetImport ?? []), onnx.OperatorSetIdProto.create({ domain: '', version: toLong(to) })];
  }
  return { from, to, converted };
}

function axesInputSplit(node: NodeProto, graph: GraphProto, names: NameAllocator): boolean {
  const a = attr(node, 'split');
  if (!a) return false;
  const values = (a.ints ?? []).map((v) => BigInt(int64ToNumber(v)));
  const name = names.fresh(`${node.name || 'Split'}_split`);
  graph.initializer ??= [];
  graph.initializer.push(arrayToTensor(name, { dtype: DataType.INT64, dims: [values.length], data: BigInt64Array.from(values) }));
  dropAttr(node, 'split');
  node.input = [node.input?.[0] ?? '', name];
  return true;
}

/** IR version a model needs for an opset (onnx's table: opset 21 -> IR 10). */
export function irVersionFor(opset: number): number {
  if (opset >= 23) return 11;
  if (opset >= 21) return 10;
  if (opset >= 19) return 9;
  if (opset >= 15) return 8;
  if (opset >= 13) return 7;
  if (opset >= 12) return 7;
  if (opset >= 11) return 6;
  if (opset >= 10) return 5;
  return 3;
}

/** Declares a domain's opset import if missing. */
export function ensureOpsetImport(model: ModelProto, domain: string, version: number): void {
  const found = (model.opsetImport ?? []).find((e) => (e.domain ?? '') === domain);
  if (found) {
    if (int64ToNumber(found.version) < version) found.version = toLong(version);
    return;
  }
  model.opsetImport = [...(model.opsetImport ?? []), onnx.OperatorSetIdProto.create({ domain, version: toLong(version) })];
}

/** Raises ir_version to at least `ir`. */
export function ensureIrVersion(model: ModelProto, ir: number): void {
  if (int64ToNumber(model.irVersion) < ir) model.irVersion = toLong(ir);
}
