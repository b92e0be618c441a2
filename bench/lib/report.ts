// The results table (Markdown, also printed) and the JSON written to bench/results/.
import { isSummary, type Measured, type Row, type Unit } from './rows.js';

function number(value: number): string {
  if (!Number.isFinite(value)) return '–';
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  return `${value.toFixed(digits)}`;
}

/** Counts are whole numbers and print as such. */
function numberIn(value: number, unit: Unit): string {
  return unit === 'cases' || unit === 'crossings' ? String(Math.round(value)) : number(value);
}

export function valueText(m: Measured | undefined, unit: Unit): string {
  if (m === undefined) return '–';
  if (!isSummary(m)) return `failed (${m.failed})`;
  // A fitted exponent has no unit: k of time ∝ nodes^k.
  if (unit === 'exponent') return `k = ${m.median.toFixed(2)}`;
  return `${numberIn(m.median, unit)} ${unit}`;
}

export function rangeText(m: Measured | undefined, unit: Unit = 'ms'): string {
  if (!isSummary(m)) return '';
  return `${numberIn(m.min, unit)}–${numberIn(m.max, unit)}`;
}

export function ratioText(r: Row): string {
  if (r.ratio === undefined) return '–';
  return `${r.ratio.toFixed(2)}×`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

export function markdownTable(rows: Row[]): string {
  const header = ['Figure', 'Model', 'Ours (median)', 'Ours min–max', 'Peer', 'Peer (median)', 'Peer min–max', 'Ratio ours/peer', 'Target'];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const r of rows) {
    const target = r.target ? `${r.target.text}: ${r.target.met ? 'met' : 'NOT met'}` : '';
    lines.push(`| ${[r.figure, r.model, valueText(r.ours, r.unit), rangeText(r.ours, r.unit), r.peerName ?? '–', valueText(r.peer, r.unit), rangeText(r.peer, r.unit), ratioText(r), target].map(cell).join(' | ')} |`);
  }
  return lines.join('\n');
}

/** Rounds every number in the JSON to 3 decimals: the samples are not more precise than that. */
export function jsonText(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1000) / 1000 : v), 2) + '\n';
}

/** One line per figure that has a target, with its note. */
export function targetLines(rows: Row[]): string[] {
  return rows.filter((r) => r.target).map((r) => {
    const value = r.ratio !== undefined && r.target!.text.includes('peer') ? `${ratioText(r)} the peer` : valueText(r.ours, r.unit);
    return `- ${r.figure}, ${r.model}: ${value} (target ${r.target!.text}): ${r.target!.met ? 'met' : 'NOT met'}${r.note ? `; ${r.note}` : ''}`;
  });
}
