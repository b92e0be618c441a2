// `npm run bench`: every figure users feel, ours beside the peer's, in one run.
// Env knobs: BENCH_QUICK=1 (smaller models, fewer samples), BENCH_SAMPLES=N, BENCH_ONLY=decode,info,opset,...
// (figure groups), BENCH_LAYERS / BENCH_EXTERNAL_MB (model sizes), ONNX_LENS_BENCH_MODELS=folder of .onnx,
// BENCH_SCREENSHOTS=folder (the editor's first paint of each model, as PNG).
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { onnxPython } from '../test/helpers/python.js';
import { decodeFigures } from './figures/decode.js';
import { diffFigures } from './figures/diff.js';
import { externalFigures } from './figures/external.js';
import { foldFigures } from './figures/fold.js';
import { infoFigures } from './figures/info.js';
import { layoutFigures } from './figures/layout.js';
import { opsetFigures } from './figures/opset.js';
import { quantizeFigures, quantizePeerPython } from './figures/quantize.js';
import { exportedQuantizeModels, quantizeAccuracyFigures } from './figures/quantizeAccuracy.js';
import { launchBrowser, webviewFigures } from './figures/webview.js';
import { runtimeFigures } from './figures/runtime.js';
import { serveFigures } from './figures/serve.js';
import { scaleFigures } from './figures/scale.js';
import { optimizerModels, simplifyFigures } from './figures/simplify.js';
import { shapeFigures, shapeSets } from './figures/shapes.js';
import type { BenchContext } from './lib/context.js';
import { describeMachine, machineText } from './lib/machine.js';
import { jsonText, markdownTable, targetLines } from './lib/report.js';
import type { Row } from './lib/rows.js';
import { exportedLayoutModels, modelDir, modelSizes, prepareExternalModel, prepareModels, prepareScaleModels, root, type BenchModel, type Role } from './models.js';

type Group = 'decode' | 'info' | 'external' | 'layout' | 'webview' | 'scale' | 'run' | 'fold' | 'simplify' | 'quantize' | 'quantize-exported' | 'shapes' | 'opset' | 'diff' | 'serve';

/** What the run cannot compare, and why: listed in the results so that nothing is silently missing. */
const notMeasured: Array<{ figure: string; reason: string }> = [
  { figure: 'Editor first paint and frame rate', reason: 'no peer, as no other ONNX graph viewer is set up here to open a model headless and report its paint and frame times' },
];

function log(line: string): void {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
}

/** Bundled into the run's scratch folder (outside the sources, so that lint never sees them). */
async function buildProbes(tmp: string): Promise<BenchContext['probes']> {
  const outdir = join(tmp, 'probes');
  const names = ['decode', 'layout', 'ortBare', 'rssOnExit', 'fold', 'simplify', 'quantize', 'viewModel', 'shapes', 'opset', 'diff', 'scale', 'ipcEcho', 'httpFloor'] as const;
  await esbuild.build({
    // The quantize probe's worker threads load their kernels from beside it, as the CLI's do; the view
    // model probe's view worker too, as the extension's does.
    entryPoints: {
      ...Object.fromEntries(names.map((n) => [n, join(root, 'bench', 'probes', `${n}.ts`)])),
      'quantize-worker': join(root, 'src', 'core', 'transforms', 'quantize', 'kernelWorker.ts'),
      'view-worker': join(root, 'src', 'core', 'graph', 'viewWorker.ts'),
    },
    outdir,
    outExtension: { '.js': '.cjs' },
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    // A native addon: resolved at run time through NODE_PATH (set by runChild).
    external: ['onnxruntime-node'],
    logLevel: 'warning',
  });
  return Object.fromEntries(names.map((n) => [n, join(outdir, `${n}.cjs`)])) as BenchContext['probes'];
}

function withRole(models: BenchModel[], role: Role): BenchModel[] {
  return models.filter((m) => m.roles.includes(role));
}

