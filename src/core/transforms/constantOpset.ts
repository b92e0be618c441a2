// Folding stores a value that is a graph output as a Constant node (an initializer cannot be one). Before
// opset 9 Constant holds floats only, so folding Shape into a graph output of an opset-8 model writes a
// Constant its opset does not have. The result is raised, through the opset converter, to the first opset
// whose Constant takes every type the model's Constant nodes hold, and the report says so.
import { UserError } from '../errors.js';
import { dataTypeName } from '../model/dataTypes.js';
import { defaultOpset, isDefaultDomain } from '../model/graphQueries.js';
import type { ModelProto } from '../model/proto.js';
import { walkModel } from '../model/walk.js';
import { convertOpset } from '../opset/convert.js';
import { allowsType, opVersions, schemaAt } from '../opset/schemas.js';

/** Element types of the main graph's and subgraphs' Constant nodes that hold a `value` tensor. */
function constantTypes(model: ModelProto): Set<number> {
  const types = new Set<number>();
  for (const visit of walkModel(model)) {
    // Function bodies (and their subgraphs) resolve against the function's own opset import.
    if (!visit.graph || visit.functionName) continue;
    for (const node of visit.nodes) {
      if (node.opType !== 'Constant' || !isDefaultDomain(node)) continue;
      const value = (node.attribute ?? []).find((a) => a.name === 'value')?.t;
      if (value?.dataType) types.add(value.dataType);
    }
  }
  return types;
}

/** The first opset at or after `from` whose Constant takes `type`; undefined when none does. */
function opsetFor(type: number, from: number): number | undefined {
  const at = schemaAt('Constant', from);
  if (at && allowsType(at, 'T', type)) return from;
  return opVersions('Constant')?.find((s) => s.since > from && allowsType(s, 'T', type))?.since;
}

/**
 * The model itself when its opset's Constant takes what its Constant nodes hold; else a copy converted to
 * the first opset that does, with a note for the report. `what` names the transform in the refusal.
 */
export function raiseOpsetForConstants(model: ModelProto, what: string): { model: ModelProto; note?: string } {
  const from = defaultOpset(model);
  let target = from;
  const needing: string[] = [];
  for (const type of constantTypes(model)) {
    const opset = opsetFor(type, from);
    // A type no Constant takes is left to the result check, which names it.
    if (opset === undefined || opset === from) continue;
    target = Math.max(target, opset);
    needing.push(dataTypeName(type));
  }
  // Each type is named with the opset that takes it when they differ; usually they are one step.
  needing.sort();
  if (target === from) return { model };
  let converted;
  try {
    converted = convertOpset(model, target);
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    throw new UserError(`${what} stores values as Constant nodes holding ${needing.join(', ')}, which needs opset ${target}, and this opset-${from} model cannot be raised: ${why}`);
  }
  const rewritten = converted.changes.length ? `; the opset converter rewrote ${converted.changes.length} node${converted.changes.length === 1 ? '' : 's'}` : '';
  return {
    model: converted.model,
    note: `Raised the opset from ${from} to ${target} for Constant nodes holding ${needing.join(', ')}, which Constant takes from opset ${target} on${rewritten}.`,
  };
}
