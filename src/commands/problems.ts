// The model checker in VS Code: problems of open models in the Problems panel (src/editor/modelProblems.ts),
// their code links revealing the node, and `ONNX: Fix Model Problems...`, which writes the fixed model to
// a new file beside it (`name.fixed.onnx`, never over anything), verifies and opens it. VS Code asks for
// code actions only on text models, which a binary custom editor does not have: the fixes are a command
// (palette, editor panel button) instead of quick fixes on the diagnostics.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { checkInWorker } from '../core/check/checkInWorker.js';
import { fixModelFile, type FixFileResult } from '../core/check/fixFile.js';
import { fixableProblems, fixTitles, type AppliedFix } from '../core/check/fixes.js';
import { countBySeverity, type Problem } from '../core/check/index.js';
import { freeOutputPath } from '../core/model/modelFile.js';
import { siblingOutputPath } from '../core/transforms/report.js';
import { ModelProblems, REVEAL_PROBLEM_COMMAND } from '../editor/modelProblems.js';
import type { RevealLocation } from '../protocol.js';
import type { HostServices } from '../services/hostServices.js';
import { MODEL_EDITOR, openReport, pickTargetUri, runWithProgress, showError } from './transformCommon.js';

export function registerProblems(services: HostServices): vscode.Disposable {
  const problems = new ModelProblems(services.editors, services.log);
  return vscode.Disposable.from(
    problems,
    vscode.commands.registerCommand(REVEAL_PROBLEM_COMMAND, (uri: unknown, location: unknown) => revealProblem(services, uri, location)),
    vscode.commands.registerCommand('onnxLens.fixProblems', (arg: unknown) => fixProblemsCommand(arg, problems, services)),
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

function countText(problems: readonly Problem[]): string {
  const c = countBySeverity(problems);
  return [c.error && plural(c.error, 'error'), c.warning && plural(c.warning, 'warning'), c.info && plural(c.info, 'info')].filter(Boolean).join(', ');
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

async function fixProblemsCommand(arg: unknown, problems: ModelProblems, services: HostServices): Promise<void> {
  const { log } = services;
  try {
    const source = await pickTargetUri(arg, 'Fix Model Problems');
    if (!source) return;
    const name = basename(source.fsPath);
    const found = await currentProblems(source, problems);
    const offered = fixableProblems(found);
    const opsetOnly = found.filter((p) => p.fix === 'convert-opset').length;
    if (!offered.size) {
      const why = opsetOnly ? ` ${plural(opsetOnly, 'problem')} would need the opset converted, which this command does not do yet.` : '';
      void vscode.window.showInformationMessage(`${name}: ${found.length ? 'none of its problems has a fix here' : 'the checker finds no problems'}.${why}`);
      return;
    }
    const items: FixItem[] = [...offered].map(([kind, list]) => ({
      label: fixTitles[kind],
      description: plural(list.length, 'problem'),
      detail: list[0].message,
      fixes: [kind],
    }));
    if (items.length > 1) items.unshift({ label: 'Apply All Fixes', description: plural([...offered.values()].flat().length, 'problem'), detail: items.map((i) => i.label).join(', '), fixes: [...offered.keys()] });
    const picked = await vscode.window.showQuickPick(items, {
      title: `Fix Model Problems: ${name}`,
      placeHolder: `The result goes to a new file beside ${name}${opsetOnly ? `; ${plural(opsetOnly, 'problem')} would need the opset converted (not offered here)` : ''}`,
      matchOnDescription: true,
    });
    if (!picked) return;
    const output = vscode.Uri.file(freeOutputPath(siblingOutputPath(source.fsPath, 'fixed')));
    log.info(`Fixing ${source.fsPath} -> ${output.fsPath}: ${picked.fixes.join(', ')}`);
    const result = await runWithProgress(`Fixing ${name}`, output, ({ report, signal }) =>
      fixModelFile(source.fsPath, output.fsPath, { client: services.runtime.get(), fixes: picked.fixes, problems: found, signal, onProgress: report }));
    if (!result) return;
    await showFixResult(result, output, log);
  } catch (error) {
    showError(error, log, 'Fix Model Problems');
  }
}

/** Opens the fixed model in the model editor and says what changed, whether it verified, what is left. */
async function showFixResult(result: FixFileResult, output: vscode.Uri, log: vscode.LogOutputChannel): Promise<void> {
  const { report, changes, remaining } = result;
  log.info(`Fix: ${output.fsPath}: ${changes.map((c) => c.summary).join('; ')}; ${report.notes.join(' ')}`);
  await vscode.commands.executeCommand('vscode.openWith', output, MODEL_EDITOR, { viewColumn: vscode.ViewColumn.Active });
  const v = report.verification;
  const verdict = !v ? 'not verified' : !v.ran ? `not verified: ${v.problem ?? 'unknown reason'}${report.notes.some((n) => /fixed model runs/.test(n)) ? ' (the fixed model runs)' : ''}` : v.pass ? 'outputs match the original' : 'OUTPUTS DIFFER from the original';
  const left = remaining.length ? `${countText(remaining)} left` : 'no problems left';
  const message = `Fix: ${basename(output.fsPath)} written: ${changes.map((c) => c.summary).join('; ')}; ${verdict}; ${left}.`;
  const show = 'Show Report';
  const differ = v?.ran && !v.pass;
  const answer = differ ? await vscode.window.showWarningMessage(message, show) : await vscode.window.showInformationMessage(message, show);
  if (answer === show) await openReport(report);
}
