// ONNX: Test Run Model and ONNX: Compare with Another Model. onnxruntime runs in the extension's shared
// child process; this module chooses the inputs (a source from a quick pick over the model's remembered
// input specification), resolves them with the core resolver, shows progress with cancel, enforces the
// time limit, shows the results view and records runtime values for the graph and text views. Sizes
// nothing in the model gives are not asked for here: the results view's inputs table marks them as
// assumed and sets them, and Run Again reruns with the edited specification.
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import { oneLine, UserError } from '../core/errors.js';
import { readModelFile } from '../core/model/decode.js';
import type { ModelProto } from '../core/model/proto.js';
import { upgradeForRuntime, upgradeText } from '../core/opset/runtimeUpgrade.js';
import { captureRuntimeValues, type CaptureResult } from '../core/runtime/capture.js';
import { RunCancelledError, type InfoResult } from '../core/runtime/client.js';
import { resolveInputs, type ResolvedInputs } from '../core/runtime/inputResolve.js';
import { formatInlineValue, formatShape, type Distribution, type InputSpec } from '../core/runtime/inputSpec.js';
import { copySpec } from '../core/runtime/inputSpecEdit.js';
import { declaredTable, inputsNamedBy, resolvedTable } from '../core/runtime/inputTable.js';
import { requiredInputs } from '../core/runtime/inputs.js';
import type { GraphOptimizationLevel, SessionSettings } from '../core/runtime/settings.js';
import { summarizeArray } from '../core/runtime/summaries.js';
import { testDataSetDirs, type TestDataSet } from '../core/runtime/testData.js';
import { testRun, type TestRunReport } from '../core/runtime/testRun.js';
import type { EditorRegistry } from '../editor/editorRegistry.js';
import type { InputsView, ResultsData } from '../protocol.js';
import type { HostServices } from '../services/hostServices.js';
import type { RuntimeNodeTime, RuntimeValue } from '../services/runtimeRecords.js';
import { TestRunPanels } from './testRunPanel.js';

interface RunSettings {
  iterations: number;
  warmup: number;
  timeoutSeconds: number;
  session: SessionSettings;
  tolerance: { rtol: number; atol: number };
  capture: boolean;
  distribution: Distribution;
}

/** One run: the model, the inputs as specified, and what to run it against. */
interface RunRequest {
  uri: vscode.Uri;
  model: ModelProto;
  spec: InputSpec;
  other?: vscode.Uri;
  capture: boolean;
}

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

/** `normal · N=4 · sr=16000 · 2 files`: a remembered spec in a few words, for the quick pick. */
function specText(spec: InputSpec): string {
  const parts: string[] = [];
  if (spec.files?.length) parts.push(spec.files.length === 1 ? basename(spec.files[0]) : `${spec.files.length} files`);
  parts.push(spec.distribution ?? 'normal');
  for (const [name, shape] of Object.entries(spec.shapes ?? {})) parts.push(`${name}=${formatShape(shape)}`);
  for (const [name, size] of Object.entries(spec.dims ?? {})) parts.push(`${name}=${size}`);
  for (const [name, value] of Object.entries(spec.values ?? {})) {
    const text = formatInlineValue(value);
    parts.push(`${name}=${text.length > 24 ? `${text.slice(0, 23)}…` : text}`);
  }
  return parts.join(' · ');
}

class Runner implements vscode.Disposable {
  private info?: InfoResult;
  private readonly log: vscode.LogOutputChannel;
  private readonly panels: TestRunPanels;

  constructor(private readonly services: HostServices) {
    this.log = services.log;
    this.panels = new TestRunPanels(services.context.extensionUri);
  }

  dispose(): void {
    this.panels.dispose();
  }

  async testRun(arg?: unknown, compare = false): Promise<void> {
    try {
      if (!vscode.workspace.isTrusted) throw new UserError('Running models needs a trusted workspace.');
      const uri = targetUri(arg, this.services.editors);
      if (!uri) return;
      const { model } = await readModelFile(uri.fsPath);
      let other: vscode.Uri | undefined;
      if (compare) {
        other = await pickOtherModel(uri);
        if (!other) return;
      }
      const spec = await this.chooseInputs(uri);
      if (spec) await this.run({ uri, model, spec, other, capture: false });
    } catch (error) {
      this.report(error);
    }
  }

  async compare(arg: unknown, selection: unknown): Promise<void> {
    const selected = Array.isArray(selection) ? selection.filter((u): u is vscode.Uri => u instanceof vscode.Uri && u.fsPath.endsWith('.onnx')) : [];
    if (selected.length !== 2) return this.testRun(arg, true);
    const [a, b] = selected;
    try {
      if (!vscode.workspace.isTrusted) throw new UserError('Running models needs a trusted workspace.');
      const { model } = await readModelFile(a.fsPath);
      const spec = await this.chooseInputs(a);
      if (spec) await this.run({ uri: a, model, spec, other: b, capture: false });
    } catch (error) {
      this.report(error);
    }
  }

