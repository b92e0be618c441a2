// Model-level differences, from the same summary `onnx-lens info` prints: IR version, opsets, producer,
// metadata, the input and output signature, sizes and the op histogram.
import { formatDims } from '../format.js';
import type { ModelProto } from '../model/proto.js';
import { summarize, type SignatureEntry } from '../model/summary.js';
import type { ModelLevelDiff, SignatureChange } from './types.js';

const signatureText = (e: SignatureEntry) => `${e.type}${e.shape ? formatDims(e.shape) : ''}`;

/** Entries by name; a renamed input at the same position shows as removed and added. */
function signatureChanges(before: SignatureEntry[], after: SignatureEntry[]): SignatureChange[] {
  const b = new Map(after.map((e) => [e.name, e]));
  const changes: SignatureChange[] = [];
  for (const e of before) {
    const other = b.get(e.name);
    if (!other) changes.push({ name: e.name, before: signatureText(e) });
    else if (signatureText(e) !== signatureText(other)) changes.push({ name: e.name, before: signatureText(e), after: signatureText(other) });
  }
  const names = new Set(before.map((e) => e.name));
  for (const e of after) if (!names.has(e.name)) changes.push({ name: e.name, after: signatureText(e) });
  return changes;
}

function keyedChanges<T>(before: Record<string, T>, after: Record<string, T>): Array<{ key: string; before?: T; after?: T }> {
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])].sort();
  return keys.filter((k) => before[k] !== after[k]).map((k) => ({
    key: k, ...(k in before ? { before: before[k] } : {}), ...(k in after ? { after: after[k] } : {}),
  }));
}

export function modelLevelDiff(a: ModelProto, b: ModelProto, fileBytes?: { a: number; b: number }): ModelLevelDiff {
  const [sa, sb] = [summarize(a), summarize(b)];
  const diff: ModelLevelDiff = {
    opsets: keyedChanges(sa.opsets, sb.opsets).map(({ key, before, after }) => ({ domain: key, before, after })),
    metadata: keyedChanges(sa.metadata, sb.metadata),
    inputs: signatureChanges(sa.inputs, sb.inputs),
    outputs: signatureChanges(sa.outputs, sb.outputs),
    ops: keyedChanges(sa.ops, sb.ops).map(({ key, before, after }) => ({ op: key, before: before ?? 0, after: after ?? 0 })),
    sizes: {
      nodes: { before: sa.nodes.total, after: sb.nodes.total },
      initializers: { before: sa.initializers.count, after: sb.initializers.count },
      initializerBytes: { before: sa.initializers.bytes, after: sb.initializers.bytes },
      ...(fileBytes ? { fileBytes: { before: fileBytes.a, after: fileBytes.b } } : {}),
    },
  };
  if (sa.irVersion !== sb.irVersion) diff.irVersion = { before: sa.irVersion, after: sb.irVersion };
  const producer = (s: typeof sa) => `${s.producer}${s.producerVersion ? ` ${s.producerVersion}` : ''}`;
  if (producer(sa) !== producer(sb)) diff.producer = { before: producer(sa), after: producer(sb) };
  return diff;
}

/** Whether anything at model level differs (sizes follow from the rest and do not count by themselves). */
export function modelLevelChanged(d: ModelLevelDiff): boolean {
  return d.irVersion !== undefined || d.producer !== undefined || d.opsets.length > 0 || d.metadata.length > 0
    || d.inputs.length > 0 || d.outputs.length > 0 || d.ops.length > 0;
}
