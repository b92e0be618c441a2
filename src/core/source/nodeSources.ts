// The source of every node of a model that has a stack trace, for going from a line of Python back to
// the nodes it made.
import type { ModelProto } from '../model/proto.js';
import { walkModel } from '../model/walk.js';
import { nodeModulePath, type ModulePath } from './modulePath.js';
import { nodeFrames, type SourceFrame } from './stackTrace.js';

export interface NodeSource {
  /** The graph's path from the top ([] for the main graph), as walkModel gives it. */
  graphPath: string[];
  nodeName: string;
  op: string;
  frames: SourceFrame[];
  module?: ModulePath;
}

/** Nodes with at least one stack frame, in every graph (subgraphs and function bodies included). */
export function nodeSources(model: ModelProto): NodeSource[] {
  const result: NodeSource[] = [];
  for (const visit of walkModel(model)) {
    for (const node of visit.nodes) {
      const frames = nodeFrames(node.metadataProps);
      if (!frames.length) continue;
      const source: NodeSource = { graphPath: visit.path, nodeName: node.name ?? '', op: node.opType ?? '', frames };
      const module = nodeModulePath(node);
      if (module) source.module = module;
      result.push(source);
    }
  }
  return result;
}

/**
 * Nodes one of whose frames is at `line` of the file `isFile` accepts (it decides, from the exporter's
 * path, whether that is the file at hand; mapping is the caller's).
 */
export function nodesAtLine(sources: readonly NodeSource[], line: number, isFile: (frameFile: string) => boolean): NodeSource[] {
  return sources.filter((s) => s.frames.some((f) => f.line === line && !f.generated && isFile(f.file)));
}
