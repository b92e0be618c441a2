// Quantization accuracy and size, side by side: our static, dynamic and weight-only results and, where a
// Python with onnxruntime is found (BENCH_ORT_PYTHON, see bench/README.md), onnxruntime's quantize_static
// and quantize_dynamic on the same data. Eight generated input sets are split as static quantization
// splits them (heldOut.ts): both quantizers calibrate on the same six, and every result is measured on the
// same two held-out sets by one function: SNR, max error against the range, cosine, top-1, the rule's verdict.
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelFile } from '../../src/core/model/decode.js';
import { onnx, type ModelProto } from '../../src/core/model/proto.js';
import { arrayToTensor, tensorToArray, type TensorArray } from '../../src/core/model/tensorValues.js';
import { RuntimeClient } from '../../src/core/runtime/client.js';
import { classHinted } from '../../src/core/runtime/compare.js';
import { generateInputs } from '../../src/core/runtime/inputs.js';
import { applyRule, defaultRangeError, defaultSnrDb, minSpread } from '../../src/core/transforms/accuracyRule.js';
import { compareRuns, type OutputCheck } from '../../src/core/transforms/compareRuns.js';
import { heldOutIndices } from '../../src/core/transforms/quantize/heldOut.js';
import { modeSpecs, resolveOptions, type QuantizeOptions } from '../../src/core/transforms/quantize/options.js';
import { quantizeTransform } from '../../src/core/transforms/quantize/quantizeTransform.js';
import { transformFile } from '../../src/core/transforms/transformFile.js';
import { probeJson, runChild } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { row, type Row } from '../lib/rows.js';
import { summarize } from '../lib/stats.js';
import { root, type BenchModel } from '../models.js';

const samples = 8;

const peerScript = [
  'import sys, os, glob, json, onnx',
  'from onnx import numpy_helper',
  'from onnxruntime.quantization import quantize_static, quantize_dynamic, QuantType, QuantFormat, CalibrationDataReader',
  'mode, src, dst, calib = sys.argv[1:5]',
  'def sets():',
  "    for d in sorted(glob.glob(os.path.join(calib, 'test_data_set_*'))):",
  "        tensors = [onnx.load_tensor(p) for p in sorted(glob.glob(os.path.join(d, 'input_*.pb')))]",
  '        yield {t.name: numpy_helper.to_array(t) for t in tensors}',
  'class Reader(CalibrationDataReader):',
  '    def __init__(self): self.it = iter(list(sets()))',
  '    def get_next(self): return next(self.it, None)',
  "if mode == 'static':",
  '    quantize_static(src, dst, Reader(), quant_format=QuantFormat.QDQ, per_channel=True, activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8)',
  'else:',
  '    quantize_dynamic(src, dst, weight_type=QuantType.QInt8, per_channel=True)',
  "print(json.dumps({'ok': True}))",
].join('\n');

/** Writes sets as test_data_set_N folders (input_K.pb named after the input), the layout both sides read. */
function writeSets(dir: string, sets: Array<Record<string, TensorArray>>): void {
  sets.forEach((set, s) => {
    const folder = join(dir, `test_data_set_${s}`);
    mkdirSync(folder, { recursive: true });
    Object.entries(set).forEach(([name, array], k) => writeFileSync(join(folder, `input_${k}.pb`), onnx.TensorProto.encode(arrayToTensor(name, array)).finish()));
  });
}

interface Measured {
  checks: OutputCheck[];
  decided: string;
  fileMB: number;
}

