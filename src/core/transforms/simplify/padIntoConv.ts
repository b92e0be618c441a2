// A zero Pad (constant mode, value 0) of the spatial axes only, read by a Conv or an AveragePool that
// counts padding (count_include_pad = 1, or no pads of its own; no ceil_mode): the pads move into the consumer's pads.
// MaxPool is left alone: its own pads are -infinity, not zeros.
import type { NodeProto } from '../../model/proto.js';
import type { Rewrite } from './rewrite.js';
import { intAttr, intsAttr, isDefaultDomain, setAttr, stringAttr, type RewriteGraph } from './rewriteGraph.js';

/** The Pad's pads over all axes ([begin..., end...]) when it pads with zeros, else undefined. */
function zeroPads(g: RewriteGraph, pad: NodeProto): number[] | undefined {
  if (stringAttr(pad, 'mode', 'constant') !== 'constant') return undefined;
  const inputs = pad.input ?? [];
  if (g.opset < 11) {
    if ((pad.attribute ?? []).some((a) => a.name === 'value' && (a.f ?? 0) !== 0)) return undefined;
    return intsAttr(pad, 'pads') ?? intsAttr(pad, 'paddings');
  }
  const pads = g.constantNumbers(inputs[1]);
  if (!pads) return undefined;
  if (inputs[2]) {
    const value = g.constantNumbers(inputs[2]);
    if (!value || value.some((v) => v !== 0)) return undefined;
  }
  if (!inputs[3]) return pads;
  // Opset 18: pads for the listed axes only.
  const axes = g.constantNumbers(inputs[3]);
  const rank = g.rank(inputs[0]);
  if (!axes || rank === undefined || pads.length !== 2 * axes.length) return undefined;
  const full = new Array<number>(2 * rank).fill(0);
  axes.forEach((a, k) => {
    const axis = a < 0 ? a + rank : a;
    full[axis] = pads[k];
    full[axis + rank] = pads[k + axes.length];
  });
  return full;
}

function fuse(g: RewriteGraph, consumer: NodeProto): boolean {
  const padded = consumer.input?.[0];
  const pad = g.producerOf(padded, 'Pad');
  const source = pad?.input?.[0];
  if (!pad || !padded || !source || !g.onlyFor(padded, consumer)) return false;
  if (stringAttr(consumer, 'auto_pad', 'NOTSET') !== 'NOTSET') return false;
  const pads = zeroPads(g, pad);
  if (!pads || pads.length % 2 !== 0 || pads.length < 6 || pads.some((p) => p < 0)) return false;
  const rank = pads.length / 2;
  // Batch and channel axes unpadded.
  if (pads[0] || pads[1] || pads[rank] || pads[rank + 1]) return false;
  const spatial = rank - 2;
  const own = intsAttr(consumer, 'pads') ?? new Array<number>(2 * spatial).fill(0);
  if (own.length !== 2 * spatial) return false;
  if (consumer.opType === 'AveragePool') {
    // count_include_pad exists from opset 7; with ceil_mode a window may also run past the pads.
    if (g.opset < 7 || intAttr(consumer, 'ceil_mode', 0) !== 0) return false;
    if (intAttr(consumer, 'count_include_pad', 0) === 0 && own.some((p) => p !== 0)) return false;
  }
  const merged = own.map((p, i) => p + (i < spatial ? pads[2 + i] : pads[rank + 2 + (i - spatial)]));
  // Pools take pads smaller than the kernel only.
  const kernel = intsAttr(consumer, 'kernel_shape');
  if (consumer.opType === 'AveragePool' && (!kernel || merged.some((p, i) => p >= kernel[i % spatial]))) return false;
  if (!g.claim(consumer, pad)) return false;
  setAttr(consumer, 'pads', merged);
  if (consumer.opType === 'AveragePool') setAttr(consumer, 'count_include_pad', 1);
  consumer.input = [source, ...(consumer.input ?? []).slice(1)];
  g.remove(pad);
  return true;
}

export const padIntoConv: Rewrite = {
  id: 'pad-conv',
  title: 'zero Pad merged into Conv/AveragePool pads',
  apply(g) {
    let count = 0;
    for (const node of g.nodes()) {
      if ((node.opType === 'Conv' || node.opType === 'AveragePool') && isDefaultDomain(node) && g.free(node) && fuse(g, node)) count++;
    }
    return count;
  },
};
