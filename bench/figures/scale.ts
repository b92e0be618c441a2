// How cost grows with graph size: generated transformers from 1k to 200k nodes, each stage of opening one
// in the editor (decode + index, view model, layout, first paint) and the peak RSS, each sample and size a
// fresh process. A power law time ≈ c · nodes^k is fitted per stage (least squares on log-log) and drawn.
import type { Browser } from 'playwright-core';
import { probeJson, runChild } from '../lib/child.js';
import { kbToMB, type BenchContext } from '../lib/context.js';
import { powerFit } from '../lib/fit.js';
import { isSummary, row, Side, type Measured, type Row } from '../lib/rows.js';
import { summarize } from '../lib/stats.js';
import { logLogChart } from '../lib/svgChart.js';
import type { BenchModel } from '../models.js';
import { webviewFigures } from './webview.js';

/** Issue 21's goal: no stage grows faster than this power of the node count. */
export const maxExponent = 1.1;

interface Stage {
  key: string;
  name: string;
}

const stages: Stage[] = [
  { key: 'decode', name: 'decode + index' },
  { key: 'view', name: 'view model' },
  { key: 'layout', name: 'layout' },
  { key: 'paint', name: 'editor open-to-first-paint' },
];

export interface ScaleResult {
  rows: Row[];
  /** The curves as a log-log SVG chart. */
  svg: string;
}

export async function scaleFigures(ctx: BenchContext, models: BenchModel[], browser: Browser | undefined): Promise<ScaleResult> {
  const rows: Row[] = [];
  const curves = new Map<string, Array<{ x: number; y: number }>>(stages.map((s) => [s.key, []]));
  for (const model of models) {
    ctx.log(`scale ${model.name}`);
    const side = new Side();
    let nodes = 0;
    for (let i = 0; i < ctx.samples; i++) {
      await side.sample(async () => {
        const p = probeJson<{ decodeMs: number; viewMs: number; layoutMs: number; rssKB: number; nodes: number }>(
          await runChild(process.execPath, [ctx.probes.scale, model.path], { timeoutMs: 600_000 }), 'scale probe');
        nodes = p.nodes;
        return { decode: p.decodeMs, view: p.viewMs, layout: p.layoutMs, rss: kbToMB(p.rssKB) };
      });
    }
    const measured: Record<string, Measured> = { decode: side.measured('decode'), view: side.measured('view'), layout: side.measured('layout') };
    if (browser) {
      const paint = (await webviewFigures(ctx, model, browser, { frameRates: false })).find((r) => r.figure === 'editor open-to-first-paint');
      if (paint) measured.paint = paint.ours;
    }
    const label = `${model.name} (${nodes.toLocaleString('en')} nodes)`;
    for (const stage of stages) {
      const m = measured[stage.key];
      if (!m) continue;
      rows.push(row({ figure: `scale: ${stage.name} time`, model: label, unit: 'ms', better: 'lower', ours: m }));
      if (isSummary(m) && nodes > 0) curves.get(stage.key)!.push({ x: nodes, y: m.median });
    }
    rows.push(row({ figure: 'scale: peak RSS', model: label, unit: 'MB', better: 'lower', ours: side.measured('rss'), note: 'all host stages in one process' }));
  }
  for (const stage of stages) {
    const points = curves.get(stage.key)!;
    const fit = powerFit(points);
    if (!fit) continue;
    // The slope between the two largest sizes: fixed costs pull the whole fit down, the tail shows the growth.
    const [a, b] = [...points].sort((p, q) => p.x - q.x).slice(-2);
    const tail = Math.log(b.y / a.y) / Math.log(b.x / a.x);
    const span = `${points.length} sizes, ${Math.min(...points.map((p) => p.x)).toLocaleString('en')}–${Math.max(...points.map((p) => p.x)).toLocaleString('en')} nodes`;
    ctx.log(`scale: ${stage.name} time ∝ nodes^${fit.k.toFixed(2)} (r² ${fit.r2.toFixed(3)}): goal k ≤ ${maxExponent} ${fit.k <= maxExponent ? 'met' : 'NOT met'}`);
    rows.push(row({
      figure: 'scale: fitted exponent, time ∝ nodes^k', model: stage.name, unit: 'exponent', better: 'lower', ours: summarize([fit.k]),
      target: { text: `k ≤ ${maxExponent}`, met: fit.k <= maxExponent },
      note: `least squares on log-log over the medians of ${span}; r² ${fit.r2.toFixed(3)}; between the two largest sizes k = ${tail.toFixed(2)}`,
    }));
  }
  const svg = logLogChart({
    title: 'Time per stage against graph size (log-log)',
    xLabel: 'nodes',
    yLabel: 'median time (ms)',
    linearGuide: true,
    series: stages.filter((s) => curves.get(s.key)!.length > 0).map((s) => {
      const fit = powerFit(curves.get(s.key)!);
      return { name: fit ? `${s.name} (k = ${fit.k.toFixed(2)})` : s.name, points: curves.get(s.key)! };
    }),
  });
  return { rows, svg };
}
