// ONNX: Diff with HEAD: the model as committed (git's HEAD) against the working file, in the diff overlay.
// HEAD's bytes come from `git show` (binary-safe, unlike the git extension's text `show`) into a
// temporary folder of this command, removed when the extension stops.
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import { UserError } from '../core/errors.js';
import { MODEL_EDITOR_VIEW_TYPE } from '../editor/editorRegistry.js';
import type { HostServices } from '../services/hostServices.js';
import { showError } from './transformRunner.js';

export const DIFF_HEAD_COMMAND = 'onnxLens.diffWithHead';
const TITLE = 'Diff with HEAD';
/** A model in git larger than this is not read into memory by `git show`. */
const maxBytes = 4 * 2 ** 30;

/** The file a command got: a URI (explorer, editor title), a Source Control resource, or the active model. */
function targetOf(arg: unknown): vscode.Uri | undefined {
  if (arg instanceof vscode.Uri) return arg;
  const scm = arg as { resourceUri?: unknown } | undefined;
  if (scm && scm.resourceUri instanceof vscode.Uri) return scm.resourceUri;
  const input = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
  if (input instanceof vscode.TabInputCustom && input.viewType === MODEL_EDITOR_VIEW_TYPE) return input.uri;
  if (input instanceof vscode.TabInputText) return input.uri;
  return undefined;
}

function git(args: string[], cwd: string, signal?: AbortSignal): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    execFile('git', args, { cwd, encoding: 'buffer', maxBuffer: maxBytes, signal }, (error, stdout, stderr) => {
      if (!error) resolve(stdout);
      else if ((error as NodeJS.ErrnoException).code === 'ENOENT') reject(new UserError('git was not found on the PATH.'));
      else reject(new UserError(stderr.toString().trim().split('\n')[0] || error.message));
    });
  });
}

/** HEAD's copy of the model at `path` (a file in a git work tree), as bytes. */
export async function headBytes(path: string): Promise<Uint8Array> {
  const cwd = dirname(path);
  // `HEAD:./name` resolves against the folder git runs in: no need to find the work tree's root.
  try {
    return await git(['show', `HEAD:./${basename(path)}`], cwd);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (/not a git repository/i.test(message)) throw new UserError(`${basename(path)} is not in a git repository.`);
    if (/does not exist in 'HEAD'|exists on disk, but not in 'HEAD'|invalid object name 'HEAD'|bad revision/i.test(message)) throw new UserError(`${basename(path)} is not in HEAD (new, or no commit yet).`);
    throw error;
  }
}

export function registerDiffWithHead(services: HostServices): vscode.Disposable {
  let folder: string | undefined;
  const run = async (arg?: unknown) => {
    try {
      const working = targetOf(arg);
      if (!working) throw new UserError('Open or select an .onnx model first.');
      if (working.scheme !== 'file') throw new UserError('The diff with HEAD needs a model on the local file system.');
      if (!working.path.toLowerCase().endsWith('.onnx')) throw new UserError('Not an .onnx model.');
      const bytes = await headBytes(working.fsPath);
      folder ??= mkdtempSync(join(tmpdir(), 'onnx-lens-head-'));
      // A folder per copy: copies of models of the same name from different folders do not collide.
      const copyDir = mkdtempSync(join(folder, 'm-'));
      const copy = join(copyDir, basename(working.fsPath).replace(/\.onnx$/i, '.HEAD.onnx'));
      writeFileSync(copy, bytes);
      services.log.info(`${TITLE}: ${working.fsPath} against HEAD (${bytes.byteLength} bytes)`);
      await vscode.commands.executeCommand('onnxLens.diffModels', working, [vscode.Uri.file(copy), working], { label: `${basename(working.fsPath)} at HEAD` });
    } catch (error) {
      showError(error, services.log, TITLE);
    }
  };
  return vscode.Disposable.from(
    vscode.commands.registerCommand(DIFF_HEAD_COMMAND, run),
    { dispose: () => folder && rmSync(folder, { recursive: true, force: true }) },
  );
}
