// Ready-to-run inference programs for a model: its real input names, element types and shapes (symbolic
// dims as named variables), and its outputs.
import { basename } from 'node:path';
import { DataType } from '../model/proto.js';
import { elementCount } from '../model/tensorValues.js';
import { chosenValues, jsonRequestBody, type ExampleRequest } from './exampleRequest.js';
import type { ModelSignature, TensorSignature } from './signature.js';

export const snippetLanguages = ['python', 'node', 'csharp', 'curl'] as const;
export type SnippetLanguage = (typeof snippetLanguages)[number];

export interface SnippetOptions {
  /** The model file as the program should name it. */
  modelPath: string;
  /** Sizes for symbolic or unnamed dims; else the example's, else 1. */
  dims?: Record<string, number>;
  /**
   * The model's example request (exampleRequest.ts): its sizes for the free dims, its values for inputs
   * given inline or assumed (an integer scalar the model compares), and curl's whole request.
   */
  example?: ExampleRequest;
  /** The endpoint's base URL, for curl. */
  url?: string;
}

interface DimVariable {
  /** The identifier in the program. */
  id: string;
  /** The model's name for it (a symbol, or `input[axis]` for an unnamed dim). */
  label: string;
  size: number;
}

const reserved = new Set(['and', 'as', 'class', 'def', 'del', 'for', 'from', 'if', 'import', 'in', 'is', 'lambda', 'not', 'or',
  'pass', 'return', 'while', 'with', 'yield', 'const', 'let', 'var', 'new', 'int', 'long', 'float', 'double', 'string', 'object',
  'base', 'case', 'default', 'do', 'else', 'function', 'this', 'void', 'switch', 'try', 'catch', 'finally', 'true', 'false', 'null']);

/** Identifiers for the free dims, shared across inputs (one variable per symbol). */
function dimVariables(signature: ModelSignature, given: Record<string, number>, example: Record<string, number>): Map<string, DimVariable> {
  const variables = new Map<string, DimVariable>();
  const used = new Set<string>();
  for (const input of signature.inputs) {
    input.dims.forEach((dim, axis) => {
      if (typeof dim === 'number') return;
      const label = dim ?? `${input.name}[${axis}]`;
      if (variables.has(label)) return;
      let id = label.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'dim';
      if (/^\d/.test(id) || reserved.has(id)) id = `dim_${id}`;
      for (let n = 2, base = id; used.has(id); n++) id = `${base}_${n}`;
      used.add(id);
      variables.set(label, { id, label, size: given[label] ?? example[label] ?? 1 });
    });
  }
  return variables;
}

interface Shape {
  /** Per axis: a number or a dim variable's identifier. */
  parts: string[];
  /** The shape with every variable at its size. */
  sizes: number[];
}

function shapeOf(input: TensorSignature, variables: Map<string, DimVariable>): Shape {
  const parts: string[] = [];
  const sizes: number[] = [];
  input.dims.forEach((dim, axis) => {
    if (typeof dim === 'number') {
      parts.push(String(dim));
      sizes.push(dim);
    } else {
      const variable = variables.get(dim ?? `${input.name}[${axis}]`)!;
      parts.push(variable.id);
      sizes.push(variable.size);
    }
  });
  return { parts, sizes };
}

const quote = (text: string) => JSON.stringify(text);

export function inferenceSnippet(language: SnippetLanguage, signature: ModelSignature, options: SnippetOptions): string {
  const variables = dimVariables(signature, options.dims ?? {}, options.example?.dims ?? {});
  const shapes = signature.inputs.map((input) => ({
    input, shape: shapeOf(input, variables), values: options.example && chosenValues(options.example, input.name),
  }));
  const outputs = signature.outputs.map((o) => o.name);
  switch (language) {
    case 'python': return python(options, [...variables.values()], shapes, outputs);
    case 'node': return node(options, [...variables.values()], shapes, outputs);
    case 'csharp': return csharp(options, [...variables.values()], shapes);
    case 'curl': return curl(signature, options, shapes);
  }
}

/** `values`: the example's values for the input when they were chosen (inline, or an assumed scalar). */
type Shaped = Array<{ input: TensorSignature; shape: Shape; values?: unknown[] }>;

