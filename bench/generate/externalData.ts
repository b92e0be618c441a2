// A model whose weights live in a side file (location/offset/length), written in chunks so that a
// 2 GB data file never has to fit in memory. Square MatMul layers with ReLU between them.
import { closeSync, mkdirSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { encodeModel } from '../../src/core/model/decode.js';
import { onnx, toLong, type ModelProto } from '../../src/core/model/proto.js';
import { DataType, GraphBuilder } from './graphBuilder.js';
import { kaimingBound } from './random.js';

export interface ExternalDataModelOptions {
  layers: number;
  /** Each weight is width x width float32. */
  width: number;
  seed?: number;
  modelFile?: string;
  dataFile?: string;
}

export interface ExternalDataModel {
  modelPath: string;
  dataPath: string;
  dataBytes: number;
}

const chunkElements = 1 << 20;

/** The ModelProto alone (no data written): each weight points at its slice of `dataFile`. */
export function externalDataModelProto(options: ExternalDataModelOptions): ModelProto {
  const { layers, width } = options;
  const dataFile = options.dataFile ?? 'model.onnx.data';
  const tensorBytes = width * width * 4;
  const b = new GraphBuilder({ seed: options.seed ?? 1 }, 'WideMLP');
  let x = b.input('input', DataType.FLOAT, ['batch_size', width]);
  b.scope('layers', 'torch.nn.modules.container.ModuleList', () => {
    for (let i = 0; i < layers; i++) {
      x = b.scope(`layers.${i}`, 'torch.nn.modules.linear.Linear', () => {
        const name = `layers.${i}.weight`;
        b.initializers.push(new onnx.TensorProto({
          name,
          dataType: DataType.FLOAT,
          dims: [toLong(width), toLong(width)],
          dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          externalData: [
            { key: 'location', value: dataFile },
            { key: 'offset', value: String(i * tensorBytes) },
            { key: 'length', value: String(tensorBytes) },
          ],
        }));
        const y = b.op('MatMul', [x, name]);
        return i + 1 < layers ? b.op('Relu', [y]) : y;
      }, String(i));
    }
  });
  b.nodes[b.nodes.length - 1].output = ['output'];
  b.output('output', DataType.FLOAT, ['batch_size', width]);
  return b.build({
    graphName: 'main_graph',
    docString: `Generated MLP with ${layers} external ${width}x${width} float weights in ${dataFile}.`,
    metadata: { generator: 'external-data', layers: String(layers), width: String(width), seed: String(options.seed ?? 1) },
  });
}

/** Writes `model.onnx` and its data file into `dir`; the data are U(-1/sqrt(width), 1/sqrt(width)), seeded. */
export function writeExternalDataModel(dir: string, options: ExternalDataModelOptions): ExternalDataModel {
  mkdirSync(dir, { recursive: true });
  const model = externalDataModelProto(options);
  const modelPath = join(dir, options.modelFile ?? 'model.onnx');
  const dataPath = join(dir, options.dataFile ?? 'model.onnx.data');
  const random = new GraphBuilder({ seed: (options.seed ?? 1) + 1 }, '').random;
  const bound = kaimingBound(options.width);
  const total = options.layers * options.width * options.width;
  const chunk = new Float32Array(Math.min(chunkElements, total));
  const fd = openSync(dataPath, 'w');
  try {
    for (let written = 0; written < total;) {
      const n = Math.min(chunk.length, total - written);
      const part = random.fillUniform(chunk.subarray(0, n), bound);
      writeSync(fd, new Uint8Array(part.buffer, part.byteOffset, part.byteLength));
      written += n;
    }
  } finally {
    closeSync(fd);
  }
  writeFileSync(modelPath, encodeModel(model));
  return { modelPath, dataPath, dataBytes: total * 4 };
}
