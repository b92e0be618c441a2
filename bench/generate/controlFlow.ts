// A model with many If nodes, as torchscript exports of Python conditionals write them: each block runs
// Relu, then an If whose branches read the block's value from the enclosing graph by name (then: scale it,
// else: pass it on), then adds the two. Shape inference and the view walk every body with the enclosing
// scope in view: what this model measures is that a body costs its own size, not the whole graph's.
import { AttributeType, DataType, onnx, toLong, type GraphProto, type ModelProto, type NodeProto } from '../../src/core/model/proto.js';
import { OPSET, valueInfo } from './graphBuilder.js';
import { floatTensor } from './tensors.js';

export interface ControlFlowOptions {
  blocks: number;
  width?: number;
}

function branch(name: string, nodes: NodeProto[], output: string, width: number): GraphProto {
  return new onnx.GraphProto({ name, node: nodes, output: [valueInfo(output, DataType.FLOAT, ['batch_size', width])] });
}

export function generateControlFlow(options: ControlFlowOptions): ModelProto {
  const width = options.width ?? 16;
  const nodes: NodeProto[] = [];
  let x = 'input';
  for (let i = 0; i < options.blocks; i++) {
    const scope = `/blocks.${i}`;
    const h = `${scope}/Relu_output_0`;
    nodes.push(new onnx.NodeProto({ name: `${scope}/Relu`, opType: 'Relu', input: [x], output: [h] }));
    const scaled = `${scope}/then/Mul_output_0`;
    const passed = `${scope}/else/Identity_output_0`;
    const thenBranch = branch(`${scope}/then`, [new onnx.NodeProto({ name: `${scope}/then/Mul`, opType: 'Mul', input: [h, 'scale'], output: [scaled] })], scaled, width);
    const elseBranch = branch(`${scope}/else`, [new onnx.NodeProto({ name: `${scope}/else/Identity`, opType: 'Identity', input: [h], output: [passed] })], passed, width);
    const chosen = `${scope}/If_output_0`;
    nodes.push(new onnx.NodeProto({
      name: `${scope}/If`, opType: 'If', input: ['use_scale'], output: [chosen],
      attribute: [
        { name: 'then_branch', type: AttributeType.GRAPH, g: thenBranch },
        { name: 'else_branch', type: AttributeType.GRAPH, g: elseBranch },
      ],
    }));
    const sum = i + 1 === options.blocks ? 'output' : `${scope}/Add_output_0`;
    nodes.push(new onnx.NodeProto({ name: `${scope}/Add`, opType: 'Add', input: [chosen, h], output: [sum] }));
    x = sum;
  }
  return new onnx.ModelProto({
    irVersion: 8,
    producerName: 'onnx-lens bench',
    opsetImport: [{ domain: '', version: toLong(OPSET) }],
    metadataProps: [{ key: 'generator', value: 'control-flow' }, { key: 'blocks', value: String(options.blocks) }],
    graph: new onnx.GraphProto({
      name: 'main_graph',
      node: nodes,
      initializer: [floatTensor('scale', [], Float32Array.of(0.5))],
      input: [valueInfo('input', DataType.FLOAT, ['batch_size', width]), valueInfo('use_scale', DataType.BOOL, [])],
      output: [valueInfo('output', DataType.FLOAT, ['batch_size', width])],
    }),
  });
}
