// What the model checker reports: one Problem per finding, located precisely enough for the editor to
// reveal the node (graph id as the graph view uses it, node index and name) and to offer a quick fix.

export type Severity = 'error' | 'warning' | 'info';

/** Quick fixes a problem can offer; the editor maps each to a command. */
export type QuickFixKind = 'convert-opset' | 'make-names-unique' | 'topological-sort';

/** Rule ids, grouped by the file that holds the rule. */
export type RuleId =
  // model.ts: IR version, opset imports, IR-version feature limits, metadata
  | 'ir-version'
  | 'opset-import'
  | 'opset-version'
  | 'ir-feature'
  | 'metadata-duplicate-key'
  // graphStructure.ts: names, SSA, order, signature
  | 'graph-name'
  | 'value-info'
  | 'duplicate-definition'
  | 'shadowed-name'
  | 'undefined-value'
  | 'not-sorted'
  | 'cycle'
  | 'graph-output'
  | 'initializer-not-input'
  | 'node-name-duplicate'
  | 'node-empty'
  | 'function-signature'
  // schemaRules.ts: ops against their schemas
  | 'domain-not-imported'
  | 'op-unknown'
  | 'op-deprecated'
  | 'op-experimental'
  | 'input-count'
  | 'output-count'
  | 'missing-required-value'
  | 'type-constraint'
  | 'declared-type'
  // attributes.ts
  | 'attribute'
  | 'attribute-type'
  | 'attribute-unknown'
  | 'attribute-missing'
  // tensors.ts
  | 'tensor-data-type'
  | 'tensor-data'
  | 'tensor-size'
  | 'tensor-dims'
  | 'external-data'
  | 'sparse-tensor'
  // runtimeSupport.ts
  | 'onnxruntime-support'
  // checkModel.ts
  | 'too-many-problems';

export interface ProblemLocation {
  /**
   * The graph, with the ids of the graph view: '' the main graph, `<parent>/<node index>.<attribute>[.<k>]`
   * a subgraph, `fn:<domain>:<name>` a model-local function. Undefined for the model as a whole.
   */
  graph?: string;
  /** Readable graph path: 'main graph', 'loop.body', 'fn custom.Gelu'. */
  graphTitle?: string;
  /** Index of the node in its graph's node list. */
  node?: number;
  nodeName?: string;
  opType?: string;
  /** A value (tensor) name: an input, output, initializer or node input the problem is about. */
  value?: string;
  attribute?: string;
}

export interface Problem {
  severity: Severity;
  rule: RuleId;
  where: ProblemLocation;
  /** One line, no trailing period needed by callers. */
  message: string;
  fix?: QuickFixKind;
}

/** Where a problem is, in words: 'main graph, node 3 "conv1" (Conv)'. */
export function describeLocation(where: ProblemLocation): string {
  const parts: string[] = [];
  parts.push(where.graphTitle ?? (where.graph === undefined ? 'model' : where.graph || 'main graph'));
  if (where.node !== undefined) {
    const name = where.nodeName ? ` "${where.nodeName}"` : '';
    parts.push(`node ${where.node}${name}${where.opType ? ` (${where.opType})` : ''}`);
  }
  if (where.attribute !== undefined) parts.push(`attribute ${where.attribute}`);
  return parts.join(', ');
}

export function countBySeverity(problems: readonly Problem[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const p of problems) counts[p.severity]++;
  return counts;
}

export function hasErrors(problems: readonly Problem[]): boolean {
  return problems.some((p) => p.severity === 'error');
}
