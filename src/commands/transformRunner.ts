// The VS Code runner of every transform: find the model, ask the options, choose the output beside it
// without clobbering anything, run the pipeline under cancellable progress in the shared onnxruntime
// child, open the result in the model editor and offer the report as a read-only document.
import { existsSync, rmSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import * as vscode from 'vscode';
import { oneLine, UserError } from '../core/errors.js';
import { readModelFile } from '../core/model/decode.js';
import { freeOutputPath } from '../core/model/modelFile.js';
import type { ModelProto } from '../core/model/proto.js';
import { withFiles } from '../core/runtime/inputSpecEdit.js';
import { formatReport, reportSummary, type TransformReport } from '../core/transforms/report.js';
import type { AnyTransform } from '../core/transforms/transform.js';
import { siblingOutputPath, transformFile, type TransformRun } from '../core/transforms/transformFile.js';
import type { HostServices } from '../services/hostServices.js';
import { rememberedSpec } from './inputSpecPrompt.js';
import type { ReportDocuments } from './reportDocuments.js';

export const MODEL_EDITOR = 'onnxLens.modelEditor';

export interface AskContext {
  source: vscode.Uri;
  /** The source model, read on first use. */
  model(): Promise<ModelProto>;
  /** Remembered answers (per workspace). */
  state: vscode.Memento;
  config: vscode.WorkspaceConfiguration;
}

/** How one transform talks to the user beyond what every transform does. */
export interface TransformUi<O = unknown, D = unknown> {
  /** The options, from quick picks; undefined when the user dismissed one. */
  ask(context: AskContext): Promise<O | undefined>;
  /** After a run: options for one more run (prune's sparse-storage offer), or undefined. */
  again?(report: TransformReport & { details: D }, options: O): Promise<O | undefined>;
}

/** The model a command acts on: its argument (explorer, editor title), the active model editor, or a file the user picks. */
export async function pickTargetUri(arg: unknown, purpose: string): Promise<vscode.Uri | undefined> {
  let uri: vscode.Uri | undefined;
  if (arg instanceof vscode.Uri) uri = arg;
  else if (Array.isArray(arg) && arg[0] instanceof vscode.Uri) uri = arg[0];
  if (!uri) {
    const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (input instanceof vscode.TabInputCustom && input.viewType === MODEL_EDITOR) uri = input.uri;
    else if (input instanceof vscode.TabInputText && input.uri.path.toLowerCase().endsWith('.onnx')) uri = input.uri;
  }
  if (!uri) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      filters: { 'ONNX models': ['onnx'] },
      openLabel: purpose,
      title: `${purpose}: choose an ONNX model`,
    });
    uri = picked?.[0];
  }
  if (uri && uri.scheme !== 'file') throw new UserError('Transforms need a model on the local file system; this one is not.');
  return uri;
}

/**
 * `name.<tag>.onnx` beside the source (the rule the CLI follows too). When that file exists the user
 * chooses: replace it, save elsewhere, or cancel. The source itself is never a valid output.
 */
export async function chooseOutputUri(source: vscode.Uri, tag: string): Promise<vscode.Uri | undefined> {
  const proposed = siblingOutputPath(source.fsPath, tag);
  let target: string | undefined = proposed;
  if (existsSync(proposed)) {
    const replace = 'Replace';
    const saveAs = 'Save As...';
    const answer = await vscode.window.showWarningMessage(`${basename(proposed)} already exists.`, { modal: true, detail: 'Replace it with the new result, or save the result under another name?' }, replace, saveAs);
    if (answer === saveAs) {
      const picked = await vscode.window.showSaveDialog({ defaultUri: vscode.Uri.file(freeOutputPath(proposed)), filters: { 'ONNX models': ['onnx'] } });
      target = picked?.fsPath;
    } else if (answer !== replace) {
      target = undefined;
    }
  }
  if (!target) return undefined;
  if (resolve(target) === resolve(source.fsPath)) throw new UserError('The result cannot be written over the model it comes from; choose another name.');
  return vscode.Uri.file(target);
}

export interface ProgressContext {
  report: (message: string) => void;
  signal: AbortSignal;
}

/**
 * Runs `work` under a cancellable notification. Returns undefined when the user cancelled; an output
 * file that did not exist before is removed then, so a cancelled run leaves nothing behind.
 */