  /** Run Again from the results view: the inputs as the view edited them, nothing asked. */
  private async rerun(uri: vscode.Uri, other: vscode.Uri | undefined, spec: InputSpec, capture: boolean): Promise<void> {
    try {
      const { model } = await readModelFile(uri.fsPath);
      await this.run({ uri, model, spec, other, capture });
    } catch (error) {
      this.report(error);
    }
  }

  /** Where the inputs come from: a quick pick over the remembered spec. Undefined when dismissed. */
  private async chooseInputs(uri: vscode.Uri): Promise<InputSpec | undefined> {
    const settings = readSettings();
    const last = this.services.inputChoices.get(uri);
    const testData = testDataSetDirs(dirname(uri.fsPath)).length;
    type Source = 'last' | 'testData' | 'generated' | 'folder' | 'files';
    type Item = vscode.QuickPickItem & { source: Source; distribution?: Distribution };
    const distributions: Array<[Distribution, string]> = [
      ['normal', 'Random normal (mean 0, std 1)'], ['uniform', 'Random uniform in [0, 1)'], ['zeros', 'All zeros'], ['ones', 'All ones'],
    ];
    const items: Item[] = [];
    if (last) items.push({ label: '$(history) As last time', description: specText(last), detail: 'Change sizes, values and files in the results view\'s inputs table', source: 'last' });
    if (testData) items.push({ label: '$(beaker) Test data beside the model', description: `${testData} test_data_set folder${testData > 1 ? 's' : ''}, compared with their expected outputs`, source: 'testData' });
    for (const [distribution, label] of distributions) {
      items.push({
        label: `$(symbol-numeric) Generated: ${label}`, description: distribution === settings.distribution ? 'setting' : undefined, source: 'generated', distribution,
        detail: distribution === 'normal' ? 'Sizes from the model where it says them; integers 0-9 (8-bit types: full range), bools random; seeded, so runs repeat' : undefined,
      });
    }
    items.push({ label: '$(folder) From a test_data_set folder…', description: 'input_K.pb and expected output_K.pb', source: 'folder' });
    items.push({ label: '$(file) From files…', description: '.npy, .npz, .pb (TensorProto) or .json; inputs they do not hold are generated', source: 'files' });
    const picked = await vscode.window.showQuickPick(items, { title: `Test Run: inputs for ${basename(uri.fsPath)}`, placeHolder: 'Where do the inputs come from?', ignoreFocusOut: true });
    if (!picked) return undefined;
    // Sizes the user gave stay with every source; values and whole shapes only with generated inputs (files bring their own).
    const kept: InputSpec = { ...(last?.dims ? { dims: last.dims } : {}), ...(last?.seed !== undefined ? { seed: last.seed } : {}), distribution: last?.distribution ?? settings.distribution };
    let spec: InputSpec;
    switch (picked.source) {
      case 'last': spec = last!; break;
      case 'testData': spec = { ...kept, files: [dirname(uri.fsPath)] }; break;
      case 'generated': spec = { ...last, files: undefined, distribution: picked.distribution }; break;
      case 'folder':
      case 'files': {
        const folder = picked.source === 'folder';
        const selected = await vscode.window.showOpenDialog({
          canSelectFiles: !folder, canSelectFolders: folder, canSelectMany: !folder,
          defaultUri: vscode.Uri.file(last?.files?.[0] ? dirname(last.files[0]) : dirname(uri.fsPath)),
          openLabel: 'Use as Inputs',
          title: folder ? 'A test_data_set folder (or a folder holding several)' : 'Input files, named after the inputs or in input order',
          ...(folder ? {} : { filters: { 'Tensors': ['npy', 'npz', 'pb', 'json'] } }),
        });
        if (!selected?.length) return undefined;
        spec = { ...kept, files: selected.map((u) => u.fsPath) };
        break;
      }
    }
    return copySpec(spec);
  }

