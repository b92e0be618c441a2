// Shape inference: ours (src/core/ops) against onnx.shape_inference.infer_shapes(model, data_prop=True)
// of Debian's python3-onnx, on the libonnx-testdata corpus (as shipped, and with every intermediate
// declaration taken away so that both have to infer) and on the bench models. Per set: how many node
// outputs each knows the rank of and every dim of, and the time of inference alone (models loaded first),
// each sample in a fresh process.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel, encodeModel } from '../../src/core/model/decode.js';
import { compareShapes, declaredSymbols, onnxShapes, ourShapes, withoutIntermediateShapes } from '../../test/helpers/shapeConformance.js';
import { testCases } from '../../test/helpers/testdata.js';
import { probeJson, runChild } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { alternate, row, Side, type Row } from '../lib/rows.js';
import { summarize } from '../lib/stats.js';
import type { BenchModel } from '../models.js';

export interface ShapeSet {
  name: string;
  paths: string[];
}

const peerName = 'onnx infer_shapes(data_prop=True)';

const peerScript = String.raw`
import sys, json, time, onnx
from onnx import shape_inference
paths = [p for p in open(sys.argv[1]).read().split('\n') if p]
models = [onnx.load(p) for p in paths]
start = time.perf_counter()
for m in models:
    try:
        shape_inference.infer_shapes(m, data_prop=True)
    except Exception:
        pass
print(json.dumps({'ms': (time.perf_counter() - start) * 1000, 'models': len(models)}))
`;

/** The corpus twice (as shipped, and without value_info, written to the scratch folder) and each bench model. */
export function shapeSets(ctx: BenchContext, models: BenchModel[]): ShapeSet[] {
  const cases = testCases();
  const stripped = cases.map((c, i) => {
    const path = join(ctx.tmp, `shapes-${i}.onnx`);
    writeFileSync(path, encodeModel(withoutIntermediateShapes(decodeModel(readFileSync(c.model)))));
    return path;
  });
  return [
    { name: `libonnx-testdata (${cases.length} models)`, paths: cases.map((c) => c.model) },
    { name: `libonnx-testdata without value_info (${cases.length})`, paths: stripped },
    ...models.map((m) => ({ name: m.name, paths: [m.path] })),
  ];
}

export async function shapeFigures(ctx: BenchContext, set: ShapeSet): Promise<Row[]> {
  // Counts do not vary between runs: one comparison in this process.
  const theirs = onnxShapes(set.paths);
  const totals = { values: 0, oursRank: 0, onnxRank: 0, oursFull: 0, onnxFull: 0, oursNamed: 0, onnxNamed: 0, short: 0 };
  set.paths.forEach((path, i) => {
    const model = decodeModel(readFileSync(path));
    const c = compareShapes(ourShapes(model), theirs[i], declaredSymbols(model));
    totals.values += c.values;
    totals.oursRank += c.ours.knownRank;
    totals.onnxRank += c.onnx.knownRank;
    totals.oursFull += c.ours.fullyKnown;
    totals.onnxFull += c.onnx.fullyKnown;
    totals.oursNamed += c.oursWithFreshSymbols.fullyKnown;
    totals.onnxNamed += c.onnxWithFreshSymbols.fullyKnown;
    if (c.lessKnown.length || c.disagree.length) totals.short++;
  });
  const list = join(ctx.tmp, 'shape-models.txt');
  writeFileSync(list, set.paths.join('\n') + '\n');
  const ours = new Side();
  const peer = new Side();
  const time = (command: string, args: string[], what: string) => async () => ({ ms: probeJson<{ ms: number }>(await runChild(command, args, { timeoutMs: 600_000 }), what).ms });
  await alternate(ctx.samples, ours, time(process.execPath, [ctx.probes.shapes, list], 'our shape inference'), peer, time(ctx.python, ['-c', peerScript, list], 'onnx infer_shapes'));
  const count = (n: number) => summarize([n]);
  const of = `of ${totals.values} node outputs`;
  return [
    row({ figure: `shape inference: values with a known rank (${of})`, model: set.name, unit: 'values', better: 'higher', ours: count(totals.oursRank), peerName, peer: count(totals.onnxRank) }),
    row({
      figure: `shape inference: values with every dim known (${of})`, model: set.name, unit: 'values', better: 'higher', ours: count(totals.oursFull), peerName, peer: count(totals.onnxFull),
      note: `a fresh unk__N symbol counts as unknown; counting those as onnx does: ours ${totals.oursNamed}, onnx ${totals.onnxNamed}. Models where ours knows less or disagrees: ${totals.short}`,
    }),
    row({ figure: 'shape inference: time (models loaded first)', model: set.name, unit: 'ms', better: 'lower', ours: ours.measured('ms'), peerName, peer: peer.measured('ms'), note: 'each sample in a fresh process; the peer serializes the model to its C++ core and back' }),
  ];
}
