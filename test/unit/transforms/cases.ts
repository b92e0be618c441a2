// Models for the verification rules: sources onnxruntime refuses, sources that break ONNX's structural
// rules, a model whose output is constant on generated inputs, and a spectrogram front end whose DFT
// filter bank pruning wrecks.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataType, onnx, toLong, type ModelProto } from '../../../src/core/model/proto.js';
import { arrayToTensor } from '../../../src/core/model/tensorValues.js';
import { f32, model, node, valueInfo } from './foldModels.js';

const io = (shape: number[] = [2, 4]) => ({ input: [valueInfo('x', DataType.FLOAT, shape)], output: [valueInfo('y', DataType.FLOAT, shape)] });

/** A foldable constant (two + two) so that fold has work to do in each. */
const foldable = [f32('two', [], [2])];
const sum = node('Add', ['two', 'two'], ['four'], {}, 'constant_sum');

/** Valid ONNX, but onnxruntime will not load them: fold writes a result it cannot verify. */
export function refusedByOnnxruntime(): Record<string, ModelProto> {
  return {
    'unknown-op': model({ ...io(), initializer: foldable, node: [sum, node('Mul', ['x', 'four'], ['m']), node('FrobnicateX', ['m'], ['y'], {}, 'frobnicate')] }),
    'opset-9999': model({ ...io(), initializer: foldable, node: [sum, node('Mul', ['x', 'four'], ['y'])] }, 9999),
  };
}

/** Invalid ONNX by its own rules: refused before anything is written. */
export function invalidSources(): Array<{ name: string; model: ModelProto; error: RegExp }> {
  const shortRaw = onnx.TensorProto.create({ name: 'w', dataType: DataType.FLOAT, dims: [toLong(4)], rawData: new Uint8Array(10) });
  return [
    {
      name: 'cycle', error: /has a cycle \(nodes that wait on each other: a_node, b_node\)/,
      model: model({ ...io(), node: [node('Add', ['x', 'b'], ['a'], {}, 'a_node'), node('Relu', ['a'], ['b'], {}, 'b_node'), node('Neg', ['x'], ['y'])] }),
    },
    {
      name: 'duplicate-output', error: /value 'y' is produced twice, by first and by second/,
      model: model({ ...io(), node: [node('Relu', ['x'], ['y'], {}, 'first'), node('Neg', ['x'], ['y'], {}, 'second')] }),
    },
    {
      name: 'raw-data-length', error: /tensor 'w' \(float\[4\]\) has 10 bytes of raw_data where its type and shape need 16/,
      model: model({ ...io([4]), initializer: [shortRaw], node: [node('Add', ['x', 'w'], ['y'])] }),
    },
  ];
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
