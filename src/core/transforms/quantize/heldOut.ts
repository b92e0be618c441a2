// Static quantization calibrates on some samples and verifies on others: ranges measured on the very
// samples the result is then judged on flatter it. The split is deterministic (evenly spaced samples are
// held out, a quarter of them, 1 to 8), and said in the report. With one sample there is nothing to hold
// out: verification falls back to generated inputs, and says so.
import type { ModelProto } from '../../model/proto.js';
import { prepareInputs, type InputSets } from '../verificationInputs.js';

/** At most this many held-out sets: verification compares no more (quantizeTransform's accuracySets). */
export const maxHeldOut = 8;

export interface SampleSplit {
  calibration: InputSets;
  /** Undefined with a single sample: nothing is left to hold out. */
  heldOut?: InputSets;
  /** 'calibrated on 6 samples, verified on 2 held out: a.npz, b.npz'. */
  text: string;
}

/** Indices held out of n samples: a quarter (1 to maxHeldOut), evenly spaced, the last sample among them. */
export function heldOutIndices(n: number): number[] {
  if (n < 2) return [];
  const h = Math.min(maxHeldOut, Math.max(1, Math.floor(n / 4)));
  return Array.from({ length: h }, (_, j) => Math.floor(((j + 1) * n) / h) - 1);
}

const nameOf = (sets: InputSets, i: number) => sets.names?.[i] ?? `set ${i + 1}`;

export function splitSamples(sets: InputSets): SampleSplit {
  const n = sets.sets.length;
  const held = new Set(heldOutIndices(n));
  if (held.size === 0) {
    return { calibration: sets, text: `calibrated on the only sample (${nameOf(sets, 0)}); verified on generated inputs, as no sample is left to hold out` };
  }
  const pick = (keep: (i: number) => boolean): InputSets => {
    const indices = sets.sets.map((_, i) => i).filter(keep);
    return { sets: indices.map((i) => sets.sets[i]), names: indices.map((i) => nameOf(sets, i)), source: sets.source };
  };
  const calibration = pick((i) => !held.has(i));
  const heldOut = pick((i) => held.has(i));
  const text = `calibrated on ${calibration.sets.length} sample${calibration.sets.length === 1 ? '' : 's'}, verified on ${heldOut.sets.length} held out: ${heldOut.names!.join(', ')}`;
  heldOut.source = `${text} (of ${sets.source})`;
  return { calibration, heldOut, text };
}

/** Sets generated from the model's declared inputs, for a calibration set too small to split. */
export function generatedFallback(model: ModelProto, count: number): InputSets {
  const made = prepareInputs(model, { count })();
  return { ...made, source: `${made.source}; the only calibration sample was used to calibrate, so none was left to verify on` };
}
