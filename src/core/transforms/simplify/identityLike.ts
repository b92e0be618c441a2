// Nodes that return their input unchanged: a Cast to the input's own type, an inference Dropout, a
// Transpose with the identity permutation, a Reshape/Expand/Tile/... to the input's own shape, a Pad of nothing, a
// Concat of one input, and x + 0, x - 0, x * 1, x / 1 with a constant that does not widen x. Readers read
// the input instead. (Identity nodes themselves go in the clean-up.)
import { int64ToNumber, type NodeProto } from '../../model/proto.js';
import type { Dim } from '../../model/types.js';
import type { Rewrite } from './rewrite.js';
import { intAttr, isDefaultDomain, stringAttr, type RewriteGraph } from './rewriteGraph.js';
import { isIdentityPermutation, permutation } from './transposeChain.js';

/** Both shapes fully known (numbers or equal symbols) and equal. */
function sameShape(a: Dim[] | undefined, b: Dim[] | undefined): boolean {
  return !!a && !!b && a.length === b.length && a.every((d, i) => d !== null && d === b[i]);
}

/** A constant made only of `value` whose shape cannot widen `x` under broadcasting. */
function neutral(g: RewriteGraph, name: string, x: string, value: number): boolean {
  const tensor = g.constant(name);
  const shape = g.shape(x);
  if (!tensor || !shape || tensor.dataType !== g.elemType(x)) return false;
  const dims = (tensor.dims ?? []).map((d) => int64ToNumber(d));
  const offset = shape.length - dims.length;
  // The shape first: reading the values of every weight an Add or Mul meets would be slow.
  if (offset < 0 || !dims.every((d, i) => d === 1 || d === shape[i + offset])) return false;
  return g.constantNumbers(name, 1 << 16)?.every((v) => v === value) ?? false;
}

/** The input a node passes through unchanged, if it is such a node. */
function passedThrough(g: RewriteGraph, node: NodeProto): string | undefined {
  const inputs = node.input ?? [];
  const x = inputs[0];
  const out = node.output?.[0];
  if (!x || !out) return undefined;
  switch (node.opType) {
    case 'Cast':
      return g.elemType(x) !== 0 && intAttr(node, 'to', 0) === g.elemType(x) ? x : undefined;
    case 'Dropout': {
      // Inference mode from opset 7 on, unless training_mode is given; the mask must be unused.
      const mask = node.output?.[1];
      const maskUnused = !mask || (g.readers(mask).length === 0 && !g.isProtected(mask));
      return g.opset >= 7 && !inputs[2] && maskUnused ? x : undefined;
    }
    case 'Transpose': {
      const perm = permutation(g, node);
      return perm && isIdentityPermutation(perm) ? x : undefined;
    }
    // Same shape in and out means nothing moved. (Not so for Slice: a negative step reverses in place.)
    case 'Reshape': case 'Expand': case 'Flatten': case 'Squeeze': case 'Unsqueeze': case 'Tile':
      return sameShape(g.shape(x), g.shape(out)) ? x : undefined;
    case 'Pad': {
      const pads = inputs[1] ? g.constantNumbers(inputs[1]) : undefined;
      const attrPads = (node.attribute ?? []).find((a) => a.name === 'pads' || a.name === 'paddings')?.ints?.map(Number);
      const all = pads ?? attrPads;
      return all && all.every((p) => p === 0) && stringAttr(node, 'mode', 'constant') === 'constant' ? x : undefined;
    }
    case 'Concat':
      return inputs.filter((i) => i).length === 1 ? x : undefined;
    case 'Add': case 'Sub': case 'Mul': case 'Div': {
      const value = node.opType === 'Add' || node.opType === 'Sub' ? 0 : 1;
      if (inputs.length !== 2) return undefined;
      if (neutral(g, inputs[1], inputs[0], value)) return inputs[0];
      const commutes = node.opType === 'Add' || node.opType === 'Mul';
      return commutes && neutral(g, inputs[0], inputs[1], value) ? inputs[1] : undefined;
    }
    default:
      return undefined;
  }
}

export const identityLike: Rewrite = {
  id: 'identity-like',
  title: 'no-op nodes removed (Cast to its own type, inference Dropout, x + 0, ...)',
  apply(g) {
    let count = 0;
    for (const node of g.nodes()) {
      if (!isDefaultDomain(node) || !g.free(node)) continue;
      const out = node.output?.[0];
      if (!out || g.isProtected(out)) continue;
      const source = passedThrough(g, node);
      if (!source || (node.output ?? []).slice(1).some((o) => o && (g.readers(o).length || g.isProtected(o))) || !g.claim(node)) continue;
      g.reroute(out, source);
      g.remove(node);
      count++;
    }
    return count;
  },
};
