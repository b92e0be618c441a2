// MatMul + Add -> Gemm where both MatMul operands are 2-D (Gemm's domain; higher ranks would need a
// Reshape pair around it, which gains nothing), and the Add of a bias to a Gemm that has none. The bias must
// broadcast onto the [M, N] product without widening it (Gemm's C broadcasts one way only).
import { DataType, type NodeProto } from '../../model/proto.js';
import type { Dim } from '../../model/types.js';
import type { Rewrite } from './rewrite.js';
import { isDefaultDomain, removeAttr, type RewriteGraph } from './rewriteGraph.js';

const gemmTypes = new Set<number>([DataType.FLOAT, DataType.DOUBLE, DataType.FLOAT16]);

/** C broadcasts onto [M, N] one way: rank <= 2, each dim 1 or the same as the output's. */
function biasFits(bias: Dim[] | undefined, out: Dim[]): boolean {
  if (!bias || bias.length > 2) return false;
  const offset = 2 - bias.length;
  return bias.every((d, i) => d === 1 || (d !== null && d === out[i + offset]));
}

function fuse(g: RewriteGraph, add: NodeProto): boolean {
  const inputs = add.input ?? [];
  const out = add.output?.[0];
  if (inputs.length !== 2 || !out || g.opset < 7) return false;
  for (const k of [0, 1]) {
    const product = inputs[k];
    const bias = inputs[1 - k];
    const node = g.producerOf(product, 'MatMul', 'Gemm');
    if (!node || !g.onlyFor(product, add) || !gemmTypes.has(g.elemType(product)) || g.elemType(bias) !== g.elemType(product)) continue;
    let shape: Dim[] | undefined;
    if (node.opType === 'MatMul') {
      const a = g.shape(node.input?.[0]);
      const b = g.shape(node.input?.[1]);
      if (a?.length !== 2 || b?.length !== 2) continue;
      shape = [a[0], b[1]];
    } else {
      if (node.input?.[2]) continue;
      shape = g.shape(product);
      if (shape?.length !== 2) continue;
    }
    const biasShape = g.constant(bias) ? g.constantArray(bias)?.dims : g.shape(bias);
    if (!biasFits(biasShape, shape) || !g.claim(node, add)) continue;
    if (node.opType === 'MatMul') node.opType = 'Gemm';
    removeAttr(node, 'beta');
    node.input = [node.input![0], node.input![1], bias];
    node.output = [out];
    g.remove(add);
    return true;
  }
  return false;
}

export const matmulAddGemm: Rewrite = {
  id: 'matmul-add',
  title: 'MatMul/Gemm + Add fused into Gemm (2-D)',
  apply(g) {
    let count = 0;
    for (const node of g.nodes()) if (node.opType === 'Add' && isDefaultDomain(node) && g.free(node) && fuse(g, node)) count++;
    return count;
  },
};