/** Both models on the held-out sets, judged by the static accuracy rule (our verification's measures). */
async function measure(client: RuntimeClient, source: ModelProto, sourcePath: string, candidate: string, sets: Array<Record<string, TensorArray>>, minCosine: number): Promise<Measured> {
  const run = async (path: string) => {
    const session = await client.open(path);
    try {
      const out = [];
      for (const set of sets) out.push((await session.run(set)).outputs);
      return out;
    } finally {
      await session.close().catch(() => undefined);
    }
  };
  const names = (source.graph?.output ?? []).map((o) => o.name ?? '');
  const checks = compareRuns(names, await run(sourcePath), await run(candidate), { rtol: 0, atol: 0 }, new Set(names.filter((n) => classHinted(source, n))));
  const decided = applyRule(checks, { minSnrDb: defaultSnrDb, maxRangeError: defaultRangeError, minCosine, minSpread }) ?? 'no float output';
  return { checks, decided, fileMB: statSync(candidate).size / 2 ** 20 };
}

/** The output with the lowest SNR: the one a verdict turns on. */
function worst(m: Measured): OutputCheck | undefined {
  return m.checks.filter((c) => c.snrDb !== undefined).sort((a, b) => (a.snrDb ?? 0) - (b.snrDb ?? 0))[0];
}

function figures(m: Measured): string {
  const c = worst(m);
  if (!c) return m.decided;
  const top1 = c.top1 !== undefined ? `, top-1 ${(c.top1 * 100).toFixed(1)}%` : '';
  return `${c.name}: max error ${((c.rangeError ?? NaN) * 100).toFixed(2)}% of range, cosine ${c.cosine.toFixed(4)}${top1}; ${m.decided}`;
}

const snrOf = (m: Measured) => summarize([worst(m)?.snrDb ?? NaN].map((x) => (x === Infinity ? 999 : x)));

/** The real-exporter fixtures (test/fixtures/exported), quantized as users' models are: `quantize-exported`. */
export const exportedQuantizeFixtures = [
  'cnn_torchscript', 'cnn_dynamo', 'transformer_torchscript', 'transformer_dynamo', 'lstm_torchscript',
  'silero_like_torchscript', 'silero_like_dynamo', 'cond_dynamo', 'detector_opset11_constants',
];

export interface AccuracyModel extends BenchModel {
  /** Inputs every generated set takes as they are (integer inputs of a fixture: token ids, a sample rate). */
  fixedInputs?: Record<string, TensorArray>;
}

/**
 * Each fixture with the dims of its first data set; its integer inputs are kept from that set (a random
 * sample rate would take neither branch the model was exported for), float inputs are generated.
 */
export function exportedQuantizeModels(): AccuracyModel[] {
  return exportedQuantizeFixtures.map((name) => {
    const dir = join(root, 'test', 'fixtures', 'exported', name);
    const path = join(dir, 'model.onnx');
    const source = onnx.ModelProto.decode(readFileSync(path));
    const inits = new Set((source.graph?.initializer ?? []).map((t) => t.name));
    const inputs = (source.graph?.input ?? []).filter((i) => !inits.has(i.name));
    const runDims: Record<string, number> = {};
    const fixedInputs: Record<string, TensorArray> = {};
    inputs.forEach((input, k) => {
      const tensor = onnx.TensorProto.decode(readFileSync(join(dir, 'test_data_set_0', `input_${k}.pb`)));
      const array = tensorToArray(tensor);
      (input.type?.tensorType?.shape?.dim ?? []).forEach((d, i) => {
        if (d.dimParam) runDims[d.dimParam] = array.dims[i];
      });
      if (!(array.data instanceof Float32Array)) fixedInputs[input.name ?? ''] = array;
    });
    return { name, path, origin: 'fixture', description: `exported by PyTorch (test fixture ${name})`, fileBytes: statSync(path).size, roles: ['quantize'], runDims, fixedInputs };
  });
}