async function main(): Promise<void> {
  const sizes = modelSizes(process.env);
  const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim()).filter(Boolean) as Group[] | undefined;
  const wanted = (g: Group) => !only?.length || only.includes(g);
  const cli = join(root, 'dist', 'cli.cjs');
  const worker = join(root, 'dist', 'runtime-worker.cjs');
  if (!existsSync(cli) || !existsSync(worker)) throw new Error('dist/ is not built: run `npm run build` first (npm run bench does).');
  // Measure the onnxruntime child process users run (the bundle), not the TypeScript sources through tsx.
  process.env.ONNX_LENS_RUNTIME_WORKER ??= worker;
  const python = onnxPython();
  const tmp = mkdtempSync(join(tmpdir(), 'onnx-lens-bench-'));
  const ctx: BenchContext = {
    samples: Number(process.env.BENCH_SAMPLES) || (sizes.quick ? 3 : 5),
    quick: sizes.quick,
    python,
    probes: await buildProbes(tmp),
    cli,
    tmp,
    log,
  };
  const machine = describeMachine({
    pythonOnnx: execFileSync(python, ['-c', 'import onnx; print(onnx.__version__)'], { encoding: 'utf8' }).trim(),
    onnxruntime: (JSON.parse(readFileSync(join(root, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8')) as { version: string }).version,
  });
  log(`${machineText(machine)}; ${ctx.samples} samples per figure${sizes.quick ? ' (quick)' : ''}`);
  const started = performance.now();
  const loadAtStart = loadavg()[0];
  const rows: Row[] = [];
  const models = prepareModels(sizes, log);
  let scaleChart: string | undefined;
  try {
    if (wanted('decode')) {
      for (const m of withRole(models, 'decode')) {
        log(`open (decode + index) ${m.name}`);
        rows.push(...await decodeFigures(ctx, m));
      }
    }
    if (wanted('diff')) {
      for (const m of withRole(models, 'diff')) {
        log(`diff ${m.name}`);
        rows.push(...await diffFigures(ctx, m));
      }
    }
    if (wanted('info')) {
      for (const m of withRole(models, 'info')) {
        log(`onnx-lens info ${m.name}`);
        rows.push(...await infoFigures(ctx, m, m.name === 'transformer-88mb' ? 1.5 : undefined));
      }
    }
    if (wanted('external')) {
      const external = prepareExternalModel(sizes, join(tmp, 'external'), log);
      models.push(external);
      log(`open ${external.name}`);
      rows.push(...await externalFigures(ctx, external));
      rmSync(join(tmp, 'external'), { recursive: true, force: true });
    }
    if (wanted('layout')) {
      const exported = exportedLayoutModels();
      for (const m of [...withRole(models, 'layout'), ...exported]) {
        log(`layout ${m.name}`);
        rows.push(...await layoutFigures(ctx, m));
      }
      models.push(...exported);
    }
    if (wanted('webview')) {
      const browser = await launchBrowser().catch((error: unknown) => {
        const reason = `Chromium did not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
        log(reason);
        notMeasured.push({ figure: 'Editor first paint and frame rate', reason });
      });
      if (browser) {
        try {
          for (const m of withRole(models, 'webview')) {
            log(`editor view ${m.name}`);
            rows.push(...await webviewFigures(ctx, m, browser));
          }
        } finally {
          await browser.close();
        }
      }
    }
    if (wanted('scale')) {
      const scaleModels = prepareScaleModels(sizes, log);
      const browser = await launchBrowser().catch((error: unknown) => {
        const reason = `Chromium did not start: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`;
        log(reason);
        notMeasured.push({ figure: 'Scale curve: first paint', reason });
      });
      try {
        const scale = await scaleFigures(ctx, scaleModels, browser ?? undefined);
        rows.push(...scale.rows);
        scaleChart = scale.svg;
      } finally {
        await browser?.close();
      }
    }
    if (wanted('run')) {
      for (const m of withRole(models, 'run')) {
        log(`test run ${m.name}`);
        rows.push(...await runtimeFigures(ctx, m));
      }
    }
    if (wanted('serve')) {
      for (const m of withRole(models, 'serve')) {
        log(`serve ${m.name}`);
        rows.push(...await serveFigures(ctx, m));
      }
    }
    if (wanted('fold')) {
      for (const m of optimizerModels(models)) {
        log(`fold ${m.name}`);
        rows.push(...await foldFigures(ctx, m));
      }
    }
    if (wanted('simplify')) {
      for (const m of optimizerModels(models)) {
        log(`simplify ${m.name}`);
        rows.push(...await simplifyFigures(ctx, m));
      }
    }
    if (wanted('shapes')) {
      for (const set of shapeSets(ctx, withRole(models, 'decode'))) {
        log(`shape inference ${set.name}`);
        rows.push(...await shapeFigures(ctx, set));
      }
    }
    if (wanted('quantize')) {
      if (!quantizePeerPython()) {
        notMeasured.push({ figure: 'Quantize throughput', reason: "no peer, as no Python with onnxruntime's quantizer was found (BENCH_ORT_PYTHON or bench/.models/ort-venv); onnxruntime.quantization is Python-only and not packaged by Debian" });
      }
      for (const m of withRole(models, 'quantize')) {
        log(`quantize ${m.name}`);
        rows.push(...await quantizeFigures(ctx, m));
      }
    }
    if (wanted('quantize-exported')) {
      for (const m of exportedQuantizeModels()) {
        log(`quantize accuracy ${m.name}`);
        rows.push(...await quantizeAccuracyFigures(ctx, m, quantizePeerPython()));
      }
    }
    if (wanted('opset')) {
      log('opset conversion over libonnx-testdata');
      rows.push(...await opsetFigures(ctx));
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  const seconds = (performance.now() - started) / 1000;
  const targets = targetLines(rows);
  const table = markdownTable(rows) + (targets.length ? `\n\nTargets:\n${targets.join('\n')}` : '');
  process.stdout.write(`\n${table}\n\nMachine: ${machineText(machine)}. ${ctx.samples} samples per figure, ${seconds.toFixed(0)} s in all.\n`);
  const results = {
    date: new Date().toISOString(),
    quick: sizes.quick,
    partial: Boolean(only?.length),
    samples: ctx.samples,
    seconds,
    machine,
    machineText: machineText(machine),
    // Other work on the machine skews timings: the 1-minute load average when the run began and ended.
    loadAverage: { start: loadAtStart, end: loadavg()[0] },
    models: models.map((m) => ({ name: m.name, description: m.description, origin: m.origin, fileBytes: m.fileBytes, externalBytes: m.externalBytes })),
    rows,
    notMeasured,
  };
  // Quick and partial runs are for development: they do not replace the committed results.
  const outDir = sizes.quick || only?.length ? modelDir : join(root, 'bench', 'results');
  const base = sizes.quick || only?.length ? 'results-dev' : 'latest';
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, `${base}.json`), jsonText(results));
  // The scale curve, drawn next to the table it comes from.
  if (scaleChart) writeFileSync(join(outDir, base === 'latest' ? 'scale.svg' : 'scale-dev.svg'), scaleChart);
  writeFileSync(join(outDir, `${base}.md`), `${table}\n\nMachine: ${machineText(machine)}. ${ctx.samples} samples per figure (fresh process each), ${seconds.toFixed(0)} s in all, ${results.date.slice(0, 10)}; load average ${results.loadAverage.start.toFixed(1)} at the start, ${results.loadAverage.end.toFixed(1)} at the end.\n`);
  if (outDir !== modelDir) updateReadme(results.date, machineText(machine), ctx.samples, seconds, results.loadAverage, table);
  log(`results in ${join(outDir, base)}.json and .md`);
}

/** Rewrites the "last run" block of bench/README.md (between its markers) from a full run. */
function updateReadme(date: string, machine: string, samples: number, seconds: number, load: { start: number; end: number }, table: string): void {
  const path = join(root, 'bench', 'README.md');
  const text = readFileSync(path, 'utf8');
  const start = '<!-- bench:results:start -->';
  const end = '<!-- bench:results:end -->';
  const from = text.indexOf(start);
  const to = text.indexOf(end);
  if (from < 0 || to < from) return;
  const block = [
    start,
    `### Last run (${date.slice(0, 10)})`,
    `${machine}. ${samples} samples per figure, ${Math.round(seconds / 60)} minutes in all; load average ${load.start.toFixed(1)} at the start and ${load.end.toFixed(1)} at the end (other work on the machine widens min–max).`,
    '',
    table,
    '',
    'Not compared:',
    ...notMeasured.map((n) => `- ${n.figure}: ${n.reason}.`),
    end,
  ].join('\n');
  writeFileSync(path, text.slice(0, from) + block + text.slice(to + end.length));
}

main().catch((error: unknown) => {
  console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
