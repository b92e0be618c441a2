// The model edits of the editor and of `onnx-lens edit`: one plain object per edit, so that a host can
// hold them, label them and replay them. Changing a node's op domain or version is not an edit: it goes
// through the opset converter (src/core/opset), which rewrites the nodes the new version needs.
import type { Problem } from '../check/problem.js';
import type { ModelProto } from '../model/proto.js';

/**
 * A graph id as the graph view uses it (src/core/graph/viewModel.ts): '' (MAIN_GRAPH) the main graph,
 * `/<node index>.<attribute>[.<k>]` steps below it, `fn:<domain>:<name>` a model-local function.
 * Absent: the main graph.
 */
export type GraphId = string;

/** A node: by its index in its graph's node list, or by its name (which must then be unique there). */
export type NodeRef = { graph?: GraphId; index: number } | { graph?: GraphId; name: string };

/** A dimension: a size, a symbol such as 'batch', or null for unknown. */
export type EditDim = number | string | null;

/** An attribute value: int/float -> number, string -> string, ints/floats -> number[], strings -> string[]. */
export type AttributeValue = number | string | number[] | string[];

/** The attribute types an edit can write. */
export type EditableAttributeType = 'int' | 'float' | 'string' | 'ints' | 'floats' | 'strings';

export type ModelEdit =
  /** Renames a value everywhere: its definition, every use, graph outputs, value_info, subgraph captures. */
  | { kind: 'renameValue'; graph?: GraphId; from: string; to: string }
  | { kind: 'renameNode'; node: NodeRef; to: string }
  /** Sets the declared shape of a main-graph input or output. */
  | { kind: 'setShape'; value: string; dims: EditDim[] }
  /**
   * Sets dim 0 of `value`, or when absent of every main-graph input, and of every input and output whose
   * dim 0 was the same (same symbol, or same size) as the one changed: the batch dim in one action.
   */
  | { kind: 'setBatchDim'; value?: string; dim: number | string }
  /** Changes a main-graph input's element type ('float16', 'int64', ...) where its consumers accept it. */
  | { kind: 'setInputDtype'; input: string; dtype: string }
  /** Makes any main-graph value a graph output (with its inferred type when known). */
  | { kind: 'exposeOutput'; value: string }
  /** Removes a main-graph output; with removeDeadCode the nodes that only fed it go too. */
  | { kind: 'removeOutput'; value: string; removeDeadCode?: boolean }
  /** Removes main-graph nodes whose results reach no graph output, and initializers nothing reads. */
  | { kind: 'removeDeadCode' }
  /**
   * Deletes a node. One data input and one output: its consumers read its input instead (bypass).
   * Otherwise its consumers would be left dangling: refused (EditNeedsConfirmation, listing them) unless
   * confirmDangling; then the values it produced that are still read become main-graph inputs (typed
   * from shape inference) and graph outputs it produced are dropped. Nodes left computing nothing are
   * offered as a removeDeadCode follow-up.
   */
  | { kind: 'deleteNode'; node: NodeRef; confirmDangling?: boolean }
  /** Sets an attribute; `type` only when the attribute is new and the op schema does not say its type. */
  | { kind: 'setAttribute'; node: NodeRef; attribute: string; value: AttributeValue; type?: EditableAttributeType }
  | { kind: 'removeAttribute'; node: NodeRef; attribute: string }
  /** Sets (value) or removes (null) one metadata_props entry. */
  | { kind: 'setMetadata'; key: string; value: string | null }
  | { kind: 'setDocString'; target: 'model' | 'graph' | 'node'; node?: NodeRef; text: string }
  | { kind: 'setProducer'; name: string; version?: string }
  | { kind: 'setModelVersion'; version: number }
  /** Replaces an initializer's value with a .npy file's array: same dtype and shape unless allowChange. */
  | { kind: 'replaceInitializer'; name: string; npy: Uint8Array; allowChange?: boolean };

export type EditKind = ModelEdit['kind'];

/** Something the host offers after an edit, as one more edit (its own undo step). */
export interface FollowUp {
  /** One line: "2 nodes computed only 'x': remove them?" */
  prompt: string;
  /** What the follow-up would remove or change (node names). */
  items: string[];
  edit: ModelEdit;
}

export interface EditResult {
  /** The edited model. Shares every part the edit did not touch with the input model. */
  model: ModelProto;
  /** Short label for the undo stack: "Rename output 'y' to 'logits'". */
  label: string;
  /** Warning-level problems the edit introduced (the edit is kept), one line each. */
  warnings: string[];
  /**
   * The checker's problems on the result: pass them as `baseline` with the next edit to save a check.
   */
  problems: Problem[];
  followUp?: FollowUp;
}

/** Several edits applied as one change (applyEdits). */
export interface BatchResult {
  model: ModelProto;
  /** Each edit (and applied follow-up) in order: its label, what it said, and the follow-up it offers. */
  steps: Array<{ label: string; notes: string[]; followUp?: FollowUp }>;
  /** Warning-level problems the whole batch introduced, one line each. */
  warnings: string[];
  problems: Problem[];
}

export interface ApplyOptions {
  /** The model file's folder: external data is looked up there (checker, replaced external initializers). */
  modelDir?: string;
  /** The checker's problems on the input model, when the caller has them (from the last EditResult). */
  baseline?: Problem[];
}
