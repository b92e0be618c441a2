// Opset conversion over Debian's libonnx-testdata (1,072 models), ours against onnx.version_converter of
// Debian's python3-onnx, for targets 7, 11, 13, 17 and the newest onnxruntime runs: how many models each
// converts, how many of those pass onnx.checker (full check; Debian's knows opsets up to 17), how many match
// the case's expected outputs in onnxruntime, and the time to convert the whole corpus (load, convert,
// save every model; the whole process, start to exit).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeModel } from '../../src/core/model/decode.js';
import { newestOpset } from '../../src/core/opset/schemas.js';
import { RuntimeClient } from '../../src/core/runtime/client.js';
import { compareOutputs } from '../../src/core/runtime/compare.js';
import { readTestDataSet, testDataSetDirs } from '../../src/core/runtime/testData.js';
import { testCases, type TestCase } from '../../test/helpers/testdata.js';
import { runChild, type ChildResult } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { row, type Row } from '../lib/rows.js';
import { summarize } from '../lib/stats.js';

export const opsetTargets = [7, 11, 13, 17, newestOpset];
const checkerOpset = 17;
const timeoutMs = 900_000;

/**
 * The peer: every listed model from index `start` on, except the skipped ones, through
 * onnx.version_converter.convert_version, saved as <index>.onnx. A line before and after each model, so
 * that a crash of the converter (it segfaults on some models) shows where; {ms} last.
 */
const peerScript = [
  'import sys, time, json, onnx',
  'from onnx import version_converter',
  'target = int(sys.argv[1]); paths = open(sys.argv[2]).read().split(); out = sys.argv[3]',
  'start = int(sys.argv[4]); skip = set(int(x) for x in sys.argv[5].split(",") if x)',
  't = time.perf_counter()',
  'for i, path in enumerate(paths):',
  '    if i < start or i in skip: continue',
  '    print("start", i, flush=True)',
  '    try:',
  '        onnx.save(version_converter.convert_version(onnx.load(path), target), f"{out}/{i}.onnx")',
  '        status = ""',
  '    except Exception as e:',
  '        status = (str(e).splitlines() or [type(e).__name__])[0][:200]',
  '    print("done", i, json.dumps(status), flush=True)',
  'print(json.dumps({"ms": (time.perf_counter() - t) * 1000}), flush=True)',
].join('\n');

const checkerScript = [
  'import sys, onnx',
  'for path in sys.argv[1:]:',
  '    try:',
  '        onnx.checker.check_model(onnx.load(path), full_check=True)',
  '        print("ok")',
  '    except Exception:',
  '        print("bad")',
].join('\n');

interface Pass {
  /** '' where the model converted, else why not. */
  status: string[];
  /** Indices the peer crashed on (skipped in its timed runs). */
  crashed: number[];
}

function lastJson(result: ChildResult): { ms: number; status?: string[] } | undefined {
  const last = result.stdout.trim().split('\n').pop() ?? '';
  return result.code === 0 && last.startsWith('{') ? JSON.parse(last) as { ms: number; status?: string[] } : undefined;
}

async function oursPass(ctx: BenchContext, target: number, list: string, out: string): Promise<{ pass: Pass; wallMs: number }> {
  const result = await runChild(process.execPath, [ctx.probes.opset, String(target), list, out], { timeoutMs });
  const json = lastJson(result);
  if (!json?.status) throw new Error(`our converter stopped: ${result.stderr.trim().split('\n').pop() ?? result.code}`);
  return { pass: { status: json.status, crashed: [] }, wallMs: result.wallMs };
}

/** The peer over the corpus, resumed after each crash. */
async function peerPass(ctx: BenchContext, target: number, list: string, out: string, count: number): Promise<Pass> {
  const status = new Array<string>(count).fill('not reached');
  const crashed: number[] = [];
  let start = 0;
  while (start < count) {
    const result = await runChild(ctx.python, ['-c', peerScript, String(target), list, out, String(start), ''], { timeoutMs });
    let current = -1;
    for (const line of result.stdout.split('\n')) {
      const [word, index, ...rest] = line.split(' ');
      if (word === 'start') current = Number(index);
      if (word === 'done') {
        status[Number(index)] = JSON.parse(rest.join(' ')) as string;
        current = -1;
      }
    }
    if (lastJson(result)) break;
    if (current < 0) throw new Error(`onnx.version_converter stopped outside a model: ${result.stderr.trim().split('\n').pop() ?? result.code}`);
    status[current] = `crashed (${result.signal ?? `exit ${result.code}`})`;
    crashed.push(current);
    start = current + 1;
  }
  return { status, crashed };
}

/** How many of the files pass onnx.checker. */
async function checkerPasses(ctx: BenchContext, files: string[]): Promise<number> {
  let passed = 0;
  for (let i = 0; i < files.length; i += 200) {
    const result = await runChild(ctx.python, ['-c', checkerScript, ...files.slice(i, i + 200)], { timeoutMs });
    passed += result.stdout.split('\n').filter((l) => l === 'ok').length;
  }
  return passed;
}

/** Whether a converted model gives the case's expected outputs on every data set. */
async function matchesExpected(client: RuntimeClient, c: TestCase, file: string): Promise<boolean> {
  const source = decodeModel(readFileSync(c.model));
  const bytes = readFileSync(file);
  try {
    for (const d of testDataSetDirs(c.dir)) {
      const set = readTestDataSet(d, source);
      if (!set.expected) return false;
      const outputs = await client.run(bytes, set.inputs);
      if (!compareOutputs(set.expected, outputs, { rtol: 1e-3, atol: 1e-4 }).every((o) => o.pass)) return false;
    }
    return testDataSetDirs(c.dir).length > 0;
  } catch {
    return false;
  }
}

