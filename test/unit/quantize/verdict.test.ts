// Quantization verdicts that mean what they say: the measures on exact numbers (SNR, max error against
// the range, spread, top-1, the rule's words), the held-out split, and the whole CLI on a real model whose
// output is an almost constant map (a sigmoid heat map that is background nearly everywhere), where
// cosine alone fails a result every element of which is close, and on a quantization broken through the
// real quantizer's options, which fails with the rule named.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { encodeModel } from '../../../src/core/model/decode.js';
import { DataType, onnx, toLong } from '../../../src/core/model/proto.js';
import { arrayToTensor } from '../../../src/core/model/tensorValues.js';
import { addSignal, classCount, classHinted, emptySums, rangeError, snrDb, spread, top1Agreement } from '../../../src/core/runtime/compare.js';
import { applyRule, judgeOutput, type AccuracyRule } from '../../../src/core/transforms/accuracyRule.js';
import { compareRuns, type OutputCheck } from '../../../src/core/transforms/compareRuns.js';
import { heldOutIndices, splitSamples } from '../../../src/core/transforms/quantize/heldOut.js';
import { linearModel, tempDir, tensorInfo } from '../../helpers/models.js';
import { runPython } from '../../helpers/python.js';
import { runCli } from '../../helpers/cli.js';

const f64 = (...v: number[]) => Float64Array.from(v);
const sums = (ref: number[], res: number[]) => {
  const s = emptySums();
  addSignal(s, f64(...ref), f64(...res));
  return s;
};

test('SNR, max error against the range and spread on exact numbers', () => {
  // Σref² = 30, Σerr² = 1.
  const s = sums([1, 2, 3, 4], [1, 2, 3, 5]);
  assert.ok(Math.abs(snrDb(s) - 10 * Math.log10(30)) < 1e-12);
  assert.equal(snrDb(s).toFixed(4), '14.7712');
  assert.equal(rangeError(s), 1 / 3);
  // mean 2.5, variance 1.25, mean square 7.5.
  assert.ok(Math.abs(spread(s) - Math.sqrt(1.25 / 7.5)) < 1e-12);
  assert.equal(snrDb(sums([1, 2], [1, 2])), Infinity);
  assert.ok(Number.isNaN(snrDb(emptySums())));
  // A constant reference has no range and no spread; zero mean is all spread.
  const constant = sums([0.5, 0.5, 0.5], [0.5, 0.6, 0.5]);
  assert.ok(Number.isNaN(rangeError(constant)));
  assert.equal(spread(constant), 0);
  assert.equal(spread(sums([1, -1, 1, -1], [1, -1, 1, -1])), 1);
  // Non-finite pairs are left to the element rules.
  assert.equal(sums([1, NaN, 3], [1, 2, Infinity]).count, 1);
});

test('top-1 agreement over rows, and which outputs are class-like', () => {
  const ref = f64(0.1, 0.9, 0.8, 0.2, 0.3, 0.7);
  const res = f64(0.2, 0.8, 0.4, 0.6, 0.6, 0.4);
  assert.deepEqual(top1Agreement(ref, res, 2), { agree: 1, rows: 3 });
  assert.deepEqual(top1Agreement(ref, ref, 2), { agree: 3, rows: 3 });
  assert.equal(classCount([8, 10], false), 10);
  assert.equal(classCount([10], false), 10);
  assert.equal(classCount([8, 1], false), 0);
  assert.equal(classCount([4, 2000], false), 0);
  assert.equal(classCount([1, 1, 320, 320], false), 0, 'a map is not class scores');
  assert.equal(classCount([1, 16, 50257], true), 50257, 'marked logits count at any size');
  const model = new onnx.ModelProto({
    graph: {
      node: [{ opType: 'Softmax', input: ['z'], output: ['p'] }, { opType: 'ArgMax', input: ['q'], output: ['k'] }],
      output: [tensorInfo('p', DataType.FLOAT, [1, 5]), tensorInfo('q', DataType.FLOAT, [1, 5]), tensorInfo('logits', DataType.FLOAT, [1, 8, 5]), tensorInfo('prob_map', DataType.FLOAT, [1, 1, 8, 8]), tensorInfo('z', DataType.FLOAT, [1, 5])],
    },
  });
  assert.deepEqual(['p', 'q', 'logits', 'prob_map', 'z'].map((n) => classHinted(model, n)), [true, true, true, false, true]);
});

const rule: AccuracyRule = { minSnrDb: 30, maxRangeError: 0.02, minCosine: 0.99, minSpread: 0.5 };
const check = (figures: Partial<OutputCheck>): OutputCheck => ({
  name: 'y', dtype: 'float', shape: [4], maxAbsError: 0, maxRelError: 0, cosine: 1, mismatches: 0, count: 4, pass: false, float: true, constant: false, ...figures,
});

