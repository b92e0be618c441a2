// ONNX: Diff with Another Model...: diffs two models in the extension host, lays the result over the
// second (newer) model in the model editor (nodes coloured by status, a legend, hovers), opens the text
// summary beside it, and steps through the changes with F7 / Shift+F7 while the overlay is shown. With
// `onnxLens.diff.layout` at sideBySide (or the legend's toggle) the first model opens beside with its own
// overlay, and the two editors follow each other's camera and selection.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../core/errors.js';
import { diffInWorker } from '../core/diff/diffInWorker.js';
import { diffModels } from '../core/diff/diffModels.js';
import type { DiffOverlay } from '../core/diff/diffOverlay.js';
import { findDivergence } from '../core/diff/divergence.js';
import { divergenceHeat } from '../core/diff/divergenceHeat.js';
import { firstSideHeat } from '../core/diff/firstSideHeat.js';
import { nodePartners } from '../core/diff/partners.js';
import { readModelFile } from '../core/model/decode.js';
import { ExternalDataReader } from '../core/model/externalData.js';
import { resolveInputs } from '../core/runtime/inputResolve.js';
import { checkExternalData } from '../core/runtime/preflight.js';
import { MODEL_EDITOR_VIEW_TYPE } from '../editor/editorRegistry.js';
import type { DiffLayout, DiffSync, HostEvent } from '../protocol.js';
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

/** A diff shown: the two models and the overlay of each (the first's is shown side by side only). */
interface ShownDiff {
  first: vscode.Uri;
  second: vscode.Uri;
  overlay: DiffOverlay;
  firstOverlay: DiffOverlay;
}

/** `onnxLens.diff.layout`: the diff over the second model only, or both models side by side. */
function configuredLayout(): DiffLayout {
  return vscode.workspace.getConfiguration('onnxLens.diff').get<string>('layout') === 'sideBySide' ? 'sideBySide' : 'overlay';
}

/**
 * The diffs shown, by the second model's URI; their overlays are re-posted when an editor's webview loads
 * again. Side by side, the first model's editors get the first side's overlay, and each side's camera and
 * selection are forwarded to the other's editors.
 */
