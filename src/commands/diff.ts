// ONNX: Diff with Another Model...: diffs two models in the extension host, lays the result over the
// second (newer) model in the model editor (nodes coloured by status, a legend, hovers), opens the text
// summary beside it, and steps through the changes with F7 / Shift+F7 while the overlay is shown.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../core/errors.js';
import { diffInWorker } from '../core/diff/diffInWorker.js';
import { diffModels } from '../core/diff/diffModels.js';
import type { DiffOverlay } from '../core/diff/diffOverlay.js';
import { findDivergence } from '../core/diff/divergence.js';
import { divergenceHeat } from '../core/diff/divergenceHeat.js';
import { readModelFile } from '../core/model/decode.js';
import { ExternalDataReader } from '../core/model/externalData.js';
import { resolveInputs } from '../core/runtime/inputResolve.js';
import { checkExternalData } from '../core/runtime/preflight.js';
import { MODEL_EDITOR_VIEW_TYPE } from '../editor/editorRegistry.js';
import type { HostServices } from '../services/hostServices.js';
import { rememberedSpec } from './inputSpecPrompt.js';
import { registerDiffWithHead } from './diffGit.js';
import { ReportDocuments } from './reportDocuments.js';
import { runWithProgress, showError } from './transformRunner.js';

export const DIFF_COMMAND = 'onnxLens.diffModels';
export const DIFF_NUMBERS_COMMAND = 'onnxLens.diffNumbers';
/** Context key: the active model editor shows a diff overlay (F7 / Shift+F7 step through it). */
const SHOWN_KEY = 'onnxLens.diffShown';
const TITLE = 'Diff Models';

const isOnnx = (uri: vscode.Uri) => uri.path.toLowerCase().endsWith('.onnx');

/** The model in the active tab: a model editor, or an .onnx open as text. */
function activeModel(): vscode.Uri | undefined {
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && input.viewType === MODEL_EDITOR_VIEW_TYPE) return input.uri;
  if (input instanceof vscode.TabInputText && isOnnx(input.uri)) return input.uri;
  return undefined;
}

/**
 * The two models, first (older) and second (newer, the one shown). Two .onnx files selected in the
 * explorer (the second argument of an explorer command) are taken in selection order; one model (the
 * argument or the active editor) is the second, and the user picks the first.
 */
async function pickPair(arg: unknown, selection: unknown): Promise<[vscode.Uri, vscode.Uri] | undefined> {
  const selected = Array.isArray(selection) ? selection.filter((u): u is vscode.Uri => u instanceof vscode.Uri) : [];
  if (selected.length === 2) return [selected[0], selected[1]];
  if (selected.length > 2) throw new UserError(`Select two models to diff, not ${selected.length}.`);
  const second = arg instanceof vscode.Uri ? arg : activeModel();
  if (!second) {
    const picked = await vscode.window.showOpenDialog({ canSelectMany: true, filters: { 'ONNX models': ['onnx'] }, openLabel: 'Diff', title: `${TITLE}: choose two models (older first) or the newer one` });
    if (!picked?.length) return undefined;
    if (picked.length === 2) return [picked[0], picked[1]];
    if (picked.length > 2) throw new UserError(`Choose two models to diff, not ${picked.length}.`);
    return pickFirst(picked[0]);
  }
  return pickFirst(second);
}

async function pickFirst(second: vscode.Uri): Promise<[vscode.Uri, vscode.Uri] | undefined> {
  const picked = await vscode.window.showOpenDialog({
    canSelectMany: false,
    defaultUri: vscode.Uri.joinPath(second, '..'),
    filters: { 'ONNX models': ['onnx'] },
    openLabel: 'Diff',
    title: `${TITLE}: choose the model to compare ${basename(second.fsPath)} against`,
  });
  return picked?.[0] ? [picked[0], second] : undefined;
}

/** The overlays shown, by the second model's URI; re-posted when an editor's webview loads again. */
class DiffOverlays implements vscode.Disposable {
  private readonly overlays = new Map<string, DiffOverlay>();
  /** The first (older) model each overlay compares against, by the second model's URI. */
  private readonly firsts = new Map<string, vscode.Uri>();
  private readonly disposables: vscode.Disposable[];

  constructor(private readonly services: HostServices) {
    const { editors } = services;
    // A diff no longer describes a model that changed on disk.
    const watcher = vscode.workspace.createFileSystemWatcher('**/*.onnx', true, false, false);
    this.disposables = [
      watcher,
      watcher.onDidChange((uri) => this.dropFor(uri)),
      watcher.onDidDelete((uri) => this.dropFor(uri)),
      editors.onDidBecomeReady((session) => {
        const overlay = this.overlays.get(session.uri.toString());
        if (overlay) session.post({ type: 'diffOverlay', overlay });
      }),
      vscode.window.tabGroups.onDidChangeTabs(() => this.updateContext()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => this.updateContext()),
    ];
  }