const count = (value: number) => summarize([value]);

/** The most frequent non-empty message, with how often it came. */
function commonest(messages: string[]): string {
  const tally = new Map<string, number>();
  for (const m of messages) if (m) tally.set(m.slice(0, 120), (tally.get(m.slice(0, 120)) ?? 0) + 1);
  const [message, times] = [...tally].sort((a, b) => b[1] - a[1])[0] ?? ['none', 0];
  return times ? `'${message}' (${times} models)` : 'none';
}

export async function opsetFigures(ctx: BenchContext): Promise<Row[]> {
  const cases = testCases();
  const list = join(ctx.tmp, 'opset-models.txt');
  writeFileSync(list, cases.map((c) => c.model).join('\n'));
  const samples = Math.min(ctx.samples, 3);
  const peerName = 'onnx.version_converter (Debian python3-onnx)';
  const model = `libonnx-testdata (${cases.length} models)`;
  const rows: Row[] = [];
  const client = RuntimeClient.start({ timeoutMs: 120_000 });
  try {
    // The pytorch-converted cases onnxruntime cannot run as they are (no kernels below opset 7).
    const oldOpset: number[] = [];
    for (const [i, c] of cases.entries()) {
      if (!c.name.startsWith('pytorch-converted/')) continue;
      const old = (decodeModel(readFileSync(c.model)).opsetImport ?? []).some((o) => !o.domain && Number(o.version) < 7);
      if (old && !(await matchesExpected(client, c, c.model))) oldOpset.push(i);
    }
    for (const target of opsetTargets) {
      ctx.log(`opset ${target}: converting the corpus`);
      const oursDir = join(ctx.tmp, `opset-${target}-ours`);
      const peerDir = join(ctx.tmp, `opset-${target}-peer`);
      mkdirSync(peerDir, { recursive: true });
      const ours = await oursPass(ctx, target, list, oursDir);
      const peer = await peerPass(ctx, target, list, peerDir, cases.length);
      const oursMs = [ours.wallMs];
      const peerMs: number[] = [];
      for (let s = 0; s < samples; s++) {
        if (s > 0) oursMs.push((await oursPass(ctx, target, list, oursDir)).wallMs);
        const timed = await runChild(ctx.python, ['-c', peerScript, String(target), list, peerDir, '0', peer.crashed.join(',')], { timeoutMs });
        if (lastJson(timed)) peerMs.push(timed.wallMs);
      }
      const converted = (pass: Pass) => pass.status.map((s, i) => (s === '' ? i : -1)).filter((i) => i >= 0);
      const sides = [
        { pass: ours.pass, dir: oursDir },
        { pass: peer, dir: peerDir },
      ].map(({ pass, dir }) => ({ indices: converted(pass), dir }));
      ctx.log(`opset ${target}: onnx.checker and onnxruntime on ${sides[0].indices.length} + ${sides[1].indices.length} converted models`);
      const checked = target <= checkerOpset ? await Promise.all(sides.map((s) => checkerPasses(ctx, s.indices.map((i) => join(s.dir, `${i}.onnx`))))) : undefined;
      const matched: Array<Set<number>> = [];
      for (const s of sides) {
        const ok = new Set<number>();
        for (const i of s.indices) if (await matchesExpected(client, cases[i], join(s.dir, `${i}.onnx`))) ok.add(i);
        matched.push(ok);
      }
      const crashNote = peer.crashed.length ? `; onnx's converter crashed (${peer.status[peer.crashed[0]]}) on ${peer.crashed.length} models, left out of its timed runs` : '';
      const missed = [...matched[1]].filter((i) => !matched[0].has(i)).map((i) => cases[i].name);
      rows.push(
        row({
          figure: `opset ${target}: models converted`, model, unit: 'cases', better: 'higher', ours: count(sides[0].indices.length), peerName, peer: count(sides[1].indices.length),
          note: `a refusal or an error counts as not converted; onnx's most common error: ${commonest(peer.status)}${crashNote}`,
        }),
        row({
          figure: `opset ${target}: converted models passing onnx.checker`, model, unit: 'cases', better: 'higher',
          ours: checked ? count(checked[0]) : { failed: `Debian's onnx.checker knows opsets up to ${checkerOpset}` }, peerName,
          peer: checked ? count(checked[1]) : { failed: `Debian's onnx.checker knows opsets up to ${checkerOpset}` },
        }),
        row({
          figure: `opset ${target}: converted models matching expected outputs in onnxruntime`, model, unit: 'cases', better: 'higher', ours: count(matched[0].size), peerName, peer: count(matched[1].size),
          note: `every test_data_set, rtol 1e-3, atol 1e-4; matched by onnx's converter and not by ours: ${missed.length ? missed.join(', ') : 'none'}`,
        }),
        row({
          figure: `opset ${target}: convert the corpus (load, convert, save each model; whole process)`, model, unit: 'ms', better: 'lower', ours: summarize(oursMs), peerName,
          peer: sides[1].indices.length === 0 ? { failed: 'converts no model to this opset' } : peerMs.length ? summarize(peerMs) : { failed: 'crashed in every timed run' },
        }),
      );
      if (target === 13) {
        const old = (set: Set<number>) => oldOpset.filter((i) => set.has(i)).length;
        rows.push(row({
          figure: `opset 13: the ${oldOpset.length} pytorch-converted cases onnxruntime cannot run, matching expected outputs`, model: 'libonnx-testdata pytorch-converted', unit: 'cases', better: 'higher',
          ours: count(old(matched[0])), peerName, peer: count(old(matched[1])), note: 'the ones onnxruntime cannot run as they are (no kernels below opset 7)',
        }));
      }
    }
  } finally {
    client.dispose();
  }
  return rows;
}
