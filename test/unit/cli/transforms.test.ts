// The transform exit codes as a script sees them: 0 verified; 1 verification failed or could not run,
// the reason on one line of stderr and the result still written; 2 usage or input error with one line
// and nothing written. And --help generated from the option schema: each option once, nothing padded.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, test } from 'node:test';
import { generateMlp } from '../../../bench/generate/index.js';
import { encodeModel } from '../../../src/core/model/decode.js';
import { transforms } from '../../../src/core/transforms/registry.js';
import { tempDir } from '../../helpers/models.js';
import { invalidSources, melSpectrogram, refusedByOnnxruntime, writeInputSet, zeroOnGeneratedInputs } from '../transforms/cases.js';
import { runCli as cli } from '../../helpers/cli.js';
import { oneLine } from '../../helpers/oneLine.js';

const dir = tempDir('onnx-lens-transform-cli-');
after(() => rmSync(dir, { recursive: true, force: true }));

function write(name: string, bytes: Uint8Array): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

test('fold on a model onnxruntime refuses to load is written, not verified, exit 1 with the reason', () => {
  for (const [name, m] of Object.entries(refusedByOnnxruntime())) {
    const input = write(`${name}.onnx`, encodeModel(m));
    const run = cli('fold', input, '--json');
    assert.equal(run.status, 1, `${name}: ${run.stdout}${run.stderr}`);
    const line = oneLine(run.stderr);
    assert.match(line, new RegExp(`^onnx-lens fold: wrote .*${name}\\.folded\\.onnx, not verified: could not run: the original model does not run in onnxruntime \\(onnxruntime: `), name);
    const report = JSON.parse(run.stdout);
    assert.equal(report.verification.status, 'not-run', name);
    assert.equal(report.verification.pass, false);
    assert.ok(existsSync(join(dir, `${name}.folded.onnx`)), `${name}: the result is kept for inspection`);
    // The fold itself ran: the constant sum is gone, or (opset 27) onnxruntime could not evaluate it either.
    if (name === 'custom-op') assert.equal(report.nodesAfter.Add, undefined, name);
    else assert.ok(report.notes.some((n: string) => /^Not folded, onnxruntime could not evaluate it .*: constant_sum \(Add\)\.$/.test(n)), report.notes.join(' | '));
  }
});

test('a source that fails the model checker is refused by every transform: exit 2, one line, nothing written', () => {
  const commands: Array<[string, string[]]> = [['folded', ['fold']], ['simplified', ['simplify']], ['pruned', ['prune', '--sparsity', '0.5']], ['fp16', ['quantize', '--mode', 'fp16']], ['opset17', ['convert-opset', '--opset', '17']]];
  for (const { name, model, error } of invalidSources()) {
    const input = write(`${name}.onnx`, encodeModel(model));
    for (const [, args] of commands) {
      const run = cli(args[0], input, ...args.slice(1));
      assert.equal(run.status, 2, `${args.join(' ')} ${name}: ${run.stdout}${run.stderr}`);
      const line = oneLine(run.stderr);
      assert.ok(line.startsWith(`onnx-lens: ${input} fails the checker (`), line);
      assert.match(line, error, `${args[0]} ${name}`);
      assert.match(line, new RegExp(`; run \`onnx-lens check ${input}( --fix\` to fix it|\` for the list)\\.$`), line);
      assert.equal(run.stdout, '');
    }
    for (const [tag] of commands) assert.ok(!existsSync(join(dir, `${name}.${tag}.onnx`)), `${name}.${tag}.onnx was written`);
  }
});

