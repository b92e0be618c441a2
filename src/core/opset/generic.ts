// What every version step of an op needs beyond its own adapter, read from the two schemas: an attribute
// whose default changed keeps its old meaning, the legacy consumed_inputs hint goes, and the node must then
// fit the target schema (attributes, input and output counts, element types) or the step is refused.
import { AttributeType, int64ToNumber, onnx, toLong, type AttributeProto } from '../model/proto.js';
import { dataTypeName } from '../model/dataTypes.js';
import type { NodeContext } from './context.js';
import { allowsType, formalOf, type AttributeSchema, type OpSchema } from './schemas.js';

const attributeTypeName: Record<number, string> = Object.fromEntries(
  Object.entries(AttributeType).filter(([, v]) => typeof v === 'number').map(([k, v]) => [v as number, k]),
);

/** The value an attribute holds, in the form schema defaults are written in. */
function valueOf(a: AttributeProto): number | string | number[] | string[] | undefined {
  switch (a.type) {
    case AttributeType.INT: return int64ToNumber(a.i);
    case AttributeType.FLOAT: return a.f ?? 0;
    case AttributeType.STRING: return new TextDecoder().decode(a.s ?? new Uint8Array());
    case AttributeType.INTS: return (a.ints ?? []).map((v) => int64ToNumber(v));
    case AttributeType.FLOATS: return [...(a.floats ?? [])];
    case AttributeType.STRINGS: return (a.strings ?? []).map((s) => new TextDecoder().decode(s));
    default: return undefined;
  }
}

function sameValue(a: unknown, b: unknown): boolean {
  if (typeof a === 'number' && typeof b === 'number') return a === b || Math.abs(a - b) <= 1e-6 * Math.max(1, Math.abs(b));
  return JSON.stringify(a) === JSON.stringify(b);
}

function text(value: unknown): string {
  return typeof value === 'string' ? `'${value}'` : JSON.stringify(value);
}

/** An attribute holding a schema default. */
export function attributeFromDefault(name: string, schema: AttributeSchema): AttributeProto | undefined {
  const d = schema.default;
  if (d === undefined) return undefined;
  switch (schema.type) {
    case 'INT': return onnx.AttributeProto.create({ name, type: AttributeType.INT, i: toLong(d as number) });
    case 'FLOAT': return onnx.AttributeProto.create({ name, type: AttributeType.FLOAT, f: d as number });
    case 'STRING': return onnx.AttributeProto.create({ name, type: AttributeType.STRING, s: new TextEncoder().encode(d as string) });
    case 'INTS': return onnx.AttributeProto.create({ name, type: AttributeType.INTS, ints: (d as number[]).map((v) => toLong(v)) });
    case 'FLOATS': return onnx.AttributeProto.create({ name, type: AttributeType.FLOATS, floats: d as number[] });
    case 'STRINGS': return onnx.AttributeProto.create({ name, type: AttributeType.STRINGS, strings: (d as string[]).map((s) => new TextEncoder().encode(s)) });
    default: return undefined;
  }
}

/**
 * Moves an op across a version boundary where `source` and `target` are its schemas on either side
 * (the same op: an adapter that renamed the node is checked by `validate` alone).
 */
export function crossBoundary(ctx: NodeContext, source: OpSchema, target: OpSchema): void {
  const step = ctx.step;
  for (const [name, before] of source.attributes) {
    const after = target.attributes.get(name);
    if (!after || ctx.has(name) || before.default === undefined || sameValue(before.default, after.default)) continue;
    // The absent attribute meant the old default: say it explicitly so that it keeps meaning that.
    const attribute = attributeFromDefault(name, before);
    if (attribute) {
      ctx.set(attribute);
      ctx.note(`${name}=${text(before.default)} written out (its default is ${text(after.default)} at opset ${step.to})`);
    }
  }
  for (const attribute of [...(ctx.node.attribute ?? [])]) {
    const name = attribute.name ?? '';
    if (target.attributes.has(name)) continue;
    if (name === 'consumed_inputs') {
      // A legacy in-place hint with no meaning for the result.
      ctx.drop(name);
      ctx.note('consumed_inputs dropped');
      continue;
    }
    const before = source.attributes.get(name);
    const value = valueOf(attribute);
    if (before?.default !== undefined && sameValue(value, before.default)) {
      ctx.drop(name);
      continue;
    }
    if (step.direction === 'up') ctx.refuse(`its attribute '${name}' was removed at opset ${target.since}`);
    ctx.refuse(`its attribute ${name}=${text(value)} has no equivalent before opset ${source.since}`);
  }
}

