// Small generated models for the coverage of prune and quantize: recurrent ops (LSTM with bias and
// peepholes, GRU), weights inside If bodies (their own Constant node, or captured from the main graph),
// and an embedding tied to the vocabulary head (GPT-2 style).
import { AttributeType, DataType, onnx, toLong, type ModelProto } from '../../src/core/model/proto.js';
import { arrayToTensor } from '../../src/core/model/tensorValues.js';
import { tensorInfo } from './models.js';

function values(n: number, seed: number, scale: number): Float32Array {
  let s = seed >>> 0 || 1;
  // A small LCG: deterministic, spread over [-scale, scale].
  return Float32Array.from({ length: n }, () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32 * 2 - 1) * scale);
}

const f32 = (name: string, dims: number[], seed: number, scale = 0.3) => arrayToTensor(name, { dtype: DataType.FLOAT, dims, data: values(dims.reduce((a, b) => a * b, 1), seed, scale) });
const intAttr = (name: string, i: number) => ({ name, type: AttributeType.INT, i: toLong(i) });

function modelOf(graph: onnx.IGraphProto, opset = 17): ModelProto {
  return onnx.ModelProto.create({ irVersion: toLong(8), producerName: 'onnx-lens-test', opsetImport: [{ domain: '', version: toLong(opset) }], graph });
}

/**
 * X[seq, batch, input] -> LSTM (W, R, B, peepholes P, initial_h) and GRU (W, R, B), then a MatMul head
 * on the LSTM's last hidden state. Outputs: the LSTM's Y and the head, the GRU's Y_h.
 */
export function recurrentModel(o: { input?: number; hidden?: number; seq?: number; batch?: number; bidirectional?: boolean } = {}): ModelProto {
  const input = o.input ?? 16, hidden = o.hidden ?? 32, seq = o.seq ?? 6, batch = o.batch ?? 2;
  const dirs = o.bidirectional ? 2 : 1;
  const direction = o.bidirectional ? 'bidirectional' : 'forward';
  return modelOf({
    name: 'recurrent',
    node: [
      { opType: 'LSTM', name: 'lstm', input: ['X', 'lstm_W', 'lstm_R', 'lstm_B', '', 'lstm_h0', '', 'lstm_P'], output: ['lstm_Y', 'lstm_Yh'], attribute: [intAttr('hidden_size', hidden), { name: 'direction', type: AttributeType.STRING, s: new TextEncoder().encode(direction) }] },
      { opType: 'GRU', name: 'gru', input: ['X', 'gru_W', 'gru_R', 'gru_B'], output: ['', 'gru_Yh'], attribute: [intAttr('hidden_size', hidden), intAttr('linear_before_reset', 1), { name: 'direction', type: AttributeType.STRING, s: new TextEncoder().encode(direction) }] },
      { opType: 'MatMul', name: 'head', input: ['lstm_Yh', 'head_W'], output: ['logits'] },
    ],
    initializer: [
      f32('lstm_W', [dirs, 4 * hidden, input], 1), f32('lstm_R', [dirs, 4 * hidden, hidden], 2), f32('lstm_B', [dirs, 8 * hidden], 3, 0.1),
      f32('lstm_h0', [dirs, batch, hidden], 4, 0.1), f32('lstm_P', [dirs, 3 * hidden], 5, 0.1),
      f32('gru_W', [dirs, 3 * hidden, input], 6), f32('gru_R', [dirs, 3 * hidden, hidden], 7), f32('gru_B', [dirs, 6 * hidden], 8, 0.1),
      f32('head_W', [hidden, 10], 9),
    ],
    input: [tensorInfo('X', DataType.FLOAT, [seq, batch, input])],
    output: [
      tensorInfo('lstm_Y', DataType.FLOAT, [seq, dirs, batch, hidden]), tensorInfo('logits', DataType.FLOAT, [dirs, batch, 10]),
      tensorInfo('gru_Yh', DataType.FLOAT, [dirs, batch, hidden]),
    ],
  });
}

/**
 * H = X·W_main, then If(cond): the then body multiplies by W_outer, an initializer of the main graph it
 * captures; the else body by W_else, a Constant node of its own. Shaped like exporters that hide most of
 * the model inside If branches.
 */
export function ifWeightsModel(width = 32): ModelProto {
  const constant = { ...f32('', [width, width], 12), name: '' };
  return modelOf({
    name: 'branches',
    node: [
      { opType: 'MatMul', name: 'main', input: ['X', 'W_main'], output: ['H'] },
      {
        opType: 'If', name: 'branch', input: ['cond'], output: ['Y'], attribute: [
          { name: 'then_branch', type: AttributeType.GRAPH, g: { name: 'then', node: [{ opType: 'MatMul', name: 'then_mm', input: ['H', 'W_outer'], output: ['T'] }], output: [tensorInfo('T', DataType.FLOAT, [2, width])] } },
          {
            name: 'else_branch', type: AttributeType.GRAPH, g: {
              name: 'else',
              node: [
                { opType: 'Constant', name: 'else_const', output: ['W_else'], attribute: [{ name: 'value', type: AttributeType.TENSOR, t: constant }] },
                { opType: 'MatMul', name: 'else_mm', input: ['H', 'W_else'], output: ['E'] },
              ],
              output: [tensorInfo('E', DataType.FLOAT, [2, width])],
            },
          },
        ],
      },
    ],
    initializer: [f32('W_main', [width, width], 10), f32('W_outer', [width, width], 11, 0.1)],
    input: [tensorInfo('X', DataType.FLOAT, [2, width]), tensorInfo('cond', DataType.BOOL, [])],
    output: [tensorInfo('Y', DataType.FLOAT, [2, width])],
  });
}

/**
 * GPT-2's tied weights: ids -> Gather(wte) -> MatMul + Tanh -> the vocabulary head reading the embedding
 * matrix, as MatMul(h, Transpose(wte)) ('transpose', ids [batch, sequence]) or Gemm(h, wte, transB=1)
 * ('gemm', ids [batch]).
 */
export function tiedEmbeddingModel(o: { vocab?: number; width?: number; head?: 'transpose' | 'gemm' } = {}): ModelProto {
  const vocab = o.vocab ?? 256, width = o.width ?? 64;
  const gemm = o.head === 'gemm';
  const dims = gemm ? ['batch'] : ['batch', 'sequence'];
  const head = gemm
    ? [{ opType: 'Gemm', name: 'lm_head', input: ['h', 'wte'], output: ['logits'], attribute: [intAttr('transB', 1)] }]
    : [
      { opType: 'Transpose', name: 'wte_T', input: ['wte'], output: ['wte_t'], attribute: [{ name: 'perm', type: AttributeType.INTS, ints: [toLong(1), toLong(0)] }] },
      { opType: 'MatMul', name: 'lm_head', input: ['h', 'wte_t'], output: ['logits'] },
    ];
  return modelOf({
    name: 'tied',
    node: [
      { opType: 'Gather', name: 'embed', input: ['wte', 'ids'], output: ['emb'] },
      { opType: 'MatMul', name: 'mlp', input: ['emb', 'W_mlp'], output: ['h0'] },
      { opType: 'Tanh', name: 'act', input: ['h0'], output: ['h'] },
      ...head,
    ],
    initializer: [f32('wte', [vocab, width], 21, 0.5), f32('W_mlp', [width, width], 22, 0.3)],
    input: [tensorInfo('ids', DataType.INT64, dims)],
    output: [tensorInfo('logits', DataType.FLOAT, [...dims, vocab])],
  });
}
