// Quantization throughput: fp32 weight megabytes quantized per second, in memory, for dynamic int8 and
// weight-only int4 (block 32). No peer runs here: onnxruntime's quantizer is Python-only and not packaged
// for this machine's Python.
import { probeJson, runChild } from '../lib/child.js';
import type { BenchContext } from '../lib/context.js';
import { row, Side, type Row } from '../lib/rows.js';
import type { BenchModel } from '../models.js';

const modes: Array<{ label: string; mode: string; bits?: string }> = [
  { label: 'dynamic int8', mode: 'dynamic' },
  { label: 'weight-only int4', mode: 'weight-only', bits: '4' },
];

export async function quantizeFigures(ctx: BenchContext, model: BenchModel): Promise<Row[]> {
  const rows: Row[] = [];
  for (const m of modes) {
    const ours = new Side();
    let weightMB = 0;
    for (let i = 0; i < ctx.samples; i++) {
      await ours.sample(async () => {
        const p = probeJson<{ mbPerSecond: number; weightMB: number }>(
          await runChild(process.execPath, [ctx.probes.quantize, model.path, m.mode, ...(m.bits ? [m.bits] : [])], { timeoutMs: 600_000 }), `quantize ${m.mode}`);
        weightMB = p.weightMB;
        return { mbps: p.mbPerSecond };
      });
    }
    // A mode that finds nothing to quantize in this model (weight-only on a Gemm/Conv model) does not apply.
    if (ours.failure?.includes('nothing to quantize')) continue;
    rows.push(row({ figure: `quantize ${m.label}: throughput`, model: model.name, unit: 'MB/s', better: 'higher', ours: ours.measured('mbps'), note: `${weightMB.toFixed(1)} MB of fp32 weights quantized; no peer available here` }));
  }
  return rows;
}
