// Realistic generated models for tests and the benchmark.
export { generateTransformer, type TransformerOptions } from './transformer.js';
export { generateCnn, type CnnOptions } from './cnn.js';
export { generateMlp, type MlpOptions } from './mlp.js';
export { generateControlFlow, type ControlFlowOptions } from './controlFlow.js';
export { externalDataModelProto, writeExternalDataModel, type ExternalDataModel, type ExternalDataModelOptions } from './externalData.js';
export { GraphBuilder, OPSET } from './graphBuilder.js';
export { Random } from './random.js';
