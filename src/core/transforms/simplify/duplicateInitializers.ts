// Initializers of one graph with the same type, shape and bytes: readers of the later ones read the first.
// (Then the clean-up's duplicate-node merge finds more nodes computing the same thing.) Tensors kept in
// external files, graph outputs and kept names are left alone.
import { isExternal } from '../../model/externalData.js';
import { int64ToNumber, onnx, type TensorProto } from '../../model/proto.js';
import type { Rewrite } from './rewrite.js';
import type { RewriteGraph } from './rewriteGraph.js';

/** A hash of at most ~4096 sampled bytes: equal tensors hash alike, and equality is then checked in full. */
function sampledHash(bytes: Uint8Array): number {
  let h = 2166136261;
  const step = Math.max(1, Math.floor(bytes.length / 4096));
  for (let i = 0; i < bytes.length; i += step) h = Math.imul(h ^ bytes[i], 16777619);
  return h >>> 0;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** The tensor's content without its name: what two equal constants share (raw bytes as they are). */
function content(t: TensorProto): Uint8Array {
  if (t.rawData?.length) return t.rawData;
  return onnx.TensorProto.encode(onnx.TensorProto.create({ ...t, name: '', docString: '' })).finish();
}

export const duplicateInitializers: Rewrite = {
  id: 'duplicate-initializers',
  title: 'duplicate initializers merged',
  apply(g: RewriteGraph) {
    // Type, shape and size first; the bytes are hashed and compared only within groups that share them.
    const groups = new Map<string, TensorProto[]>();
    for (const t of g.graph.initializer ?? []) {
      const name = t.name ?? '';
      if (!name || g.constant(name) !== t || isExternal(t) || g.isProtected(name) || g.readers(name).length === 0) continue;
      const key = `${t.dataType}:${(t.dims ?? []).map((d) => int64ToNumber(d)).join(',')}:${t.rawData?.length ? 'raw' : 'typed'}`;
      groups.set(key, [...(groups.get(key) ?? []), t]);
    }
    let count = 0;
    for (const group of groups.values()) {
      if (group.length < 2) continue;
      const kept = new Map<number, Array<{ name: string; bytes: Uint8Array }>>();
      for (const t of group) {
        const bytes = content(t);
        const hash = sampledHash(bytes);
        const same = kept.get(hash)?.find((k) => sameBytes(k.bytes, bytes));
        if (same) {
          g.reroute(t.name!, same.name);
          count++;
        } else kept.set(hash, [...(kept.get(hash) ?? []), { name: t.name!, bytes }]);
      }
    }
    return count;
  },
};