/** Checks the node against the schema of the step's target; fixes what has one meaning, refuses the rest. */
export function validate(ctx: NodeContext, target: OpSchema): void {
  const node = ctx.node;
  const at = `at opset ${ctx.step.to}`;
  for (const attribute of node.attribute ?? []) {
    const name = attribute.name ?? '';
    const schema = target.attributes.get(name);
    if (!schema) ctx.refuse(`${node.opType} has no attribute '${name}' ${at}`);
    const type = attributeTypeName[attribute.type ?? 0];
    if (!attribute.refAttrName && type && type !== schema.type) ctx.refuse(`its attribute '${name}' is ${type} where ${node.opType} takes ${schema.type} ${at}`);
  }
  for (const [name, schema] of target.attributes) {
    if (!schema.required || ctx.has(name)) continue;
    if (name === 'consumed_inputs') {
      // Required by the first versions of some ops; zeros say that nothing is consumed in place.
      ctx.setInts(name, (node.input ?? []).map(() => 0));
      ctx.note('consumed_inputs written as zeros (required before opset 6)');
      continue;
    }
    ctx.refuse(`${node.opType} requires the attribute '${name}' ${at}`);
  }
  const inputs = [...(node.input ?? [])];
  while (inputs.length > 0 && !inputs[inputs.length - 1]) inputs.pop();
  if (inputs.length !== (node.input ?? []).length) node.input = inputs;
  const [minIn, maxIn] = target.inputCount;
  if (maxIn >= 0 && inputs.length > maxIn) ctx.refuse(`${node.opType} takes at most ${maxIn} inputs ${at}, the node has ${inputs.length}`);
  if (inputs.length < minIn) ctx.refuse(`${node.opType} needs at least ${minIn} inputs ${at}, the node has ${inputs.length}`);
  inputs.forEach((name, i) => {
    const formal = formalOf(target.inputs, i);
    if (!name && formal && formal.option !== 'optional') ctx.refuse(`${node.opType} requires its input '${formal.name}' ${at}`);
  });
  const [, maxOut] = target.outputCount;
  if (maxOut >= 0 && (node.output ?? []).length > maxOut) ctx.keepOutputs(maxOut, `its output ${maxOut + 1} is used, and ${node.opType} has only ${maxOut} ${at}`);
  checkTypes(ctx, target, inputs, 'input');
  checkTypes(ctx, target, node.output ?? [], 'output');
}

function checkTypes(ctx: NodeContext, target: OpSchema, names: string[], kind: 'input' | 'output'): void {
  const formals = kind === 'input' ? target.inputs : target.outputs;
  names.forEach((name, i) => {
    if (!name) return;
    const formal = formalOf(formals, i);
    if (!formal) return;
    const declared = ctx.scope.declaredType(name);
    if (declared) {
      const allowed = target.typeParameters.get(formal.type);
      if (allowed ? !allowed.has(declared) : formal.type !== declared) {
        ctx.refuse(`its ${kind} '${name}' is ${declared}, which ${target.op} does not take at opset ${ctx.step.to}`);
      }
      return;
    }
    const elemType = ctx.type(name)?.elemType || (kind === 'input' ? ctx.elemType(name) : undefined);
    if (!elemType) return;
    if (!allowsType(target, formal.type, elemType)) {
      ctx.refuse(`its ${kind} '${name}' is ${dataTypeName(elemType)}, which ${target.op} does not take at opset ${ctx.step.to}`);
    }
  });
}