export async function quantizeAccuracyFigures(ctx: BenchContext, model: AccuracyModel, python: string | null): Promise<Row[]> {
  const source = (await readModelFile(model.path)).model;
  const hasMatMul = (source.graph?.node ?? []).some((n) => n.opType === 'MatMul');
  const all = Array.from({ length: samples }, (_, seed) => ({ ...generateInputs(source, { dims: model.runDims, seed: 100 + seed }), ...model.fixedInputs }));
  const held = new Set(heldOutIndices(samples));
  const calibration = all.filter((_, i) => !held.has(i));
  const heldOut = all.filter((_, i) => held.has(i));
  const base = join(ctx.tmp, `${model.name}.accuracy`);
  const calibDir = join(base, 'calibration');
  const heldDir = join(base, 'held-out');
  writeSets(calibDir, calibration);
  writeSets(heldDir, heldOut);
  const modes: Array<{ label: string; options: Partial<QuantizeOptions> & { mode: QuantizeOptions['mode'] }; peer?: 'static' | 'dynamic' }> = [
    { label: 'static int8', options: { mode: 'static' }, peer: 'static' },
    { label: 'dynamic int8', options: { mode: 'dynamic' }, peer: 'dynamic' },
    ...(hasMatMul ? [{ label: 'weight-only int4', options: { mode: 'weight-only' as const, bits: 4 as const } }] : []),
  ];
  const rows: Row[] = [];
  const client = RuntimeClient.start({ timeoutMs: 600_000 });
  try {
    for (const m of modes) {
      const quantize = resolveOptions(m.options);
      const minCosine = modeSpecs[quantize.mode].minCosine(quantize);
      const out = join(base, `ours.${quantize.mode}.onnx`);
      let ours: Measured | { failed: string };
      try {
        await transformFile(quantizeTransform, {
          input: model.path, output: out, client, verify: false,
          options: { quantize, ...(modeSpecs[quantize.mode].calibrated ? { calibration: calibDir } : {}), latency: { warmup: 0, iterations: 0 } },
        });
        ours = await measure(client, source, model.path, out, heldOut, minCosine);
      } catch (error) {
        ours = { failed: error instanceof Error ? error.message.split('\n')[0] : String(error) };
      }
      let peer: Measured | { failed: string } | undefined;
      if (python && m.peer) {
        const peerOut = join(base, `ort.${m.peer}.onnx`);
        try {
          probeJson(await runChild(python, ['-c', peerScript, m.peer, model.path, peerOut, calibDir], { timeoutMs: 1_200_000 }), `onnxruntime quantize_${m.peer}`);
          peer = await measure(client, source, model.path, peerOut, heldOut, minCosine);
        } catch (error) {
          peer = { failed: error instanceof Error ? error.message.split('\n')[0] : String(error) };
        }
      }
      const peerName = m.peer ? `onnxruntime quantize_${m.peer} (Python, per channel)` : undefined;
      const withPeer = peerName && peer ? { peerName, peer: 'failed' in peer ? peer : snrOf(peer) } : {};
      const data = modeSpecs[quantize.mode].calibrated ? `calibrated on ${calibration.length} generated sets, measured on ${heldOut.length} held out` : `measured on ${heldOut.length} generated sets (the held-out ones)`;
      rows.push(row({
        figure: `quantize ${m.label}: accuracy (SNR of the worst output)`, model: model.name, unit: 'dB', better: 'higher',
        ours: 'failed' in ours ? ours : snrOf(ours),
        ...withPeer,
        note: `${data}${'failed' in ours ? '' : `; ours ${figures(ours)}`}${peer && !('failed' in peer) ? `; onnxruntime ${figures(peer)}` : ''}`,
      }));
      // The fixtures are a few KB: MB with two decimals would not tell the files apart.
      const [unit, per] = model.origin === 'fixture' ? ['KB', 1024] as const : ['MB', 1] as const;
      rows.push(row({
        figure: `quantize ${m.label}: file size`, model: model.name, unit, better: 'lower',
        ours: 'failed' in ours ? ours : summarize([ours.fileMB * per]),
        ...(peerName && peer ? { peerName, peer: 'failed' in peer ? peer : summarize([peer.fileMB * per]) } : {}),
        note: `the fp32 model is ${((statSync(model.path).size / 2 ** 20) * per).toFixed(1)} ${unit}`,
      }));
    }
  } finally {
    client.dispose();
  }
  return rows;
}
