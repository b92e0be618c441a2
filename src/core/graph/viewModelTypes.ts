// The compact, serialisable description of a model's graphs that the editor webview draws.
// Plain data only (it crosses postMessage as the bytes of src/core/graph/viewWire.ts, and reads back equal to its JSON); everything heavy stays in the host.
import type { ModelSummary } from '../model/summary.js';
import type { Dim } from '../model/types.js';
import type { TensorStats } from '../model/stats.js';

export type { Dim };

/** How a value comes to exist in its graph. */
export type ValueKind = 'input' | 'initializer' | 'constant' | 'outer' | 'value';

/**
 * Declared and inferred shapes of a value, kept small: most values carry none of these fields (the
 * file declares the shape and inference agrees, or nothing is known).
 */
export interface ShapeProvenance {
  /** The shown `shape` (and `type` where the file has none) comes from shape inference. */
  inferred?: true;
  /** With `inferred`: the shape the file declares (null: a type without a shape). Absent: nothing declared. */
  declared?: Dim[] | null;
  /** Without `inferred`: inference's shape where it differs from the declared one (null: no rank known). */
  inference?: Dim[] | null;
}

export interface ValueView extends ShapeProvenance {
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
  /** The values of a small constant (at most 8) as text: `0.5`, `[1, 2]`. */
  data?: string;
  /** Set in a view with subgraphs shown inline: the id of the graph that defines the value. */
  graph?: string;
  /** Set in a view with subgraphs shown inline: the group (a body) the value's pill is drawn in. */
  group?: number;
  /** A loop-carried value of a Loop or Scan body (an input of the next iteration). */
  carried?: boolean;
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
  /** Values its subgraphs read from this graph (or from further out) by name, not through an input. */
  captures?: number[];
  /** Loop and Scan: how many of the node's inputs are loop-carried state (Loop's after M and cond). */
  carried?: number;
  /** Set in a view with subgraphs shown inline, for nodes of a subgraph: where the node really is. */
  origin?: { graph: string; index: number };
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
  /**
   * Absent for name scopes. In a view with subgraphs shown inline: 'control' frames an If/Loop/Scan node
   * (`node`) and its bodies; 'body' holds one subgraph (`graph`) of that node.
   */
  kind?: 'control' | 'body';
  node?: number;
  graph?: string;
  /** The full name, for hovers, when `name` is shortened. */
  title?: string;
}

export type GraphKind = 'main' | 'subgraph' | 'function';

export interface GraphView {
  /** '' for the main graph; `<parent id>/<node index>.<attribute>[.<k>]` for subgraphs; `fn:<domain>:<name>` for functions. */
  id: string;
  /** Short readable path (`If_0 ▸ else ▸ /decoder/If_1 ▸ then`). */
  title: string;
  /** The full name (`If_0.else_branch/…/If_1.then_branch`), for hovers. */
  fullTitle?: string;
  kind: GraphKind;
  nodes: NodeView[];
  values: ValueView[];
  /** Value indices of the graph's inputs (without initializers) and outputs. */
  inputs: number[];
  outputs: number[];
  groups: GroupView[];
  /** Shape inference ran on this graph: a value without `inference` has the inferred shape it shows. */
  shapesInferred?: true;
  /**
   * Set in a view with subgraphs shown inline: values whose edges start where other values are made. An
   * inlined If's output comes out of each branch's output; a Loop's out of its body's.
   */
  sources?: Record<number, number[]>;
}

export interface GraphEntry {
  id: string;
  /** Short readable path from the main graph or function: `If_0 ▸ else ▸ /decoder/If_1 ▸ then`. */
  title: string;
  /** The full name, for hovers. */
  fullTitle: string;
  /** For breadcrumbs: the node that holds the subgraph (short name) and the attribute (`then`, `body`). */
  node?: string;
  attribute?: string;
  kind: GraphKind;
  /** The enclosing graph's id, undefined for the main graph and functions. */
  parent?: string;
  /** Nodes drawn: every node but the Constant nodes folded into their consumers (`folded`). */
  nodes: number;
  folded: number;
}

/** Counts of the whole model, in the words the editor uses everywhere. */
export interface ModelStats {
  /** Drawn nodes (Constant nodes folded into their consumers not counted) of the main graph and of all graphs. */
  nodes: { main: number; all: number };
  /** Constant nodes folded into their consumers. */
  folded: { main: number; all: number };
  /** Tensors held in Constant nodes (in any graph), and their bytes. */
  constants: { count: number; bytes: number };
}

/** What the editor shows first: the model's properties, the main graph, and the list of every graph. */
export interface ModelView {
  fileName: string;
  summary: ModelSummary;
  stats: ModelStats;
  graphs: GraphEntry[];
  main: GraphView;
  /** Short aliases of long symbolic dimension names (`p2o.DynamicDimension.0` -> `d0`), for every graph of the model. */
  dims: Record<string, string>;
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

export interface PortView extends ShapeProvenance {
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
