// The model as a whole: its IR version, its opset imports, the features each IR version added, and
// metadata. The per-feature IR limits come from the IR version history in onnx.proto.
import { DataType, int64ToNumber } from '../model/proto.js';
import { domainName, isOnnxDomain, latestIrVersion, latestOpset } from '../ops/opSchemas.js';
import { type CheckContext, functionKey } from './context.js';

/** The IR version that introduced each data type (types from IR 1 are absent). */
export const dataTypeMinIr: ReadonlyMap<number, number> = new Map([
  [DataType.BFLOAT16, 4],
  [DataType.FLOAT8E4M3FN, 9],
  [DataType.FLOAT8E4M3FNUZ, 9],
  [DataType.FLOAT8E5M2, 9],
  [DataType.FLOAT8E5M2FNUZ, 9],
  [DataType.UINT4, 10],
  [DataType.INT4, 10],
  [DataType.FLOAT4E2M1, 11],
  [DataType.FLOAT8E8M0, 12],
  [DataType.UINT2, 13],
  [DataType.INT2, 13],
]);

export function checkModelLevel(ctx: CheckContext): void {
  const model = ctx.model;
  const ir = ctx.irVersion;
  if (ir <= 0) ctx.report('error', 'ir-version', {}, 'the model has no IR version (ir_version is missing or 0)');
  else if (ir > latestIrVersion) ctx.report('error', 'ir-version', {}, `IR version ${ir} is newer than the newest this checker knows (${latestIrVersion})`);

  const imports = model.opsetImport ?? [];
  if (ir >= 3 && imports.length === 0) ctx.report('error', 'opset-import', {}, `a model of IR version ${ir} must import an opset (opset_import is empty)`);
  if (ir > 0 && ir < 3 && imports.length > 0) ctx.report('error', 'opset-import', {}, `a model of IR version ${ir} cannot have opset_import (it came with IR version 3)`);
  const seen = new Map<string, number>();
  for (const o of imports) {
    const domain = o.domain ?? '';
    const version = int64ToNumber(o.version);
    const name = domainName(domain);
    const earlier = seen.get(name);
    if (earlier !== undefined) ctx.report('warning', 'opset-import', {}, `${name} is imported twice (versions ${earlier} and ${version})`);
    seen.set(name, version);
    if (!isOnnxDomain(domain)) continue;
    const latest = latestOpset(domain)!;
    if (version < 1) ctx.report('error', 'opset-version', {}, `${name} opset version ${version} does not exist (versions start at 1)`, 'convert-opset');
    else if (version > latest) ctx.report('error', 'opset-version', {}, `${name} opset ${version} is newer than the newest this checker knows (${latest})`, 'convert-opset');
  }
  if (imports.length > 0 && !seen.has('ai.onnx')) ctx.report('info', 'opset-import', {}, 'the model imports no ai.onnx opset (the default domain)');

  const keys = new Set<string>();
  for (const entry of model.metadataProps ?? []) {
    const key = entry.key ?? '';
    if (keys.has(key)) {
      ctx.report('error', 'metadata-duplicate-key', {}, `metadata_props has the key '${key}' more than once`);
      break;
    }
    keys.add(key);
  }

  if (model.trainingInfo?.length) ctx.requireIr(7, 'training_info', {});
  if (model.functions?.length) ctx.requireIr(8, 'model-local functions', {});
  if (model.configuration?.length) ctx.requireIr(11, 'device configurations', {});

  const functions = new Set<string>();
  for (const fn of model.functions ?? []) {
    const key = functionKey(fn.domain, fn.name, fn.overload);
    const where = { graph: `fn:${fn.domain ?? ''}:${fn.name ?? ''}`, graphTitle: `function ${fn.domain ? fn.domain + '.' : ''}${fn.name ?? ''}` };
    if (functions.has(key)) ctx.report('error', 'function-signature', where, `function ${fn.domain ?? ''}.${fn.name ?? ''}${fn.overload ? ` (overload ${fn.overload})` : ''} is defined more than once`);
    functions.add(key);
  }
}
