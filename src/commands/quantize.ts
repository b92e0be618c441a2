// `ONNX: Quantize Model...`'s questions: the mode, then what the mode table asks for it (remembered per
// workspace, the last answer first), the calibration inputs of a calibrated mode, and the nodes to leave
// in float. The runner does the rest.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { modeSpecs, quantizeModes, resolveOptions, type QuantizeMode, type QuantizeOptions } from '../core/transforms/quantize/options.js';
import type { QuantizeDetails } from '../core/transforms/quantize/quantizeReport.js';
import type { QuantizeRequest } from '../core/transforms/quantize/quantizeTransform.js';
import type { TransformUi } from './transformRunner.js';

const stateKey = 'onnxLens.quantize.last';

interface Remembered {
  mode?: QuantizeMode;
  options?: Partial<Record<QuantizeMode, Partial<QuantizeOptions>>>;
  calibration?: string;
}

interface Choice<T> extends vscode.QuickPickItem {
  value: T;
}

/** One quick pick; the remembered value comes first and is marked. Undefined when dismissed. */
async function pick<T>(title: string, choices: Array<Choice<T>>, remembered: T | undefined): Promise<T | undefined> {
  const items = choices.map((c) => (c.value === remembered ? { ...c, description: `${c.description ?? ''} (last used)`.trim() } : c));
  items.sort((a, b) => Number(b.value === remembered) - Number(a.value === remembered));
  const chosen = await vscode.window.showQuickPick(items, { title: `Quantize Model: ${title}`, ignoreFocusOut: true });
  return chosen?.value;
}

/** Generated inputs, a folder the user picks, or the folder used last time; '' for generated. */
async function askCalibration(last: string | undefined): Promise<string | undefined> {
  const source = await pick('calibration inputs', [
    { label: 'Generated inputs', detail: '16 random input sets from the declared input types', value: 'generated' },
    { label: 'Choose a folder...', detail: 'test_data_set_N folders, or .pb/.npy/.json input files', value: 'folder' },
    ...(last ? [{ label: basename(last), detail: last, value: last }] : []),
  ], last ?? 'generated');
  if (source !== 'folder') return source === 'generated' ? '' : source;
  const folder = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, openLabel: 'Calibrate with this folder', title: 'Calibration inputs' });
  return folder?.[0]?.fsPath;
}

export const quantizeUi: TransformUi<QuantizeRequest, QuantizeDetails> = {
  async ask({ state, config }) {
    const last = state.get<Remembered>(stateKey) ?? {};
    const mode = await pick('mode', quantizeModes.map((m) => ({ label: m, detail: modeSpecs[m].description, value: m })), last.mode);
    if (!mode) return undefined;
    const spec = modeSpecs[mode];
    const prev: Partial<QuantizeOptions> = last.options?.[mode] ?? {};
    const chosen: Partial<QuantizeOptions> & { mode: QuantizeMode } = { mode };
    let calibration: string | undefined;
    if (spec.calibrated) {
      calibration = await askCalibration(last.calibration);
      if (calibration === undefined) return undefined;
    }
    for (const question of spec.questions) {
      const values: unknown[] = question.choices.map((c) => c.value);
      const remembered = values.includes(prev[question.option]) ? prev[question.option] : spec.defaults[question.option as keyof typeof spec.defaults];
      const answer = await pick<unknown>(question.title, question.choices, remembered);
      if (answer === undefined) return undefined;
      Object.assign(chosen, { [question.option]: answer });
    }
    if (spec.excludes) {
      const exclude = await vscode.window.showInputBox({
        title: 'Quantize Model: nodes to leave in float (optional)',
        prompt: 'Node names or op types, separated by commas; empty to quantize everything that qualifies.',
        value: (prev.exclude ?? []).join(', '),
        ignoreFocusOut: true,
      });
      if (exclude === undefined) return undefined;
      chosen.exclude = exclude.split(',').map((e) => e.trim()).filter(Boolean);
    }
    const quantize = resolveOptions(chosen);
    await state.update(stateKey, {
      mode,
      options: { ...(last.options ?? {}), [mode]: chosen },
      calibration: calibration || last.calibration,
    } satisfies Remembered);
    const iterations = config.get<number>('run.iterations', 20);
    // 0: the pool's default, one thread.
    const threads = config.get<number>('quantize.threads', 0);
    return { quantize, calibration: calibration || undefined, latency: { warmup: config.get<number>('run.warmup', 3), iterations }, ...(threads > 0 ? { threads } : {}) };
  },
};
