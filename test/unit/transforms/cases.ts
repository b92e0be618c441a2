// Models for the verification rules: sources onnxruntime refuses, sources that fail the model checker, a model whose output is constant on generated inputs, and a spectrogram front end whose DFT
// filter bank pruning wrecks.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataType, onnx, type ModelProto } from '../../../src/core/model/proto.js';
import { arrayToTensor } from '../../../src/core/model/tensorValues.js';
import { hostileCases } from '../check/checkerModels.js';
import { f32, model, node, valueInfo } from './foldModels.js';

const io = (shape: number[] = [2, 4]) => ({ input: [valueInfo('x', DataType.FLOAT, shape)], output: [valueInfo('y', DataType.FLOAT, shape)] });

/** A foldable constant (two + two) so that fold has work to do in each. */
const foldable = [f32('two', [], [2])];
const sum = node('Add', ['two', 'two'], ['four'], {}, 'constant_sum');

/** Valid ONNX (the checker finds no error), but onnxruntime will not load them: fold writes a result it cannot verify. */
export function refusedByOnnxruntime(): Record<string, ModelProto> {
  const custom = model({ ...io(), initializer: foldable, node: [sum, node('Mul', ['x', 'four'], ['m']), { ...node('FrobnicateX', ['m'], ['y'], {}, 'frobnicate'), domain: 'com.example' }] });
  custom.opsetImport!.push({ domain: 'com.example', version: 1 });
  return {
    'custom-op': custom,
    'opset-27': model({ ...io(), initializer: foldable, node: [sum, node('Mul', ['x', 'four'], ['y'])] }, 27, 13),
  };
}

/**
 * The hostile files of the checker's tests that every transform refuses before anything is written: a
 * cycle, duplicate outputs (of nodes, of the graph), an unknown op, a GRAPH attribute with no graph,
 * raw_data of the wrong length, an unknown data type. `error` matches the checker's message.
 */
export function invalidSources(): Array<{ name: string; model: ModelProto; error: RegExp }> {
  const names = ['cycle', 'duplicate-node-outputs', 'duplicate-graph-outputs', 'unknown-op', 'graph-attribute-without-graph', 'raw-data-wrong-length', 'unknown-data-type'];
  const cases = hostileCases.filter((c) => names.includes(c.name));
  assert.equal(cases.length, names.length);
  return cases.map((c) => ({ name: c.name, model: c.build(), error: c.message! }));
}

/**
 * y = Relu(x - 100) * scale: on generated inputs (normal, mean 0) every value is 0, as PaddleOCR's
 * detector gives on default inputs; on inputs around 200 it varies.
 */
export function zeroOnGeneratedInputs(): ModelProto {
  return model({
    ...io(),
    initializer: [f32('hundred', [], [100]), f32('half', [], [0.5]), f32('three', [], [3])],
    node: [
      node('Mul', ['half', 'three'], ['scale']),
      node('Sub', ['x', 'hundred'], ['shifted']),
      node('Relu', ['shifted'], ['r']),
      node('Mul', ['r', 'scale'], ['y']),
    ],
  });
}

/** A test_data_set folder with one input `x` of the given values. */
export function writeInputSet(dir: string, dims: number[], values: number[]): string {
  const set = join(dir, 'test_data_set_0');
  mkdirSync(set, { recursive: true });
  const x = arrayToTensor('x', { dtype: DataType.FLOAT, dims, data: Float32Array.from(values) });
  writeFileSync(join(set, 'input_0.pb'), onnx.TensorProto.encode(x).finish());
  return dir;
}

/**
 * A log-mel spectrogram front end as audio models export it: frames times a real DFT basis (cos and
 * sin as MatMul weights), power, a triangular mel filter bank, log. The DFT basis is dense and every
 * coefficient matters, so magnitude pruning wrecks the output while shrinking nothing useful.
 */
export function melSpectrogram(frame = 64, mels = 16): ModelProto {
  const bins = frame / 2 + 1;
  const cos = new Float32Array(frame * bins);
  const sin = new Float32Array(frame * bins);
  for (let n = 0; n < frame; n++) {
    for (let k = 0; k < bins; k++) {
      cos[n * bins + k] = Math.cos((2 * Math.PI * n * k) / frame);
      sin[n * bins + k] = -Math.sin((2 * Math.PI * n * k) / frame);
    }
  }
  const mel = new Float32Array(bins * mels);
  for (let m = 0; m < mels; m++) {
    const center = ((m + 1) * (bins - 1)) / (mels + 1);
    const width = (bins - 1) / (mels + 1);
    for (let k = 0; k < bins; k++) mel[k * mels + m] = Math.max(0, 1 - Math.abs(k - center) / width);
  }
  const tensor = (name: string, dims: number[], data: Float32Array) => arrayToTensor(name, { dtype: DataType.FLOAT, dims, data });
  return model({
    input: [valueInfo('frames', DataType.FLOAT, ['batch', frame])],
    output: [valueInfo('log_mel', DataType.FLOAT, ['batch', mels])],
    initializer: [tensor('dft_real', [frame, bins], cos), tensor('dft_imag', [frame, bins], sin), tensor('mel_bank', [bins, mels], mel), f32('eps', [], [1e-6])],
    node: [
      node('MatMul', ['frames', 'dft_real'], ['re'], {}, 'stft_real'),
      node('MatMul', ['frames', 'dft_imag'], ['im'], {}, 'stft_imag'),
      node('Mul', ['re', 're'], ['re2']),
      node('Mul', ['im', 'im'], ['im2']),
      node('Add', ['re2', 'im2'], ['power']),
      node('MatMul', ['power', 'mel_bank'], ['mel'], {}, 'mel_filter'),
      node('Add', ['mel', 'eps'], ['mel_eps']),
      node('Log', ['mel_eps'], ['log_mel']),
    ],
  });
}
