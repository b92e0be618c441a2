// Where an edited model's bytes go. A local file goes through the core's saver (atomic; beside its source
// the external-data files stay untouched, elsewhere they are copied next to the new file). A hot-exit
// backup holds the model only: its external references still resolve from the original folder.
import * as vscode from 'vscode';
import { saveEditedModel } from '../core/edit/index.js';
import { UserError } from '../core/errors.js';
import { encodeModel } from '../core/model/decode.js';
import { isExternal } from '../core/model/externalData.js';
import { allTensors } from '../core/model/modelFile.js';
import type { ModelProto } from '../core/model/proto.js';

function hasExternalData(model: ModelProto): boolean {
  for (const tensor of allTensors(model)) if (isExternal(tensor)) return true;
  return false;
}

/** Writes `model` (read from `source`) to `target`; `backup`: a hot-exit copy, references left as they are. */
export async function writeModelFile(target: vscode.Uri, model: ModelProto, source: vscode.Uri, options: { backup?: boolean } = {}): Promise<void> {
  if (target.scheme === 'file' && source.scheme === 'file' && !options.backup) {
    saveEditedModel(target.fsPath, model, { sourceDir: vscode.Uri.joinPath(source, '..').fsPath });
    return;
  }
  // Elsewhere (a remote or virtual file system, the backup folder): the bytes through VS Code's file system.
  if (!options.backup && hasExternalData(model)) throw new UserError('A model with external data can be saved to local files only.');
  await vscode.workspace.fs.writeFile(target, encodeModel(model));
}
