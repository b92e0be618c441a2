// A model's serving signature: the inputs a caller feeds and the outputs it gets, in protocol terms.
import { basename } from 'node:path';
import { UserError } from '../errors.js';
import { protocolDatatype } from './datatypes.js';
import type { ModelProto, ValueInfoProto } from '../model/proto.js';
import { valueType, type Dim } from '../model/types.js';
import { requiredInputs } from '../runtime/inputs.js';
import type { InputSpec } from '../runtime/inputSpec.js';

export interface TensorSignature {
  name: string;
  /** Protocol datatype (FP32, INT64, ...). */
  datatype: string;
  /** ONNX element type. */
  elemType: number;
  /** Protocol shape: sizes, -1 for a dynamic dim. */
  shape: number[];
  /** The model's own dims: sizes, symbols, null for unnamed dynamic ones. */
  dims: Dim[];
}

export interface ModelSignature {
  name: string;
  inputs: TensorSignature[];
  outputs: TensorSignature[];
}

/** A name for URLs: the file name without `.onnx`, reduced to the characters a path segment keeps as is. */
export function servingName(file: string): string {
  return basename(file).replace(/\.onnx$/i, '').replace(/[^A-Za-z0-9_.-]+/g, '_') || 'model';
}

function tensorSignature(value: ValueInfoProto, role: string): TensorSignature {
  const name = value.name ?? '';
  const type = value.type?.tensorType;
  if (!type) throw new UserError(`${role} '${name}' is not a tensor: the inference protocol carries tensors only.`);
  const elemType = type.elemType ?? 0;
  const datatype = protocolDatatype(elemType);
  if (!datatype) throw new UserError(`${role} '${name}' is ${valueType(value.type).elemType}, which the inference protocol has no datatype for.`);
  const dims = valueType(value.type).shape ?? [];
  return { name, datatype, elemType, dims, shape: dims.map((d) => (typeof d === 'number' ? d : -1)) };
}

export function modelSignature(model: ModelProto, name: string): ModelSignature {
  return {
    name,
    inputs: requiredInputs(model).map((v) => tensorSignature(v, 'Input')),
    outputs: (model.graph?.output ?? []).map((v) => tensorSignature(v, 'Output')),
  };
}

/**
 * The signature with the dims the user fixed (`--shape`, `--dims`) as sizes instead of -1: metadata then
 * says them, and requests of other sizes are refused. Dims the resolver only assumed stay dynamic.
 */
export function withGivenDims(signature: ModelSignature, spec: Pick<InputSpec, 'shapes' | 'dims'>): ModelSignature {
  const fix = (input: TensorSignature): TensorSignature => {
    const shape = spec.shapes?.[input.name];
    return {
      ...input,
      shape: input.shape.map((size, axis) => {
        if (size >= 0) return size;
        const dim = input.dims[axis];
        return shape?.[axis] ?? spec.dims?.[`${input.name}[${axis}]`] ?? (typeof dim === 'string' && dim ? spec.dims?.[dim] : undefined) ?? -1;
      }),
    };
  };
  return { ...signature, inputs: signature.inputs.map(fix) };
}
