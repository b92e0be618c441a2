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
  if (segments.length > 1 && isOperatorSegment(segments[segments.length - 1])) segments.pop();
  for (const segment of segments) previous = addSegment(result, previous, segment);
  return result;
}

/** The last segment may name the operator itself (`linear: aten.linear.default`), not a module class. */
function isOperatorSegment(last: string): boolean {
  const lastType = last.slice(last.indexOf(': ') + 2);
  return last.includes(': ') && !/[A-Z]/.test(lastType);
}

/** Adds one `<qualified module name>: <class>` segment's local name; returns the qualified name that follows. */
function addSegment(result: string[], previous: string, segment: string): string {
  const colon = segment.indexOf(': ');
  const qualified = (colon >= 0 ? segment.slice(0, colon) : segment).trim();
  if (!qualified) return previous;
  result.push(previous && qualified.startsWith(previous + '.') ? qualified.slice(previous.length + 1) : qualified);
  return qualified;
}

/** A namespace without its last segment, and what it gives. */
interface ModulePath {
  prefix: string;
  scope: string[];
  /** The qualified name of its last module, which the next segment's name repeats. */
  previous: string;
}

/**
 * nodeScope for the nodes of one graph: the nodes of a module share all of their namespace (or name) but
 * its last segment, which is split once. The lists it gives are shared: read them, do not change them.
 */
export class NodeScopes {
  private readonly namespaces = new Map<string, ModulePath>();
  private last?: ModulePath;
  private readonly names = new Map<string, string[]>();
  private lastName?: { prefix: string; scope: string[] };

  of(node: NodeProto): readonly string[] {
    const namespace = nodeMetadataValue(node, 'namespace');
    if (namespace) return this.ofNamespace(namespace);
    return this.ofName(node.name ?? '');
  }

  private ofNamespace(namespace: string): readonly string[] {
    const slash = namespace.lastIndexOf('/');
    if (slash < 0) return namespaceScope(namespace);
    let path = this.last;
    // Nodes of one module mostly follow each other: comparing with the last one's path costs no hashing
    // of a long new string.
    if (!path || slash !== path.prefix.length || !namespace.startsWith(path.prefix)) {
      const prefix = namespace.slice(0, slash);
      path = this.namespaces.get(prefix);
      if (!path) {
        const scope: string[] = [];
        let previous = '';
        for (const segment of prefix.split('/')) previous = addSegment(scope, previous, segment);
        this.namespaces.set(prefix, (path = { prefix, scope, previous }));
      }
      this.last = path;
    }
    const last = namespace.slice(slash + 1);
    if (isOperatorSegment(last)) return path.scope;
    const result = path.scope.slice();
    addSegment(result, path.previous, last);
    return result;
  }

  private ofName(name: string): readonly string[] {
    const slash = name.lastIndexOf('/');
    if (slash < 0) return [];
    const last = this.lastName;
    if (last && slash === last.prefix.length && name.startsWith(last.prefix)) return last.scope;
    const prefix = name.slice(0, slash);
    let scope = this.names.get(prefix);
    if (!scope) this.names.set(prefix, (scope = prefix.split('/').filter((p) => p.length > 0 && !INLINE_MARK.test(p))));
    this.lastName = { prefix, scope };
    return scope;
  }
}
