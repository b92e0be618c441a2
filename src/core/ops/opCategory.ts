// Operator categories, for box colours (the same families Netron colours).
export type OpCategory = 'layer' | 'activation' | 'pool' | 'normalization' | 'shape' | 'tensor' | 'logic' | 'control' | 'quantization' | 'constant' | 'other';

const table: Record<string, OpCategory> = {};
const add = (category: OpCategory, ops: string) => ops.split(' ').forEach((op) => (table[op] = category));
add('layer', 'Conv ConvTranspose ConvInteger QLinearConv Gemm MatMul MatMulInteger QLinearMatMul MatMulNBits FusedMatMul LSTM GRU RNN Attention MultiHeadAttention GroupQueryAttention Einsum DeformConv FusedConv FusedGemm');
add('activation', 'Relu LeakyRelu PRelu Sigmoid HardSigmoid Tanh Softmax LogSoftmax Hardmax Elu Selu Celu Gelu FastGelu BiasGelu QuickGelu Softplus Softsign Mish HardSwish Swish ThresholdedRelu Erf');
add('pool', 'MaxPool AveragePool GlobalAveragePool GlobalMaxPool LpPool GlobalLpPool MaxRoiPool RoiAlign MaxUnpool');
add('normalization', 'BatchNormalization InstanceNormalization LayerNormalization GroupNormalization LpNormalization LRN MeanVarianceNormalization SkipLayerNormalization SimplifiedLayerNormalization SkipSimplifiedLayerNormalization RMSNormalization Dropout');
add('shape', 'Reshape Flatten Squeeze Unsqueeze Transpose Shape Size Expand Tile DepthToSpace SpaceToDepth');
add('tensor', 'Concat Split Slice Gather GatherElements GatherND Scatter ScatterND ScatterElements Pad Resize Upsample Identity Cast CastLike ConstantOfShape Range Where OneHot TopK NonZero Unique Compress Trilu ReverseSequence CumSum');
add('logic', 'Equal Less LessOrEqual Greater GreaterOrEqual And Or Xor Not IsNaN IsInf');
add('control', 'If Loop Scan SequenceMap');
add('quantization', 'QuantizeLinear DequantizeLinear DynamicQuantizeLinear');
add('constant', 'Constant');

export function opCategory(op: string): OpCategory {
  return table[op] ?? 'other';
}
