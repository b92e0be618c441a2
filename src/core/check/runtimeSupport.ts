// What onnxruntime-node (the runtime ONNX Lens runs models with) accepts: warnings, because the model
// may be valid ONNX and meant for another runtime.
import { walkModel } from '../model/walk.js';
import type { CheckContext } from './context.js';

export const onnxruntimeLimits = {
  version: '1.30',
  /** ai.onnx opsets with CPU kernels: older kernels were removed, newer opsets are not implemented yet. */
  minOpset: 7,
  maxOpset: 26,
  maxIrVersion: 13,
};

export function checkRuntimeSupport(ctx: CheckContext): void {
  const { version, minOpset, maxOpset, maxIrVersion } = onnxruntimeLimits;
  const opset = ctx.opsets.get('');
  if (opset !== undefined && opset > 0 && (opset < minOpset || opset > maxOpset)) {
    ctx.report('warning', 'onnxruntime-support', {}, `onnxruntime-node ${version} runs ai.onnx opsets ${minOpset} to ${maxOpset}; this model imports opset ${opset}`, 'convert-opset');
  }
  if (ctx.irVersion > maxIrVersion) {
    ctx.report('warning', 'onnxruntime-support', {}, `onnxruntime-node ${version} reads IR versions up to ${maxIrVersion}; this model has IR version ${ctx.irVersion}`);
  }
  const training = new Set<string>();
  for (const visit of walkModel(ctx.model)) {
    for (const node of visit.nodes) if (node.domain === 'ai.onnx.preview.training') training.add(node.opType ?? '');
  }
  if (training.size) {
    ctx.report('warning', 'onnxruntime-support', {}, `onnxruntime-node ${version} has no kernels for ai.onnx.preview.training ops (${[...training].sort().join(', ')})`);
  }
}
