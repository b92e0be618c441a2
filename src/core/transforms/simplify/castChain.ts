// Cast(Cast(x, T1), T2) where T1 holds every value of x's type exactly: the first Cast changes nothing the
// second would not, so the second reads x (and disappears when T2 is x's own type).
import { DataType, type NodeProto } from '../../model/proto.js';
import type { Rewrite } from './rewrite.js';
import { intAttr, isDefaultDomain, type RewriteGraph } from './rewriteGraph.js';

const T = DataType;
/** For each type, the types that represent all of its values exactly. */
const widerThan: Record<number, number[]> = {
  [T.BOOL]: [T.INT8, T.UINT8, T.INT16, T.UINT16, T.INT32, T.UINT32, T.INT64, T.UINT64, T.FLOAT16, T.BFLOAT16, T.FLOAT, T.DOUBLE],
  [T.UINT8]: [T.INT16, T.UINT16, T.INT32, T.UINT32, T.INT64, T.UINT64, T.FLOAT16, T.BFLOAT16, T.FLOAT, T.DOUBLE],
  [T.INT8]: [T.INT16, T.INT32, T.INT64, T.FLOAT16, T.BFLOAT16, T.FLOAT, T.DOUBLE],
  [T.UINT16]: [T.INT32, T.UINT32, T.INT64, T.UINT64, T.FLOAT, T.DOUBLE],
  [T.INT16]: [T.INT32, T.INT64, T.FLOAT, T.DOUBLE],
  [T.UINT32]: [T.INT64, T.UINT64, T.DOUBLE],
  [T.INT32]: [T.INT64, T.DOUBLE],
  [T.FLOAT16]: [T.FLOAT, T.DOUBLE],
  [T.BFLOAT16]: [T.FLOAT, T.DOUBLE],
  [T.FLOAT]: [T.DOUBLE],
};

export function lossless(from: number, to: number): boolean {
  return from === to || (widerThan[from]?.includes(to) ?? false);
}

function shorten(g: RewriteGraph, outer: NodeProto): boolean {
  const mid = outer.input?.[0];
  const out = outer.output?.[0];
  const inner = g.producerOf(mid, 'Cast');
  const source = inner?.input?.[0];
  if (!inner || !mid || !out || !source) return false;
  const from = g.elemType(source);
  const via = intAttr(inner, 'to', 0);
  const to = intAttr(outer, 'to', 0);
  // Cast's saturate attribute (float8 targets) changes nothing for the lossless widenings allowed here.
  if (!from || !via || !to || !lossless(from, via)) return false;
  if (to === from && !g.isProtected(out)) {
    if (!g.claim(outer, inner)) return false;
    g.reroute(out, source);
    g.remove(outer);
    return true;
  }
  if (!g.onlyFor(mid, outer) || !g.claim(outer, inner)) return false;
  outer.input = [source];
  g.remove(inner);
  return true;
}

export const castChain: Rewrite = {
  id: 'cast-chain',
  title: 'Cast chains through a lossless type shortened',
  apply(g) {
    let count = 0;
    for (const node of g.nodes()) if (node.opType === 'Cast' && isDefaultDomain(node) && g.free(node) && shorten(g, node)) count++;
    return count;
  },
};
