// Ops against the schemas of the model's opsets: the domain is imported, the op exists at that opset
// version (or is a model-local function), is not deprecated there, and has as many inputs and outputs
// as its schema allows, with no required one left empty.
import type { NodeProto } from '../model/proto.js';
import { canonicalDomain, domainName, isOnnxDomain, opSchemaVersions, type FormalParameter, type OpSchema } from '../ops/opSchemas.js';
import { functionKey, type CheckContext, type Scope } from './context.js';
import type { ProblemLocation } from './problem.js';

/** Experimental ops that ONNX removed; onnx's checker only warns about them, and so do we. */
const removedExperimental = new Set([
  'ATen', 'Affine', 'ConstantFill', 'Crop', 'DynamicSlice', 'GRUUnit', 'GivenTensorFill', 'ImageScaler',
  'ParametricSoftplus', 'Scale', 'ScaledTanh',
]);

const unbounded = 2147483647;

function countText(min: number, max: number, what: string): string {
  const plural = (n: number) => `${n} ${what}${n === 1 ? '' : 's'}`;
  if (max >= unbounded) return `${plural(min)} or more`;
  if (min === max) return plural(min);
  return `${min} to ${plural(max)}`;
}

function checkEmptyRequired(ctx: CheckContext, names: string[], params: FormalParameter[], what: 'input' | 'output', where: ProblemLocation, op: string): void {
  for (let k = 0; k < names.length && k < params.length; k++) {
    if (names[k] === '' && params[k].option === 'single') {
      ctx.report('error', 'missing-required-value', where, `${what} ${k} (${params[k].name}) of ${op} is required but the node leaves it empty`);
    }
  }
}

/** Checks the node against its op's schema; returns the schema when the op has one. */
export function checkNodeOp(ctx: CheckContext, scope: Scope, node: NodeProto, where: ProblemLocation): OpSchema | undefined {
  const opType = node.opType ?? '';
  const inputs = node.input ?? [];
  const outputs = node.output ?? [];
  if (!opType) {
    ctx.report('error', 'node-empty', where, 'the node has no op_type');
    return undefined;
  }
  if (inputs.length === 0 && outputs.length === 0) {
    ctx.report('error', 'node-empty', where, `the ${opType} node has no inputs and no outputs`);
    return undefined;
  }
  const domain = canonicalDomain(node.domain);
  const version = scope.source.opsets.get(domain);
  if (version === undefined) {
    const owner = scope.source.fn ? scope.source.title : 'the model';
    ctx.report('error', 'domain-not-imported', where, `${opType} is in domain ${domainName(node.domain)}, which ${owner} does not import`);
    return undefined;
  }
  if (node.overload) ctx.requireIr(10, 'function overloads', where);
  const fn = ctx.functions.get(functionKey(node.domain, opType, node.overload));
  if (fn) {
    const label = `function ${fn.domain ? fn.domain + '.' : ''}${fn.name}`;
    if (inputs.length > (fn.input?.length ?? 0)) ctx.report('error', 'input-count', where, `${label} takes ${countText(0, fn.input?.length ?? 0, 'input')}, the node has ${inputs.length}`);
    if (outputs.length > (fn.output?.length ?? 0)) ctx.report('error', 'output-count', where, `${label} has ${countText(0, fn.output?.length ?? 0, 'output')}, the node has ${outputs.length}`);
    return undefined;
  }
  if (!isOnnxDomain(domain)) return undefined;
  if (domain === '' && removedExperimental.has(opType)) {
    ctx.report('warning', 'op-experimental', where, `${opType} was an experimental op that ONNX removed`);
    return undefined;
  }
  const schema = ctx.schema(domain, opType, version);
  if (!schema) {
    const versions = opSchemaVersions(domain, opType);
    if (versions.length) {
      ctx.report('error', 'op-unknown', where, `${opType} is not in ${domainName(domain)} opset ${version}; it came with opset ${versions[0].v}`, 'convert-opset');
    } else {
      ctx.report('error', 'op-unknown', where, `${opType} is not an operator of ${domainName(domain)} (and no model-local function has that name)`);
    }
    return undefined;
  }
  const op = `${opType}-${schema.sinceVersion}`;
  if (schema.deprecated) {
    ctx.report('error', 'op-deprecated', where, `${opType} is deprecated in ${domainName(domain)} opset ${version} (since opset ${schema.sinceVersion})`, 'convert-opset');
    return undefined;
  }
  if (inputs.length < schema.minInput || inputs.length > schema.maxInput) {
    ctx.report('error', 'input-count', where, `${op} takes ${countText(schema.minInput, schema.maxInput, 'input')}, the node has ${inputs.length}`);
  }
  if (outputs.length < schema.minOutput || outputs.length > schema.maxOutput) {
    ctx.report('error', 'output-count', where, `${op} has ${countText(schema.minOutput, schema.maxOutput, 'output')}, the node has ${outputs.length}`);
  }
  checkEmptyRequired(ctx, inputs, schema.inputs, 'input', where, op);
  checkEmptyRequired(ctx, outputs, schema.outputs, 'output', where, op);
  return schema;
}
