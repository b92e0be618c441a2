// ONNX: Test Run Model and ONNX: Compare with Another Model. onnxruntime runs in the extension's shared
// child process; this module asks for inputs, shows progress with cancel, enforces the time limit and
// shows the results view, and records runtime values for the graph and text views.
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { oneLine, UserError } from '../core/errors.js';
import { readModelFile } from '../core/model/decode.js';
import { dataTypeName } from '../core/model/dataTypes.js';
import type { ModelProto } from '../core/model/proto.js';
import { upgradeForRuntime, upgradeText } from '../core/opset/runtimeUpgrade.js';
import { captureRuntimeValues, type CaptureResult } from '../core/runtime/capture.js';
import { RunCancelledError, type InfoResult } from '../core/runtime/client.js';
import {
  formatDimAssignments, freeDims, generateInputs, parseDimAssignments, type Distribution,
} from '../core/runtime/inputs.js';
import type { GraphOptimizationLevel, SessionSettings } from '../core/runtime/settings.js';
import { summarizeArray } from '../core/runtime/summaries.js';
import { loadInputSources, missingInputs, testDataSetDirs, type TestDataSet } from '../core/runtime/testData.js';
import { testRun, type TestRunReport } from '../core/runtime/testRun.js';
import type { EditorRegistry } from '../editor/editorRegistry.js';
import type { ResultsData } from '../protocol.js';
import type { HostServices } from '../services/hostServices.js';
import type { RuntimeNodeTime, RuntimeValue } from '../services/runtimeRecords.js';
import { TestRunPanels } from './testRunPanel.js';

/** What the user chose for a model's inputs, remembered per model in workspaceState. */
interface InputChoice {
  source: 'generated' | 'testData' | 'folder' | 'files';
  distribution?: Distribution;
  paths?: string[];
  dims?: Record<string, number>;
}

interface RunSettings {
  iterations: number;
  warmup: number;
  timeoutSeconds: number;
  session: SessionSettings;
  tolerance: { rtol: number; atol: number };
  capture: boolean;
  distribution: Distribution;
}

const seed = 0;
const choiceKey = (uri: vscode.Uri) => `onnxLens.run.inputs:${uri.toString()}`;

function readSettings(): RunSettings {
  const c = vscode.workspace.getConfiguration('onnxLens.run');
  const provider = c.get<string>('executionProvider', 'cpu').trim() || 'cpu';
  return {
    iterations: Math.max(0, Math.floor(c.get<number>('iterations', 20))),
    warmup: Math.max(0, Math.floor(c.get<number>('warmup', 3))),
    timeoutSeconds: Math.max(1, c.get<number>('timeoutSeconds', 300)),
    session: {
      intraOpThreads: Math.max(0, Math.floor(c.get<number>('intraOpThreads', 0))),
      graphOptimizationLevel: c.get<GraphOptimizationLevel>('graphOptimizationLevel', 'all'),
      // CPU stays as the fallback for nodes another provider cannot take.
      executionProviders: provider === 'cpu' ? ['cpu'] : [provider, 'cpu'],
    },
    tolerance: { rtol: c.get<number>('rtol', 1e-3), atol: c.get<number>('atol', 1e-4) },
    capture: c.get<boolean>('captureIntermediates', false),
    distribution: c.get<Distribution>('inputDistribution', 'normal'),
  };
}

class Runner implements vscode.Disposable {
  private info?: InfoResult;
  private readonly context: vscode.ExtensionContext;
  private readonly log: vscode.LogOutputChannel;
  private readonly panels: TestRunPanels;

  constructor(private readonly services: HostServices) {
    this.context = services.context;
    this.log = services.log;
    this.panels = new TestRunPanels(services.context.extensionUri);
  }

  dispose(): void {
    this.panels.dispose();
  }

  async testRun(arg?: unknown, compare = false, forceCapture = false, reuse?: { choice: InputChoice; other?: vscode.Uri }): Promise<void> {
    try {
      if (!vscode.workspace.isTrusted) throw new UserError('Running models needs a trusted workspace.');
      const uri = targetUri(arg, this.services.editors);
      if (!uri) return;
      const { model } = await readModelFile(uri.fsPath);
      let other = reuse?.other;
      if (compare && !other) {
        other = await pickOtherModel(uri);
        if (!other) return;
      }
      const choice = reuse?.choice ?? (await this.pickInputs(uri, model));
      if (!choice) return;
      await this.run(uri, model, choice, other, forceCapture);
    } catch (error) {
      this.report(error);
    }
  }