test('a verification whose reference output is constant is not a pass; real inputs make it one', () => {
  const input = write('relu-shift.onnx', encodeModel(zeroOnGeneratedInputs()));
  const generated = cli('fold', input, '-o', join(dir, 'relu-shift.a.onnx'));
  assert.equal(generated.status, 1, generated.stdout + generated.stderr);
  assert.match(oneLine(generated.stderr), /not verified: INCONCLUSIVE: .*every output of the original is constant on these inputs \(y: all 0\).*verify with real inputs/);
  assert.match(generated.stdout, /Verification:\n {2}INCONCLUSIVE: /);
  assert.match(generated.stdout, /--data/);
  // The same fold verified on inputs around 200, where the output varies, passes.
  const data = writeInputSet(join(dir, 'real-inputs'), [2, 4], [190, 205, 230, 150, 201, 260, 99, 120]);
  const real = cli('fold', input, '-o', join(dir, 'relu-shift.b.onnx'), '--data', data, '--json');
  assert.equal(real.status, 0, real.stdout + real.stderr);
  const report = JSON.parse(real.stdout);
  assert.equal(report.verification.status, 'pass');
  assert.equal(report.verification.inputs, data);
  assert.equal(report.verification.constant, undefined);
});

test('prune that wrecks a model (its DFT filter bank) is not accepted: exit 1, below the cosine it needs', () => {
  const input = write('melspec.onnx', encodeModel(melSpectrogram()));
  const run = cli('prune', input, '--sparsity', '0.5', '--dims', 'batch=8', '--json');
  assert.equal(run.status, 1, run.stdout + run.stderr);
  assert.match(oneLine(run.stderr), /not verified: FAIL: outputs compared on the same inputs \(cosine >= 0\.99 for every float output, the default acceptance of pruning\)$/);
  const report = JSON.parse(run.stdout);
  const [logMel] = report.verification.comparisons;
  assert.equal(report.verification.status, 'fail');
  assert.ok(logMel.cosine < 0.99 && logMel.maxAbsError > 1, JSON.stringify(logMel));
  assert.deepEqual(logMel.shape, [8, 16], '--dims sized the generated frames');
  assert.ok(existsSync(join(dir, 'melspec.pruned.onnx')));
  // Extraction is not lossy: a minimum cosine is refused for it, before anything is written.
  const extract = cli('prune', input, '--outputs', 'power', '--min-cosine', '0.5', '-o', join(dir, 'power.onnx'));
  assert.equal(extract.status, 2);
  assert.match(oneLine(extract.stderr), /A minimum cosine applies to lossy transforms; this prune is compared by extracted values equal the original model's exactly/);
  assert.ok(!existsSync(join(dir, 'power.onnx')));
});

test('the transforms take the input options of run: sizes and values that make a real export run verify it', () => {
  // silero_like_torchscript: batch and time are unknown; its reflect Pad (pads built at run time) needs
  // time >= 33, which the inputs follow; at time = 1 the original fails in that Pad.
  const input = fileURLToPath(new URL('../../fixtures/exported/silero_like_torchscript/model.onnx', import.meta.url));
  const guessed = cli('fold', input, '-o', join(dir, 'silero.a.onnx'), '--json');
  assert.equal(guessed.status, 0, guessed.stdout + guessed.stderr);
  assert.match(JSON.parse(guessed.stdout).verification.inputs, /assumed: batch = 1 \(unknown\), time = 33 \(unknown; at least 33 for Pad '\/Pad' with a reflect pad of 32\), sr = 16000 \(compared with 16000 by Equal '\/Equal'\)/);
  const tooShort = cli('fold', input, '-o', join(dir, 'silero.short.onnx'), '--dims', 'time=1', '--json');
  assert.equal(tooShort.status, 1, tooShort.stdout + tooShort.stderr);
  assert.match(oneLine(tooShort.stderr), /not verified: could not run: the original model does not run in onnxruntime .*Pad reflect requires axis length >= 2/);
  const given = cli('fold', input, '-o', join(dir, 'silero.b.onnx'), '--dims', 'batch=2,time=512', '--value', 'sr=8000', '--seed', '3', '--json');
  assert.equal(given.status, 0, given.stdout + given.stderr);
  const report = JSON.parse(given.stdout);
  assert.equal(report.verification.status, 'pass');
  assert.equal(report.verification.inputs, '1 generated input set: generated (normal, seed 3); --dims batch=2,time=512 --value sr=8000');
  assert.deepEqual(report.verification.comparisons.map((c: { name: string; shape: number[] }) => [c.name, c.shape]), [['output', [2, 1]], ['stateN', [2, 2, 16]]]);
  // A whole shape works the same; the files option of the transforms is --data.
  const shaped = cli('fold', input, '-o', join(dir, 'silero.c.onnx'), '--shape', 'input=1x600', '--json');
  assert.equal(shaped.status, 0, shaped.stdout + shaped.stderr);
  assert.match(JSON.parse(shaped.stdout).verification.inputs, /--shape input=1x600; assumed: sr = 16000/);
});

test('input choices the model cannot take are usage errors before anything is written', () => {
  const input = write('mlp.onnx', encodeModel(generateMlp()));
  const cases: Array<[string[], RegExp]> = [
    [['fold', input, '--dims', 'foo=1280'], /^onnx-lens: --dims names no dimension 'foo': the model's free dimensions are batch_size \(any axis can be set as INPUT\[AXIS\]=N\)\.$/],
    [['fold', input, '--shape', 'input=2x3'], /^onnx-lens: --shape input=2x3: input 'input' fixes axis 1 at 64 \(\[batch_size,64\]\), not 3\.$/],
    [['prune', input, '--sparsity', '0.5', '--value', 'nothing=1'], /^onnx-lens: --value names no input 'nothing': the model's inputs are 'input'\.$/],
    [['quantize', input, '--mode', 'dynamic', '--data', join(dir, 'nowhere')], /^onnx-lens: No such file or folder: /],
    [['quantize', input, '--mode', 'static', '--data', join(dir, 'real-inputs'), '--calibration', join(dir, 'real-inputs')], /Give the input sets once/],
    [['fold', input, '--min-cosine', '0.5'], /^onnx-lens: Unknown option '--min-cosine'/],
    [['prune', input], /^onnx-lens: Give one of --sparsity, --pattern or --outputs\.$/],
    [['quantize', input, '--mode', 'dynamic', '--symmetric', '--asymmetric'], /Give --symmetric or --asymmetric, not both/],
  ];
  for (const [args, pattern] of cases) {
    const run = cli(...args);
    assert.equal(run.status, 2, `${args.join(' ')}: ${run.stdout}${run.stderr}`);
    assert.match(oneLine(run.stderr), pattern, args.join(' '));
  }
  assert.deepEqual(readFileSync(input), Buffer.from(encodeModel(generateMlp())));
  for (const tag of ['folded', 'int8', 'qdq', 'pruned']) assert.ok(!existsSync(join(dir, `mlp.${tag}.onnx`)), tag);
});

test('--help lists each option of the schema once, unpadded, with the exit codes', () => {
  const top = cli('--help');
  assert.equal(top.status, 0);
  const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  for (const t of transforms) assert.match(top.stdout, new RegExp(`^ {2}${t.name} +${escape(t.summary)}$`, 'm'));
  for (const t of transforms) {
    const run = cli(t.name, '--help');
    assert.equal(run.status, 0, run.stderr);
    const text = run.stdout;
    assert.match(text, new RegExp(`^Usage: onnx-lens ${t.name} IN \\[-o OUT\\] `));
    assert.match(text, /^Exit codes: 0 verified; 1 verification failed or could not run/m);
    for (const name of [...Object.keys(t.options), 'output', 'json', 'data', 'dims', 'no-verify']) {
      const labels = text.split('\n').filter((l) => new RegExp(`^ {2}(-o, )?--${name}\\b`).test(l));
      assert.equal(labels.length, 1, `${t.name} --help lists --${name} ${labels.length} times`);
    }
    assert.equal(text.includes('--min-cosine'), t.lossy !== undefined, `${t.name}: --min-cosine only for lossy transforms`);
  }
  for (const text of [top.stdout, ...transforms.map((t) => cli(t.name, '--help').stdout)]) {
    for (const line of text.split('\n')) {
      assert.doesNotMatch(line, /\s$/, `trailing blanks: '${line}'`);
      assert.doesNotMatch(line.trimStart(), / {3,}\S.* {3,}/, `padded more than once: '${line}'`);
      assert.ok(line.length - line.trimStart().length <= 26, `indented ${line.length - line.trimStart().length}: '${line}'`);
    }
  }
});
