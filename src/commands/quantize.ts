// `ONNX: Quantize Model`: a quick pick of the mode and the options that matter for it (remembered per
// workspace), then calibration/rewrite/verification under a cancellable progress notification; the result
// opens in the model editor and the report (accuracy, sizes, latency, scales) opens on request.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { formatCosine, formatRatio } from '../core/format.js';
import { formatReport } from '../core/transforms/report.js';
import { modeDescriptions, modes, outputSuffix, resolveOptions, type QuantizeMode, type QuantizeOptions } from '../core/transforms/quantize/options.js';
import { runQuantize, type QuantizeRun } from '../core/transforms/quantize/pipeline.js';
import { formatQuantizeDetails } from '../core/transforms/quantize/quantizeReport.js';
import { chooseOutputUri, MODEL_EDITOR, pickTargetUri, runWithProgress, showError } from './transformCommon.js';
import type { SharedRuntime } from '../services/sharedRuntime.js';
import type { HostServices } from '../services/hostServices.js';

const stateKey = 'onnxLens.quantize.last';

interface Remembered {
  mode?: QuantizeMode;
  options?: Partial<Record<QuantizeMode, Partial<QuantizeOptions>>>;
  calibration?: string;
}

interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

/** One quick pick; the remembered value comes first and is marked. Undefined when dismissed. */
async function pick<T>(title: string, choices: Array<Choice<T>>, remembered: T | undefined): Promise<T | undefined> {
  const items = choices.map((c) => (c.value === remembered ? { ...c, description: `${c.description ?? ''} (last used)`.trim() } : c));
  items.sort((a, b) => Number(b.value === remembered) - Number(a.value === remembered));
  const chosen = await vscode.window.showQuickPick(items, { title: `Quantize Model: ${title}`, ignoreFocusOut: true });
  return chosen?.value;
}

async function askOptions(state: vscode.Memento): Promise<{ options: QuantizeOptions; calibration?: string } | undefined> {
  const last = state.get<Remembered>(stateKey) ?? {};
  const mode = await pick('mode', modes.map((m) => ({ label: m, detail: modeDescriptions[m], value: m })), last.mode);
  if (!mode) return undefined;
  const prev: Partial<QuantizeOptions> = last.options?.[mode] ?? {};
  const chosen: Partial<QuantizeOptions> & { mode: QuantizeMode } = { mode };
  let calibration: string | undefined;
  const yes = (label: string, detail: string, value: boolean): Choice<boolean> => ({ label, detail, value });
  switch (mode) {
    case 'dynamic': {
      const format = await pick('format', [
        { label: 'integer', detail: 'DynamicQuantizeLinear + MatMulInteger/ConvInteger: integer kernels on any runtime', value: 'integer' as const },
        { label: 'qdq', detail: 'DynamicQuantizeLinear -> DequantizeLinear around the float op: onnxruntime fuses it', value: 'qdq' as const },
      ], prev.format === 'qdq' ? 'qdq' : 'integer');
      if (!format) return undefined;
      const perChannel = await pick('weight scales', [
        yes('per tensor', 'one scale per weight tensor (smallest file)', false),
        yes('per channel', 'one scale per output channel (more accurate)', true),
      ], prev.perChannel ?? false);
      if (perChannel === undefined) return undefined;
      Object.assign(chosen, { format, perChannel });
      break;
    }
    case 'static': {
      const source = await pick('calibration inputs', [
        { label: 'Generated inputs', detail: '16 random input sets from the declared input types', value: 'generated' },
        { label: 'Choose a folder...', detail: 'test_data_set_N folders, or .pb/.npy/.json input files', value: 'folder' },
        ...(last.calibration ? [{ label: basename(last.calibration), detail: last.calibration, value: last.calibration }] : []),
      ], last.calibration ?? 'generated');
      if (!source) return undefined;
      if (source === 'folder') {
        const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Calibrate with this folder', title: 'Calibration inputs' });
        if (!folder?.[0]) return undefined;
        calibration = folder[0].fsPath;
      } else if (source !== 'generated') calibration = source;
      const calibrator = await pick('calibrator', [
        { label: 'minmax', detail: 'the full observed range of each activation', value: 'minmax' as const },
        { label: 'percentile', detail: 'clips the outer 0.001% of values: tighter scales when there are outliers', value: 'percentile' as const },
      ], prev.calibrator ?? 'minmax');
      if (!calibrator) return undefined;
      const perChannel = await pick('weight scales', [
        yes('per channel', 'one scale per output channel (recommended)', true),
        yes('per tensor', 'one scale per weight tensor', false),
      ], prev.perChannel ?? true);
      if (perChannel === undefined) return undefined;
      Object.assign(chosen, { calibrator, perChannel });
      break;
    }
    case 'weight-only': {
      const bits = await pick('bits', [
        { label: '4-bit', detail: 'about 6-7x smaller MatMul weights', value: 4 as const },
        { label: '8-bit', detail: 'about 3.5x smaller, nearly lossless', value: 8 as const },
      ], prev.bits ?? 4);
      if (!bits) return undefined;
      const blockSize = await pick('block size along K', [32, 64, 128].map((b) => ({ label: String(b), detail: b === 32 ? 'most accurate' : b === 128 ? 'smallest' : 'balanced', value: b })), prev.blockSize ?? 32);
      if (!blockSize) return undefined;
      const symmetric = await pick('zero points', [
        yes('symmetric', 'scales only, zero point fixed', true),
        yes('asymmetric', 'a zero point per block: better for skewed weights', false),
      ], prev.symmetric ?? true);
      if (symmetric === undefined) return undefined;
      const format = await pick('format', [
        { label: 'qdq', detail: 'standard blocked DequantizeLinear feeding MatMul (opset 21)', value: 'qdq' as const },
        { label: 'matmulnbits', detail: 'com.microsoft MatMulNBits: onnxruntime computes on the packed weights', value: 'matmulnbits' as const },
      ], prev.format === 'matmulnbits' ? 'matmulnbits' : 'qdq');
      if (!format) return undefined;
      Object.assign(chosen, { bits, blockSize, symmetric, format });
      break;
    }
    case 'fp16': {
      const keepIoFp32 = await pick('inputs and outputs', [
        yes('keep float32 inputs and outputs', 'Cast nodes at the boundary: callers keep feeding float32', true),
        yes('float16 inputs and outputs', 'callers feed and receive float16', false),
      ], prev.keepIoFp32 ?? true);
      if (keepIoFp32 === undefined) return undefined;
      chosen.keepIoFp32 = keepIoFp32;
      break;
    }
  }
  if (mode !== 'fp16') {
    const exclude = await vscode.window.showInputBox({
      title: 'Quantize Model: nodes to leave in float (optional)',
      prompt: 'Node names or op types, separated by commas; empty to quantize everything that qualifies.',
      value: (prev.exclude ?? []).join(', '),
      ignoreFocusOut: true,
    });
    if (exclude === undefined) return undefined;
    chosen.exclude = exclude.split(',').map((e) => e.trim()).filter(Boolean);
  }
  const options = resolveOptions(chosen);
  await state.update(stateKey, {
    mode,
    options: { ...(last.options ?? {}), [mode]: chosen },
    calibration: calibration ?? last.calibration,
  } satisfies Remembered);
  return { options, calibration };
}

