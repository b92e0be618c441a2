// Where the graph's shapes come from: the file's declarations (inputs, outputs, value_info, constants) or
// symbolic shape inference. Inference runs once per model, on first use, and is kept with the model's
// other derived data; when it fails the graph shows the declared shapes and says why once.
import { oneLine } from '../errors.js';
import { dataTypeName } from '../model/dataTypes.js';
import type { GraphProto, ModelProto } from '../model/proto.js';
import type { Dim, ValueType } from '../model/types.js';
import { inferModelShapes, isKnownDim, modelSymbols } from '../ops/modelShapes.js';
import type { InferredType } from '../ops/shapeInference.js';

/** Types inferred for a graph, its enclosing scopes' included, keyed by value name. */
export type GraphTypes = ReadonlyMap<string, InferredType>;

/** The model-wide inference result, computed on first use. */
export class ModelShapes {
  private graphs?: Map<GraphProto, Map<string, InferredType>>;
  private symbols?: Set<string>;
  /** Set when inference threw: the one-line reason. */
  error?: string;

  /** `infer`: the model-wide inference, given the file's symbols (its failure path is tested with one that throws). */
  constructor(readonly model: ModelProto, private readonly infer: (model: ModelProto, symbols: ReadonlySet<string>) => Map<GraphProto, Map<string, InferredType>> = inferModelShapes) {}

  /** Inferred types of a graph of this model; undefined when inference failed or does not reach it (function bodies). */
  of(graph: GraphProto): GraphTypes | undefined {
    if (!this.graphs) {
      try {
        // The symbols are walked for once: the view asks for them too.
        this.graphs = this.infer(this.model, this.fileSymbols);
      } catch (error) {
        this.graphs = new Map();
        this.error = oneLine(error);
      }
    }
    return this.graphs.get(graph);
  }

  /** Every dim_param the file declares: a fresh `unk__N` symbol of inference's does not say a size. */
  get fileSymbols(): ReadonlySet<string> {
    return (this.symbols ??= modelSymbols(this.model));
  }
}

/** What the graph shows of a value's type, and where its shape comes from. */
export interface ShapeChoice {
  type: string;
  shape?: Dim[];
  /** `shape` (and `type` where the file has none) come from inference, which knows more than the file. */
  inferred?: true;
  /** With `inferred`: the shape the file declares (null: a type without a shape). Absent: nothing declared. */
  declared?: Dim[] | null;
  /** Without `inferred`: inference's shape where it differs from the declared one (null: it knows no rank). */
  inference?: Dim[] | null;
}

function sameDims(a: readonly Dim[] | undefined, b: readonly Dim[] | undefined): boolean {
  if (a === b) return true;
  if (!a || !b || a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * The shape to show: the declared one, unless inference says more (more sizes, then more named dims),
 * the rule `info --json` follows. `types`: the graph's inferred types, undefined when inference did not run.
 */
export function chooseShape(declared: ValueType | undefined, types: GraphTypes | undefined, name: string, fileSymbols: ReadonlySet<string>): ShapeChoice {
  const found = types?.get(name);
  const inferred = found && found.elemType ? found : undefined;
  if (!declared || declared.kind === 'unknown') {
    return inferred ? { type: dataTypeName(inferred.elemType), shape: inferred.shape, inferred: true } : { type: '' };
  }
  const choice: ShapeChoice = { type: declared.elemType, shape: declared.shape };
  if (declared.kind !== 'tensor' || !types || sameDims(inferred?.shape, declared.shape)) return choice;
  const says = (shape: readonly Dim[] | undefined) => {
    if (!shape) return -1;
    let known = 0;
    let named = 0;
    for (const d of shape) {
      if (d === null) continue;
      named++;
      if (isKnownDim(d, fileSymbols)) known++;
    }
    return known * 1000 + named;
  };
  if (inferred && says(inferred.shape) > says(declared.shape)) return { type: declared.elemType, shape: inferred.shape, inferred: true, declared: declared.shape ?? null };
  choice.inference = inferred?.shape ?? null;
  return choice;
}
