// Models for the checker's tests: each bad one breaks exactly one rule of `onnx-lens check` (the hostile
// files of the issue among them: a cycle, duplicate outputs, an unknown op, opset 9999, raw_data of the
// wrong length, a GRAPH attribute with no graph, an unknown data type), and valid ones that must pass.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '../../../src/core/model/decode.js';
import { AttributeType, DataType, onnx, toLong, type GraphProto, type ModelProto, type NodeProto, type TensorProto } from '../../../src/core/model/proto.js';
import type { QuickFixKind, RuleId, Severity } from '../../../src/core/check/index.js';
import { tensorInfo } from '../../helpers/models.js';

const F = DataType.FLOAT;

export interface CheckerCase {
  name: string;
  build: () => ModelProto;
  /** The one rule the model breaks; undefined for a valid model. */
  rule?: RuleId;
  severity?: Severity;
  message?: RegExp;
  fix?: QuickFixKind;
  /** Files written beside the model (external data). */
  files?: Record<string, Uint8Array>;
}

interface GraphOptions {
  inputs?: onnx.IValueInfoProto[];
  outputs?: onnx.IValueInfoProto[];
  initializers?: TensorProto[];
  sparseInitializers?: onnx.ISparseTensorProto[];
  name?: string;
}

interface ModelOptions extends GraphOptions {
  opset?: number;
  ir?: number;
  imports?: Array<[string, number]>;
  functions?: onnx.IFunctionProto[];
}

export function node(opType: string, input: string[], output: string[], attribute: onnx.IAttributeProto[] = [], extra: Partial<NodeProto> = {}): NodeProto {
  return new onnx.NodeProto({ opType, input, output, attribute, ...extra });
}

function graph(nodes: NodeProto[], o: GraphOptions = {}): GraphProto {
  return new onnx.GraphProto({
    name: o.name ?? 'g',
    node: nodes,
    input: o.inputs ?? [tensorInfo('X', F, [2])],
    output: o.outputs ?? [tensorInfo('Y', F, [2])],
    initializer: o.initializers ?? [],
    sparseInitializer: o.sparseInitializers ?? [],
  });
}

export function model(nodes: NodeProto[], o: ModelOptions = {}): ModelProto {
  const imports = o.imports ?? [['', o.opset ?? 13]];
  return new onnx.ModelProto({
    irVersion: toLong(o.ir ?? 8),
    producerName: 'onnx-lens-test',
    opsetImport: imports.map(([domain, version]) => ({ domain, version: toLong(version) })),
    graph: graph(nodes, o),
    functions: o.functions ?? [],
  });
}

function floats(name: string, dims: number[], values: number[]): TensorProto {
  return new onnx.TensorProto({ name, dataType: F, dims: dims.map((d) => toLong(d)), floatData: values });
}

function raw(name: string, dataType: number, dims: number[], bytes: number): TensorProto {
  return new onnx.TensorProto({ name, dataType, dims: dims.map((d) => toLong(d)), rawData: new Uint8Array(bytes) });
}

function external(name: string, location: string, length: number): TensorProto {
  return new onnx.TensorProto({
    name, dataType: F, dims: [toLong(2)], dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
    externalData: [{ key: 'location', value: location }, { key: 'offset', value: '0' }, { key: 'length', value: String(length) }],
  });
}

const attr = {
  int: (name: string, i: number): onnx.IAttributeProto => ({ name, type: AttributeType.INT, i: toLong(i) }),
  float: (name: string, f: number): onnx.IAttributeProto => ({ name, type: AttributeType.FLOAT, f }),
  graph: (name: string, g?: GraphProto): onnx.IAttributeProto => (g ? { name, type: AttributeType.GRAPH, g } : { name, type: AttributeType.GRAPH }),
  tensor: (name: string, t: TensorProto): onnx.IAttributeProto => ({ name, type: AttributeType.TENSOR, t }),
};

const ints = (name: string, values: number[]): onnx.IAttributeProto => ({ name, type: AttributeType.INTS, ints: values.map((v) => toLong(v)) });
const floatList = (name: string, values: number[]): onnx.IAttributeProto => ({ name, type: AttributeType.FLOATS, floats: values });
const cond = tensorInfo('c', DataType.BOOL, []);
const relu = () => [node('Relu', ['X'], ['Y'])];

/** An If whose branches output `then` and `else` computed from the outer X (capture). */
function branch(name: string, nodes: NodeProto[], output: string): GraphProto {
  return graph(nodes, { name, inputs: [], outputs: [tensorInfo(output, F, [2])] });
}