function summary(run: QuantizeRun): string {
  const d = run.report.details;
  const v = run.report.verification;
  if (v && !v.ran) return `weights ${formatRatio(d.weightRatio)} smaller; NOT VERIFIED: ${v.problem ?? 'onnxruntime could not run it'}.`;
  const cos = d.accuracy.filter((a) => Number.isFinite(a.cosine)).map((a) => a.cosine);
  const worst = cos.length ? Math.min(...cos) : NaN;
  const accuracy = Number.isFinite(worst) ? `cosine ${formatCosine(worst)} (budget ${d.budget.cosine})` : 'outputs compared';
  const latency = d.latencyBefore && d.latencyAfter ? `, latency ${formatRatio(d.latencyAfter.p50 / d.latencyBefore.p50)}` : '';
  return `weights ${formatRatio(d.weightRatio)} smaller, ${accuracy}${latency}${d.budget.pass ? '' : ' - BELOW THE ACCURACY BUDGET'}.`;
}

async function showResult(run: QuantizeRun, output: vscode.Uri, log: vscode.LogOutputChannel): Promise<void> {
  const { report } = run;
  log.info(formatReport(report) + formatQuantizeDetails(report.details));
  await vscode.commands.executeCommand('vscode.openWith', output, MODEL_EDITOR, { viewColumn: vscode.ViewColumn.Active });
  const show = 'Show Report';
  const message = `Quantize: ${basename(output.fsPath)} written, ${summary(run)}`;
  const answer = report.details.budget.pass ? await vscode.window.showInformationMessage(message, show) : await vscode.window.showWarningMessage(message, show);
  if (answer !== show) return;
  const content = formatReport(report, { markdown: true, listLimit: 200 }) + formatQuantizeDetails(report.details, { markdown: true });
  const document = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}

export async function quantizeModelCommand(arg: unknown, context: vscode.ExtensionContext, runtime: SharedRuntime, log: vscode.LogOutputChannel): Promise<void> {
  try {
    const source = await pickTargetUri(arg, 'Quantize Model');
    if (!source) return;
    const asked = await askOptions(context.workspaceState);
    if (!asked) return;
    const { options, calibration } = asked;
    const output = await chooseOutputUri(source, outputSuffix(options));
    if (!output) return;
    const config = vscode.workspace.getConfiguration('onnxLens');
    const latency = { warmup: config.get<number>('run.warmup', 3), iterations: config.get<number>('run.iterations', 20) };
    log.info(`Quantizing (${options.mode}): ${source.fsPath} -> ${output.fsPath}`);
    const run = await runWithProgress(`Quantizing ${basename(source.fsPath)} (${options.mode})`, output, ({ report, signal }) =>
      runQuantize({ input: source.fsPath, output: output.fsPath, overwrite: true, options, calibration, client: runtime.get(), latency, signal, onProgress: (message) => report(message) }));
    if (!run) return;
    await showResult(run, output, log);
  } catch (error) {
    showError(error, log, 'Quantize Model');
  }
}

export function registerQuantizeCommands({ context, log, runtime }: HostServices): vscode.Disposable {
  return vscode.Disposable.from(
    vscode.commands.registerCommand('onnxLens.quantizeModel', (arg?: unknown) => quantizeModelCommand(arg, context, runtime, log)),
  );
}
