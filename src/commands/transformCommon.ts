// What every transform command (fold, prune, quantize) does around its core call: find the model,
// choose an output beside it without clobbering anything, run with cancellable progress, open the
// result in the model editor and show the report.
import { existsSync, rmSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import * as vscode from 'vscode';
import { oneLine, UserError } from '../core/errors.js';
import { formatCosine } from '../core/format.js';
import { freeOutputPath } from '../core/model/modelFile.js';
import { formatReport, siblingOutputPath, totalNodes, type TransformReport } from '../core/transforms/report.js';

export const MODEL_EDITOR = 'onnxLens.modelEditor';

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
 * `name.<tag>.onnx` beside the source. When that file exists the user chooses: replace it, save
 * elsewhere, or cancel. The source itself is never a valid output.
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

/**
 * Reports as read-only Markdown documents: an untitled document would be "dirty" and ask to be saved
 * when closed. Registered once by registerTransformCommands.
 */
class ReportDocuments implements vscode.TextDocumentContentProvider {
  static readonly scheme = 'onnx-lens-report';
  private readonly texts = new Map<string, string>();
  private count = 0;
  provideTextDocumentContent(uri: vscode.Uri): string {
    return this.texts.get(uri.toString()) ?? 'This report is no longer available; run the command again.';
  }
  add(title: string, text: string): vscode.Uri {
    // The .md ending gives the document the Markdown language (and its preview command).
    const uri = vscode.Uri.from({ scheme: ReportDocuments.scheme, path: `/${title.replace(/[\\/]/g, '_')}.md`, query: String(++this.count) });
    this.texts.set(uri.toString(), text);
    return uri;
  }
}

const reportDocuments = new ReportDocuments();

export function registerReportDocuments(): vscode.Disposable {
  return vscode.workspace.registerTextDocumentContentProvider(ReportDocuments.scheme, reportDocuments);
}

/** Opens the report as a read-only Markdown document beside the editor. */
export async function openReport(report: TransformReport): Promise<void> {
  const name = report.output ? basename(report.output) : report.transform;
  const uri = reportDocuments.add(`${name} ${report.transform} report`, formatReport(report, { markdown: true, listLimit: 200 }));
  const document = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(document, { viewColumn: vscode.ViewColumn.Beside, preview: true });
}

/** One line for the notification: what changed and whether it verified. */
export function reportSummary(report: TransformReport): string {
  const nodes = `${totalNodes(report.nodesBefore)} -> ${totalNodes(report.nodesAfter)} nodes`;
  const v = report.verification;
  const verdict = !v ? '' : !v.ran ? `; not verified (${v.problem ?? 'unknown reason'})` : v.informational
    ? `; ${v.comparisons.map((c) => `${c.name}: cosine ${formatCosine(c.cosine)}`).slice(0, 2).join(', ')}`
    : v.pass ? '; outputs match the original' : '; OUTPUTS DIFFER from the original';
  return `${nodes}${verdict}.`;
}

/** Logs the report, opens the result in the model editor and offers the full report. */
export async function showTransformResult(report: TransformReport, output: vscode.Uri, log: vscode.LogOutputChannel): Promise<void> {
  log.info(formatReport(report));
  await vscode.commands.executeCommand('vscode.openWith', output, MODEL_EDITOR, { viewColumn: vscode.ViewColumn.Active });
  const title = `${report.transform[0].toUpperCase()}${report.transform.slice(1)}`;
  const message = `${title}: ${basename(output.fsPath)} written, ${reportSummary(report)}`;
  const show = 'Show Report';
  const failed = report.verification && report.verification.ran && !report.verification.informational && !report.verification.pass;
  const answer = failed ? await vscode.window.showWarningMessage(message, show) : await vscode.window.showInformationMessage(message, show);
  if (answer === show) await openReport(report);
}

/** Reports a failed command in one line; the details go to the log. */
export function showError(error: unknown, log: vscode.LogOutputChannel, what: string): void {
  log.error(`${what}: ${error instanceof Error && !(error instanceof UserError) ? error.stack ?? error.message : oneLine(error)}`);
  void vscode.window.showErrorMessage(`${what}: ${oneLine(error)}`);
}
