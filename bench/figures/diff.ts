// The model diff of two large models against reading and decoding the same two models, each sample in a
// fresh process: the diff itself (index, pairing, changes, model level; timed inside the diffing process,
// after its own decode), target at most 2x decoding both; and the whole, read + decode + diff, as
// `onnx-lens diff` without printing. Two second models: an edited copy (one weight scaled, one attribute
// changed: pairing by name) and a copy with every node and value renamed (pairing by structure).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel, readModelFile } from '../../src/core/model/decode.js';
import { AttributeType, onnx, type ModelProto } from '../../src/core/model/proto.js';
import { arrayToTensor, tensorToArray } from '../../src/core/model/tensorValues.js';
import { cloneModel } from '../../src/core/transforms/graphEdit.js';
import { probeJson, runChild } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { alternate, row, Side, type Row } from '../lib/rows.js';
import type { BenchModel } from '../models.js';
import { renamed } from '../../test/unit/diff/models.js';

function edited(model: ModelProto): ModelProto {
  const copy = cloneModel(model);
  const g = copy.graph!;
  const k = g.initializer!.findIndex((t) => (t.dims?.length ?? 0) === 2);
  const array = tensorToArray(g.initializer![k]);
  g.initializer![k] = arrayToTensor(g.initializer![k].name ?? '', { ...array, data: (array.data as Float32Array).map((v) => v * 2) });
  const node = g.node![Math.floor(g.node!.length / 2)];
  node.attribute = [...(node.attribute ?? []), new onnx.AttributeProto({ name: 'bench_marker', type: AttributeType.INT, i: 1 })];
  return copy;
}

interface Probe {
  ms: number;
  diffMs: number;
  paired: number;
}

export async function diffFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  const { model: original } = await readModelFile(model.path);
  const rows: Row[] = [];
  for (const [label, make] of [['edited copy', edited], ['renamed copy', renamed]] as const) {
    const other = join(ctx.tmp, `${model.name}-${label.replace(' ', '-')}.onnx`);
    writeFileSync(other, encodeModel(make(original)));
    const ours = new Side();
    const peer = new Side();
    let paired = 0;
    const probe = async (mode: string) => {
      const p = probeJson<Probe>(await runChild(process.execPath, [ctx.probes.diff, model.path, other, mode], { timeoutMs: 600_000 }), `diff ${mode}`);
      if (mode === 'diff') paired = p.paired;
      return { ms: p.ms, diffMs: p.diffMs };
    };
    await alternate(ctx.samples, ours, () => probe('diff'), peer, () => probe('decode'));
    const note = `${paired} of ${original.graph?.node?.length ?? 0} nodes paired`;
    const peerName = 'read + decode of both (ours)';
    const alone = row({
      figure: `diff against ${label}: the diff (after decoding)`, model: model.name, unit: 'ms', better: 'lower',
      ours: ours.measured('diffMs'), peerName, peer: peer.measured('ms'), note,
    });
    if (alone.ratio !== undefined) alone.target = { text: '<= 2x', met: alone.ratio <= 2 };
    rows.push(alone, row({
      figure: `diff against ${label}: read + decode + diff`, model: model.name, unit: 'ms', better: 'lower',
      ours: ours.measured('ms'), peerName, peer: peer.measured('ms'), note,
    }));
  }
  return rows;
}