test('the rule: SNR, then range error, then cosine only with spread; the words name the measure', () => {
  assert.deepEqual(judgeOutput(check({ snrDb: 41.23, rangeError: 0.5, spread: 0.1 }), rule), { pass: true, decided: 'PASS by SNR 41.2 dB ≥ 30' });
  assert.deepEqual(judgeOutput(check({ snrDb: 12, rangeError: 0.006, spread: 0.9, cosine: 0.68 }), rule), { pass: true, decided: 'PASS by max error 0.60% of the range ≤ 2.0%' });
  assert.deepEqual(judgeOutput(check({ snrDb: 22, rangeError: 0.05, spread: 0.8, cosine: 0.995 }), rule), { pass: true, decided: 'PASS by cosine 0.995 ≥ 0.99 (spread 0.80)' });
  // A mostly constant output: its cosine is near 1 whatever happens, so cosine does not pass it.
  assert.deepEqual(judgeOutput(check({ snrDb: 20, rangeError: 0.4, spread: 0.02, cosine: 0.999 }), rule), {
    pass: false, decided: 'FAIL: SNR 20.0 dB < 30, max error 40% of the range > 2.0%, cosine not used (spread 0.02 < 0.5)',
  });
  assert.deepEqual(judgeOutput(check({ snrDb: 5, rangeError: 0.3, spread: 0.9, cosine: 0.9 }), rule), {
    pass: false, decided: 'FAIL: SNR 5.0 dB < 30, max error 30% of the range > 2.0%, cosine 0.9 < 0.99',
  });
  assert.equal(judgeOutput(check({ snrDb: Infinity, rangeError: 0, spread: 1 }), rule).decided, 'PASS by SNR inf dB (exact) ≥ 30');
  // Integer outputs are shown, not judged; several outputs are named one by one.
  const checks = [check({ name: 'a', snrDb: 35, rangeError: 0.01, spread: 1 }), check({ name: 'b', snrDb: 3, rangeError: 0.5, spread: 1, cosine: 0.5 }), check({ name: 'ids', float: false, dtype: 'int64' })];
  assert.equal(applyRule(checks, rule), 'FAIL (b: SNR 3.0 dB < 30, max error 50% of the range > 2.0%, cosine 0.5 < 0.99)');
  assert.deepEqual(checks.map((c) => c.pass), [true, false, true]);
  assert.equal(applyRule([check({ name: 'a', snrDb: 35 }), check({ name: 'b', snrDb: 1, rangeError: 0.01 })], rule), 'PASS (a: by SNR 35.0 dB ≥ 30; b: by max error 1.0% of the range ≤ 2.0%)');
});

test('compareRuns measures over every set together', () => {
  const t = (...v: number[]) => ({ y: { dtype: DataType.FLOAT, dims: [1, v.length], data: Float32Array.from(v) } });
  const [c] = compareRuns(['y'], [t(1, 2), t(3, 4)], [t(1, 2), t(3, 5)], { rtol: 0, atol: 0 });
  assert.equal(c.snrDb!.toFixed(4), (10 * Math.log10(30)).toFixed(4));
  assert.equal(c.rangeError, 1 / 3);
  // Two sets of one [1, 2] row each: row 2's arg-max moved from 1 to 1 (4 < 5 keeps it): both agree.
  assert.equal(c.top1, 1);
});

test('held-out split: a quarter of the samples, evenly spaced, 1 to 8, none of one', () => {
  assert.deepEqual(heldOutIndices(1), []);
  assert.deepEqual(heldOutIndices(2), [1]);
  assert.deepEqual(heldOutIndices(5), [4]);
  assert.deepEqual(heldOutIndices(8), [3, 7]);
  assert.deepEqual(heldOutIndices(100), [11, 24, 36, 49, 61, 74, 86, 99]);
  const sets = { sets: Array.from({ length: 8 }, (_, i) => ({ x: { dtype: DataType.FLOAT, dims: [1], data: Float32Array.of(i) } })), names: Array.from({ length: 8 }, (_, i) => `s${i}.npz`), source: 'DIR' };
  const split = splitSamples(sets);
  assert.equal(split.text, 'calibrated on 6 samples, verified on 2 held out: s3.npz, s7.npz');
  assert.deepEqual(split.calibration.sets.map((s) => s.x.data[0]), [0, 1, 2, 4, 5, 6]);
  assert.deepEqual(split.heldOut!.sets.map((s) => s.x.data[0]), [3, 7]);
  const one = splitSamples({ sets: sets.sets.slice(0, 1), names: ['only.npz'], source: 'DIR' });
  assert.equal(one.heldOut, undefined);
  assert.match(one.text, /only sample \(only\.npz\); verified on generated inputs/);
});

