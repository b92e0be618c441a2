// A ResNet-style image classifier as torchvision models export: a Conv/BatchNorm/Relu stem with max
// pooling, stages of basic residual blocks (1x1 downsample where the shape changes), global average
// pooling and a Gemm head. BatchNormalization is kept unfused, as an export in training-aware mode leaves it.
import type { ModelProto } from '../../src/core/model/proto.js';
import { DataType, GraphBuilder } from './graphBuilder.js';
import { kaimingBound } from './random.js';

export interface CnnOptions {
  /** Residual blocks per stage; each stage after the first halves the resolution and doubles the width. */
  blocks?: number[];
  /** Width of the stem and first stage. */
  channels?: number;
  imageSize?: number;
  classes?: number;
  seed?: number;
  nodeMetadata?: boolean;
  constantWeights?: boolean | 'vectors';
}

export function generateCnn(options: CnnOptions = {}): ModelProto {
  const blocks = options.blocks ?? [2, 2];
  const width = options.channels ?? 16;
  const imageSize = options.imageSize ?? 32;
  const classes = options.classes ?? 10;
  const b = new GraphBuilder({ seed: options.seed ?? 1, nodeMetadata: options.nodeMetadata, constantWeights: options.constantWeights }, 'ResNet');

  const conv = (name: string, x: string, inC: number, outC: number, kernel: number, stride: number, attribute = name): string =>
    b.scope(name, 'torch.nn.modules.conv.Conv2d', () => {
      const weight = b.uniform('weight', [outC, inC, kernel, kernel], kaimingBound(inC * kernel * kernel));
      const pad = Math.floor(kernel / 2);
      return b.op('Conv', [x, weight], { dilations: [1, 1], group: 1, kernel_shape: [kernel, kernel], pads: [pad, pad, pad, pad], strides: [stride, stride] });
    }, attribute);

  const batchNorm = (name: string, x: string, channels: number, attribute = name): string =>
    b.scope(name, 'torch.nn.modules.batchnorm.BatchNorm2d', () => {
      const scale = b.near('weight', [channels], 1, 0.1);
      const bias = b.near('bias', [channels], 0, 0.1);
      const mean = b.near('running_mean', [channels], 0, 0.1);
      const variance = b.near('running_var', [channels], 1, 0.2);
      return b.op('BatchNormalization', [x, scale, bias, mean, variance], { epsilon: { float: 1e-5 }, momentum: { float: 0.9 } });
    }, attribute);

  const relu = (x: string): string => b.scope('relu', 'torch.nn.modules.activation.ReLU', () => b.op('Relu', [x]));

  const basicBlock = (x: string, inC: number, outC: number, stride: number): string => {
    let y = relu(batchNorm('bn1', conv('conv1', x, inC, outC, 3, stride), outC));
    y = batchNorm('bn2', conv('conv2', y, outC, outC, 3, 1), outC);
    const identity = stride !== 1 || inC !== outC
      ? b.scope('downsample', 'torch.nn.modules.container.Sequential', () =>
        batchNorm('downsample.1', conv('downsample.0', x, inC, outC, 1, stride, '0'), outC, '1'))
      : x;
    return relu(b.op('Add', [y, identity]));
  };

  let x = b.input('input', DataType.FLOAT, ['batch_size', 3, imageSize, imageSize]);
  x = relu(batchNorm('bn1', conv('conv1', x, 3, width, 3, 1), width));
  x = b.scope('maxpool', 'torch.nn.modules.pooling.MaxPool2d', () =>
    b.op('MaxPool', [x], { ceil_mode: 0, kernel_shape: [3, 3], pads: [1, 1, 1, 1], strides: [2, 2] }));
  let channels = width;
  blocks.forEach((count, stage) => {
    const outC = width * 2 ** stage;
    const layer = `layer${stage + 1}`;
    x = b.scope(layer, 'torch.nn.modules.container.Sequential', () => {
      let y = x;
      for (let i = 0; i < count; i++) {
        const stride = i === 0 && stage > 0 ? 2 : 1;
        y = b.scope(`${layer}.${i}`, 'torchvision.models.resnet.BasicBlock', () => basicBlock(y, channels, outC, stride), String(i));
        channels = outC;
      }
      return y;
    });
  });
  x = b.scope('avgpool', 'torch.nn.modules.pooling.AdaptiveAvgPool2d', () => b.op('GlobalAveragePool', [x]));
  x = b.op('Flatten', [x], { axis: 1 });
  b.scope('fc', 'torch.nn.modules.linear.Linear', () => {
    const bound = kaimingBound(channels);
    b.op('Gemm', [x, b.uniform('weight', [classes, channels], bound), b.uniform('bias', [classes], bound)], { alpha: { float: 1 }, beta: { float: 1 }, transB: 1 });
  });
  b.nodes[b.nodes.length - 1].output = ['output'];
  b.output('output', DataType.FLOAT, ['batch_size', classes]);
  return b.build({
    graphName: 'main_graph',
    docString: `Generated ResNet-style classifier: stages ${blocks.join('/')}, width ${width}, ${imageSize}x${imageSize} input, ${classes} classes.`,
    metadata: { generator: 'cnn', blocks: blocks.join(','), channels: String(width), seed: String(options.seed ?? 1) },
  });
}
