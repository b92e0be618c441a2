// Conv followed by the Add of a per-channel constant: the constant joins the Conv's bias.
import type { NodeProto } from '../../model/proto.js';
import type { Rewrite } from './rewrite.js';
import { isDefaultDomain, type RewriteGraph } from './rewriteGraph.js';
import { convWeights, perChannel, perChannelValues, readFloats, setConvWeights } from './weights.js';

function fuse(g: RewriteGraph, add: NodeProto): boolean {
  const inputs = add.input ?? [];
  const out = add.output?.[0];
  if (inputs.length !== 2 || !out) return false;
  for (const k of [0, 1]) {
    const x = inputs[k];
    const conv = g.producerOf(x, 'Conv', 'ConvTranspose');
    if (!conv || !g.onlyFor(x, add)) continue;
    const weights = convWeights(g, conv);
    const addend = readFloats(g, inputs[1 - k]);
    if (!weights || !addend || addend.dtype !== weights.weight.dtype) continue;
    const perC = perChannel(addend, weights.weight.dims.length, weights.channels);
    if (!perC || !g.claim(conv, add)) continue;
    setConvWeights(g, conv, weights.weight, perChannelValues(weights.channels, (c) => weights.bias[c] + perC[c]));
    conv.output = [out];
    g.remove(add);
    return true;
  }
  return false;
}

export const convAdd: Rewrite = {
  id: 'conv-add',
  title: 'Conv + per-channel Add fused into the bias',
  apply(g) {
    let count = 0;
    for (const node of g.nodes()) if (node.opType === 'Add' && isDefaultDomain(node) && g.free(node) && fuse(g, node)) count++;
    return count;
  },
};