class DiffOverlays implements vscode.Disposable {
  private readonly diffs = new Map<string, ShownDiff>();
  /** First-side editors this opened for the side-by-side view: closed again when the layout goes back to overlay. */
  private readonly opened = new Set<string>();
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
        const overlay = this.overlayFor(session.uri);
        if (!overlay) return;
        session.post({ type: 'diffOverlay', overlay });
        session.post({ type: 'diffLayout', layout: configuredLayout() });
      }),
      // Editors opened before this was made are none: it is made at activation.
      editors.onDidAdd((session) => session.onDidDiffEvent((event) => {
        if (event.type === 'diffToggleLayout') void this.toggleLayout();
        else this.forward(session.uri, event.sync);
      })),
      editors.onDidRemove((session) => {
        if (!editors.sessionsFor(session.uri).length) this.opened.delete(session.uri.toString());
      }),
      vscode.workspace.onDidChangeConfiguration((event) => {
        if (event.affectsConfiguration('onnxLens.diff.layout')) void this.applyLayout();
      }),
      vscode.window.tabGroups.onDidChangeTabs(() => this.updateContext()),
      vscode.window.tabGroups.onDidChangeTabGroups(() => this.updateContext()),
    ];
  }

  /** The diff whose second model is `uri`, or (side by side) whose first model is. */
  private diffOf(uri: vscode.Uri): ShownDiff | undefined {
    const key = uri.toString();
    const asSecond = this.diffs.get(key);
    if (asSecond) return asSecond;
    if (configuredLayout() !== 'sideBySide') return undefined;
    return [...this.diffs.values()].find((d) => d.first.toString() === key);
  }

  /** The overlay the editors of `uri` show now, if any. */
  private overlayFor(uri: vscode.Uri): DiffOverlay | undefined {
    const diff = this.diffOf(uri);
    if (!diff) return undefined;
    return diff.second.toString() === uri.toString() ? diff.overlay : diff.firstOverlay;
  }

  /** The diff shown with `uri` as either model. */
  get(uri: vscode.Uri): ShownDiff | undefined {
    return this.diffOf(uri);
  }

  private postTo(uri: vscode.Uri, event: HostEvent): void {
    for (const session of this.services.editors.sessionsFor(uri)) if (session.isLive) session.post(event);
  }

  /**
   * Shows (or with null, removes) the diff of `second` against `first` in the live editors of both (the
   * first's side by side only); the others get it when they load. A change of either model on disk removes it.
   */
  set(second: vscode.Uri, diff: Omit<ShownDiff, 'second'> | null): void {
    const key = second.toString();
    const before = this.diffs.get(key);
    if (diff) this.diffs.set(key, { ...diff, second });
    else if (!this.diffs.delete(key)) return;
    const sideBySide = configuredLayout() === 'sideBySide';
    this.postTo(second, { type: 'diffOverlay', overlay: diff?.overlay ?? null });
    if (diff) this.postTo(second, { type: 'diffLayout', layout: configuredLayout() });
    const first = diff?.first ?? before?.first;
    if (first && sideBySide) {
      this.postTo(first, { type: 'diffOverlay', overlay: diff?.firstOverlay ?? null });
      if (diff) this.postTo(first, { type: 'diffLayout', layout: 'sideBySide' });
    }
    if (!diff && before) void this.closeOpened(before.first);
    this.updateContext();
  }

  /**
   * Side by side: opens the first model in the group right of the second's (where the text summary is),
   * keeping the focus where it is, when it is not open.
   */
  async showFirst(diff: { first: vscode.Uri; second: vscode.Uri }): Promise<void> {
    const { editors } = this.services;
    if (configuredLayout() !== 'sideBySide' || editors.sessionsFor(diff.first).length) return;
    this.opened.add(diff.first.toString());
    const column = editors.sessionsFor(diff.second)[0]?.panel.viewColumn;
    const viewColumn = column !== undefined ? column + 1 : vscode.ViewColumn.Beside;
    await vscode.commands.executeCommand('vscode.openWith', diff.first, MODEL_EDITOR_VIEW_TYPE, { viewColumn, preserveFocus: true });
  }

  /** The layout setting changed: the first models' editors get their overlays (opened if need be), or lose them. */
  private async applyLayout(): Promise<void> {
    const layout = configuredLayout();
    for (const diff of this.diffs.values()) {
      this.postTo(diff.second, { type: 'diffLayout', layout });
      // A model that is the second of a diff of its own keeps that overlay.
      if (this.diffs.has(diff.first.toString())) continue;
      if (layout === 'sideBySide') {
        this.postTo(diff.first, { type: 'diffOverlay', overlay: diff.firstOverlay });
        this.postTo(diff.first, { type: 'diffLayout', layout });
        await this.showFirst(diff);
      } else {
        this.postTo(diff.first, { type: 'diffOverlay', overlay: null });
        await this.closeOpened(diff.first);
      }
    }
    this.updateContext();
  }

  /** Closes the first model's editors when this opened them for the side-by-side view. */
  private async closeOpened(first: vscode.Uri): Promise<void> {
    if (!this.opened.delete(first.toString())) return;
    const tabs = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputCustom && t.input.viewType === MODEL_EDITOR_VIEW_TYPE && t.input.uri.toString() === first.toString());
    // An edited first model stays open: closing would ask to save.
    const clean = tabs.filter((t) => !t.isDirty);
    if (clean.length) await vscode.window.tabGroups.close(clean, true);
  }

  /** The legend's toggle: the setting flips (as the text diff editor's inline toggle does), and every diff follows. */
  async toggleLayout(): Promise<void> {
    const next: DiffLayout = configuredLayout() === 'sideBySide' ? 'overlay' : 'sideBySide';
    const config = vscode.workspace.getConfiguration('onnxLens.diff');
    const inspected = config.inspect<string>('layout');
    // Where the user set it (the workspace's value wins over the user's), else for the user.
    const target = inspected?.workspaceFolderValue !== undefined ? vscode.ConfigurationTarget.WorkspaceFolder : inspected?.workspaceValue !== undefined ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global;
    await config.update('layout', next, target);
  }

  /** Side by side: what one side's editor reported goes to the other side's editors (never back: they do not report what they are sent). */
  private forward(from: vscode.Uri, sync: DiffSync): void {
    const diff = this.diffOf(from);
    if (!diff || configuredLayout() !== 'sideBySide') return;
    const to = diff.second.toString() === from.toString() ? diff.first : diff.second;
    this.postTo(to, { type: 'diffSync', sync });
  }

  /** Removes the diffs of `uri` and those compared against it. */
  private dropFor(uri: vscode.Uri): void {
    for (const diff of [...this.diffs.values()]) if (diff.first.toString() === uri.toString()) this.set(diff.second, null);
    this.set(uri, null);
  }

  /**
   * The active model editor, when it shows an overlay: the active tab's (side by side, both editors are
   * visible and the other may have been active last), else the registry's pick.
   */
  activeSession() {
    const group = vscode.window.tabGroups.activeTabGroup;
    const input = group.activeTab?.input;
    const inTab = input instanceof vscode.TabInputCustom && input.viewType === MODEL_EDITOR_VIEW_TYPE
      ? this.services.editors.sessionsFor(input.uri).find((s) => s.panel.viewColumn === group.viewColumn)
      : undefined;
    const session = inTab ?? this.services.editors.active();
    return session && this.overlayFor(session.uri) ? session : undefined;
  }

  updateContext(): void {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    const shown = input instanceof vscode.TabInputCustom && input.viewType === MODEL_EDITOR_VIEW_TYPE && this.overlayFor(input.uri) !== undefined;
    void vscode.commands.executeCommand('setContext', SHOWN_KEY, shown);
  }

  dispose(): void {
    this.diffs.clear();
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
      return diffInWorker({ pathA, pathB, shownA: label ?? relative(first), shownB: relative(second), otherName: label ?? basename(pathA), secondName: basename(pathB) }, signal);
    });
    if (!result) return;
    const { counts } = result.overlay;
    log.info(`Diff ${pathA} -> ${pathB}: ${counts.changed} changed, ${counts.inserted} inserted, ${counts.replaced} in replaced groups, ${counts.removed} removed, ${counts.unchanged} unchanged${result.identical ? ' (identical)' : ''}`);
    overlays.set(second, { first, overlay: result.overlay, firstOverlay: result.firstOverlay });
    if (!editors.sessionsFor(second).length) await vscode.commands.executeCommand('vscode.openWith', second, MODEL_EDITOR_VIEW_TYPE, { viewColumn: vscode.ViewColumn.Active });
    await reports.open(`${label ?? basename(pathA)} → ${basename(pathB)} diff`, result.text, 'txt');
    // Side by side: the first model in the summary's group, beside the second.
    await overlays.showFirst({ first, second });
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
    const uri = arg instanceof vscode.Uri ? arg : overlays.activeSession()?.uri;
    // Either side's editor asks (side by side, the first's legend has the button too).
    const shown = uri && overlays.get(uri);
    if (!shown) {
      void vscode.window.showInformationMessage('No diff is shown in the active model editor: run ONNX: Diff with Another Model... first.');
      return;
    }
    const { first, second } = shown;
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
    const heats = await runWithProgress(`${title}: ${basename(pathA)} → ${basename(pathB)}`, undefined, async ({ report, signal }) => {
      report('pairing the graphs…');
      await new Promise((resolve) => setImmediate(resolve));
      const diff = diffModels(a, b, { readers: { a: ExternalDataReader.forModel(pathA), b: ExternalDataReader.forModel(pathB) } });
      signal.throwIfAborted();
      report('running both models…');
      const found = await findDivergence(runtime.get(), a, b, diff.graph, inputs.dataSets[0].inputs, { tolerance, signal, onProgress: report, paths: { a: pathA, b: pathB } });
      const heat = divergenceHeat(found, b.graph!, inputs.summary);
      return { heat, firstHeat: firstSideHeat(heat, a.graph!, nodePartners(diff.graph).bToA) };
    });
    if (!heats) return;
    const { heat, firstHeat } = heats;
    // The diff may have gone (a model changed on disk) or been made again while both ran.
    const now = overlays.get(second);
    if (!now || now.first.toString() !== first.toString()) return;
    overlays.set(second, { first, overlay: { ...now.overlay, divergence: heat }, firstOverlay: { ...now.firstOverlay, divergence: firstHeat } });
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
    vscode.commands.registerCommand('onnxLens.diffToggleLayout', () => overlays.toggleLayout()),
    vscode.commands.registerCommand('onnxLens.clearDiff', (arg?: unknown) => {
      const uri = arg instanceof vscode.Uri ? arg : overlays.activeSession()?.uri;
      const shown = uri && overlays.get(uri);
      if (shown) overlays.set(shown.second, null);
    }),
  );
}
