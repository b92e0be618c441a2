// A Reshape whose target is computed at run time (Shape -> Gather/Slice -> Concat chains) gets a constant
// target where shape inference knows every element: numbers stay, an element equal to the input's dim at
// the same position becomes 0 (Reshape copies it), and at most one other becomes -1 (Reshape infers it).
// A target that needs two unknown elements stays computed. The chain is then dead and goes in the clean-up.
import { DataType, type NodeProto } from '../../model/proto.js';
import type { Rewrite } from './rewrite.js';
import { intAttr, isDefaultDomain, type RewriteGraph } from './rewriteGraph.js';

/** The constant target, or undefined when the known elements do not determine one. */
export function constantTarget(g: RewriteGraph, reshape: NodeProto): number[] | undefined {
  const [data, shapeName] = reshape.input ?? [];
  const elements = g.values(shapeName);
  if (!elements || !data || g.constant(shapeName)) return undefined;
  const input = g.shape(data);
  const copies = intAttr(reshape, 'allowzero', 0) === 0;
  // A -1 the chain computes itself stays, and then no other element may become -1.
  let inferred = elements.some((e) => e === -1);
  const target: number[] = [];
  for (let i = 0; i < elements.length; i++) {
    const e = elements[i];
    if (typeof e === 'number') target.push(e);
    else if (copies && e !== null && input && i < input.length && input[i] === e) target.push(0);
    else if (!inferred) {
      inferred = true;
      target.push(-1);
    } else return undefined;
  }
  return target;
}

export const shapeChain: Rewrite = {
  id: 'shape-chain',
  title: 'Reshape targets computed from Shape made constant',
  apply(g) {
    let count = 0;
    for (const node of g.nodes()) {
      if (node.opType !== 'Reshape' || !isDefaultDomain(node) || !g.free(node)) continue;
      const target = constantTarget(g, node);
      if (!target || !g.claim(node)) continue;
      const name = g.addConstant(`${node.input![1]}_resolved`, { dtype: DataType.INT64, dims: [target.length], data: BigInt64Array.from(target, (v) => BigInt(v)) });
      node.input = [node.input![0], name];
      count++;
    }
    return count;
  },
};