  private async run({ uri, model, spec, other, capture: forceCapture }: RunRequest): Promise<void> {
    const settings = readSettings();
    const capture = settings.capture || forceCapture;
    const modelName = basename(uri.fsPath);
    const otherModelName = other ? basename(other.fsPath) : undefined;
    const title = other ? `Compare: ${modelName} vs ${otherModelName}` : `Test Run: ${modelName}`;
    const panel = this.panels.forModel(uri, title, {
      rerun: (edited, withCapture) => void this.rerun(uri, other, edited, withCapture),
      pickFile: (input) => this.pickInputFile(uri, model, input),
      revealNode: (name) => void this.services.editors.revealNode(uri, name).then((found) => {
        if (!found) void vscode.window.showInformationMessage(`Node '${name}' is not in the graph view.`);
      }),
    });
    let resolved: ResolvedInputs;
    try {
      resolved = resolveInputs(model, spec);
    } catch (error) {
      panel.showFailure({ modelName, otherModelName, message: oneLine(error), inputs: this.inputsView(model, spec, undefined, oneLine(error)) });
      throw error;
    }
    await this.services.inputChoices.set(uri, spec);
    const inputs = this.inputsView(model, spec, resolved);
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
        const { dataSets } = resolved;
        const report = await testRun(client, uri.fsPath, {
          dataSets, decoded: model, compareWith: other?.fsPath, compareDecoded: other ? (await readModelFile(other.fsPath)).model : undefined,
          settings: settings.session, tolerance: settings.tolerance, assumptions: resolved.assumptions,
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
        panel.show(this.resultsData(modelName, otherModelName, inputs, report, settings, captured));
        this.log.info(`Test run of ${modelName}${other ? ` against ${otherModelName}` : ''}${report.upgraded ? ` (${upgradeText(report.upgraded)})` : ''}: ${verdict(report)} in ${Date.now() - started} ms (${resolved.summary}).`);
      });
    } catch (error) {
      if (error instanceof RunCancelledError) {
        if (timedOut) {
          const message = `The test run took longer than ${settings.timeoutSeconds} seconds and was stopped (setting onnxLens.run.timeoutSeconds).`;
          panel.showFailure({ modelName, otherModelName, message, inputs });
          throw new UserError(message);
        }
        panel.showRunning('Cancelled.');
        this.log.info(`Test run of ${modelName} cancelled.`);
        return;
      }
      panel.showFailure({ modelName, otherModelName, message: oneLine(error), inputs });
      throw error;
    } finally {
      clearTimeout(timer);
    }
  }

  /** The inputs table: what was fed, or (when the spec did not resolve) the declared inputs. */
  private inputsView(model: ModelProto, spec: InputSpec, resolved: ResolvedInputs | undefined, problem = ''): InputsView {
    const table = resolved ? resolvedTable(model, spec, resolved) : declaredTable(model, spec, problem);
    const fileLabels: Record<string, string> = {};
    for (const file of spec.files ?? []) fileLabels[file] = vscode.workspace.asRelativePath(file);
    return { spec, table, fileLabels };
  }

  /**
   * A file for one input, from the results view. A file feeds the input it names (a .npy by its file name,
   * a .pb by its tensor's name, .npz and .json by their entries), or a model's only input.
   */
  private async pickInputFile(uri: vscode.Uri, model: ModelProto, input: string): Promise<{ path: string; label: string } | undefined> {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      defaultUri: vscode.Uri.file(dirname(uri.fsPath)),
      filters: { 'Tensors': ['npy', 'npz', 'pb', 'json'] },
      openLabel: `Use for ${input}`,
      title: `Values of input '${input}'`,
    });
    const path = picked?.[0]?.fsPath;
    if (!path) return undefined;
    const required = requiredInputs(model);
    const only = required.length === 1 && required[0].name === input && /\.(npy|npz|pb)$/i.test(path);
    const named = inputsNamedBy(path, model);
    if (!named.includes(input) && !(only && !named.length)) {
      void vscode.window.showErrorMessage(`${basename(path)} does not name input '${input}'${named.length ? ` (it holds ${named.map((n) => `'${n}'`).join(', ')})` : ''}: `
        + `files feed the inputs they name, so use ${input}.npy, or a .pb, .npz or .json whose tensor or entry is named '${input}'.`);
      return undefined;
    }
    return { path, label: vscode.workspace.asRelativePath(path) };
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

  private resultsData(modelName: string, otherModelName: string | undefined, inputs: InputsView, report: TestRunReport, settings: RunSettings, captured?: CaptureResult): ResultsData {
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
      otherModelName,
      finishedAt: new Date().toISOString(),
      upgrades: [
        ...(report.upgraded ? [upgradeText(report.upgraded)] : []),
        ...(report.compareUpgraded ? [upgradeText(report.compareUpgraded, otherModelName ?? '')] : []),
      ],
      inputs,
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

export function registerTestRunCommands(services: HostServices): vscode.Disposable {
  const runner = new Runner(services);
  return vscode.Disposable.from(
    runner,
    vscode.commands.registerCommand('onnxLens.testRun', (arg?: unknown) => runner.testRun(arg)),
    // From the Explorer with two models selected, those two are compared without asking for the second.
    vscode.commands.registerCommand('onnxLens.compareModels', (arg?: unknown, selection?: unknown) => runner.compare(arg, selection)),
  );
}
