// Conv/ConvTranspose followed by an inference BatchNormalization becomes one Conv: with
// s = scale / sqrt(var + epsilon), W' = W * s per output channel and B' = (B - mean) * s + bias.
import type { NodeProto } from '../../model/proto.js';
import type { Rewrite } from './rewrite.js';
import { floatAttr, intAttr, isDefaultDomain, type RewriteGraph } from './rewriteGraph.js';
import { convWeights, perChannelValues, readFloats, scaledPerChannel, setConvWeights } from './weights.js';

/** A BatchNormalization that normalizes with its running statistics (inference), one output used. */
function inferenceOnly(g: RewriteGraph, bn: NodeProto): boolean {
  if (intAttr(bn, 'training_mode', 0) !== 0) return false;
  // Before opset 7 the mode was an attribute; before opset 9, spatial = 0 meant per-element statistics.
  if (g.opset < 7 && intAttr(bn, 'is_test', 0) !== 1) return false;
  if (g.opset < 9 && intAttr(bn, 'spatial', 1) !== 1) return false;
  return (bn.output ?? []).slice(1).every((o) => !o || (g.readers(o).length === 0 && !g.isProtected(o)));
}

function fuse(g: RewriteGraph, bn: NodeProto): boolean {
  const [x, scaleName, biasName, meanName, varName] = bn.input ?? [];
  const out = bn.output?.[0];
  const conv = g.producerOf(x, 'Conv', 'ConvTranspose');
  if (!conv || !out || !x || !g.onlyFor(x, bn) || !inferenceOnly(g, bn)) return false;
  const weights = convWeights(g, conv);
  if (!weights) return false;
  const { weight, bias, channels } = weights;
  const params = [scaleName, biasName, meanName, varName].map((n) => readFloats(g, n));
  if (params.some((p) => !p || p.dtype !== weight.dtype || p.values.length !== channels || p.dims.length !== 1)) return false;
  const [scale, beta, mean, variance] = params.map((p) => p!.values);
  const epsilon = floatAttr(bn, 'epsilon', 1e-5);
  const s = perChannelValues(channels, (c) => scale[c] / Math.sqrt(variance[c] + epsilon));
  if (!s.every(Number.isFinite) || !g.claim(conv, bn)) return false;
  const fusedBias = perChannelValues(channels, (c) => (bias[c] - mean[c]) * s[c] + beta[c]);
  setConvWeights(g, conv, scaledPerChannel(conv, weight, s), fusedBias);
  conv.output = [out];
  g.remove(bn);
  return true;
}

export const convBatchNorm: Rewrite = {
  id: 'conv-bn',
  title: 'Conv + BatchNormalization fused',
  apply(g) {
    let count = 0;
    for (const node of g.nodes()) if (node.opType === 'BatchNormalization' && isDefaultDomain(node) && g.free(node) && fuse(g, node)) count++;
    return count;
  },
};