/** Literal values as the languages write them: numbers, booleans, strings (int64 beyond 2^53 come as text). */
const literal = (v: unknown, lang: 'python' | 'node' | 'csharp', elemType: number): string => {
  if (typeof v === 'boolean') return lang === 'python' ? (v ? 'True' : 'False') : String(v);
  if (elemType === DataType.STRING) return quote(String(v));
  if (v === null) return lang === 'python' ? 'np.nan' : lang === 'node' ? 'NaN' : 'float.NaN';
  if (lang === 'node' && (elemType === DataType.INT64 || elemType === DataType.UINT64)) return `${String(v)}n`;
  if (lang === 'csharp' && elemType === DataType.FLOAT) return `${String(v)}f`;
  return String(v);
};

const numpyTypes: Record<number, string> = {
  [DataType.FLOAT]: 'np.float32', [DataType.DOUBLE]: 'np.float64', [DataType.FLOAT16]: 'np.float16', [DataType.INT64]: 'np.int64',
  [DataType.INT32]: 'np.int32', [DataType.INT16]: 'np.int16', [DataType.INT8]: 'np.int8', [DataType.UINT64]: 'np.uint64',
  [DataType.UINT32]: 'np.uint32', [DataType.UINT16]: 'np.uint16', [DataType.UINT8]: 'np.uint8', [DataType.BOOL]: 'np.bool_',
  [DataType.STRING]: 'object',
};
const isFloat = (t: number) => t === DataType.FLOAT || t === DataType.DOUBLE || t === DataType.FLOAT16;

function python(options: SnippetOptions, variables: DimVariable[], shapes: Shaped, outputs: string[]): string {
  const lines = [
    `# Runs ${basename(options.modelPath)} with onnxruntime (pip install onnxruntime numpy).`,
    'import numpy as np',
    'import onnxruntime as ort',
    '',
    `session = ort.InferenceSession(${quote(options.modelPath)}, providers=["CPUExecutionProvider"])`,
    '',
  ];
  if (variables.length) lines.push('# The model\'s free dims: set them to your sizes.', ...variables.map((v) => `${v.id} = ${v.size}  # ${v.label}`), '');
  lines.push('feeds = {');
  for (const { input, shape, values } of shapes) {
    const dims = `(${shape.parts.join(', ')}${shape.parts.length === 1 ? ',' : ''})`;
    const type = numpyTypes[input.elemType];
    const value = values ? `np.array([${values.map((v) => literal(v, 'python', input.elemType)).join(', ')}], dtype=${type}).reshape(${dims})`
      : input.elemType === DataType.STRING ? `np.full(${dims}, "", dtype=object)`
      : isFloat(input.elemType) ? `np.random.rand(*${dims}).astype(${type})` : `np.zeros(${dims}, dtype=${type})`;
    lines.push(`    ${quote(input.name)}: ${value},`);
  }
  lines.push('}', `output_names = [${outputs.map(quote).join(', ')}]`, 'results = session.run(output_names, feeds)',
    'for name, value in zip(output_names, results):', '    print(name, value.dtype, value.shape)', '');
  return lines.join('\n');
}

const ortTypes: Record<number, [string, string]> = {
  [DataType.FLOAT]: ['float32', 'Float32Array'], [DataType.DOUBLE]: ['float64', 'Float64Array'], [DataType.FLOAT16]: ['float16', 'Uint16Array'],
  [DataType.INT64]: ['int64', 'BigInt64Array'], [DataType.INT32]: ['int32', 'Int32Array'], [DataType.INT16]: ['int16', 'Int16Array'],
  [DataType.INT8]: ['int8', 'Int8Array'], [DataType.UINT64]: ['uint64', 'BigUint64Array'], [DataType.UINT32]: ['uint32', 'Uint32Array'],
  [DataType.UINT16]: ['uint16', 'Uint16Array'], [DataType.UINT8]: ['uint8', 'Uint8Array'], [DataType.BOOL]: ['bool', 'Uint8Array'],
  [DataType.STRING]: ['string', 'Array'],
};

