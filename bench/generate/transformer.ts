// A decoder-only transformer language model as torch.onnx.export writes it at opset 17: LayerNorm, GELU
// and attention from primitive ops, and the Shape->Gather->Unsqueeze->Concat->Reshape chains that split and
// merge attention heads for dynamic batch and sequence sizes. About 109 nodes per layer.
import type { ModelProto } from '../../src/core/model/proto.js';
import { DataType, GraphBuilder } from './graphBuilder.js';
import { kaimingBound } from './random.js';

export interface TransformerOptions {
  layers: number;
  hidden: number;
  heads: number;
  /** Feed-forward width; 4 x hidden by default. */
  ffn?: number;
  vocab: number;
  /** Rows of the learned position embedding: the longest sequence the model accepts. */
  maxPositions?: number;
  seed?: number;
  nodeMetadata?: boolean;
  constantWeights?: boolean | 'vectors';
}

export function generateTransformer(options: TransformerOptions): ModelProto {
  const { layers, hidden, heads, vocab } = options;
  const ffn = options.ffn ?? 4 * hidden;
  const maxPositions = options.maxPositions ?? 128;
  if (hidden % heads !== 0) throw new Error(`hidden (${hidden}) must be a multiple of heads (${heads})`);
  const headDim = hidden / heads;
  const b = new GraphBuilder({ seed: options.seed ?? 1, nodeMetadata: options.nodeMetadata, constantWeights: options.constantWeights }, 'TransformerLM');

  const linear = (name: string, x: string, inFeatures: number, outFeatures: number, bias = true): string =>
    b.scope(name, 'torch.nn.modules.linear.Linear', () => {
      const bound = kaimingBound(inFeatures);
      const weight = b.uniform('weight', [inFeatures, outFeatures], bound);
      const product = b.op('MatMul', [x, weight]);
      return bias ? b.op('Add', [product, b.uniform('bias', [outFeatures], bound)]) : product;
    });

  const layerNorm = (name: string, x: string): string =>
    b.scope(name, 'torch.nn.modules.normalization.LayerNorm', () => {
      const mean = b.op('ReduceMean', [x], { axes: [-1], keepdims: 1 });
      const centered = b.op('Sub', [x, mean]);
      const squared = b.op('Pow', [centered, b.constFloat(2)]);
      const variance = b.op('ReduceMean', [squared], { axes: [-1], keepdims: 1 });
      const std = b.op('Sqrt', [b.op('Add', [variance, b.constFloat(1e-5)])]);
      const normalized = b.op('Div', [centered, std]);
      const scaled = b.op('Mul', [normalized, b.near('weight', [hidden], 1, 0.05)]);
      return b.op('Add', [scaled, b.near('bias', [hidden], 0, 0.02)]);
    });

  // [batch, seq, hidden] -> [batch, heads, seq, headDim], with the batch and seq sizes read at run time.
  const splitHeads = (x: string): string => {
    const batch = b.op('Gather', [b.op('Shape', [x]), b.constInt64([0], true)], { axis: 0 });
    const seq = b.op('Gather', [b.op('Shape', [x]), b.constInt64([1], true)], { axis: 0 });
    const shape = b.op('Concat', [
      b.op('Unsqueeze', [batch, b.constInt64([0])]),
      b.op('Unsqueeze', [seq, b.constInt64([0])]),
      b.constInt64([heads]),
      b.constInt64([headDim]),
    ], { axis: 0 });
    return b.op('Transpose', [b.op('Reshape', [x, shape])], { perm: [0, 2, 1, 3] });
  };

  // [batch, heads, seq, headDim] -> [batch, seq, hidden], shaped like `like`.
  const mergeHeads = (x: string, like: string): string => {
    const transposed = b.op('Transpose', [x], { perm: [0, 2, 1, 3] });
    const batch = b.op('Gather', [b.op('Shape', [like]), b.constInt64([0], true)], { axis: 0 });
    const seq = b.op('Gather', [b.op('Shape', [like]), b.constInt64([1], true)], { axis: 0 });
    const shape = b.op('Concat', [
      b.op('Unsqueeze', [batch, b.constInt64([0])]),
      b.op('Unsqueeze', [seq, b.constInt64([0])]),
      b.constInt64([hidden]),
    ], { axis: 0 });
    return b.op('Reshape', [transposed, shape]);
  };

  const attention = (x: string): string =>
    b.scope('self_attn', 'Attention', () => {
      const q = splitHeads(linear('q_proj', x, hidden, hidden));
      const k = splitHeads(linear('k_proj', x, hidden, hidden));
      const v = splitHeads(linear('v_proj', x, hidden, hidden));
      const scores = b.op('MatMul', [q, b.op('Transpose', [k], { perm: [0, 1, 3, 2] })]);
      const scaled = b.op('Div', [scores, b.constFloat(Math.sqrt(headDim))]);
      const probabilities = b.op('Softmax', [scaled], { axis: -1 });
      const context = mergeHeads(b.op('MatMul', [probabilities, v]), x);
      return linear('o_proj', context, hidden, hidden);
    });

  // GELU, exact form: 0.5 * x * (1 + erf(x / sqrt(2))).
  const gelu = (x: string): string =>
    b.scope('act', 'transformers.activations.GELUActivation', () => {
      const erf = b.op('Erf', [b.op('Div', [x, b.constFloat(Math.SQRT2)])]);
      const gated = b.op('Mul', [x, b.op('Add', [erf, b.constFloat(1)])]);
      return b.op('Mul', [gated, b.constFloat(0.5)]);
    });

  const mlp = (x: string): string =>
    b.scope('mlp', 'MLP', () => linear('fc2', gelu(linear('fc1', x, hidden, ffn)), ffn, hidden));

  const inputIds = b.input('input_ids', DataType.INT64, ['batch_size', 'sequence_length']);
  const hiddenStates = b.scope('model', 'TransformerModel', () => {
    const tokens = b.scope('embed_tokens', 'torch.nn.modules.sparse.Embedding', () =>
      b.op('Gather', [b.uniform('weight', [vocab, hidden], 1), inputIds], { axis: 0 }));
    const seq = b.op('Gather', [b.op('Shape', [inputIds]), b.constInt64([1], true)], { axis: 0 });
    const positions = b.op('Range', [b.constInt64([0], true), seq, b.constInt64([1], true)]);
    const positional = b.scope('embed_positions', 'torch.nn.modules.sparse.Embedding', () =>
      b.op('Gather', [b.uniform('weight', [maxPositions, hidden], 1), positions], { axis: 0 }));
    let h = b.op('Add', [tokens, positional]);
    for (let i = 0; i < layers; i++) {
      h = b.scope(`layers.${i}`, 'DecoderLayer', () => {
        const attended = b.op('Add', [h, attention(layerNorm('input_layernorm', h))]);
        return b.op('Add', [attended, mlp(layerNorm('post_attention_layernorm', attended))]);
      });
    }
    return layerNorm('norm', h);
  });
  linear('lm_head', hiddenStates, hidden, vocab, false);
  // The exporter names graph outputs after forward()'s return value: rename the last node's output.
  b.nodes[b.nodes.length - 1].output = ['logits'];
  b.output('logits', DataType.FLOAT, ['batch_size', 'sequence_length', vocab]);

  return b.build({
    graphName: 'main_graph',
    docString: `Generated decoder-only transformer: ${layers} layers, hidden ${hidden}, ${heads} heads, vocab ${vocab}.`,
    metadata: { generator: 'transformer', layers: String(layers), hidden: String(hidden), heads: String(heads), seed: String(options.seed ?? 1) },
  });
}
