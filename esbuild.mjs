// Builds the extension host bundle, the CLI, the onnxruntime child process and the webview scripts.
// `node esbuild.mjs --watch` rebuilds on change; `--production` minifies.
import * as esbuild from 'esbuild';
import { execFileSync } from 'node:child_process';

const watch = process.argv.includes('--watch');
const production = process.argv.includes('--production');

execFileSync(process.execPath, ['scripts/build-proto.mjs'], { stdio: 'inherit' });

const common = {
  bundle: true,
  sourcemap: true,
  minify: production,
  logLevel: 'info',
  legalComments: 'none',
};

const node = {
  ...common,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  // onnxruntime-node is a native addon and cannot be bundled; vscode is provided by the host.
  external: ['vscode', 'onnxruntime-node'],
};

const builds = [
  { ...node, entryPoints: { extension: 'src/extension.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } },
  {
    ...node,
    entryPoints: { cli: 'src/cli.ts' },
    outdir: 'dist',
    outExtension: { '.js': '.cjs' },
    banner: { js: '#!/usr/bin/env node' },
  },
  // onnxruntime runs only in this child process (src/core/runtime/client.ts forks it).
  { ...node, entryPoints: { 'runtime-worker': 'src/core/runtime/worker.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } },
  // An instance of `onnx-lens serve`: answers HTTP connections with its own onnxruntime session (src/core/serve/instancePool.ts forks it).
  { ...node, entryPoints: { 'serve-instance': 'src/core/serve/instanceChild.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } },
  // The model checker in a worker thread of the extension host (src/core/check/checkInWorker.ts).
  { ...node, entryPoints: { 'check-worker': 'src/core/check/checkWorker.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } },
  // The model diff in a worker thread of the extension host (src/core/diff/diffInWorker.ts).
  { ...node, entryPoints: { 'diff-worker': 'src/core/diff/diffWorker.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } },
  // The editor's opening of a model (decode, shapes, view model) in a worker thread (src/core/graph/viewInWorker.ts).
  { ...node, entryPoints: { 'view-worker': 'src/core/graph/viewWorker.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } },
  // Quantization kernels on worker threads (src/core/transforms/quantize/kernelPool.ts).
  { ...node, entryPoints: { 'quantize-worker': 'src/core/transforms/quantize/kernelWorker.ts' }, outdir: 'dist', outExtension: { '.js': '.cjs' } },
  // The test run results view (a webview panel of its own).
  { ...common, platform: 'browser', format: 'iife', target: 'chrome120', entryPoints: { 'runtime-view': 'webview/results/main.ts' }, outdir: 'dist' },
  // The Try Request panel of the served model.
  { ...common, platform: 'browser', format: 'iife', target: 'chrome120', entryPoints: { 'serve-try-view': 'webview/serveTry/main.ts' }, outdir: 'dist' },
  {
    ...common,
    platform: 'browser',
    format: 'iife',
    target: 'chrome120',
    entryPoints: { webview: 'webview/main.ts' },
    outdir: 'dist',
    loader: { '.ttf': 'file' },
  },
  // The graph layout Web Worker, and the graph canvas alone (window.OnnxLensGraph.mountGraphView) for pages outside VS Code.
  { ...common, platform: 'browser', format: 'iife', target: 'chrome120', entryPoints: { 'layout-worker': 'webview/layoutWorker.ts' }, outdir: 'dist' },
  { ...common, platform: 'browser', format: 'iife', target: 'chrome120', globalName: 'OnnxLensGraph', entryPoints: { 'graph-view': 'webview/graphView.ts' }, outdir: 'dist' },
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
