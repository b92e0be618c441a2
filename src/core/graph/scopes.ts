// Name scopes of nodes, for grouping: from PyTorch-style names (`/encoder/layers.0/attn/MatMul`) or the
// `namespace` metadata the PyTorch (dynamo) exporter writes (`: Model/encoder: Encoder/encoder.layers.0: Layer`).
import { nodeMetadataValue } from '../model/lazyDecode.js';
import type { NodeProto } from '../model/proto.js';

/** The scope segments of a node, outermost first; [] when the node has none. */
export function nodeScope(node: NodeProto): string[] {
  // Read from the node's bytes: grouping every node must not turn all their metadata into objects.
  const namespace = nodeMetadataValue(node, 'namespace');
  if (namespace) return namespaceScope(namespace);
  return nameScope(node.name ?? '');
}

/**
 * `/a/b/Op_1` -> ['a', 'b']; names without '/' have no scope. The prefix an inliner puts before names it
 * copies into a branch (`If_0_else_branch__Inline_0__/decoder/Conv`) is no scope: every node of the branch
 * has it.
 */
export function nameScope(name: string): string[] {
  if (!name.includes('/')) return [];
  const parts = name.split('/');
  parts.pop();
  return parts.filter((p) => p.length > 0 && !INLINE_MARK.test(p));
}

const INLINE_MARK = /__Inline_\d+__$/;

/**
 * `: Model/encoder: Encoder/encoder.layers.0: Layer/...` -> ['encoder', 'layers.0', ...]. Each segment is
 * `<qualified module name>: <class>`; the module name repeats its parent's, which is dropped.
 */
export function namespaceScope(namespace: string): string[] {
  const result: string[] = [];
  let previous = '';
  const segments = namespace.split('/');
  // The last segment may name the operator itself (`linear: aten.linear.default`), not a module class.
  const last = segments[segments.length - 1] ?? '';
  const lastType = last.slice(last.indexOf(': ') + 2);
  if (segments.length > 1 && last.includes(': ') && !/[A-Z]/.test(lastType)) segments.pop();
  for (const segment of segments) {
    const colon = segment.indexOf(': ');
    const qualified = (colon >= 0 ? segment.slice(0, colon) : segment).trim();
    if (!qualified) continue;
    const local = previous && qualified.startsWith(previous + '.') ? qualified.slice(previous.length + 1) : qualified;
    previous = qualified;
    result.push(local);
  }
  return result;
}
