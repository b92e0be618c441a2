// A multilayer perceptron as an nn.Sequential of Linear and ReLU exports: Gemm (transB=1) and Relu.
import type { ModelProto } from '../../src/core/model/proto.js';
import { DataType, GraphBuilder } from './graphBuilder.js';
import { kaimingBound } from './random.js';

export interface MlpOptions {
  inputs?: number;
  /** Widths of the hidden layers. */
  hidden?: number[];
  outputs?: number;
  seed?: number;
  nodeMetadata?: boolean;
}

export function generateMlp(options: MlpOptions = {}): ModelProto {
  const widths = [options.inputs ?? 64, ...(options.hidden ?? [128, 64]), options.outputs ?? 10];
  const b = new GraphBuilder({ seed: options.seed ?? 1, nodeMetadata: options.nodeMetadata }, 'MLP');
  let x = b.input('input', DataType.FLOAT, ['batch_size', widths[0]]);
  b.scope('net', 'torch.nn.modules.container.Sequential', () => {
    let index = 0;
    for (let i = 0; i + 1 < widths.length; i++) {
      const [inF, outF] = [widths[i], widths[i + 1]];
      const bound = kaimingBound(inF);
      x = b.scope(`net.${index}`, 'torch.nn.modules.linear.Linear', () =>
        b.op('Gemm', [x, b.uniform('weight', [outF, inF], bound), b.uniform('bias', [outF], bound)], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 }), String(index));
      index++;
      if (i + 2 < widths.length) {
        x = b.scope(`net.${index}`, 'torch.nn.modules.activation.ReLU', () => b.op('Relu', [x]), String(index));
        index++;
      }
    }
  });
  b.nodes[b.nodes.length - 1].output = ['output'];
  b.output('output', DataType.FLOAT, ['batch_size', widths[widths.length - 1]]);
  return b.build({
    graphName: 'main_graph',
    docString: `Generated MLP: ${widths.join(' -> ')}.`,
    metadata: { generator: 'mlp', widths: widths.join(','), seed: String(options.seed ?? 1) },
  });
}