const cli = (...args: string[]) => runCli('quantize', ...args);
const dir = tempDir('onnx-lens-quantize-verdict-');

/**
 * heatmap = Sigmoid(Conv1x1(image)): a text detector's probability map in small. On its data (background
 * noise in [0, 1], one bright pixel) the map is about 0.01 everywhere but one pixel, so cosine weighs
 * the background, where int8 steps of the activations are large against the values, while every element
 * stays within a small share of the map's range.
 */
function heatmapModel(): onnx.ModelProto {
  return new onnx.ModelProto({
    irVersion: toLong(8), producerName: 'onnx-lens-test', opsetImport: [{ domain: '', version: toLong(13) }],
    graph: {
      name: 'heatmap',
      node: [
        { opType: 'Conv', name: 'conv', input: ['image', 'w', 'b'], output: ['logit_map'] },
        { opType: 'Sigmoid', name: 'sigmoid', input: ['logit_map'], output: ['heatmap'] },
      ],
      initializer: [
        arrayToTensor('w', { dtype: DataType.FLOAT, dims: [1, 1, 1, 1], data: Float32Array.of(1) }),
        arrayToTensor('b', { dtype: DataType.FLOAT, dims: [1], data: Float32Array.of(-5) }),
      ],
      input: [tensorInfo('image', DataType.FLOAT, [1, 1, 256, 256])],
      output: [tensorInfo('heatmap', DataType.FLOAT, [1, 1, 256, 256])],
    },
  });
}

/** Eight samples, one .npz each, from numpy's seeded generator. */
function writeSamples(folder: string, count: number): void {
  mkdirSync(folder, { recursive: true });
  runPython([
    'import sys, numpy as np',
    'folder, count = sys.argv[1], int(sys.argv[2])',
    'for i in range(count):',
    '    r = np.random.default_rng(i)',
    '    x = r.uniform(0, 1, (1, 1, 256, 256)).astype(np.float32)',
    '    x[0, 0, r.integers(256), r.integers(256)] = 255.0',
    "    np.savez(f'{folder}/sample_{i}.npz', image=x)",
  ].join('\n'), [folder, String(count)]);
}

const heatmap = join(dir, 'heatmap.onnx');
writeFileSync(heatmap, encodeModel(heatmapModel()));
const samples = join(dir, 'samples');
writeSamples(samples, 8);

