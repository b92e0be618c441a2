// Commands that need concrete input shapes ask once for the sizes nothing in the model gives: one input
// box per free dim, prefilled with what the resolver would feed. The answers join the model's remembered
// input specification, so the next command on that model (a test run, a transform's verification) asks
// nothing.
import * as vscode from 'vscode';
import type { ModelProto } from '../core/model/proto.js';
import type { ModelHints } from '../core/runtime/inputHints.js';
import { resolveInputs } from '../core/runtime/inputResolve.js';
import type { InputSpec } from '../core/runtime/inputSpec.js';
import { withDim } from '../core/runtime/inputSpecEdit.js';
import { unknownDims } from '../core/runtime/inputTable.js';
import type { HostServices } from '../services/hostServices.js';

/** Sizes above this are surely a typo (one such axis alone would hold 2^31 elements). */
const largestSize = 2 ** 31;

function checkSize(text: string): string | undefined {
  if (!/^\s*\d+\s*$/.test(text)) return 'A size is a whole number (0 or more).';
  return Number(text) > largestSize ? `At most ${largestSize}.` : undefined;
}

/**
 * `spec` with a size for every free dim the model gives no hint about, asked one by one (each answer can
 * size others: a dim the graph ties to an answered one is not asked); undefined when the user dismissed
 * a question. A spec that does not resolve throws the resolver's one-line error.
 */
export async function askUnknownDims(title: string, model: ModelProto, spec: InputSpec, cache: { hints?: ModelHints } = {}): Promise<InputSpec | undefined> {
  let answered = spec;
  const asked = new Set<string>();
  for (;;) {
    const dim = unknownDims(resolveInputs(model, answered, cache)).find((d) => !asked.has(d.key));
    if (!dim) return answered;
    asked.add(dim.key);
    const text = await vscode.window.showInputBox({
      title: `${title}: size of ${dim.key}`,
      prompt: `${dim.key} sizes ${dim.uses.join(', ')}; nothing in the model says how large it is. Asked once for this model.`,
      value: String(dim.value),
      validateInput: checkSize,
      ignoreFocusOut: true,
    });
    if (text === undefined) return undefined;
    answered = withDim(answered, dim.key, Number(text));
  }
}

/**
 * The input specification a command on `model` uses: the remembered one (or none), with the unknown
 * sizes asked for once and remembered. Undefined when the user dismissed a question.
 */
export async function rememberedSpec(services: HostServices, uri: vscode.Uri, model: ModelProto, title: string): Promise<InputSpec | undefined> {
  const spec = await askUnknownDims(title, model, services.inputChoices.get(uri) ?? {});
  if (spec) await services.inputChoices.set(uri, spec);
  return spec;
}
