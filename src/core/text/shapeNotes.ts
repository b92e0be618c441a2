// The shapes the text view adds as a comment after a node: what shape inference knows of its outputs
// beyond what the file declares. A comment, so that the text still parses to the same model.
import { dataTypeName } from '../model/dataTypes.js';
import type { GraphProto, ModelProto, NodeProto } from '../model/proto.js';
import type { Dim } from '../model/types.js';
import { inferModelShapes } from '../ops/modelShapes.js';
import { typeFromProto, type InferredType } from '../ops/shapeInference.js';
import { isPlainIdentifier } from './syntax.js';

/** Text of one node's note, or undefined when inference adds nothing to the declarations. */
export type ShapeNotes = (graph: GraphProto, node: NodeProto) => string | undefined;

const known = (shape: Dim[] | undefined) => (shape === undefined ? -1 : shape.filter((d) => d !== null).length);

/** Anything that could end the comment line is escaped (a symbol may hold any character). */
function commentSafe(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

function dimText(d: Dim): string {
  if (d === null) return '?';
  if (typeof d === 'number') return String(d);
  return /^[A-Za-z0-9_ +\-*/(),.:]+$/.test(d) ? d : JSON.stringify(d);
}

/** As the syntax writes a type: `float[N,3]`, and a scalar without brackets. */
function typeText(t: InferredType): string {
  const shape = t.shape ?? [];
  return shape.length ? `${dataTypeName(t.elemType)}[${shape.map(dimText).join(',')}]` : dataTypeName(t.elemType);
}

export function shapeNotes(model: ModelProto): ShapeNotes {
  let inferred: Map<GraphProto, Map<string, InferredType>>;
  try {
    inferred = inferModelShapes(model);
  } catch {
    // The text of a model shape inference cannot follow is still worth showing.
    return () => undefined;
  }
  const declaredByGraph = new Map<GraphProto, Map<string, InferredType>>();
  const declaredIn = (graph: GraphProto) => {
    let declared = declaredByGraph.get(graph);
    if (!declared) {
      declared = new Map();
      for (const v of [...(graph.valueInfo ?? []), ...(graph.output ?? [])]) {
        const t = typeFromProto(v.type);
        if (v.name && t) declared.set(v.name, t);
      }
      declaredByGraph.set(graph, declared);
    }
    return declared;
  };
  return (graph, node) => {
    const types = inferred.get(graph);
    // A Constant's type is written in its attribute already.
    if (!types || (node.opType === 'Constant' && !node.domain)) return undefined;
    const declared = declaredIn(graph);
    const outputs = (node.output ?? []).filter((o) => o);
    const notes = outputs.flatMap((name) => {
      const t = types.get(name);
      if (!t?.elemType || !t.shape || known(t.shape) <= known(declared.get(name)?.shape)) return [];
      return [{ name, text: typeText(t) }];
    });
    if (!notes.length) return undefined;
    const text = outputs.length === 1 ? notes[0].text : notes.map((n) => `${isPlainIdentifier(n.name) ? n.name : JSON.stringify(n.name)}: ${n.text}`).join(', ');
    return commentSafe(text);
  };
}