function ifNode(output: string, thenNodes: NodeProto[], thenOut: string, elseNodes = [node('Neg', ['X'], ['e'])], elseOut = 'e'): NodeProto {
  return node('If', ['c'], [output], [attr.graph('then_branch', branch('then', thenNodes, thenOut)), attr.graph('else_branch', branch('else', elseNodes, elseOut))]);
}

const localFunction = (inputs: string[]): onnx.IFunctionProto => ({
  name: 'Twice', domain: 'local', input: inputs, output: ['b'], opsetImport: [{ domain: '', version: toLong(13) }],
  node: [node('Relu', ['a'], ['r']), node('Add', ['r', 'r'], ['b'])],
});

const metadata = (m: ModelProto) => {
  m.metadataProps = [{ key: 'k', value: '1' }, { key: 'k', value: '2' }];
  return m;
};

export const validCases: CheckerCase[] = [
  { name: 'valid-relu', build: () => model(relu()) },
  { name: 'valid-add-initializer', build: () => model([node('Add', ['X', 'W'], ['Y'])], { initializers: [floats('W', [2], [1, 2])] }) },
  { name: 'valid-subgraph-capture', build: () => model([ifNode('Y', [node('Relu', ['X'], ['t'])], 't')], { inputs: [tensorInfo('X', F, [2]), cond] }) },
  { name: 'valid-local-function', build: () => model([node('Twice', ['X'], ['Y'], [], { domain: 'local' })], { imports: [['', 13], ['local', 1]], functions: [localFunction(['a'])] }) },
  { name: 'valid-int64-constant', build: () => model([node('Constant', [], ['s'], [attr.tensor('value', new onnx.TensorProto({ dataType: DataType.INT64, dims: [toLong(1)], int64Data: [toLong(2)] }))]), node('Reshape', ['X', 's'], ['Y'])]) },
  { name: 'valid-ir3-initializer-input', build: () => model([node('Add', ['X', 'W'], ['Y'])], { ir: 3, opset: 7, inputs: [tensorInfo('X', F, [2]), tensorInfo('W', F, [2])], initializers: [floats('W', [2], [1, 2])] }) },
  { name: 'valid-float8-ir9', build: () => model(relu(), { ir: 9, opset: 19, initializers: [raw('W8', DataType.FLOAT8E4M3FN, [4], 4)] }) },
  {
    name: 'valid-sparse-initializer',
    build: () => model([node('Add', ['X', 'S'], ['Y'])], {
      sparseInitializers: [{ values: floats('S', [1], [3]), indices: new onnx.TensorProto({ name: 'S_idx', dataType: DataType.INT64, dims: [toLong(1)], int64Data: [toLong(1)] }), dims: [toLong(2)] }],
    }),
  },
  { name: 'valid-external-data', build: () => model([node('Add', ['X', 'W'], ['Y'])], { initializers: [external('W', 'weights.bin', 8)] }), files: { 'weights.bin': new Uint8Array(new Float32Array([1, 2]).buffer) } },
  {
    // ai.onnx.ml: a classifier whose probabilities ZipMap turns into a sequence of maps.
    name: 'valid-ml-zipmap',
    build: () => {
      const m = model([
        node('LinearClassifier', ['X'], ['L', 'P'], [ints('classlabels_ints', [0, 1]), floatList('coefficients', [0.1, 0.2, 0.3, -0.1, -0.2, -0.3]), floatList('intercepts', [0, 0])], { domain: 'ai.onnx.ml' }),
        node('ZipMap', ['P'], ['Z'], [ints('classlabels_int64s', [0, 1])], { domain: 'ai.onnx.ml' }),
      ], {
        imports: [['', 13], ['ai.onnx.ml', 3]],
        inputs: [tensorInfo('X', F, [1, 3])],
        outputs: [tensorInfo('L', DataType.INT64, [1]), new onnx.ValueInfoProto({ name: 'Z', type: { sequenceType: { elemType: { mapType: { keyType: DataType.INT64, valueType: { tensorType: { elemType: F } } } } } } })],
      });
      return m;
    },
  },
  // Valid ONNX that only draws warnings.
  { name: 'warn-onnxruntime-old-opset', build: () => model(relu(), { opset: 6 }), rule: 'onnxruntime-support', severity: 'warning', message: /runs ai\.onnx opsets 7 to 26; this model imports opset 6/, fix: 'convert-opset' },
  { name: 'warn-duplicate-node-names', build: () => model([node('Relu', ['X'], ['a'], [], { name: 'n' }), node('Neg', ['a'], ['Y'], [], { name: 'n' })]), rule: 'node-name-duplicate', severity: 'warning', message: /node name 'n' is used by nodes 0 and 1/, fix: 'make-names-unique' },
  { name: 'warn-not-sorted', build: () => model([node('Relu', ['a'], ['Y']), node('Neg', ['X'], ['a'])]), rule: 'not-sorted', severity: 'warning', message: /not in topological order: node 0 .* reads a value that node 1 produces later/, fix: 'topological-sort' },
];

