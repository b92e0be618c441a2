// Builds graphs the way PyTorch's exporter names them: nodes `/model/layers.0/self_attn/q_proj/MatMul`,
// values `<node>_output_0`, a `_1`, `_2` suffix for repeats within a scope, and (optionally) the dynamo
// exporter's per-node `namespace` metadata naming the module path and classes.
import { AttributeType, DataType, onnx, toLong, type AttributeProto, type ModelProto, type NodeProto, type TensorProto, type ValueInfoProto } from '../../src/core/model/proto.js';
import { Random } from './random.js';
import { floatTensor, int64Tensor } from './tensors.js';

export type Dim = number | string;
export type AttributeValue = number | number[] | string | TensorProto | { float: number } | { floats: number[] };

export interface BuilderOptions {
  seed: number;
  /** Per-node metadata_props (namespace, class hierarchy, name scopes): IR 10, as the dynamo exporter writes. */
  nodeMetadata?: boolean;
  /**
   * Weights as Constant nodes instead of initializers, as some exporters write them: all of them (true),
   * or only the 1-D ones (biases, norm scales and shifts: 'vectors'), for a model that mixes both.
   */
  constantWeights?: boolean | 'vectors';
}

interface Scope {
  name: string;
  className: string;
  /** This module's attribute name in its parent: `0` for the scope torchvision names `layer1.0`. */
  attribute: string;
}

/** Opset 17 / IR 8 unless node metadata asks for IR 10: the newest that Debian's onnx.checker (1.12) knows. */
export const OPSET = 17;

export class GraphBuilder {
  readonly random: Random;
  readonly nodes: NodeProto[] = [];
  readonly initializers: TensorProto[] = [];
  private readonly inputs: ValueInfoProto[] = [];
  private readonly outputs: ValueInfoProto[] = [];
  private readonly scopes: Scope[] = [];
  private readonly used = new Map<string, number>();

  constructor(readonly options: BuilderOptions, readonly rootClass: string) {
    this.random = new Random(options.seed);
  }

  /** Runs `body` inside a module scope: `layers.0` of class `DecoderLayer`. */
  scope<T>(name: string, className: string, body: () => T, attribute = name): T {
    this.scopes.push({ name, className, attribute });
    try {
      return body();
    } finally {
      this.scopes.pop();
    }
  }

  /** `/model/layers.0/self_attn`. */
  get prefix(): string {
    return this.scopes.map((s) => '/' + s.name).join('');
  }

  /** `model.layers.0.self_attn`: how PyTorch names the parameters in that scope. */
  get parameterPrefix(): string {
    return this.scopes.map((s) => s.attribute).join('.');
  }

  input(name: string, elemType: number, shape: Dim[]): string {
    this.inputs.push(valueInfo(name, elemType, shape));
    return name;
  }

  output(name: string, elemType: number, shape: Dim[]): void {
    this.outputs.push(valueInfo(name, elemType, shape));
  }

