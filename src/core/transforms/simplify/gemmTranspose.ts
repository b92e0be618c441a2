// Transposes around a Gemm become its transA/transB flags: a 2-D Transpose feeding A or B, and a
// Transpose of a bias-free Gemm's output ((A B)^T = B^T A^T: the operands swap).
import type { NodeProto } from '../../model/proto.js';
import type { Rewrite } from './rewrite.js';
import { intAttr, intsAttr, isDefaultDomain, setAttr, type RewriteGraph } from './rewriteGraph.js';

function swapsTwoAxes(g: RewriteGraph, transpose: NodeProto): boolean {
  const perm = intsAttr(transpose, 'perm');
  if (perm) return perm.length === 2 && perm[0] === 1 && perm[1] === 0;
  return g.rank(transpose.input?.[0]) === 2;
}

/** Transpose -> Gemm input. */
function intoInputs(g: RewriteGraph, gemm: NodeProto): boolean {
  const inputs = gemm.input ?? [];
  for (const k of [0, 1]) {
    const name = inputs[k];
    const transpose = g.producerOf(name, 'Transpose');
    if (!transpose || !name || !g.onlyFor(name, gemm) || !swapsTwoAxes(g, transpose) || !g.claim(gemm, transpose)) continue;
    const source = transpose.input![0];
    for (const slot of [0, 1]) {
      if (inputs[slot] !== name) continue;
      const flag = slot === 0 ? 'transA' : 'transB';
      setAttr(gemm, flag, 1 - intAttr(gemm, flag, 0));
      gemm.input![slot] = source;
    }
    g.remove(transpose);
    return true;
  }
  return false;
}

/** Gemm (no C) -> Transpose. */
function fromOutput(g: RewriteGraph, transpose: NodeProto): boolean {
  const name = transpose.input?.[0];
  const out = transpose.output?.[0];
  const gemm = g.producerOf(name, 'Gemm');
  if (!gemm || !name || !out || gemm.input?.[2] || !g.onlyFor(name, transpose) || !swapsTwoAxes(g, transpose) || !g.claim(gemm, transpose)) return false;
  const [a, b] = gemm.input ?? [];
  const transA = intAttr(gemm, 'transA', 0);
  const transB = intAttr(gemm, 'transB', 0);
  gemm.input = [b, a];
  setAttr(gemm, 'transA', 1 - transB);
  setAttr(gemm, 'transB', 1 - transA);
  gemm.output = [out];
  g.remove(transpose);
  return true;
}

export const gemmTranspose: Rewrite = {
  id: 'gemm-transpose',
  title: "Transposes folded into Gemm's transA/transB",
  apply(g) {
    let count = 0;
    for (const node of g.nodes()) {
      if (!isDefaultDomain(node) || !g.free(node)) continue;
      if (node.opType === 'Gemm' && intoInputs(g, node)) count++;
      else if (node.opType === 'Transpose' && fromOutput(g, node)) count++;
    }
    return count;
  },
};
