// The divergence heat seen from the first model, for the side-by-side diff: the heat is computed on the
// second model's values and nodes (divergenceHeat.ts); each compared value is the first model's `other`,
// and each node of the first gets the heat of its partners in the second (the hottest, for a group).
import type { GraphProto } from '../model/proto.js';
import type { DivergenceHeat } from './divergenceHeat.js';

/** `bToA`: per node of the second model's main graph, its partner in the first's (-1: none). */
export function firstSideHeat(heat: DivergenceHeat, a: GraphProto, bToA: readonly number[]): DivergenceHeat {
  const values: DivergenceHeat['values'] = {};
  for (const [name, h] of Object.entries(heat.values)) values[h.other] = { ...h, other: name };
  const nodes: DivergenceHeat['nodes'] = {};
  for (const [key, at] of Object.entries(heat.nodes)) {
    const i = bToA[Number(key)] ?? -1;
    const other = heat.values[at.value]?.other;
    if (i < 0 || other === undefined) continue;
    if (!nodes[i] || at.level > nodes[i].level) nodes[i] = { level: at.level, value: other };
  }
  const labelOf = (i: number) => `${a.node?.[i]?.opType ?? '?'} ${a.node?.[i]?.name || `#${i}`}`;
  const first = heat.first.map((f) => {
    const i = f.node !== undefined ? bToA[f.node] ?? -1 : -1;
    const value = heat.values[f.value]?.other ?? f.value;
    return i >= 0 ? { node: i, label: labelOf(i), value } : { label: f.node !== undefined ? `${f.label} (second model only)` : `input ${value}`, value };
  });
  return { ...heat, values, nodes, first };
}
