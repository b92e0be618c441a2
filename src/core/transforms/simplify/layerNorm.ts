// The layer normalization exporters write op by op (opset 17 and later have it as one standard op):
//   m = ReduceMean(x), d = x - m, v = ReduceMean(d^2), n = d / Sqrt(v + eps), y = n * gamma + beta
// over the last axis becomes LayerNormalization(x, gamma, beta, axis = -1, epsilon = eps). Float only:
// LayerNormalization computes its statistics in float (stash_type 1), which for float inputs is what the
// pattern does.
import { DataType, onnx, type NodeProto } from '../../model/proto.js';
import type { Dim } from '../../model/types.js';
import type { Rewrite } from './rewrite.js';
import { intAttr, isDefaultDomain, setAttr, type RewriteGraph } from './rewriteGraph.js';
import { axesOf } from './squeezeUnsqueeze.js';

/** A ReduceMean over the last axis only, keeping dims. */
function meanOverLastAxis(g: RewriteGraph, node: NodeProto): boolean {
  if (intAttr(node, 'keepdims', 1) !== 1) return false;
  const axes = axesOf(g, node);
  const rank = g.rank(node.input?.[0]);
  return axes?.length === 1 && (axes[0] === -1 || (rank !== undefined && axes[0] === rank - 1));
}

/** The other operand of a binary node whose one operand is `name`. */
function otherOperand(node: NodeProto, name: string): string | undefined {
  const [a, b] = node.input ?? [];
  if (a === name && b !== name) return b;
  if (b === name && a !== name) return a;
  return undefined;
}

function scalarValue(g: RewriteGraph, name: string | undefined): number | undefined {
  const values = g.constantNumbers(name, 1);
  return values?.length === 1 ? values[0] : undefined;
}

/** The single unclaimed reader of `name`, of op `op`, if `name` serves only it. */
function soleReader(g: RewriteGraph, name: string, op: string): NodeProto | undefined {
  const readers = g.readers(name);
  const node = readers.length === 1 ? readers[0] : undefined;
  return node && node.opType === op && isDefaultDomain(node) && g.onlyFor(name, node) && g.free(node) ? node : undefined;
}

/** A 1-D value of the normalized length (gamma or beta). */
function fitsLastDim(g: RewriteGraph, name: string | undefined, last: Dim): boolean {
  if (!name || g.elemType(name) !== DataType.FLOAT) return false;
  const dims = g.constant(name) ? g.constantArray(name)?.dims : g.shape(name);
  return dims?.length === 1 && last !== null && dims[0] === last;
}

function fuse(g: RewriteGraph, div: NodeProto): boolean {
  const [d, s] = div.input ?? [];
  const n = div.output?.[0];
  const sqrt = g.producerOf(s, 'Sqrt');
  if (!sqrt || !d || !s || !n || !g.onlyFor(s, div)) return false;
  const ve = sqrt.input?.[0];
  const addEps = g.producerOf(ve, 'Add');
  if (!addEps || !ve || !g.onlyFor(ve, sqrt)) return false;
  const [e0, e1] = addEps.input ?? [];
  const epsFirst = scalarValue(g, e0) !== undefined;
  const v = epsFirst ? e1 : e0;
  const epsilon = scalarValue(g, epsFirst ? e0 : e1);
  const mean2 = g.producerOf(v, 'ReduceMean');
  if (epsilon === undefined || !mean2 || !v || !g.onlyFor(v, addEps) || !meanOverLastAxis(g, mean2)) return false;
  const p = mean2.input?.[0];
  const square = g.producerOf(p, 'Pow', 'Mul');
  if (!square || !p || !g.onlyFor(p, mean2)) return false;
  const squares = square.opType === 'Pow' ? square.input?.[0] === d && scalarValue(g, square.input?.[1]) === 2 : square.input?.[0] === d && square.input?.[1] === d;
  const sub = g.producerOf(d, 'Sub');
  const dReaders = g.readers(d);
  if (!squares || !sub || g.isProtected(d) || dReaders.length !== 2 || !dReaders.includes(square) || !dReaders.includes(div)) return false;
  const [x, m] = sub.input ?? [];
  const mean1 = g.producerOf(m, 'ReduceMean');
  if (!mean1 || !x || !m || mean1.input?.[0] !== x || !g.onlyFor(m, sub) || !meanOverLastAxis(g, mean1)) return false;
  const shape = g.shape(x);
  if (g.elemType(x) !== DataType.FLOAT || !shape?.length) return false;
  const last = shape[shape.length - 1];
  // Scale and bias: n * gamma (+ beta). Without a scale the result is kept as it is.
  const mul = soleReader(g, n, 'Mul');
  const gamma = mul ? otherOperand(mul, n) : undefined;
  if (!mul || !fitsLastDim(g, gamma, last)) return false;
  const ng = mul.output![0];
  const add = soleReader(g, ng, 'Add');
  const beta = add ? otherOperand(add, ng) : undefined;
  const withBias = add !== undefined && fitsLastDim(g, beta, last);
  const final = withBias ? add! : mul;
  const nodes = [mean1, sub, square, mean2, addEps, sqrt, div, mul, ...(withBias ? [add!] : [])];
  if (!g.claim(...nodes)) return false;
  const scope = (mean1.name ?? '').includes('/') ? mean1.name!.slice(0, mean1.name!.lastIndexOf('/') + 1) : `${mean1.name ?? ''}/`;
  const fused = onnx.NodeProto.create({
    name: g.facts.names.fresh(`${scope}LayerNormalization`),
    opType: 'LayerNormalization',
    input: [x, gamma!, ...(withBias ? [beta!] : [])],
    output: [final.output![0]],
    metadataProps: mean1.metadataProps,
  });
  setAttr(fused, 'axis', -1);
  setAttr(fused, 'epsilon', epsilon, 'float');
  g.insertAfter(final, fused);
  for (const node of nodes) g.remove(node);
  return true;
}

export const layerNorm: Rewrite = {
  id: 'layer-norm',
  title: 'LayerNormalization fused (opset 17+)',
  apply(g) {
    if (g.opset < 17) return 0;
    let count = 0;
    for (const node of g.nodes()) if (node.opType === 'Div' && isDefaultDomain(node) && g.free(node) && fuse(g, node)) count++;
    return count;
  },
};
