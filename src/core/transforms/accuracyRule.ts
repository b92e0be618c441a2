// The accuracy rule of a lossy result (quantization), per float output: it passes when its SNR or its
// max error relative to the reference's range is good enough, or, where the reference has spread, when
// its cosine similarity is. Cosine alone misjudges outputs that are mostly one value: a constant offset
// makes any cosine near 1, and noise on a map that is almost all zeros makes it low although every
// element is close. Each verdict names the measure that decided it.
import { formatCosine } from '../format.js';
import type { OutputCheck } from './compareRuns.js';

export interface AccuracyRule {
  /** Passes with at least this SNR, in dB. */
  minSnrDb: number;
  /** Passes with a max abs error of at most this share of the reference's range. */
  maxRangeError: number;
  /** Passes with at least this cosine similarity, where the reference's spread allows cosine to judge. */
  minCosine: number;
  /** Cosine judges only outputs whose std/RMS is at least this (see spread in runtime/compare.ts). */
  minSpread: number;
}

/** Defaults: 30 dB is an error about 3% of the signal's RMS; 2% of the range is 5 steps of a uint8 scale. */
export const defaultSnrDb = 30;
export const defaultRangeError = 0.02;
/** Below half, the mean outweighs the variation and cosine says little about the shape. */
export const minSpread = 0.5;

const percent = (x: number) => `${x * 100 >= 10 ? (x * 100).toFixed(0) : (x * 100).toPrecision(2)}%`;
const db = (x: number) => (x === Infinity ? 'inf dB (exact)' : `${x.toFixed(1)} dB`);

export function ruleText(rule: AccuracyRule): string {
  return `SNR >= ${rule.minSnrDb} dB or max error <= ${percent(rule.maxRangeError)} of the output's fp32 range, or cosine >= ${rule.minCosine} where the output has spread (std/RMS >= ${rule.minSpread}), for every float output`;
}

/** Judges one float output by the rule: its pass and the words that say which measure decided. */
export function judgeOutput(c: OutputCheck, rule: AccuracyRule): { pass: boolean; decided: string } {
  const snr = c.snrDb ?? NaN;
  const range = c.rangeError ?? NaN;
  const spread = c.spread ?? 0;
  if (snr >= rule.minSnrDb) return { pass: true, decided: `PASS by SNR ${db(snr)} ≥ ${rule.minSnrDb}` };
  if (range <= rule.maxRangeError) return { pass: true, decided: `PASS by max error ${percent(range)} of the range ≤ ${percent(rule.maxRangeError)}` };
  const cosineJudges = spread >= rule.minSpread && Number.isFinite(c.cosine);
  if (cosineJudges && c.cosine >= rule.minCosine) return { pass: true, decided: `PASS by cosine ${formatCosine(c.cosine)} ≥ ${rule.minCosine} (spread ${spread.toFixed(2)})` };
  const why = [
    Number.isNaN(snr) ? 'no SNR' : `SNR ${db(snr)} < ${rule.minSnrDb}`,
    Number.isNaN(range) ? 'no range (constant reference)' : `max error ${percent(range)} of the range > ${percent(rule.maxRangeError)}`,
    cosineJudges ? `cosine ${formatCosine(c.cosine)} < ${rule.minCosine}` : `cosine not used (spread ${spread.toFixed(2)} < ${rule.minSpread})`,
  ];
  return { pass: false, decided: `FAIL: ${why.join(', ')}` };
}

/** Applies the rule to the float outputs (others are shown, not judged) and says what decided the verdict. */
export function applyRule(checks: OutputCheck[], rule: AccuracyRule): string | undefined {
  const judged: Array<{ name: string; decided: string; pass: boolean }> = [];
  for (const c of checks) {
    if (c.problem || !c.float || c.snrDb === undefined) {
      c.pass = !c.problem;
      continue;
    }
    const verdict = judgeOutput(c, rule);
    c.pass = verdict.pass;
    c.decided = verdict.decided;
    judged.push({ name: c.name, ...verdict });
  }
  const failing = judged.filter((j) => !j.pass);
  const shown = failing.length ? failing : judged;
  if (shown.length === 0) return undefined;
  if (judged.length === 1) return shown[0].decided;
  return `${failing.length ? 'FAIL' : 'PASS'} (${shown.map((j) => `${j.name}: ${j.decided.replace(/^(PASS|FAIL):? ?/, '')}`).join('; ')})`;
}
