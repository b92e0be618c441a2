// Nodes an adapter adds, written in the form of the step's target opset (Unsqueeze takes its axes as an
// attribute before opset 13 and as an input from 13 on, and so on), so that later steps convert them like
// any other node.
import type { AttributeProto, NodeProto } from '../model/proto.js';
import { fromFloat64 } from '../model/tensorValues.js';
import { intAttr, intsAttr, type NodeContext } from './context.js';

export class Builder {
  readonly nodes: NodeProto[] = [];

  constructor(readonly ctx: NodeContext) {}

  /** Adds a node and returns its first output (or `output` when given). */
  op(opType: string, inputs: string[], attributes: AttributeProto[] = [], output?: string): string {
    const node = this.ctx.make(opType, inputs, attributes, output ? [output] : undefined);
    this.nodes.push(node);
    return node.output![0];
  }

  /** A scalar (or 1-D when `dims` says so) constant of an element type. */
  scalar(label: string, value: number, elemType: number, dims: number[] = []): string {
    return this.ctx.addConstant(label, { dtype: elemType, dims, data: fromFloat64(elemType, [value]) });
  }

  int64s(label: string, values: number[]): string {
    return this.ctx.int64s(label, values);
  }

  unsqueeze(x: string, axes: number[], output?: string): string {
    if (this.ctx.opset >= 13) return this.op('Unsqueeze', [x, this.int64s('axes', axes)], [], output);
    return this.op('Unsqueeze', [x], [intsAttr('axes', axes)], output);
  }

  /** Reshape to a constant shape (0 copies a dimension, -1 is inferred). */
  reshape(x: string, shape: number[], output?: string): string {
    if (this.ctx.opset >= 5) return this.op('Reshape', [x, this.int64s('shape', shape)], [], output);
    return this.op('Reshape', [x], [intsAttr('shape', shape)], output);
  }

  /** Reshape to a shape computed at run time (opset 5 on). */
  reshapeTo(x: string, shape: string, output?: string): string {
    return this.op('Reshape', [x, shape], [], output);
  }

  reduceMean(x: string, axes: number[], output?: string): string {
    if (this.ctx.opset >= 18) return this.op('ReduceMean', [x, this.int64s('axes', axes)], [intAttr('keepdims', 1)], output);
    return this.op('ReduceMean', [x], [intsAttr('axes', axes), intAttr('keepdims', 1)], output);
  }

  transpose(x: string, perm: number[], output?: string): string {
    return this.op('Transpose', [x], [intsAttr('perm', perm)], output);
  }

  cast(x: string, to: number, output?: string): string {
    return this.op('Cast', [x], [intAttr('to', to)], output);
  }
}
