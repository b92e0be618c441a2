// A Reshape of a Reshape (or of a Flatten, Squeeze, Unsqueeze): only the last shape matters, so the
// Reshape reads the first input directly. A 0 in the last shape copies a dim of the intermediate: it stays
// only where the first input has the same dim there, else becomes the dim's known number.
import { DataType, type NodeProto } from '../../model/proto.js';
import type { Rewrite } from './rewrite.js';
import { intAttr, isDefaultDomain, type RewriteGraph } from './rewriteGraph.js';

const reshapeLike = ['Reshape', 'Flatten', 'Squeeze', 'Unsqueeze'];

function fuse(g: RewriteGraph, reshape: NodeProto): boolean {
  const [data, shapeName] = reshape.input ?? [];
  const inner = g.producerOf(data, ...reshapeLike);
  const shape = g.constantNumbers(shapeName);
  if (!inner || !data || !shape || !g.onlyFor(data, reshape)) return false;
  const source = inner.input?.[0];
  if (!source) return false;
  const mid = g.shape(data);
  const first = g.shape(source);
  const copies = intAttr(reshape, 'allowzero', 0) === 0;
  const resolved: number[] = [];
  for (let i = 0; i < shape.length; i++) {
    const v = shape[i];
    if (v !== 0 || !copies) resolved.push(v);
    else if (typeof mid?.[i] === 'number' && mid[i] !== 0) resolved.push(mid[i] as number);
    else if (mid?.[i] != null && first?.[i] === mid[i]) resolved.push(0);
    else return false;
  }
  if (!g.claim(reshape, inner)) return false;
  const changed = resolved.some((v, i) => v !== shape[i]);
  const target = changed
    ? g.addConstant(`${shapeName}_resolved`, { dtype: DataType.INT64, dims: [resolved.length], data: BigInt64Array.from(resolved, (v) => BigInt(v)) })
    : shapeName;
  reshape.input = [source, target];
  g.remove(inner);
  return true;
}

export const reshapeChain: Rewrite = {
  id: 'reshape-chain',
  title: 'consecutive Reshapes merged',
  apply(g) {
    let count = 0;
    for (const node of g.nodes()) if (node.opType === 'Reshape' && isDefaultDomain(node) && g.free(node) && fuse(g, node)) count++;
    return count;
  },
};
