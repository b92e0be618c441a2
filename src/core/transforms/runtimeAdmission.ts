// The second gate before a result is written (after the model checker, sourceChecks.ts): the result must
// load in onnxruntime. A transform that opts in (Transform.loadsBeforeWrite) never hands out a file the
// runtime refuses (a float16 If body whose types disagree, a quantized op without a kernel): nothing is
// written, and the one line names what onnxruntime named (node, type, op).
import { oneLine, UserError } from '../errors.js';
import { encodeModel } from '../model/decode.js';
import type { ModelProto } from '../model/proto.js';
import type { RuntimeClient } from '../runtime/client.js';
import { refuseResult, type ResultCheck } from './sourceChecks.js';

/** onnxruntime's message without its prefixes: "onnxruntime: [ONNXRuntimeError] : 1 : FAIL : Load model ... failed:". */
export function runtimeReason(error: unknown): string {
  return oneLine(error)
    .replace(/^.*?\[ONNXRuntimeError\]\s*:\s*\d+\s*:\s*\w+\s*:\s*/, '')
    .replace(/^onnxruntime:\s*/, '')
    .replace(/^Load model from .*? failed:\s*/, '')
    .replace(/\.$/, '');
}

async function loads(client: RuntimeClient, model: Uint8Array | string, baseDir: string, signal?: AbortSignal): Promise<unknown> {
  try {
    const session = await client.open(model, { baseDir, signal });
    await session.close().catch(() => undefined);
    return undefined;
  } catch (error) {
    if (signal?.aborted) throw error instanceof UserError ? error : new UserError(oneLine(error));
    return error ?? new Error('unknown error');
  }
}

/**
 * Opens `model` in the runtime child and closes it; a refusal throws the ResultRefused (nothing written).
 * External data is read from `baseDir`, where the source's data files are. On a refusal the source file
 * is opened too: when onnxruntime refuses it as well, the result is not blamed on the transform.
 */
export async function admitRuntimeLoad(client: RuntimeClient, model: ModelProto, source: string, baseDir: string, check: Pick<ResultCheck, 'transform' | 'report' | 'tolerance' | 'resultName'>, signal?: AbortSignal): Promise<void> {
  const refused = await loads(client, encodeModel(model), baseDir, signal);
  if (refused === undefined) return;
  const sourceLoads = (await loads(client, source, baseDir, signal)) === undefined;
  const whose = sourceLoads ? `the ${check.resultName}` : `the ${check.resultName} (nor ${source})`;
  refuseResult(`onnxruntime does not load ${whose}: ${runtimeReason(refused)}`, check, sourceLoads);
}