export async function runWithProgress<T>(title: string, output: vscode.Uri | undefined, work: (context: ProgressContext) => Promise<T>): Promise<T | undefined> {
  const existed = output ? existsSync(output.fsPath) : true;
  const controller = new AbortController();
  try {
    return await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, async (progress, token) => {
      token.onCancellationRequested(() => controller.abort());
      return work({ report: (message) => progress.report({ message }), signal: controller.signal });
    });
  } catch (error) {
    if (!controller.signal.aborted) throw error;
    if (output && !existed) rmSync(output.fsPath, { force: true });
    void vscode.window.showInformationMessage(`${title}: cancelled.`);
    return undefined;
  }
}

/** Reports a failed command in one line; the details go to the log. */
export function showError(error: unknown, log: vscode.LogOutputChannel, what: string): void {
  log.error(`${what}: ${error instanceof Error && !(error instanceof UserError) ? error.stack ?? error.message : oneLine(error)}`);
  void vscode.window.showErrorMessage(`${what}: ${oneLine(error)}`);
}

function reportText(transform: AnyTransform, report: TransformReport, markdown: boolean): string {
  return formatReport(report, markdown ? { markdown, listLimit: 200 } : {}) + (transform.formatDetails?.(report.details, { markdown }) ?? '');
}

async function showResult(transform: AnyTransform, report: TransformReport & { details: unknown }, source: vscode.Uri, output: vscode.Uri, log: vscode.LogOutputChannel, reports: ReportDocuments): Promise<void> {
  log.info(reportText(transform, report, false));
  await vscode.commands.executeCommand('vscode.openWith', output, MODEL_EDITOR, { viewColumn: vscode.ViewColumn.Active });
  const name = `${transform.name[0].toUpperCase()}${transform.name.slice(1)}`;
  const message = `${name}: ${basename(output.fsPath)} written, ${reportSummary(report, transform.headline?.(report))}`;
  const show = 'Show Report';
  const diff = 'Show Diff';
  const verified = report.verification?.status === 'pass';
  const answer = verified ? await vscode.window.showInformationMessage(message, show, diff) : await vscode.window.showWarningMessage(message, show, diff);
  if (answer === show) await reports.open(`${basename(output.fsPath)} ${transform.name} report`, reportText(transform, report, true));
  // As from the explorer with both selected: the source first, the result second (the one shown).
  else if (answer === diff) await vscode.commands.executeCommand('onnxLens.diffModels', output, [source, output]);
}

/** One palette command: target, options, output, run with progress, result and report. */
export async function runTransformCommand(transform: AnyTransform, ui: TransformUi, arg: unknown, services: HostServices, reports: ReportDocuments): Promise<void> {
  const { context, log, runtime } = services;
  try {
    const source = await pickTargetUri(arg, transform.title);
    if (!source) return;
    let model: Promise<ModelProto> | undefined;
    const readModel = () => (model ??= readModelFile(source.fsPath).then((read) => read.model));
    const options = await ui.ask({ source, state: context.workspaceState, config: vscode.workspace.getConfiguration('onnxLens'), model: readModel });
    if (options === undefined) return;
    // Verification (and calibration) feed what the model's remembered input specification says, the one
    // the test run's inputs table edits; sizes nothing gives are asked once and remembered.
    const remembered = await rememberedSpec(services, source, await readModel(), transform.title);
    if (!remembered) return;
    // Files the transform asked for itself (quantize's calibration folder) are this run's choice: the remembered ones step aside.
    const inputs = transform.inputs?.(options).files?.length ? withFiles(remembered, { remove: remembered.files ?? [] }) : remembered;
    const output = await chooseOutputUri(source, transform.outputTag(options));
    if (!output) return;
    log.info(`${transform.title} (${transform.describe(options)}): ${source.fsPath} -> ${output.fsPath}`);
    const title = `${transform.title}: ${basename(source.fsPath)}`;
    const run = (chosen: unknown, owned: vscode.Uri | undefined) => runWithProgress(title, owned, ({ report, signal }): Promise<TransformRun<unknown>> =>
      transformFile(transform, { input: source.fsPath, output: output.fsPath, options: chosen, client: runtime.get(), inputs, signal, onProgress: report }));
    let result = await run(options, output);
    if (!result) return;
    const again = await ui.again?.(result.report, options);
    // The second run writes over the first result: a cancel must not remove it.
    if (again !== undefined) result = (await run(again, undefined)) ?? result;
    await showResult(transform, result.report, source, output, log, reports);
  } catch (error) {
    showError(error, log, transform.title);
  }
}
