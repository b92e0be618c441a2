// Conv followed by the Mul of a per-channel constant: the weights and bias are scaled instead.
import type { NodeProto } from '../../model/proto.js';
import type { Rewrite } from './rewrite.js';
import { isDefaultDomain, type RewriteGraph } from './rewriteGraph.js';
import { convWeights, perChannel, perChannelValues, readFloats, scaledPerChannel, setConvWeights } from './weights.js';

function fuse(g: RewriteGraph, mul: NodeProto): boolean {
  const inputs = mul.input ?? [];
  const out = mul.output?.[0];
  if (inputs.length !== 2 || !out) return false;
  for (const k of [0, 1]) {
    const x = inputs[k];
    const conv = g.producerOf(x, 'Conv', 'ConvTranspose');
    if (!conv || !g.onlyFor(x, mul)) continue;
    const weights = convWeights(g, conv);
    const factor = readFloats(g, inputs[1 - k]);
    if (!weights || !factor || factor.dtype !== weights.weight.dtype) continue;
    const perC = perChannel(factor, weights.weight.dims.length, weights.channels);
    if (!perC || !g.claim(conv, mul)) continue;
    const bias = perChannelValues(weights.channels, (c) => weights.bias[c] * perC[c]);
    setConvWeights(g, conv, scaledPerChannel(conv, weights.weight, perC), bias);
    conv.output = [out];
    g.remove(mul);
    return true;
  }
  return false;
}

export const convMul: Rewrite = {
  id: 'conv-mul',
  title: 'Conv + per-channel Mul fused into the weights',
  apply(g) {
    let count = 0;
    for (const node of g.nodes()) if (node.opType === 'Mul' && isDefaultDomain(node) && g.free(node) && fuse(g, node)) count++;
    return count;
  },
};
