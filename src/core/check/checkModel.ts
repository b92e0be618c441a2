// The model checker: the ONNX IR specification's rules, the op schemas of the model's opsets, and what
// onnxruntime-node runs. Pure: it reads the model (and, given a folder, the sizes of external data
// files) and returns problems; it never changes anything.
import type { ModelProto } from '../model/proto.js';
import { CheckContext, type CheckOptions } from './context.js';
import { checkGraph, functionSource, mainGraphSource } from './graphStructure.js';
import { checkModelLevel } from './model.js';
import type { Problem } from './problem.js';
import { checkRuntimeSupport } from './runtimeSupport.js';

export type { CheckOptions } from './context.js';

export function checkModel(model: ModelProto, options: CheckOptions = {}): Problem[] {
  const ctx = new CheckContext(model, options);
  try {
    checkModelLevel(ctx);
    if (model.graph) checkGraph(ctx, mainGraphSource(ctx, model.graph));
    else ctx.report('error', 'graph-name', {}, 'the model has no graph');
    for (const fn of model.functions ?? []) checkGraph(ctx, functionSource(ctx, fn));
    if (options.runtime !== false) checkRuntimeSupport(ctx);
  } catch (error) {
    // Subgraphs nested deeper than the stack allows: a hostile file, not a reason to crash.
    if (!(error instanceof RangeError)) throw error;
    ctx.report('error', 'graph-name', {}, 'subgraphs are nested too deeply to check');
  }
  return ctx.finish();
}