function node(options: SnippetOptions, variables: DimVariable[], shapes: Shaped, outputs: string[]): string {
  const lines = [
    `// Runs ${basename(options.modelPath)} with onnxruntime-node (npm install onnxruntime-node). Save as .mjs.`,
    "import * as ort from 'onnxruntime-node';",
    '',
  ];
  if (variables.length) lines.push('// The model\'s free dims: set them to your sizes.', ...variables.map((v) => `const ${v.id} = ${v.size}; // ${v.label}`), '');
  lines.push(`const session = await ort.InferenceSession.create(${quote(options.modelPath)});`, '', 'const feeds = {');
  for (const { input, shape, values } of shapes) {
    const [type, array] = ortTypes[input.elemType];
    const count = shape.parts.length ? shape.parts.join(' * ') : '1';
    const listed = values && `[${values.map((v) => literal(input.elemType === DataType.BOOL ? Number(v) : v, 'node', input.elemType)).join(', ')}]`;
    const data = listed && input.elemType !== DataType.FLOAT16 ? (input.elemType === DataType.STRING ? listed : `${array}.from(${listed})`)
      : input.elemType === DataType.STRING ? `new Array(${count}).fill('')`
      : isFloat(input.elemType) && input.elemType !== DataType.FLOAT16 ? `${array}.from({ length: ${count} }, () => Math.random())`
      : `new ${array}(${count})`;
    lines.push(`  ${quote(input.name)}: new ort.Tensor('${type}', ${data}, [${shape.parts.join(', ')}]),`);
  }
  lines.push('};', 'const results = await session.run(feeds);',
    `for (const name of [${outputs.map(quote).join(', ')}]) console.log(name, results[name].type, results[name].dims);`, '');
  return lines.join('\n');
}

const csharpTypes: Record<number, string> = {
  [DataType.FLOAT]: 'float', [DataType.DOUBLE]: 'double', [DataType.FLOAT16]: 'Float16', [DataType.INT64]: 'long', [DataType.INT32]: 'int',
  [DataType.INT16]: 'short', [DataType.INT8]: 'sbyte', [DataType.UINT64]: 'ulong', [DataType.UINT32]: 'uint', [DataType.UINT16]: 'ushort',
  [DataType.UINT8]: 'byte', [DataType.BOOL]: 'bool', [DataType.STRING]: 'string',
};

function csharp(options: SnippetOptions, variables: DimVariable[], shapes: Shaped): string {
  const lines = [
    `// Runs ${basename(options.modelPath)} with Microsoft.ML.OnnxRuntime (dotnet add package Microsoft.ML.OnnxRuntime).`,
    'using System;',
    'using System.Collections.Generic;',
    'using Microsoft.ML.OnnxRuntime;',
    'using Microsoft.ML.OnnxRuntime.Tensors;',
    '',
  ];
  if (variables.length) lines.push('// The model\'s free dims: set them to your sizes.', ...variables.map((v) => `int ${v.id} = ${v.size}; // ${v.label}`), '');
  lines.push(`using var session = new InferenceSession(${quote(options.modelPath)});`, 'var inputs = new List<NamedOnnxValue>', '{');
  for (const { input, shape, values } of shapes) {
    const dims = shape.parts.length ? `new[] { ${shape.parts.join(', ')} }` : 'Array.Empty<int>()';
    const type = csharpTypes[input.elemType];
    const data = values && input.elemType !== DataType.FLOAT16 ? `new ${type}[] { ${values.map((v) => literal(v, 'csharp', input.elemType)).join(', ')} }, ` : '';
    lines.push(`    NamedOnnxValue.CreateFromTensor(${quote(input.name)}, new DenseTensor<${type}>(${data}${dims})),`);
  }
  lines.push('};', 'using var results = session.Run(inputs);', 'foreach (var result in results)',
    '    Console.WriteLine($"{result.Name}: {result.Value}");', '');
  return lines.join('\n');
}

function curl(signature: ModelSignature, options: SnippetOptions, shapes: Shaped): string {
  // The example's tensors when it fits the sizes asked for (--dims may ask for others); else zeros.
  const example = options.example && jsonRequestBody(options.example.tensors).inputs;
  const inputs = shapes.map(({ input, shape }) => {
    const given = example?.find((t) => t.name === input.name);
    if (given && given.shape.length === shape.sizes.length && given.shape.every((d, i) => d === shape.sizes[i])) return given;
    const count = elementCount(shape.sizes);
    const zero = input.elemType === DataType.STRING ? '' : input.elemType === DataType.BOOL ? false : 0;
    return { name: input.name, shape: shape.sizes, datatype: input.datatype, data: new Array(count).fill(zero) };
  });
  const body = JSON.stringify({ inputs }).replace(/'/g, "'\\''");
  const url = `${options.url ?? 'http://127.0.0.1:8000'}/v2/models/${signature.name}/infer`;
  return [
    `# Calls ${basename(options.modelPath)} served by \`onnx-lens serve\` (Open Inference Protocol), with example inputs.`,
    `curl -sS -X POST '${url}' \\`,
    "  -H 'Content-Type: application/json' \\",
    `  -d '${body}'`,
    '',
  ].join('\n');
}