test('an almost constant map: cosine alone would fail it, the held-out samples pass it by max error against the range', () => {
  const run = cli(heatmap, '--mode', 'static', '--calibration', samples, '--iterations', '0', '-o', join(dir, 'heatmap.qdq.onnx'), '--json');
  assert.equal(run.status, 0, run.stderr + run.stdout.slice(0, 3000));
  const report = JSON.parse(run.stdout);
  const v = report.verification;
  assert.equal(v.status, 'pass');
  assert.equal(v.inputs, `calibrated on 6 samples, verified on 2 held out: sample_3.npz, sample_7.npz (of ${samples})`);
  assert.equal(v.sets, 2);
  const [out] = v.comparisons;
  assert.equal(out.name, 'heatmap');
  // The old rule (cosine >= 0.99 on every float output) fails this result...
  assert.ok(out.cosine < 0.99, `cosine ${out.cosine}`);
  // ...which is within 2% of the map's range everywhere.
  assert.ok(out.rangeError <= 0.02 && out.snrDb < 30, JSON.stringify(out));
  assert.match(v.decided, /^PASS by max error \d\.\d+% of the range ≤ 2\.0%$/);
  assert.equal(out.top1, undefined, 'a map has no classes');
  assert.ok(report.notes.includes('Static verification: calibrated on 6 samples, verified on 2 held out: sample_3.npz, sample_7.npz.'));
  // The text report says which rule decided.
  const text = cli(heatmap, '--mode', 'static', '--calibration', samples, '--iterations', '0', '-o', join(dir, 'heatmap.text.onnx'));
  assert.equal(text.status, 0, text.stderr);
  assert.match(text.stdout, /PASS by max error [\d.]+% of the range ≤ 2\.0%: outputs compared on the same inputs \(SNR >= 30 dB or max error <= 2\.0% of the output's fp32 range/);
  assert.match(text.stdout, /heatmap: max abs error [\d.e-]+ \([\d.]+% of the range\), SNR [\d.]+ dB, cosine /);
  // A stricter range threshold, as an option, fails the same result and says why.
  const strict = cli(heatmap, '--mode', 'static', '--calibration', samples, '--iterations', '0', '-o', join(dir, 'heatmap.strict.onnx'), '--max-range-error', '0.1');
  assert.equal(strict.status, 1, strict.stdout);
  // The map is mostly its background level (spread below 0.5), so cosine cannot pass it either.
  assert.match(strict.stderr, /not verified: FAIL: SNR [\d.]+ dB < 30, max error [\d.]+% of the range > 0\.10%, cosine not used \(spread 0\.\d+ < 0\.5\)/);
});

test('a quantization broken through the real options (percentile calibration keeping 50.1% of values) fails with the rule named', () => {
  const run = cli(heatmap, '--mode', 'static', '--calibration', samples, '--calibrator', 'percentile', '--percentile', '50.1', '--iterations', '0', '-o', join(dir, 'heatmap.clipped.onnx'), '--json');
  assert.equal(run.status, 1, run.stderr);
  const v = JSON.parse(run.stdout).verification;
  assert.equal(v.status, 'fail');
  assert.match(v.decided, /^FAIL: SNR -?[\d.]+ dB < 30, max error [\d.]+% of the range > 2\.0%, cosine /);
  assert.ok(v.comparisons[0].rangeError > 0.5, JSON.stringify(v.comparisons[0]));
  assert.match(run.stderr, /^onnx-lens quantize: wrote .*heatmap\.clipped\.onnx, not verified: FAIL: SNR /);
});

test('one calibration sample: verification falls back to generated inputs and says why; --verify-inputs overrides', () => {
  const one = join(dir, 'one');
  writeSamples(one, 1);
  const run = cli(heatmap, '--mode', 'static', '--calibration', one, '--iterations', '0', '-o', join(dir, 'heatmap.one.onnx'), '--json');
  const report = JSON.parse(run.stdout);
  assert.ok(report.notes.some((n: string) => /only sample \(one\); verified on generated inputs, as no sample is left to hold out/.test(n)), report.notes.join('\n'));
  assert.match(report.verification.inputs, /^8 generated input sets: .*; the only calibration sample was used to calibrate, so none was left to verify on$/);
  // The verdict on generated (normal) inputs is whatever it is; the exit code follows it.
  assert.equal(run.status, report.verification.status === 'pass' ? 0 : 1);
  const given = cli(heatmap, '--mode', 'static', '--calibration', samples, '--verify-inputs', one, '--iterations', '0', '-o', join(dir, 'heatmap.given.onnx'), '--json');
  const v = JSON.parse(given.stdout).verification;
  assert.equal(v.inputs, `${one} (--verify-inputs)`);
  assert.equal(v.sets, 1);
  const missing = cli(heatmap, '--mode', 'static', '--verify-inputs', join(dir, 'nowhere'));
  assert.equal(missing.status, 2);
  assert.match(missing.stderr, /No such file or folder/);
});

test('dynamic mode is per channel by default; --compare-per-tensor reports both variants', () => {
  const lin = join(dir, 'linear.onnx');
  writeFileSync(lin, encodeModel(linearModel(64, 32)));
  const run = cli(lin, '--mode', 'dynamic', '--compare-per-tensor', '--iterations', '0', '-o', join(dir, 'linear.int8.onnx'), '--json');
  assert.equal(run.status, 0, run.stderr);
  const d = JSON.parse(run.stdout).details;
  assert.equal(d.options.perChannel, true);
  assert.ok(d.tensors.every((t: { granularity: string }) => t.granularity !== 'tensor'), JSON.stringify(d.tensors.map((t: { granularity: string }) => t.granularity)));
  assert.deepEqual(d.variants.map((v: { granularity: string }) => v.granularity), ['per channel', 'per tensor']);
  for (const v of d.variants) {
    assert.equal(v.verification.status, 'pass', JSON.stringify(v));
    assert.ok(v.verification.accuracy[0].snrDb > 30 && v.weightBytes > 0);
  }
  assert.equal(d.perTensorModel, undefined);
  // Per-channel scales are a few more bytes, and on these weights no less accurate.
  assert.ok(d.variants[0].weightBytes >= d.variants[1].weightBytes);
  assert.ok(d.variants[0].verification.accuracy[0].snrDb >= d.variants[1].verification.accuracy[0].snrDb - 0.5);
  const text = cli(lin, '--mode', 'dynamic', '--compare-per-tensor', '--iterations', '0', '-o', join(dir, 'linear.text.onnx'));
  assert.match(text.stdout, /Per channel and per tensor:\n {2}per channel: weights .*: PASS by SNR [\d.]+ dB ≥ 30\n {2}per tensor: weights .*: PASS by SNR/);
  const refused = cli(lin, '--mode', 'dynamic', '--per-tensor', '--compare-per-tensor');
  assert.equal(refused.status, 2);
  assert.match(refused.stderr, /no per-channel scales/);
});
