// The model diff's result, as the CLI prints it and the diff view draws it. Nodes are named by their index
// in their graph's `node` list (side a: the first model, side b: the second); values by name.

/** How a node pair was found: the same name, the same first output name, or the same op fed by paired values. */
export type NodeMatchKind = 'name' | 'output' | 'structure';

/**
 * How a value pair was found: the same name; the same output of paired nodes; the same input slot of paired
 * nodes; the same position among the graph's inputs or outputs; or (extra, not one-to-one) the output of an
 * inserted DequantizeLinear paired with the float value it stands for.
 */
export type ValueMatchKind = 'name' | 'output' | 'slot' | 'position' | 'dequantized';

export interface AttributeChange {
  name: string;
  /** Undefined when the attribute is absent on that side. */
  before?: string;
  after?: string;
}

export interface SlotChange {
  slot: number;
  /** '' for an absent optional input or a slot that does not exist on that side. */
  before: string;
  after: string;
}

export interface TypeChange {
  /** Value name on side b (side a's name in `before` when renamed). */
  value: string;
  before: string;
  after: string;
}

export interface SubgraphDiff {
  attribute: string;
  /** Undefined when the attribute holds a subgraph on one side only. */
  diff?: GraphDiff;
  /** Nodes of the body on each side. */
  nodes: { a: number; b: number };
}

/** What differs between two paired nodes. Every field is absent when nothing of its kind changed. */
export interface NodeChanges {
  renamed?: { before: string; after: string };
  attributes?: AttributeChange[];
  inputs?: SlotChange[];
  outputs?: SlotChange[];
  types?: TypeChange[];
  /** If/Loop/Scan bodies that differ. */
  subgraphs?: SubgraphDiff[];
}

export interface NodePair {
  a: number;
  b: number;
  how: NodeMatchKind;
  changes: NodeChanges;
  /** Whether any of `changes` is set. */
  changed: boolean;
}

/**
 * Unpaired nodes taken as units:
 * - replaced: nodes of a stand for nodes of b (a MatMul became DynamicQuantizeLinear + MatMulInteger + ...);
 * - folded: nodes of a whose results b holds as initializers (`initializers`, b's names);
 * - gained: quantize, dequantize and cast nodes of b inserted in front of one paired node (`pair`, its index in `GraphDiff.nodes`),
 *   such as the DequantizeLinear nodes a quantized Conv reads its weights through;
 * - unfolded: nodes of b computing what a held as initializers (`initializers`, a's names);
 * - removed / inserted: the rest.
 */
export type GroupKind = 'replaced' | 'folded' | 'gained' | 'unfolded' | 'removed' | 'inserted';

export interface ChangeGroup {
  kind: GroupKind;
  /** Node indices on each side, in topological order. */
  a: number[];
  b: number[];
  pair?: number;
  initializers?: string[];
}

export interface ValuePair {
  a: string;
  b: string;
  how: ValueMatchKind;
}

export interface NumericDifference {
  maxAbs: number;
  /** NaN when not numeric. */
  cosine: number;
  /** Share of elements that differ at all. */
  changedShare: number;
}

export interface InitializerChange {
  a: string;
  b: string;
  dtype?: { before: string; after: string };
  shape?: { before: string; after: string };
  /** Present when values differ and both sides have the same element count and are numeric. */
  numeric?: NumericDifference;
  /** Share of zeros before and after. */
  sparsity: { before: number; after: number };
}

export interface GraphCounts {
  nodes: { a: number; b: number };
  paired: number;
  unchanged: number;
  changed: number;
  /** Unpaired nodes on each side. */
  removed: number;
  added: number;
  initializers: { a: number; b: number; changed: number; removed: number; added: number };
}

export interface GraphDiff {
  nodes: NodePair[];
  groups: ChangeGroup[];
  /** One-to-one value pairs (graph inputs, initializers, node outputs), plus 'dequantized' extras. */
  values: ValuePair[];
  initializers: {
    changed: InitializerChange[];
    /** Unpaired initializer names on each side. */
    removed: string[];
    added: string[];
  };
  counts: GraphCounts;
}

export interface Change<T> {
  before: T;
  after: T;
}

export interface SignatureChange {
  name: string;
  before?: string;
  after?: string;
}

export interface ModelLevelDiff {
  irVersion?: Change<number>;
  /** Per domain ('ai.onnx' for the default); undefined when not imported on that side. */
  opsets: Array<{ domain: string; before?: number; after?: number }>;
  producer?: Change<string>;
  metadata: Array<{ key: string; before?: string; after?: string }>;
  inputs: SignatureChange[];
  outputs: SignatureChange[];
  /** Ops whose count changed (every depth). */
  ops: Array<{ op: string; before: number; after: number }>;
  sizes: {
    fileBytes?: Change<number>;
    nodes: Change<number>;
    initializers: Change<number>;
    initializerBytes: Change<number>;
  };
}

export interface ModelDiff {
  model: ModelLevelDiff;
  graph: GraphDiff;
  /** No difference at all (model level, structure, values). */
  identical: boolean;
}

/** Per node, what the view paints: side a's nodes are unchanged, changed or part of a group; likewise b's. */
export type NodeStatus = 'unchanged' | 'changed' | GroupKind;
