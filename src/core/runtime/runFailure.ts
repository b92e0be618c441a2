// When onnxruntime fails on a run, the user gets one line: the node and its op (read from onnxruntime's
// message), what onnxruntime said in short, what was fed (assumed sizes and values marked) and the options
// that would set the assumptions. onnxruntime's full message stays on the error (`detail`) for the log.
import type { ModelProto } from '../model/proto.js';
import { walkModel } from '../model/walk.js';
import { OnnxRuntimeError } from './client.js';
import { assumptionOptions, fedText, type Assumption, type FedInput } from './inputReport.js';

export interface OrtFailure {
  /** The failing node last: enclosing If/Loop/Scan nodes first. */
  nodes: Array<{ op: string; name: string }>;
  /** onnxruntime's status message for the innermost node, without source locations. */
  status: string;
}

const statusLength = 200;
const maxFedInputs = 8;

/** `Non-zero status code returned while running Pad node. Name:'p' Status Message: ...`, possibly nested. */
export function parseOrtFailure(message: string): OrtFailure | undefined {
  const pattern = /running (\S+) node\. Name:'([^']*)' Status Message: /g;
  const nodes: OrtFailure['nodes'] = [];
  let end = -1;
  let match: RegExpExecArray | null;
  while ((match = pattern.exec(message)) !== null) {
    nodes.push({ op: match[1], name: match[2] });
    end = pattern.lastIndex;
  }
  if (!nodes.length) return undefined;
  return { nodes, status: cleanStatus(message.slice(end)) };
}

/**
 * `/src/.../reshape_helper.h:91 onnxruntime::ReshapeHelper::ReshapeHelper(...) x == y was false. The input
 * tensor cannot be reshaped...` -> `The input tensor cannot be reshaped...`.
 */
export function cleanStatus(text: string): string {
  let s = text.replace(/\s+/g, ' ').trim();
  s = s.replace(/^\S+\.(?:h|hpp|cc|cpp|c):\d+\s+/, '');
  s = s.replace(/^[\w:~<>]+\([^()]*\)\s*(?:const\s*)?/, '');
  s = s.replace(/^[^.]*? was false\.\s*/, '');
  s = s.replace(/[.\s]+$/, '');
  return s.length > statusLength ? `${s.slice(0, statusLength - 1)}…` : s;
}

function nodeNames(model: ModelProto): Set<string> {
  const names = new Set<string>();
  for (const visit of walkModel(model)) for (const node of visit.nodes) if (node.name) names.add(node.name);
  return names;
}

export interface FailureContext {
  /** What was fed, when the resolver made the feeds. */
  fed?: readonly FedInput[];
  /** Assumptions behind the feeds (their options become the hint). */
  assumptions?: readonly Assumption[];
  /** The model run, to tell its own node names from those onnxruntime's optimizer made. */
  model?: ModelProto;
  /** `the compared model` when the failure is in the second model of a comparison. */
  which?: string;
}

/** One line for a failed run (onnxruntime's full text stays in `detail`); other errors are returned as they are. */
export function describeRunFailure(error: unknown, context: FailureContext): unknown {
  if (!(error instanceof OnnxRuntimeError)) return error;
  const failure = parseOrtFailure(error.detail);
  const parts: string[] = [];
  if (failure) {
    const inner = failure.nodes[failure.nodes.length - 1];
    const outer = failure.nodes.slice(0, -1).map((n) => `${n.op} '${n.name}'`);
    const own = !context.model || nodeNames(context.model).has(inner.name);
    parts.push(`onnxruntime failed in ${inner.op} node '${inner.name}'${outer.length ? ` (inside ${outer.join(', inside ')})` : ''}`
      + `${own ? '' : ', a node of onnxruntime\'s optimized graph (--optimization disabled keeps the model\'s names)'}`
      + `${context.which ? ` of ${context.which}` : ''}: ${failure.status}.`);
  } else {
    parts.push(`${error.message.replace(/[.\s]+$/, '')}${context.which ? ` (${context.which})` : ''}.`);
  }
  const fed = context.fed ?? [];
  if (fed.length) {
    const shown = fed.slice(0, maxFedInputs).map(fedText);
    if (fed.length > maxFedInputs) shown.push(`and ${fed.length - maxFedInputs} more`);
    parts.push(`Fed: ${shown.join(', ')}.`);
  }
  const assumed = context.assumptions ?? [];
  if (assumed.length) parts.push(`Sizes or values were assumed; set them with ${assumptionOptions(assumed)}.`);
  return new OnnxRuntimeError(error.detail, parts.join(' '));
}
