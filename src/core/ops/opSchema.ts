// Input names from the ONNX operator schemas of common operators, so that a folded weight reads
// `W <64x3x3x3>` as in the specification rather than `input 1`. Unknown operators fall back to indices.
const inputs: Record<string, string[]> = {
  Conv: ['X', 'W', 'B'],
  ConvTranspose: ['X', 'W', 'B'],
  ConvInteger: ['x', 'w', 'x_zero_point', 'w_zero_point'],
  QLinearConv: ['x', 'x_scale', 'x_zero_point', 'w', 'w_scale', 'w_zero_point', 'y_scale', 'y_zero_point', 'B'],
  Gemm: ['A', 'B', 'C'],
  MatMul: ['A', 'B'],
  MatMulInteger: ['A', 'B', 'a_zero_point', 'b_zero_point'],
  QLinearMatMul: ['a', 'a_scale', 'a_zero_point', 'b', 'b_scale', 'b_zero_point', 'y_scale', 'y_zero_point'],
  Add: ['A', 'B'],
  Sub: ['A', 'B'],
  Mul: ['A', 'B'],
  Div: ['A', 'B'],
  Pow: ['X', 'Y'],
  Equal: ['A', 'B'],
  Less: ['A', 'B'],
  Greater: ['A', 'B'],
  And: ['A', 'B'],
  Or: ['A', 'B'],
  Where: ['condition', 'X', 'Y'],
  BatchNormalization: ['X', 'scale', 'B', 'input_mean', 'input_var'],
  InstanceNormalization: ['input', 'scale', 'B'],
  LayerNormalization: ['X', 'Scale', 'B'],
  GroupNormalization: ['X', 'scale', 'bias'],
  SkipLayerNormalization: ['input', 'skip', 'gamma', 'beta', 'bias'],
  PRelu: ['X', 'slope'],
  Reshape: ['data', 'shape'],
  Expand: ['input', 'shape'],
  Tile: ['input', 'repeats'],
  Gather: ['data', 'indices'],
  GatherElements: ['data', 'indices'],
  GatherND: ['data', 'indices'],
  ScatterND: ['data', 'indices', 'updates'],
  ScatterElements: ['data', 'indices', 'updates'],
  Slice: ['data', 'starts', 'ends', 'axes', 'steps'],
  Split: ['input', 'split'],
  Squeeze: ['data', 'axes'],
  Unsqueeze: ['data', 'axes'],
  Pad: ['data', 'pads', 'constant_value', 'axes'],
  Resize: ['X', 'roi', 'scales', 'sizes'],
  Upsample: ['X', 'scales'],
  Clip: ['input', 'min', 'max'],
  ReduceSum: ['data', 'axes'],
  ReduceMean: ['data', 'axes'],
  ReduceMax: ['data', 'axes'],
  ReduceMin: ['data', 'axes'],
  ReduceProd: ['data', 'axes'],
  ConstantOfShape: ['input'],
  Range: ['start', 'limit', 'delta'],
  TopK: ['X', 'K'],
  OneHot: ['indices', 'depth', 'values'],
  CumSum: ['x', 'axis'],
  Einsum: ['Inputs'],
  QuantizeLinear: ['x', 'y_scale', 'y_zero_point'],
  DequantizeLinear: ['x', 'x_scale', 'x_zero_point'],
  DynamicQuantizeLinear: ['x'],
  MatMulNBits: ['A', 'B', 'scales', 'zero_points', 'g_idx', 'bias'],
  LSTM: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h', 'initial_c', 'P'],
  GRU: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h'],
  RNN: ['X', 'W', 'R', 'B', 'sequence_lens', 'initial_h'],
  Attention: ['input', 'weights', 'bias', 'mask_index', 'past', 'attention_bias'],
  Embedding: ['input', 'weight'],
  NonMaxSuppression: ['boxes', 'scores', 'max_output_boxes_per_class', 'iou_threshold', 'score_threshold'],
  RoiAlign: ['X', 'rois', 'batch_indices'],
  Loop: ['M', 'cond', 'v_initial'],
  If: ['cond'],
};

/** The schema name of input `slot` of `op`, or its index as text. */
export function inputName(op: string, slot: number): string {
  const names = inputs[op];
  if (!names) return String(slot);
  // Variadic last inputs (Einsum, Loop's v_initial) repeat the last name.
  return names[slot] ?? (op === 'Einsum' || op === 'Loop' ? names[names.length - 1] : String(slot));
}

/** Ops whose result differs between runs: never folded, never merged. */
export const nonDeterministicOps = new Set([
  'RandomNormal', 'RandomUniform', 'RandomNormalLike', 'RandomUniformLike', 'Multinomial', 'Bernoulli',
]);
