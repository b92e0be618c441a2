// The compact, serialisable description of a model's graphs that the editor webview draws.
// Plain data only (it crosses postMessage as JSON); everything heavy stays in the host.
import type { ModelSummary } from '../model/summary.js';
import type { Dim } from '../model/types.js';
import type { TensorStats } from '../model/stats.js';

export type { Dim };

/** How a value comes to exist in its graph. */
export type ValueKind = 'input' | 'initializer' | 'constant' | 'outer' | 'value';

export interface ValueView {
  name: string;
  /** Element type name for tensors ('float'), the full type text otherwise, '' when unknown. */
  type: string;
  /** Undefined when the rank is unknown. */
  shape?: Dim[];
  kind: ValueKind;
  /** Node index of the producer, -1 for graph inputs, initializers and captured outer values. */
  producer: number;
  consumers: number[];
  /** Listed in the graph's outputs. */
  output?: boolean;
}

export interface NodeView {
  name: string;
  op: string;
  /** '' for the default ai.onnx domain. */
  domain: string;
  /** Value index per input slot, -1 for an omitted optional input. */
  inputs: number[];
  outputs: number[];
  /** Input slots fed by a constant (initializer or Constant node): drawn inside the box, not as edges. */
  folded: number[];
  /** Index into GraphView.groups, -1 at the top level. */
  group: number;
  /** Constant nodes whose outputs are all folded into their consumers are not drawn. */
  hidden?: boolean;
  /** Graph ids of subgraph attributes (If/Loop/Scan bodies). */
  subgraphs?: Array<{ attribute: string; graph: string }>;
  /** Graph id of the model-local function this node calls. */
  calls?: string;
}

/** A name scope: `/encoder/layers.0/attn/MatMul` puts MatMul in encoder > layers.0 > attn. */
export interface GroupView {
  /** Label: one scope segment, or several joined by '/' when a scope holds only one subscope. */
  name: string;
  /** The full scope path, unique in its graph: the group's stable id. */
  path: string;
  /** -1 for groups at the top level. */
  parent: number;
  /** Drawn nodes inside, at any depth. */
  size: number;
}

export type GraphKind = 'main' | 'subgraph' | 'function';

export interface GraphView {
  /** '' for the main graph; `<parent id>/<node index>.<attribute>[.<k>]` for subgraphs; `fn:<domain>:<name>` for functions. */
  id: string;
  /** Breadcrumb label. */
  title: string;
  kind: GraphKind;
  nodes: NodeView[];
  values: ValueView[];
  /** Value indices of the graph's inputs (without initializers) and outputs. */
  inputs: number[];
  outputs: number[];
  groups: GroupView[];
}

export interface GraphEntry {
  id: string;
  title: string;
  kind: GraphKind;
  /** The enclosing graph's id, undefined for the main graph and functions. */
  parent?: string;
  nodes: number;
}

/** What the editor shows first: the model's properties, the main graph, and the list of every graph. */
export interface ModelView {
  fileName: string;
  summary: ModelSummary;
  graphs: GraphEntry[];
  main: GraphView;
}

export interface AttributeView {
  name: string;
  /** ONNX attribute type name: INT, FLOATS, TENSOR, GRAPH ... */
  type: string;
  /** The value as text, capped for long lists. */
  value: string;
  /** Set for TENSOR attributes (a Constant's value): the tensor can be inspected. */
  tensor?: TensorRef;
  /** Set for GRAPH/GRAPHS attributes: ids of the subgraphs to open. */
  graphs?: string[];
  docString?: string;
}

export interface PortView {
  /** Input or output name from the operator's schema when known, else its index. */
  slot: string;
  name: string;
  type: string;
  shape?: Dim[];
  kind?: ValueKind;
}

export interface NodeDetail {
  graph: string;
  index: number;
  name: string;
  op: string;
  domain: string;
  docString: string;
  attributes: AttributeView[];
  inputs: PortView[];
  outputs: PortView[];
  metadata: Record<string, string>;
  calls?: string;
}

/** Names a tensor whose values the host can read: a constant value in a graph, or a node's tensor attribute. */
export interface TensorRef {
  graph: string;
  name?: string;
  node?: number;
  attribute?: string;
}

/** Statistics as the core computes them (src/core/model/stats.ts). */
export type TensorStatsView = TensorStats;

export interface TensorDetail {
  name: string;
  dtype: string;
  dims: number[];
  count: number;
  bytes: number;
  storage: 'raw' | 'typed' | 'external' | 'empty';
  external?: { location: string; offset: number; length?: number };
  stats?: TensorStatsView;
  /** Why values or statistics could not be read, one sentence. */
  error?: string;
  /** One page of values as text, starting at `offset`. */
  preview: { offset: number; values: string[] };
}
