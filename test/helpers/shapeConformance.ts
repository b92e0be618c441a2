// Our shape inference beside onnx's `infer_shapes(model, data_prop=True)` (Debian's python3-onnx), value
// by value: which node outputs each knows the rank of, which it knows every dim of, and where the two
// disagree. Used by the conformance test and the bench figure.
import { execFileSync } from 'node:child_process';
import { inferModelShapes, isKnownDim, modelSymbols } from '../../src/core/ops/modelShapes.js';
import { onnx, type GraphProto, type ModelProto } from '../../src/core/model/proto.js';
import type { Dim } from '../../src/core/model/types.js';
import { onnxPython } from './python.js';

/** Shape of each node output of one graph: dims, or null where the rank is unknown. */
export interface GraphShapes {
  /** Node index, attribute name and graph index of each subgraph on the way down; '' for the main graph. */
  path: string;
  values: Record<string, Dim[] | null>;
}

export interface ModelShapes {
  graphs: GraphShapes[];
  /** Time spent in inference alone (the model already decoded). */
  ms: number;
  error?: string;
}

// Walks graphs in the order the TypeScript side does: node by node, attribute by attribute.
const oracle = String.raw`
import sys, json, time, onnx
from onnx import shape_inference, AttributeProto

def dims(t):
    if not t.HasField('tensor_type'):
        return None
    tt = t.tensor_type
    if not tt.HasField('shape'):
        return None
    out = []
    for d in tt.shape.dim:
        if d.HasField('dim_value'):
            out.append(d.dim_value)
        elif d.HasField('dim_param'):
            out.append(d.dim_param)
        else:
            out.append(None)
    return out

def walk(g, path, graphs):
    known = {}
    for v in list(g.input) + list(g.value_info) + list(g.output):
        known[v.name] = dims(v.type)
    values = {}
    subs = []
    for i, n in enumerate(g.node):
        for o in n.output:
            if o:
                values[o] = known.get(o)
        for a in n.attribute:
            if a.type == AttributeProto.GRAPH:
                subs.append((a.g, '%s/%d.%s.0' % (path, i, a.name)))
            for j, sg in enumerate(a.graphs):
                subs.append((sg, '%s/%d.%s.%d' % (path, i, a.name, j)))
    graphs.append({'path': path, 'values': values})
    for sg, p in subs:
        walk(sg, p, graphs)

for line in sys.stdin:
    path = line.strip()
    if not path:
        continue
    m = onnx.load(path)
    error = None
    start = time.perf_counter()
    try:
        inferred = shape_inference.infer_shapes(m, data_prop=True)
    except Exception as e:
        inferred = m
        error = str(e).splitlines()[0] if str(e) else type(e).__name__
    ms = (time.perf_counter() - start) * 1000
    graphs = []
    walk(inferred.graph, '', graphs)
    out = {'graphs': graphs, 'ms': ms}
    if error:
        out['error'] = error
    print(json.dumps(out))
`;

