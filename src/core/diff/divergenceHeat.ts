// The divergence heat the model editor paints over a diff: each compared value of the second model gets a
// level 0..4 (0 within tolerance), its producing node the highest level of its outputs, with the numbers
// for the hover; the first diverging nodes are named for the legend. Pure: the host computes it after
// running both models (divergence.ts), the webview only draws it (and imports this: no Node modules here).
import { formatCount, formatNumber } from '../format.js';
import type { GraphProto } from '../model/proto.js';
import type { Tolerance } from '../runtime/compare.js';
import type { DivergenceReport, ValueDivergence } from './divergence.js';

/** 0: within tolerance; 1..4: beyond it, by how far the directions part (cosine), 4 also for incomparable values. */
export type HeatLevel = 0 | 1 | 2 | 3 | 4;

/** Cosine thresholds of levels 2, 3 and 4: a quantized layer sits near 0.999, a broken one far below. */
export const cosineSteps = [0.9999, 0.999, 0.99] as const;

export interface ValueHeat {
  level: HeatLevel;
  /** The first model's value it is compared with. */
  other: string;
  maxAbs: number;
  maxRel: number;
  cosine: number;
  /** Elements beyond tolerance, of `count`. */
  mismatches: number;
  count: number;
  problem?: string;
}

export interface DivergenceHeat {
  tolerance: Tolerance;
  /** How the inputs were made, one line. */
  inputs: string;
  /** By value name of the second model. */
  values: Record<string, ValueHeat>;
  /** By node index of the second model's main graph: the highest level of its compared outputs, and which output. */
  nodes: Record<number, { level: HeatLevel; value: string }>;
  /** Where the numbers part first, in topological order: the node of the second model when it has one. */
  first: Array<{ node?: number; label: string; value: string }>;
  compared: number;
  beyond: number;
  skipped: number;
  batches: number;
}

/** How hot a compared value is. NaN cosine (a zero vector against a non-zero one) counts as far apart. */
export function heatLevel(v: Pick<ValueDivergence, 'beyond' | 'cosine' | 'problem'>): HeatLevel {
  if (v.problem) return 4;
  if (!v.beyond) return 0;
  const c = v.cosine;
  if (!(c >= cosineSteps[2])) return 4;
  if (c < cosineSteps[1]) return 3;
  if (c < cosineSteps[0]) return 2;
  return 1;
}

/** The hover lines of a value's divergence. */
export function heatLines(h: ValueHeat, tolerance: Tolerance): string[] {
  if (h.problem) return [`not comparable with ${h.other}: ${h.problem}`];
  const verdict = h.mismatches ? `${formatCount(h.mismatches)} of ${formatCount(h.count)} elements beyond rtol ${tolerance.rtol}, atol ${tolerance.atol}` : 'within tolerance';
  return [`vs ${h.other}: max abs ${formatNumber(h.maxAbs)} · max rel ${formatNumber(h.maxRel)} · cosine ${formatNumber(h.cosine)}`, verdict];
}

export function divergenceHeat(report: DivergenceReport, b: GraphProto, inputs: string): DivergenceHeat {
  // Value name -> producing node: the main graph's own, subgraphs do not run as values of it.
  const producers = new Map<string, number>();
  (b.node ?? []).forEach((node, i) => node.output?.forEach((name) => name && producers.set(name, i)));
  const labelOf = (i: number) => `${b.node?.[i]?.opType ?? '?'} ${b.node?.[i]?.name || `#${i}`}`;
  const values: DivergenceHeat['values'] = {};
  const nodes: DivergenceHeat['nodes'] = {};
  for (const v of report.values) {
    const level = heatLevel(v);
    values[v.b] = { level, other: v.a, maxAbs: v.maxAbs, maxRel: v.maxRel, cosine: v.cosine, mismatches: v.mismatches, count: v.count, ...(v.problem ? { problem: v.problem } : {}) };
    const producer = producers.get(v.b);
    if (producer !== undefined && level >= (nodes[producer]?.level ?? 0)) nodes[producer] = { level, value: v.b };
  }
  const first = report.first.map((v) => {
    const producer = producers.get(v.b);
    return producer !== undefined ? { node: producer, label: labelOf(producer), value: v.b } : { label: `input ${v.b}`, value: v.b };
  });
  return {
    tolerance: report.tolerance, inputs, values, nodes, first,
    compared: report.values.length, beyond: report.values.filter((v) => v.beyond).length, skipped: report.skipped.length, batches: report.batches,
  };
}
