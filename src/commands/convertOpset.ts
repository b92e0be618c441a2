// `ONNX: Convert Opset...`'s question: the target opset, from the oldest onnxruntime runs to the newest,
// the model's own marked. The IR version follows the target (the converter's default). The runner does
// the rest.
import * as vscode from 'vscode';
import { defaultOpset } from '../core/model/graphQueries.js';
import { newestOpset, oldestRuntimeOpset } from '../core/opset/convert.js';
import type { OpsetRequest } from '../core/transforms/opsetTransform.js';
import type { TransformUi } from './transformRunner.js';

interface Target extends vscode.QuickPickItem {
  opset: number;
}

export const convertOpsetUi: TransformUi<OpsetRequest> = {
  async ask({ model }) {
    const current = defaultOpset(await model());
    const items: Target[] = [];
    for (let v = newestOpset; v >= Math.min(oldestRuntimeOpset, current); v--) {
      items.push({ label: `Opset ${v}`, opset: v, description: v === current ? '(current)' : v > current ? 'up' : 'down' });
    }
    const picked = await vscode.window.showQuickPick(items, {
      title: `Convert Opset: the target version (the model is at opset ${current})`,
      placeHolder: `The model is at opset ${current}`,
      ignoreFocusOut: true,
    });
    return picked ? { opset: picked.opset } : undefined;
  },
};