export const hostileCases: CheckerCase[] = [
  // The hostile files of the issue.
  { name: 'cycle', build: () => model([node('Add', ['X', 'b'], ['a']), node('Relu', ['a'], ['b']), node('Neg', ['a'], ['Y'])]), rule: 'cycle', message: /nodes 0 "Add_0" \(Add\), 1 "Relu_1" \(Relu\) form a cycle/ },
  { name: 'cycle-through-subgraph', build: () => model([ifNode('i', [node('Relu', ['b'], ['t'])], 't'), node('Relu', ['i'], ['b']), node('Neg', ['b'], ['Y'])], { inputs: [tensorInfo('X', F, [2]), cond] }), rule: 'cycle', message: /form a cycle/ },
  { name: 'duplicate-graph-outputs', build: () => model(relu(), { outputs: [tensorInfo('Y', F, [2]), tensorInfo('Y', F, [2])] }), rule: 'graph-output', message: /output 'Y' is listed more than once/ },
  { name: 'duplicate-node-outputs', build: () => model([node('Relu', ['X'], ['Y']), node('Neg', ['X'], ['Y'])]), rule: 'duplicate-definition', message: /'Y' is already defined by node 0/, fix: 'make-names-unique' },
  { name: 'unknown-op', build: () => model([node('Frobnicate', ['X'], ['Y'])]), rule: 'op-unknown', message: /Frobnicate is not an operator of ai\.onnx/ },
  { name: 'opset-9999', build: () => model(relu(), { opset: 9999 }), rule: 'opset-version', message: /ai\.onnx opset 9999 is newer than the newest this checker knows/, fix: 'convert-opset' },
  { name: 'raw-data-wrong-length', build: () => model([node('Add', ['X', 'W'], ['Y'])], { initializers: [raw('W', F, [2], 5)] }), rule: 'tensor-size', message: /tensor 'W': raw_data holds 5 bytes, but 2 float values take 8/ },
  { name: 'graph-attribute-without-graph', build: () => model([node('If', ['c'], ['Y'], [attr.graph('then_branch'), attr.graph('else_branch', branch('else', [node('Neg', ['X'], ['e'])], 'e'))])], { inputs: [tensorInfo('X', F, [2]), cond] }), rule: 'attribute-missing', message: /GRAPH attribute then_branch holds no g/ },
  { name: 'unknown-data-type', build: () => model([node('Add', ['X', 'W'], ['Y'])], { initializers: [raw('W', 99, [2], 8)] }), rule: 'tensor-data-type', message: /tensor 'W' has unknown data type 99/ },
  // One rule each, the rest of the checker.
  { name: 'unknown-element-type', build: () => model(relu(), { inputs: [tensorInfo('X', 99, [2])] }), rule: 'value-info', message: /graph input 'X' has unknown element type 99/ },
  { name: 'op-newer-than-opset', build: () => model([node('LayerNormalization', ['X', 'S'], ['Y'])], { initializers: [floats('S', [2], [1, 1])] }), rule: 'op-unknown', message: /LayerNormalization is not in ai\.onnx opset 13; it came with opset 17/, fix: 'convert-opset' },
  { name: 'deprecated-op', build: () => model([node('Upsample', ['X', 's'], ['Y'])], { opset: 10, inputs: [tensorInfo('X', F, [2]), tensorInfo('s', F, [1])] }), rule: 'op-deprecated', message: /Upsample is deprecated in ai\.onnx opset 10/, fix: 'convert-opset' },
  { name: 'domain-not-imported', build: () => model([node('Foo', ['X'], ['Y'], [], { domain: 'com.example' })]), rule: 'domain-not-imported', message: /domain com\.example, which the model does not import/ },
  { name: 'undefined-input', build: () => model([node('Add', ['X', 'Q'], ['Y'])]), rule: 'undefined-value', message: /input 'Q' is not defined/ },
  { name: 'undefined-graph-output', build: () => model([node('Relu', ['X'], ['Z'])]), rule: 'graph-output', message: /output 'Y' is not produced by any node/ },
  { name: 'subgraph-reassigns-outer-name', build: () => model([ifNode('Y', [node('Relu', ['X'], ['c'])], 'c')], { inputs: [tensorInfo('X', F, [2]), cond] }), rule: 'duplicate-definition', message: /'c' is already defined in an enclosing graph/, fix: 'make-names-unique' },
  { name: 'too-many-inputs', build: () => model([node('Relu', ['X', 'X'], ['Y'])]), rule: 'input-count', message: /Relu-\d+ takes 1 input, the node has 2/ },
  { name: 'empty-required-input', build: () => model([node('Add', ['X', ''], ['Y'])]), rule: 'missing-required-value', message: /input 1 \(B\) of Add-\d+ is required/ },
  { name: 'unknown-attribute', build: () => model([node('Relu', ['X'], ['Y'], [attr.int('foo', 1)])]), rule: 'attribute-unknown', message: /Relu-\d+ has no attribute foo/ },
  { name: 'wrong-attribute-type', build: () => model([node('Softmax', ['X'], ['Y'], [attr.float('axis', 1.5)])]), rule: 'attribute-type', message: /attribute axis is FLOAT; Softmax-13 expects INT/ },
  { name: 'missing-required-attribute', build: () => model([node('Cast', ['X'], ['Y'])]), rule: 'attribute-missing', message: /Cast-13 requires attribute to/ },
  { name: 'attribute-field-mismatch', build: () => model([node('Foo', ['X'], ['Y'], [{ name: 'alpha', type: AttributeType.FLOAT, i: toLong(1) }], { domain: 'com.example' })], { imports: [['', 13], ['com.example', 1]] }), rule: 'attribute', message: /attribute alpha is of type FLOAT but its value is in field i/ },
  { name: 'input-type-not-allowed', build: () => model(relu(), { inputs: [tensorInfo('X', DataType.INT64, [2])], outputs: [tensorInfo('Y', DataType.INT64, [2])] }), rule: 'type-constraint', message: /input X 'X' is int64, which Relu-13 does not take .*; opset 14 allows it/, fix: 'convert-opset' },
  { name: 'input-types-disagree', build: () => model([node('Add', ['X', 'W'], ['Y'])], { initializers: [new onnx.TensorProto({ name: 'W', dataType: DataType.INT64, dims: [toLong(2)], int64Data: [toLong(1), toLong(2)] })] }), rule: 'type-constraint', message: /input B 'W' is int64 but 'X' is float/ },
  { name: 'constant-int64-before-opset-9', build: () => model([node('Constant', [], ['Y'], [attr.tensor('value', floats('v', [2], [1, 2]))]), node('Constant', [], ['k'], [attr.tensor('value', new onnx.TensorProto({ dataType: DataType.INT64, dims: [toLong(1)], int64Data: [toLong(2)] }))])], { opset: 8, inputs: [] }), rule: 'type-constraint', message: /Constant-1 cannot produce int64 .*; opset 9 allows it/, fix: 'convert-opset' },
  { name: 'declared-type-differs', build: () => model(relu(), { outputs: [tensorInfo('Y', DataType.INT64, [2])] }), rule: 'declared-type', message: /'Y' is declared int64, but Relu produces float/ },
  { name: 'typed-data-wrong-count', build: () => model([node('Add', ['X', 'W'], ['Y'])], { initializers: [floats('W', [2], [1])] }), rule: 'tensor-size', message: /float_data holds 1 value, but 2 float values need 2/ },
  { name: 'typed-data-wrong-field', build: () => model([node('Add', ['X', 'W'], ['Y'])], { initializers: [new onnx.TensorProto({ name: 'W', dataType: F, dims: [toLong(2)], int32Data: [1, 2] })] }), rule: 'tensor-data', message: /float values belong in float_data, not int32_data/ },
  { name: 'strings-in-raw-data', build: () => model([node('Identity', ['W'], ['Y'])], { inputs: [], outputs: [tensorInfo('Y', DataType.STRING, [1])], initializers: [raw('W', DataType.STRING, [1], 2)] }), rule: 'tensor-data', message: /holds strings in raw_data/ },
  { name: 'negative-dimension', build: () => model([node('Add', ['X', 'W'], ['Y'])], { initializers: [floats('W', [-2], [])] }), rule: 'tensor-dims', message: /tensor 'W' has a negative dimension \(-2\)/ },
  { name: 'node-without-inputs-or-outputs', build: () => model([...relu(), node('Relu', [], [])]), rule: 'node-empty', message: /the Relu node has no inputs and no outputs/ },
  { name: 'graph-without-name', build: () => model(relu(), { name: '' }), rule: 'graph-name', message: /the main graph has no name/ },
  { name: 'input-without-shape', build: () => model(relu(), { inputs: [new onnx.ValueInfoProto({ name: 'X', type: { tensorType: { elemType: F } } })] }), rule: 'value-info', message: /graph input 'X' has no shape/ },
  { name: 'no-ir-version', build: () => model(relu(), { ir: 0 }), rule: 'ir-version', message: /no IR version/ },
  { name: 'ir-version-too-new', build: () => model(relu(), { ir: 99 }), rule: 'ir-version', message: /IR version 99 is newer than the newest this checker knows/ },
  { name: 'no-opset-import', build: () => model([], { imports: [], inputs: [tensorInfo('Y', F, [2])] }), rule: 'opset-import', message: /must import an opset/ },
  { name: 'duplicate-metadata-key', build: () => metadata(model(relu())), rule: 'metadata-duplicate-key', message: /metadata_props has the key 'k' more than once/ },
  { name: 'ir3-initializer-not-input', build: () => model([node('Add', ['X', 'W'], ['Y'])], { ir: 3, opset: 7, initializers: [floats('W', [2], [1, 2])] }), rule: 'initializer-not-input', message: /initializer 'W' is not a graph input, which IR version 3 requires/ },
  { name: 'bfloat16-before-ir4', build: () => model(relu(), { ir: 3, opset: 7, inputs: [tensorInfo('X', F, [2]), tensorInfo('B', DataType.BFLOAT16, [1])], initializers: [raw('B', DataType.BFLOAT16, [1], 2)] }), rule: 'ir-feature', message: /the model uses bfloat16 .*which came with IR version 4; it declares IR version 3/ },
  { name: 'float8-before-ir9', build: () => model(relu(), { ir: 8, opset: 17, initializers: [raw('W8', DataType.FLOAT8E4M3FN, [4], 4)] }), rule: 'ir-feature', message: /the model uses float8e4m3fn tensors, which came with IR version 9/ },
  {
    name: 'sparse-initializer-before-ir6',
    build: () => model([node('Add', ['X', 'S'], ['Y'])], {
      ir: 5, opset: 10,
      sparseInitializers: [{ values: floats('S', [1], [3]), indices: new onnx.TensorProto({ name: 'S_idx', dataType: DataType.INT64, dims: [toLong(1)], int64Data: [toLong(1)] }), dims: [toLong(2)] }],
    }),
    rule: 'ir-feature', message: /the model uses sparse initializers, which came with IR version 6/,
  },
  { name: 'function-duplicate-input', build: () => model([node('Twice', ['X'], ['Y'], [], { domain: 'local' })], { imports: [['', 13], ['local', 1]], functions: [localFunction(['a', 'a'])] }), rule: 'function-signature', message: /function local\.Twice lists input 'a' more than once/ },
  { name: 'external-data-outside-folder', build: () => model([node('Add', ['X', 'W'], ['Y'])], { initializers: [external('W', '../outside.bin', 8)] }), rule: 'external-data', message: /location '\.\.\/outside\.bin' leaves the model's folder/ },
  { name: 'external-data-missing-file', build: () => model([node('Add', ['X', 'W'], ['Y'])], { initializers: [external('W', 'missing.bin', 8)] }), rule: 'external-data', message: /missing\.bin' is missing next to the model/ },
];

export const allCases: CheckerCase[] = [...validCases, ...hostileCases];

/** Writes each case to `<dir>/<name>/model.onnx` (with its side files); returns the paths by case name. */
export function writeCases(dir: string, cases: CheckerCase[] = allCases): Map<string, string> {
  const paths = new Map<string, string>();
  for (const c of cases) {
    const folder = join(dir, c.name);
    mkdirSync(folder, { recursive: true });
    const path = join(folder, 'model.onnx');
    writeFileSync(path, encodeModel(c.build()));
    for (const [file, bytes] of Object.entries(c.files ?? {})) writeFileSync(join(folder, file), bytes);
    paths.set(c.name, path);
  }
  return paths;
}