  get(uri: vscode.Uri): { overlay: DiffOverlay; first: vscode.Uri } | undefined {
    const overlay = this.overlays.get(uri.toString());
    const first = this.firsts.get(uri.toString());
    return overlay && first ? { overlay, first } : undefined;
  }

  /**
   * Shows (or with null, removes) the overlay of `uri` against `first` in the live editors of `uri`; the
   * others get it when they load. A change of either model on disk removes it.
   */
  set(uri: vscode.Uri, overlay: DiffOverlay | null, first?: vscode.Uri): void {
    if (overlay) {
      this.overlays.set(uri.toString(), overlay);
      if (first) this.firsts.set(uri.toString(), first);
    } else {
      this.firsts.delete(uri.toString());
      if (!this.overlays.delete(uri.toString())) return;
    }
    for (const session of this.services.editors.sessionsFor(uri)) if (session.isLive) session.post({ type: 'diffOverlay', overlay });
    this.updateContext();
  }

  /** Removes the overlays of `uri` and those compared against it. */
  private dropFor(uri: vscode.Uri): void {
    for (const [second, first] of [...this.firsts]) if (first.toString() === uri.toString()) this.set(vscode.Uri.parse(second), null);
    this.set(uri, null);
  }

  /** The active model editor, when it shows an overlay. */
  activeSession() {
    const session = this.services.editors.active();
    return session && this.overlays.has(session.uri.toString()) ? session : undefined;
  }

  updateContext(): void {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const shown = input instanceof vscode.TabInputCustom && input.viewType === MODEL_EDITOR_VIEW_TYPE && this.overlays.has(input.uri.toString());
    void vscode.commands.executeCommand('setContext', SHOWN_KEY, shown);
  }

  dispose(): void {
    this.overlays.clear();
    this.firsts.clear();
    for (const d of this.disposables) d.dispose();
  }
}

/**
 * `options.numbers`: run both models right after (as the legend's Compare Numbers does); `options.label`:
 * how the legend and summary name the first model (a temporary copy of HEAD's is `model.onnx at HEAD`).
 */
async function runDiff(services: HostServices, overlays: DiffOverlays, reports: ReportDocuments, arg: unknown, selection: unknown, options?: unknown): Promise<void> {
  const { log, editors } = services;
  try {
    const pair = await pickPair(arg, selection);
    if (!pair) return;
    const [first, second] = pair;
    if (first.scheme !== 'file' || second.scheme !== 'file') throw new UserError('The diff needs models on the local file system.');
    if (!isOnnx(first) || !isOnnx(second)) throw new UserError('Both files must be .onnx models.');
    const [pathA, pathB] = [first.fsPath, second.fsPath];
    if (pathA === pathB) throw new UserError('Choose two different models.');
    const relative = (uri: vscode.Uri) => vscode.workspace.asRelativePath(uri, false);
    const given = typeof options === 'object' && options !== null ? (options as { numbers?: unknown; label?: unknown }) : {};
    const label = typeof given.label === 'string' ? given.label : undefined;
    // Reading, decoding and pairing run in a worker thread: the host stays responsive on large models.
    const result = await runWithProgress(`${TITLE}: ${basename(pathA)} → ${basename(pathB)}`, undefined, ({ report, signal }) => {
      report('reading and pairing the models…');
      return diffInWorker({ pathA, pathB, shownA: label ?? relative(first), shownB: relative(second), otherName: label ?? basename(pathA) }, signal);
    });
    if (!result) return;
    const { counts } = result.overlay;
    log.info(`Diff ${pathA} -> ${pathB}: ${counts.changed} changed, ${counts.inserted} inserted, ${counts.replaced} in replaced groups, ${counts.removed} removed, ${counts.unchanged} unchanged${result.identical ? ' (identical)' : ''}`);
    overlays.set(second, result.overlay, first);
    if (!editors.sessionsFor(second).length) await vscode.commands.executeCommand('vscode.openWith', second, MODEL_EDITOR_VIEW_TYPE, { viewColumn: vscode.ViewColumn.Active });
    await reports.open(`${label ?? basename(pathA)} → ${basename(pathB)} diff`, result.text, 'txt');
    // The summary opened beside took the focus: the graph gets it back, so F7 steps through it at once.
    const session = editors.sessionsFor(second)[0];
    session?.panel.reveal(session.panel.viewColumn, false);
    overlays.updateContext();
    if (result.identical) void vscode.window.showInformationMessage(`${TITLE}: ${basename(pathA)} and ${basename(pathB)} are identical.`);
    if (given.numbers === true) await runNumbers(services, overlays, second);
  } catch (error) {
    showError(error, log, TITLE);
  }
}

