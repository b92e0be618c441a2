// The model checker in VS Code: problems of open models in the Problems panel (src/editor/modelProblems.ts),
// their code links revealing the node, and `ONNX: Fix Model Problems...`, which writes the fixed model to
// a new file beside it (`name.fixed.onnx`, never over anything), verifies and opens it. VS Code asks for
// code actions only on text models, which a binary custom editor does not have: the fixes are a command
// (palette, editor panel button) instead of quick fixes on the diagnostics.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { checkInWorker } from '../core/check/checkInWorker.js';
import { fixModelFile, problemCountText, type FixFileResult } from '../core/check/fixFile.js';
import { fixableProblems, fixTitles, opsetTarget, type AppliedFix } from '../core/check/fixes.js';
import type { Problem } from '../core/check/index.js';
import { readModelFile } from '../core/model/decode.js';
import { freeOutputPath } from '../core/model/modelFile.js';
import { formatReport, reportSummary } from '../core/transforms/report.js';
import { siblingOutputPath } from '../core/transforms/transformFile.js';
import { ModelProblems, REVEAL_PROBLEM_COMMAND } from '../editor/modelProblems.js';
import type { RevealLocation } from '../protocol.js';
import type { HostServices } from '../services/hostServices.js';
import { ReportDocuments } from './reportDocuments.js';
import { MODEL_EDITOR, pickTargetUri, runWithProgress, showError } from './transformRunner.js';

export function registerProblems(services: HostServices): vscode.Disposable {
  const problems = new ModelProblems(services.editors, services.log);
  const reports = new ReportDocuments('onnx-lens-fix-report');
  return vscode.Disposable.from(
    problems,
    reports,
    vscode.commands.registerCommand(REVEAL_PROBLEM_COMMAND, (uri: unknown, location: unknown) => revealProblem(services, uri, location)),
    vscode.commands.registerCommand('onnxLens.fixProblems', (arg: unknown) => fixProblemsCommand(arg, problems, services, reports)),
  );
}

/** The code link of a diagnostic: `[model URI, location]`, as the link's JSON carries them. */
async function revealProblem(services: HostServices, uri: unknown, location: unknown): Promise<void> {
  if (typeof uri !== 'string') return;
  const raw = (location && typeof location === 'object' ? location : {}) as Record<string, unknown>;
  const where: RevealLocation = {
    ...(typeof raw.graph === 'string' ? { graph: raw.graph } : {}),
    ...(typeof raw.node === 'number' ? { node: raw.node } : {}),
    ...(typeof raw.value === 'string' ? { value: raw.value } : {}),
  };
  try {
    await services.editors.revealLocation(vscode.Uri.parse(uri), where);
  } catch (error) {
    showError(error, services.log, 'Reveal Problem');
  }
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

interface FixItem extends vscode.QuickPickItem {
  fixes: AppliedFix[];
}

/** The open editor's result when there is one, else a check of the file. */
async function currentProblems(uri: vscode.Uri, problems: ModelProblems): Promise<Problem[]> {
  const known = await problems.problemsOf(uri);
  if (known) return known;
  return checkInWorker({ path: uri.fsPath, modelDir: vscode.Uri.joinPath(uri, '..').fsPath });
}

async function fixProblemsCommand(arg: unknown, problems: ModelProblems, services: HostServices, reports: ReportDocuments): Promise<void> {
  const { log } = services;
  try {
    const source = await pickTargetUri(arg, 'Fix Model Problems');
    if (!source) return;
    const name = basename(source.fsPath);
    const found = await currentProblems(source, problems);
    const offered = fixableProblems(found);
    if (!offered.size) {
      const none = found.length === 0 ? 'the checker finds no problems' : found.length === 1 ? 'its problem has no fix that ONNX Lens can apply' : `none of its ${found.length} problems has a fix that ONNX Lens can apply`;
      void vscode.window.showInformationMessage(`${name}: ${none}.`);
      return;
    }
    // The opset fix says where it goes: the lowest opset its problems call for.
    const opset = offered.has('convert-opset') ? opsetTarget((await readModelFile(source.fsPath)).model, found) : undefined;
    const items: FixItem[] = [...offered].map(([kind, list]) => ({
      label: kind === 'convert-opset' && opset !== undefined ? `${fixTitles[kind]} to ${opset}` : fixTitles[kind],
      description: plural(list.length, 'problem'),
      detail: list[0].message,
      fixes: [kind],
    }));
    if (items.length > 1) items.unshift({ label: 'Apply All Fixes', description: plural([...offered.values()].flat().length, 'problem'), detail: items.map((i) => i.label).join(', '), fixes: [...offered.keys()] });
    const picked = await vscode.window.showQuickPick(items, {
      title: `Fix Model Problems: ${name}`,
      placeHolder: `The result goes to a new file beside ${name}`,
      matchOnDescription: true,
    });
    if (!picked) return;
    const output = vscode.Uri.file(freeOutputPath(siblingOutputPath(source.fsPath, 'fixed')));
    log.info(`Fixing ${source.fsPath} -> ${output.fsPath}: ${picked.fixes.join(', ')}${opset !== undefined && picked.fixes.includes('convert-opset') ? ` (opset ${opset})` : ''}`);
    const result = await runWithProgress(`Fixing ${name}`, output, ({ report, signal }) =>
      fixModelFile(source.fsPath, output.fsPath, { client: services.runtime.get(), fixes: picked.fixes, opset, problems: found, signal, onProgress: report }));
    if (!result) return;
    await showFixResult(result, output, log, reports);
  } catch (error) {
    showError(error, log, 'Fix Model Problems');
  }
}

/** Opens the fixed model in the model editor and says what changed, whether it verified, what is left. */
async function showFixResult(result: FixFileResult, output: vscode.Uri, log: vscode.LogOutputChannel, reports: ReportDocuments): Promise<void> {
  const { report, changes, remaining } = result;
  log.info(formatReport(report));
  await vscode.commands.executeCommand('vscode.openWith', output, MODEL_EDITOR, { viewColumn: vscode.ViewColumn.Active });
  const runs = report.notes.includes('The fixed model runs in onnxruntime.') ? ' The fixed model runs in onnxruntime.' : '';
  const left = remaining.length ? ` ${problemCountText(remaining)} left.` : ' No problems left.';
  const message = `Fix: ${basename(output.fsPath)} written, ${reportSummary(report, changes.map((c) => c.summary).join('; '))}${runs}${left}`;
  const show = 'Show Report';
  const verified = report.verification?.status === 'pass';
  const answer = verified ? await vscode.window.showInformationMessage(message, show) : await vscode.window.showWarningMessage(message, show);
  if (answer === show) await reports.open(`${basename(output.fsPath)} fix report`, formatReport(report, { markdown: true, listLimit: 200 }));
}