  async compare(arg: unknown, selection: unknown): Promise<void> {
    const selected = Array.isArray(selection) ? selection.filter((u): u is vscode.Uri => u instanceof vscode.Uri && u.fsPath.endsWith('.onnx')) : [];
    if (selected.length !== 2) return this.testRun(arg, true);
    const [a, b] = selected;
    try {
      const { model } = await readModelFile(a.fsPath);
      const choice = await this.pickInputs(a, model);
      if (choice) await this.testRun(a, true, false, { choice, other: b });
    } catch (error) {
      this.report(error);
    }
  }

  private async run(uri: vscode.Uri, model: ModelProto, choice: InputChoice, other: vscode.Uri | undefined, forceCapture: boolean): Promise<void> {
    const settings = readSettings();
    const capture = settings.capture || forceCapture;
    const { dataSets, inputsText } = this.loadInputs(uri, model, choice, settings);
    for (const set of dataSets) {
      const missing = missingInputs(set.inputs, model);
      if (missing) throw new UserError(`${set.name}: ${missing}`);
    }
    const modelName = basename(uri.fsPath);
    const title = other ? `Compare: ${modelName} vs ${basename(other.fsPath)}` : `Test Run: ${modelName}`;
    const panel = this.panels.forModel(uri, title, {
      rerun: (withCapture) => void this.testRun(uri, false, withCapture, { choice, other }),
      revealNode: (name) => void this.services.editors.revealNode(uri, name).then((found) => {
        if (!found) void vscode.window.showInformationMessage(`Node '${name}' is not in the graph view.`);
      }),
    });
    const controller = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      controller.abort();
    }, settings.timeoutSeconds * 1000);
    const started = Date.now();
    try {
      await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
        token.onCancellationRequested(() => controller.abort());
        const step = (message: string) => {
          progress.report({ message });
          panel.showRunning(message);
        };
        // The shared child's time limit follows the same setting (it is restarted when that changes).
        const client = this.services.runtime.get();
        this.info ??= await client.info(controller.signal);
        const report = await testRun(client, uri.fsPath, {
          dataSets, decoded: model, compareWith: other?.fsPath, compareDecoded: other ? (await readModelFile(other.fsPath)).model : undefined, settings: settings.session, tolerance: settings.tolerance,
          warmup: settings.warmup, iterations: settings.iterations, signal: controller.signal, onProgress: step,
        });
        let captured: CaptureResult | undefined;
        if (capture) {
          step('Capturing intermediate tensors and profiling nodes');
          // The model onnxruntime ran: an opset below 7 upgraded in memory, as the test run did.
          captured = await captureRuntimeValues(client, upgradeForRuntime(model).model, dataSets[0].inputs, { modelPath: uri.fsPath, settings: settings.session, signal: controller.signal });
          for (const s of captured.skipped) this.log.info(`Tensor capture of ${modelName}: '${s.name}' skipped: ${s.reason}`);
        }
        this.record(uri, dataSets[0], report, captured);
        panel.show(this.resultsData(modelName, other, inputsText, dataSets[0], report, settings, captured));
        this.log.info(`Test run of ${modelName}${other ? ` against ${basename(other.fsPath)}` : ''}${report.upgraded ? ` (${upgradeText(report.upgraded)})` : ''}: ${verdict(report)} in ${Date.now() - started} ms (${inputsText}).`);
      });
    } catch (error) {
      if (error instanceof RunCancelledError) {
        if (timedOut) {
          throw new UserError(`The test run took longer than ${settings.timeoutSeconds} seconds and was stopped (setting onnxLens.run.timeoutSeconds).`);
        }
        panel.showRunning('Cancelled.');
        this.log.info(`Test run of ${modelName} cancelled.`);
        return;
      }
      panel.showRunning(`Failed: ${oneLine(error)}`);
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  private loadInputs(uri: vscode.Uri, model: ModelProto, choice: InputChoice, settings: RunSettings): { dataSets: TestDataSet[]; inputsText: string } {
    if (choice.source === 'generated') {
      const distribution = choice.distribution ?? settings.distribution;
      const dims = choice.dims ?? {};
      const dimsText = formatDimAssignments(dims);
      return {
        dataSets: [{ name: 'generated', inputs: generateInputs(model, { distribution, dims, seed }) }],
        inputsText: `generated, ${distribution}, seed ${seed}${dimsText ? `, ${dimsText}` : ''}`,
      };
    }
    const paths = choice.source === 'testData' ? [dirname(uri.fsPath)] : choice.paths ?? [];
    for (const p of paths) if (!existsSync(p)) throw new UserError(`${p} no longer exists: choose the inputs again.`);
    const dataSets = loadInputSources(paths, model);
    return { dataSets, inputsText: `${dataSets.map((d) => d.name).join(', ')} (${paths.map((p) => vscode.workspace.asRelativePath(p)).join(', ')})` };
  }

  private async pickInputs(uri: vscode.Uri, model: ModelProto): Promise<InputChoice | undefined> {
    const settings = readSettings();
    const last = this.context.workspaceState.get<InputChoice>(choiceKey(uri));
    const hasTestData = testDataSetDirs(dirname(uri.fsPath)).length;
    type Item = vscode.QuickPickItem & { choice: Omit<InputChoice, 'dims' | 'paths'> };
    const distributions: Array<[Distribution, string]> = [
      ['normal', 'Random normal (mean 0, std 1)'], ['uniform', 'Random uniform in [0, 1)'], ['zeros', 'All zeros'], ['ones', 'All ones'],
    ];
    const items: Item[] = [];
    if (hasTestData) items.push({ label: '$(beaker) Test data beside the model', description: `${hasTestData} test_data_set folder${hasTestData > 1 ? 's' : ''}, compared with their expected outputs`, choice: { source: 'testData' } });
    for (const [distribution, label] of distributions) {
      items.push({ label: `$(symbol-numeric) Generated: ${label}`, description: distribution === settings.distribution ? 'setting' : undefined, detail: distribution === 'normal' ? 'Integers 0-9 (8-bit types: full range), bools random; seeded, so runs repeat' : undefined, choice: { source: 'generated', distribution } });
    }
    items.push({ label: '$(folder) From a test_data_set folder…', description: 'input_K.pb and expected output_K.pb', choice: { source: 'folder' } });
    items.push({ label: '$(file) From files…', description: '.pb (TensorProto), .npy or .json', choice: { source: 'files' } });
    if (last) {
      const index = items.findIndex((i) => i.choice.source === last.source && (i.choice.distribution ?? '') === (last.distribution ?? ''));
      if (index > 0) items.unshift(...items.splice(index, 1));
      if (index >= 0) items[0].description = [items[0].description, 'last used'].filter(Boolean).join(' · ');
    }
    const picked = await vscode.window.showQuickPick(items, { title: `Test Run: inputs for ${basename(uri.fsPath)}`, placeHolder: 'Where do the inputs come from?', ignoreFocusOut: true });
    if (!picked) return undefined;
    let choice: InputChoice = { ...picked.choice };
    if (choice.source === 'generated') {
      const dims = await askDims(model, last?.dims);
      if (!dims) return undefined;
      choice.dims = dims;
    } else if (choice.source === 'folder' || choice.source === 'files') {
      const folder = choice.source === 'folder';
      const selected = await vscode.window.showOpenDialog({
        canSelectFiles: !folder, canSelectFolders: folder, canSelectMany: !folder,
        defaultUri: vscode.Uri.file(last?.paths?.[0] ? dirname(last.paths[0]) : dirname(uri.fsPath)),
        openLabel: 'Use as Inputs',
        title: folder ? 'A test_data_set folder (or a folder holding several)' : 'Input files, named after the inputs or in input order',
        ...(folder ? {} : { filters: { 'Tensors': ['pb', 'npy', 'json'] } }),
      });
      if (!selected?.length) return undefined;
      choice = { ...choice, paths: selected.map((u) => u.fsPath) };
    }
    await this.context.workspaceState.update(choiceKey(uri), { ...last, ...choice });
    return choice;
  }

  private record(uri: vscode.Uri, set: TestDataSet, report: TestRunReport, captured: CaptureResult | undefined): void {
    const values = new Map<string, RuntimeValue>();
    for (const [name, array] of Object.entries(set.inputs)) values.set(name, summarizeArray(array));
    for (const o of report.dataSets[0]?.outputs ?? []) if (o.comparison?.problem !== 'missing from the outputs') values.set(o.name, { dtype: o.dtype, shape: o.shape, stats: o.stats });
    const nodeTimes = new Map<string, RuntimeNodeTime>();
    if (captured) {
      for (const [name, v] of Object.entries(captured.values)) values.set(name, v);
      for (const t of captured.nodeTimes) nodeTimes.set(t.name, { opType: t.opType, msPerRun: t.totalMs / captured.profileRuns });
    }
    this.services.runtimeRecords.set(uri, { values, nodeTimes, intermediates: captured !== undefined, capturedAt: new Date() });
  }

  private resultsData(modelName: string, other: vscode.Uri | undefined, inputsText: string, set: TestDataSet, report: TestRunReport, settings: RunSettings, captured?: CaptureResult): ResultsData {
    let capture: ResultsData['capture'];
    if (captured) {
      const total = captured.nodeTimes.reduce((s, t) => s + t.totalMs, 0) || 1;
      capture = {
        values: Object.keys(captured.values).length,
        subgraphValues: captured.subgraphValues,
        skipped: captured.skipped.length,
        profileRuns: captured.profileRuns,
        slowest: captured.nodeTimes.slice(0, 15).map((t) => ({ name: t.name, opType: t.opType, msPerRun: t.totalMs / captured.profileRuns, share: t.totalMs / total })),
      };
    }
    return {
      modelName,
      otherModelName: other ? basename(other.fsPath) : undefined,
      finishedAt: new Date().toISOString(),
      inputsText,
      upgrades: [
        ...(report.upgraded ? [upgradeText(report.upgraded)] : []),
        ...(report.compareUpgraded ? [upgradeText(report.compareUpgraded, `${basename(other?.fsPath ?? '')}`)] : []),
      ],
      inputs: Object.entries(set.inputs).map(([name, a]) => ({ name, dtype: dataTypeName(a.dtype), shape: a.dims })),
      report,
      tolerance: settings.tolerance,
      warmup: settings.warmup,
      runtime: { version: this.info?.version ?? '?', providers: this.info?.backends ?? [] },
      capture,
      captureOff: !settings.capture,
    };
  }

  private report(error: unknown): void {
    if (!(error instanceof UserError)) this.log.error(`Test run failed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
    else this.log.warn(`Test run: ${error.message}`);
    void vscode.window.showErrorMessage(oneLine(error), 'Show Log').then((action) => {
      if (action) this.log.show();
    });
  }
}

function verdict(report: TestRunReport): string {
  if (report.pass === undefined) return 'ran';
  return report.pass ? 'every output matches' : 'outputs differ';
}

/** The command's target: the explorer/editor-title URI, else the model in the active tab or model editor. */
function targetUri(arg: unknown, editors: EditorRegistry): vscode.Uri | undefined {
  const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  const tabUri = tab instanceof vscode.TabInputCustom && tab.uri.fsPath.endsWith('.onnx') ? tab.uri : undefined;
  let uri = arg instanceof vscode.Uri ? arg : tabUri ?? editors.active()?.uri;
  if (!uri) {
    const doc = vscode.window.activeTextEditor?.document;
    if (doc?.uri.fsPath.endsWith('.onnx')) uri = doc.uri;
  }
  if (!uri) {
    void vscode.window.showInformationMessage('Open an .onnx model (or pick one in the Explorer) to test-run it.');
    return undefined;
  }
  if (uri.scheme !== 'file') throw new UserError('Test runs need a model on the local file system.');
  return uri;
}

/** The second model, from a file picker. */
async function pickOtherModel(uri: vscode.Uri): Promise<vscode.Uri | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    defaultUri: vscode.Uri.file(dirname(uri.fsPath)),
    filters: { 'ONNX models': ['onnx'] },
    openLabel: 'Compare',
    title: `Compare ${basename(uri.fsPath)} with…`,
  });
  const other = picked?.[0];
  if (other && other.scheme !== 'file') throw new UserError('Test runs need a model on the local file system.');
  return other;
}

async function askDims(model: ModelProto, remembered: Record<string, number> | undefined): Promise<Record<string, number> | undefined> {
  const free = freeDims(model);
  if (!free.length) return {};
  const initial: Record<string, number> = {};
  for (const d of free) initial[d.name] = remembered?.[d.name] ?? 1;
  const names = new Set(free.map((d) => d.name));
  const text = await vscode.window.showInputBox({
    title: 'Sizes of the symbolic dimensions',
    prompt: free.map((d) => `${d.name}: ${d.uses.join(', ')}`).join(' · '),
    value: formatDimAssignments(initial),
    ignoreFocusOut: true,
    validateInput: (value) => {
      try {
        const dims = parseDimAssignments(value);
        const unknown = Object.keys(dims).filter((n) => !names.has(n));
        if (unknown.length) return `Not a symbolic dimension of this model: ${unknown.join(', ')}`;
        return undefined;
      } catch (error) {
        return oneLine(error);
      }
    },
  });
  if (text === undefined) return undefined;
  return { ...initial, ...parseDimAssignments(text) };
}

export function registerTestRunCommands(services: HostServices): vscode.Disposable {
  const runner = new Runner(services);
  return vscode.Disposable.from(
    runner,
    vscode.commands.registerCommand('onnxLens.testRun', (arg?: unknown) => runner.testRun(arg)),
    // From the Explorer with two models selected, those two are compared without asking for the second.
    vscode.commands.registerCommand('onnxLens.compareModels', (arg?: unknown, selection?: unknown) => runner.compare(arg, selection)),
  );
}