/**
 * ONNX: Compare Diff Numbers: runs both models of the diff shown for `arg` (or the active editor) on the
 * same inputs in the shared onnxruntime child, and paints where their numbers part over the diff.
 */
async function runNumbers(services: HostServices, overlays: DiffOverlays, arg: unknown): Promise<void> {
  const { log, runtime } = services;
  const title = 'Compare Diff Numbers';
  try {
    const second = arg instanceof vscode.Uri ? arg : overlays.activeSession()?.uri;
    const shown = second && overlays.get(second);
    if (!second || !shown) {
      void vscode.window.showInformationMessage('No diff is shown in the active model editor: run ONNX: Diff with Another Model... first.');
      return;
    }
    const { first } = shown;
    const [pathA, pathB] = [first.fsPath, second.fsPath];
    const [{ model: a }, { model: b }] = await Promise.all([readModelFile(pathA), readModelFile(pathB)]);
    checkExternalData(a, pathA);
    checkExternalData(b, pathB);
    // The first model's remembered inputs (the test run's table edits them), else the shown model's (the first
    // may be a temporary copy of HEAD's); the second is fed the same values.
    const specOf = services.inputChoices.get(first) ? first : second;
    const spec = await rememberedSpec(services, specOf, a, title);
    if (!spec) return;
    const inputs = resolveInputs(a, spec);
    if (inputs.dataSets.length !== 1) throw new UserError(`The diff runs one set of inputs, not ${inputs.dataSets.length}: choose one in the test run's inputs.`);
    const c = vscode.workspace.getConfiguration('onnxLens.run');
    const tolerance = { rtol: c.get<number>('rtol', 1e-3), atol: c.get<number>('atol', 1e-4) };
    const heat = await runWithProgress(`${title}: ${basename(pathA)} → ${basename(pathB)}`, undefined, async ({ report, signal }) => {
      report('pairing the graphs…');
      await new Promise((resolve) => setImmediate(resolve));
      const diff = diffModels(a, b, { readers: { a: ExternalDataReader.forModel(pathA), b: ExternalDataReader.forModel(pathB) } });
      signal.throwIfAborted();
      report('running both models…');
      const found = await findDivergence(runtime.get(), a, b, diff.graph, inputs.dataSets[0].inputs, { tolerance, signal, onProgress: report, paths: { a: pathA, b: pathB } });
      return divergenceHeat(found, b.graph!, inputs.summary);
    });
    if (!heat) return;
    // The overlay may have gone (a model changed on disk) while both ran.
    const now = overlays.get(second);
    if (!now) return;
    overlays.set(second, { ...now.overlay, divergence: heat }, first);
    const where = heat.first.length ? `first beyond tolerance at ${heat.first.map((f) => f.label).join(', ')}` : 'none beyond tolerance';
    log.info(`Diff numbers ${pathA} -> ${pathB} (${inputs.summary}): ${heat.beyond} of ${heat.compared} values beyond rtol ${tolerance.rtol}, atol ${tolerance.atol}; ${where}${heat.skipped ? `; ${heat.skipped} not comparable` : ''}${heat.batches > 1 ? `; ${heat.batches} runs` : ''}`);
  } catch (error) {
    showError(error, log, title);
  }
}

export function registerDiffCommands(services: HostServices): vscode.Disposable {
  const overlays = new DiffOverlays(services);
  const reports = new ReportDocuments('onnx-lens-diff');
  const step = (delta: 1 | -1) => () => {
    const session = overlays.activeSession();
    if (!session) {
      void vscode.window.showInformationMessage('No diff is shown in the active model editor: run ONNX: Diff with Another Model... first.');
      return;
    }
    session.post({ type: 'diffStep', delta });
  };
  return vscode.Disposable.from(
    overlays,
    reports,
    registerDiffWithHead(services),
    vscode.commands.registerCommand(DIFF_COMMAND, (arg?: unknown, selection?: unknown, options?: unknown) => runDiff(services, overlays, reports, arg, selection, options)),
    vscode.commands.registerCommand(DIFF_NUMBERS_COMMAND, (arg?: unknown) => runNumbers(services, overlays, arg)),
    vscode.commands.registerCommand('onnxLens.diffNextChange', step(1)),
    vscode.commands.registerCommand('onnxLens.diffPreviousChange', step(-1)),
    vscode.commands.registerCommand('onnxLens.clearDiff', (arg?: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : overlays.activeSession()?.uri;
      if (uri) overlays.set(uri, null);
    }),
  );
}