/** onnx's inference on each file, in one Python process. */
export function onnxShapes(paths: string[]): ModelShapes[] {
  if (paths.length === 0) return [];
  const stdout = execFileSync(onnxPython(), ['-c', oracle], { input: paths.join('\n') + '\n', encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  const lines = stdout.split('\n').filter((l) => l.trim());
  if (lines.length !== paths.length) throw new Error(`onnx shape inference answered ${lines.length} of ${paths.length} models`);
  return lines.map((l) => JSON.parse(l) as ModelShapes);
}

/** Ours on a decoded model, in the same form. */
export function ourShapes(model: ModelProto): ModelShapes {
  const start = performance.now();
  const inferred = inferModelShapes(model);
  const ms = performance.now() - start;
  const graphs: GraphShapes[] = [];
  const walk = (graph: GraphProto, path: string) => {
    const types = inferred.get(graph);
    const values: Record<string, Dim[] | null> = {};
    const subs: Array<[GraphProto, string]> = [];
    (graph.node ?? []).forEach((node, i) => {
      for (const o of node.output ?? []) if (o) values[o] = types?.get(o)?.shape ?? null;
      for (const a of node.attribute ?? []) {
        if (a.g) subs.push([a.g, `${path}/${i}.${a.name}.0`]);
        (a.graphs ?? []).forEach((g, j) => subs.push([g, `${path}/${i}.${a.name}.${j}`]));
      }
    });
    graphs.push({ path, values });
    for (const [g, p] of subs) walk(g, p);
  };
  if (model.graph) walk(model.graph, '');
  return { graphs, ms };
}

/**
 * A copy with what the file says of intermediate values taken away: no value_info, and graph outputs
 * (of every graph) keep their element type without a shape. Inference then has to find them itself.
 */
export function withoutIntermediateShapes(model: ModelProto): ModelProto {
  const copy = onnx.ModelProto.decode(onnx.ModelProto.encode(model).finish());
  const visit = (graph: GraphProto) => {
    graph.valueInfo = [];
    for (const o of graph.output ?? []) if (o.type?.tensorType) o.type.tensorType.shape = null;
    for (const node of graph.node ?? []) {
      for (const a of node.attribute ?? []) {
        if (a.g) visit(a.g);
        for (const g of a.graphs ?? []) visit(g);
      }
    }
  };
  if (copy.graph) visit(copy.graph);
  return copy;
}

/** Every dim_param the file itself declares, at any depth. */
export const declaredSymbols = modelSymbols;

export interface ShapeComparison {
  values: number;
  /** Fresh unk__N symbols (a size not known, named) count as unknown here... */
  ours: { knownRank: number; fullyKnown: number };
  onnx: { knownRank: number; fullyKnown: number };
  /** ...and as known here, as onnx reports them. */
  oursWithFreshSymbols: { fullyKnown: number };
  onnxWithFreshSymbols: { fullyKnown: number };
  /** Values where onnx knows the rank or a dim and we do not. */
  lessKnown: string[];
  /** Values where both know a rank or dim and they differ. */
  disagree: string[];
}

const named = (shape: Dim[] | null | undefined) => !!shape && shape.every((d) => d !== null);

/**
 * Compares value by value. Both sides name dims they cannot compute with fresh symbols (`unk__0`);
 * those say no more than an unknown dim, so where the file does not declare that name they count as
 * unknown (and separately as known, the way onnx counts them).
 */
export function compareShapes(ours: ModelShapes, theirs: ModelShapes, fileSymbols: ReadonlySet<string> = new Set()): ShapeComparison {
  const result: ShapeComparison = {
    values: 0, ours: { knownRank: 0, fullyKnown: 0 }, onnx: { knownRank: 0, fullyKnown: 0 },
    oursWithFreshSymbols: { fullyKnown: 0 }, onnxWithFreshSymbols: { fullyKnown: 0 }, lessKnown: [], disagree: [],
  };
  const sizes = (shape: Dim[] | null) => shape && shape.map((d) => (isKnownDim(d, fileSymbols) ? d : null));
  const theirGraphs = new Map(theirs.graphs.map((g) => [g.path, g.values]));
  for (const graph of ours.graphs) {
    const other = theirGraphs.get(graph.path) ?? {};
    for (const [name, reportedOurs] of Object.entries(graph.values)) {
      const reportedTheirs = other[name] ?? null;
      const a = sizes(reportedOurs);
      const b = sizes(reportedTheirs);
      const where = graph.path ? `${graph.path}:${name}` : name;
      result.values++;
      if (a) result.ours.knownRank++;
      if (named(a)) result.ours.fullyKnown++;
      if (named(reportedOurs)) result.oursWithFreshSymbols.fullyKnown++;
      if (b) result.onnx.knownRank++;
      if (named(b)) result.onnx.fullyKnown++;
      if (named(reportedTheirs)) result.onnxWithFreshSymbols.fullyKnown++;
      if (!b) continue;
      if (!a) {
        result.lessKnown.push(`${where}: rank ${b.length} [${b.join(',')}]`);
        continue;
      }
      if (a.length !== b.length) {
        result.disagree.push(`${where}: [${a.join(',')}] vs onnx [${b.join(',')}]`);
        continue;
      }
      if (a.some((d, i) => d === null && b[i] !== null)) result.lessKnown.push(`${where}: [${a.join(',')}] vs onnx [${b.join(',')}]`);
      else if (a.some((d, i) => d !== null && b[i] !== null && d !== b[i])) result.disagree.push(`${where}: [${a.join(',')}] vs onnx [${b.join(',')}]`);
    }
  }
  return result;
}