  /** Adds a node in the current scope; returns its output names. */
  node(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}, outputCount = 1): string[] {
    const base = `${this.prefix}/${opType}`;
    const seen = this.used.get(base) ?? 0;
    this.used.set(base, seen + 1);
    const name = seen === 0 ? base : `${base}_${seen}`;
    const outputs = Array.from({ length: outputCount }, (_, i) => `${name}_output_${i}`);
    const node = new onnx.NodeProto({
      name,
      opType,
      input: inputs,
      output: outputs,
      attribute: Object.entries(attributes).map(([key, value]) => attribute(key, value)),
    });
    if (this.options.nodeMetadata) node.metadataProps = this.metadata(opType);
    this.nodes.push(node);
    return outputs;
  }

  /** One-output node. */
  op(opType: string, inputs: string[], attributes: Record<string, AttributeValue> = {}): string {
    return this.node(opType, inputs, attributes)[0];
  }

  constant(tensor: TensorProto): string {
    return this.op('Constant', [], { value: tensor });
  }

  constInt64(values: number[], scalar = false): string {
    return this.constant(int64Tensor('', scalar ? [] : [values.length], values));
  }

  constFloat(value: number): string {
    return this.constant(floatTensor('', [], Float32Array.of(value)));
  }

  /** A parameter of the current module (`model.layers.0.mlp.fc1.weight`), filled by `fill`. */
  parameter(localName: string, dims: number[], fill: (out: Float32Array) => void): string {
    const data = new Float32Array(dims.reduce((n, d) => n * d, 1));
    fill(data);
    const name = `${this.parameterPrefix}.${localName}`;
    const asConstant = this.options.constantWeights === true || (this.options.constantWeights === 'vectors' && dims.length === 1);
    if (asConstant) return this.constant(floatTensor(name, dims, data));
    this.initializers.push(floatTensor(name, dims, data));
    return name;
  }

  uniform(localName: string, dims: number[], bound: number): string {
    return this.parameter(localName, dims, (out) => this.random.fillUniform(out, bound));
  }

  /** A constant-ish parameter (LayerNorm gamma near 1, beta near 0), slightly perturbed so stats are not trivial. */
  near(localName: string, dims: number[], center: number, spread: number): string {
    return this.parameter(localName, dims, (out) => {
      for (let i = 0; i < out.length; i++) out[i] = center + this.random.uniform(-spread, spread);
    });
  }

  int64Initializer(localName: string, values: number[]): string {
    const name = `${this.parameterPrefix}.${localName}`;
    this.initializers.push(int64Tensor(name, [values.length], values));
    return name;
  }

  build(info: { graphName: string; docString: string; metadata?: Record<string, string> }): ModelProto {
    return new onnx.ModelProto({
      irVersion: toLong(this.options.nodeMetadata ? 10 : 8),
      producerName: 'onnx-lens-generate',
      producerVersion: '1',
      docString: info.docString,
      opsetImport: [{ domain: '', version: toLong(OPSET) }],
      metadataProps: Object.entries(info.metadata ?? {}).map(([key, value]) => ({ key, value })),
      graph: new onnx.GraphProto({
        name: info.graphName,
        node: this.nodes,
        initializer: this.initializers,
        input: this.inputs,
        output: this.outputs,
      }),
    });
  }

  private metadata(opType: string): onnx.IStringStringEntryProto[] {
    const path: string[] = [];
    const namespace = [`: ${this.rootClass}`];
    for (const scope of this.scopes) {
      path.push(scope.attribute);
      namespace.push(`${path.join('.')}: ${scope.className}`);
    }
    namespace.push(`${opType.toLowerCase()}: aten.${opType.toLowerCase()}.default`);
    return [
      { key: 'namespace', value: namespace.join('/') },
      { key: 'pkg.torch.onnx.class_hierarchy', value: JSON.stringify([this.rootClass, ...this.scopes.map((s) => s.className)]) },
      { key: 'pkg.torch.onnx.name_scopes', value: JSON.stringify(['', ...this.scopes.map((s) => s.name)]) },
    ];
  }
}

export function valueInfo(name: string, elemType: number, shape: Dim[]): ValueInfoProto {
  return new onnx.ValueInfoProto({
    name,
    type: {
      tensorType: {
        elemType,
        shape: { dim: shape.map((d) => (typeof d === 'number' ? { dimValue: toLong(d) } : { dimParam: d })) },
      },
    },
  });
}

function attribute(name: string, value: AttributeValue): AttributeProto {
  if (typeof value === 'number') return { name, type: AttributeType.INT, i: toLong(value) };
  if (typeof value === 'string') return { name, type: AttributeType.STRING, s: new TextEncoder().encode(value) };
  if (Array.isArray(value)) return { name, type: AttributeType.INTS, ints: value.map((v) => toLong(v)) };
  if ('float' in value) return { name, type: AttributeType.FLOAT, f: value.float };
  if ('floats' in value) return { name, type: AttributeType.FLOATS, floats: value.floats };
  return { name, type: AttributeType.TENSOR, t: value };
}

export { DataType };
