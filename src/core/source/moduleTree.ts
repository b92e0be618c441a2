// The nn.Module hierarchy of a model's main graph, for the module tree: each module with its class, the
// nodes it made (its own and its submodules'), and after a test run the kernel time they took. From the
// dynamo exporter's name scopes, else from torchscript node names or the `namespace` metadata.
import { nodeScope } from '../graph/scopes.js';
import type { ModelProto, NodeProto } from '../model/proto.js';
import { nodeModulePath, type ModuleScope } from './modulePath.js';
import { nodeFrames, type SourceFrame } from './stackTrace.js';

export interface ModuleNode {
  /** Dotted module path; '' for the root. */
  path: string;
  /** The last segment of the path ('' for the root). */
  name: string;
  className?: string;
  /** Names of the nodes made directly in this module, not in a submodule. */
  own: string[];
  /** Nodes here and in every submodule. */
  count: number;
  children: ModuleNode[];
}

export interface ModuleTree {
  root: ModuleNode;
  /** Where the hierarchy came from; 'none' when no node carries one (every node sits in the root). */
  from: 'name_scopes' | 'scopes' | 'none';
}

function moduleScopes(node: NodeProto): { scopes: ModuleScope[]; fromNameScopes: boolean } {
  const module = nodeModulePath(node);
  if (module?.from === 'name_scopes') return { scopes: module.scopes, fromNameScopes: true };
  // Torchscript names and dynamo's `namespace` both give local segments: join them into dotted paths.
  const segments = nodeScope(node);
  return { scopes: segments.map((_, i) => ({ path: segments.slice(0, i + 1).join('.') })), fromNameScopes: false };
}

export function moduleTree(model: ModelProto): ModuleTree {
  const root: ModuleNode = { path: '', name: '', own: [], count: 0, children: [] };
  const byPath = new Map<string, ModuleNode>([['', root]]);
  let nameScopes = 0;
  let scoped = 0;
  for (const node of model.graph?.node ?? []) {
    const { scopes, fromNameScopes } = moduleScopes(node);
    if (fromNameScopes) nameScopes++;
    if (scopes.length) scoped++;
    let parent = root;
    root.count++;
    for (const scope of scopes) {
      if (scope.path === '') {
        if (scope.className && !root.className) root.className = scope.className;
        continue;
      }
      let module = byPath.get(scope.path);
      if (!module) {
        const dot = parent.path && scope.path.startsWith(parent.path + '.') ? parent.path.length + 1 : 0;
        module = { path: scope.path, name: scope.path.slice(dot), own: [], count: 0, children: [] };
        byPath.set(scope.path, module);
        parent.children.push(module);
      }
      if (scope.className && !module.className) module.className = scope.className;
      module.count++;
      parent = module;
    }
    parent.own.push(node.name ?? '');
  }
  const from = nameScopes ? 'name_scopes' : scoped ? 'scopes' : 'none';
  return { root, from };
}

/** Every node name in a module and its submodules. */
export function nodesUnder(module: ModuleNode): string[] {
  const names = [...module.own];
  for (const child of module.children) names.push(...nodesUnder(child));
  return names;
}

/** Summed time of a module's nodes (own and submodules'), in the unit of `times`; undefined when none was timed. */
export function moduleTime(module: ModuleNode, times: ReadonlyMap<string, number>): number | undefined {
  let sum: number | undefined;
  for (const name of nodesUnder(module)) {
    const t = times.get(name);
    if (t !== undefined) sum = (sum ?? 0) + t;
  }
  return sum;
}

export interface SourceLineTime {
  file: string;
  line: number;
  code?: string;
  /** Summed time of the nodes this line made, in the unit of `times`. */
  time: number;
  nodes: string[];
}

/** The line that made a node: its innermost frame in the user's own code (not an installed package, not generated). */
export function makingFrame(frames: readonly SourceFrame[]): SourceFrame | undefined {
  for (let i = frames.length - 1; i >= 0; i--) if (!frames[i].sitePackages && !frames[i].generated) return frames[i];
  return undefined;
}

/** Kernel time grouped by the source line that made each node, slowest first. */
export function slowestLines(model: ModelProto, times: ReadonlyMap<string, number>): SourceLineTime[] {
  const lines = new Map<string, SourceLineTime>();
  for (const node of model.graph?.node ?? []) {
    const time = times.get(node.name ?? '');
    if (time === undefined) continue;
    const frame = makingFrame(nodeFrames(node.metadataProps));
    if (!frame) continue;
    const key = `${frame.file}\n${frame.line}`;
    let entry = lines.get(key);
    if (!entry) lines.set(key, (entry = { file: frame.file, line: frame.line, time: 0, nodes: [], ...(frame.code ? { code: frame.code } : {}) }));
    entry.time += time;
    entry.nodes.push(node.name ?? '');
  }
  return [...lines.values()].sort((a, b) => b.time - a.time);
}
