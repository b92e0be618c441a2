// An If whose condition is constant is replaced by the branch it takes: the branch's nodes and
// initializers move into the enclosing graph, the branch outputs take the If's output names, and branch
// names that would collide with names elsewhere in the model are renamed.
import { onnx, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../model/proto.js';
import { tensorToArray } from '../model/tensorValues.js';
import { allNames, attribute, definedNames } from '../model/graphQueries.js';
import { NameAllocator, renameValues } from './graphEdit.js';

/** The truth value of a constant If condition, or undefined when it is not a one-element tensor. */
export function conditionValue(tensor: TensorProto): boolean | undefined {
  const array = tensorToArray(tensor);
  if (array.data.length !== 1 || Array.isArray(array.data)) return undefined;
  return Number(array.data[0]) !== 0;
}

/**
 * Replaces `graph.node[index]` (an If) by the branch it takes. Returns the number of nodes hoisted,
 * or undefined when the branch is missing or its outputs do not match the If's.
 */
export function inlineIf(model: ModelProto, graph: GraphProto, index: number, takeThen: boolean): number | undefined {
  const node = graph.node![index];
  const branch = attribute(node, takeThen ? 'then_branch' : 'else_branch')?.g;
  const outputs = node.output ?? [];
  if (!branch || (branch.output ?? []).length !== outputs.length) return undefined;

  const names = new NameAllocator(allNames(model, node));
  // Branch-local names that collide with the rest of the model get fresh names.
  const renames = new Map<string, string>();
  for (const name of definedNames(branch)) if (names.has(name)) renames.set(name, names.fresh(name));
  for (const name of definedNames(branch)) if (!renames.has(name)) names.reserve(name);
  renameValues(branch, renames);

  // Each branch output becomes the If output of the same position.
  const produced = new Set<string>();
  for (const n of branch.node ?? []) for (const o of n.output ?? []) if (o) produced.add(o);
  const taken = new Set<string>();
  const identities: NodeProto[] = [];
  (branch.output ?? []).forEach((bo, k) => {
    const target = outputs[k];
    const source = bo.name ?? '';
    if (!target) return;
    if (produced.has(source) && !taken.has(source)) {
      taken.add(source);
      renameValues(branch, new Map([[source, target]]));
      // renameValues also renamed later branch outputs reading `source`: point them at `target`.
      return;
    }
    // An initializer, an outer value or an output already taken by an earlier position.
    identities.push(onnx.NodeProto.create({ name: names.fresh(`${target}_identity`), opType: 'Identity', input: [source], output: [target] }));
  });

  for (const n of branch.node ?? []) {
    if (!n.name) continue;
    if (names.has(n.name)) n.name = names.fresh(n.name);
    else names.reserve(n.name);
  }
  graph.initializer = [...(graph.initializer ?? []), ...(branch.initializer ?? [])];
  if (branch.sparseInitializer?.length) graph.sparseInitializer = [...(graph.sparseInitializer ?? []), ...branch.sparseInitializer];
  const outputSet = new Set(outputs.filter((o) => o));
  const keptInfo = (branch.valueInfo ?? []).filter((v) => !outputSet.has(v.name ?? ''));
  if (keptInfo.length) graph.valueInfo = [...(graph.valueInfo ?? []), ...keptInfo];
  const hoisted = [...(branch.node ?? []), ...identities];
  graph.node!.splice(index, 1, ...hoisted);
  return hoisted.length;
}
