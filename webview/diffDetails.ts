// The side panel's "Diff" section of a selected node: its status against the other model, what changed
// (the hover's lines), and after Compare numbers each output's divergence: max abs, max rel, cosine and
// the elements beyond tolerance. Plain rows; the panel draws them (model strings through textContent).
import type { DiffOverlay, DiffPaint } from '../src/core/diff/diffOverlay.js';
import { formatCount, formatNumber } from '../src/core/format.js';

const statusText: Record<DiffPaint, string> = { unchanged: 'unchanged', changed: 'changed', inserted: 'inserted', replaced: 'replaced group', removed: 'removed' };

export interface DiffDetails {
  status: string;
  notes: string[];
  /** One entry per output of the node compared after Compare numbers; undefined before. */
  numbers?: Array<{ value: string; rows: Array<[string, string]> }>;
}

/** What the diff says about node `index` of the main graph, whose outputs are `outputs` (value names). */
export function diffDetails(diff: DiffOverlay, index: number, outputs: readonly string[]): DiffDetails | undefined {
  const paint = diff.paint[index];
  if (!paint) return undefined;
  const details: DiffDetails = { status: `${statusText[paint]} (against ${diff.otherName})`, notes: diff.notes[index] ?? [] };
  const heat = diff.divergence;
  if (!heat) return details;
  details.numbers = [];
  for (const value of outputs) {
    const h = heat.values[value];
    if (!h) continue;
    const rows: Array<[string, string]> = [['Compared with', h.other]];
    if (h.problem) rows.push(['Not comparable', h.problem]);
    else {
      rows.push(
        ['Max abs', formatNumber(h.maxAbs)],
        ['Max rel', formatNumber(h.maxRel)],
        ['Cosine', formatNumber(h.cosine)],
        ['Beyond tolerance', `${formatCount(h.mismatches)} of ${formatCount(h.count)} elements (rtol ${heat.tolerance.rtol}, atol ${heat.tolerance.atol})`],
      );
    }
    details.numbers.push({ value, rows });
  }
  return details;
}
