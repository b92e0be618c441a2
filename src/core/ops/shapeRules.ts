// Which shape rule applies to a node: the default domain's, or onnxruntime's contrib ops (which fall
// back to the default domain's rule of the same name, as their quantization ops share its semantics).
import { controlRules } from './shapeRulesControl.js';
import { contribElementwiseRules, elementwiseRules } from './shapeRulesElementwise.js';
import { layoutRules } from './shapeRulesLayout.js';
import { contribNNRules, nnRules } from './shapeRulesNN.js';
import { sequenceRules } from './shapeRulesSequence.js';
import type { ShapeRule } from './shapeRuleKit.js';

const defaultRules = new Map<string, ShapeRule>(Object.entries({ ...elementwiseRules, ...layoutRules, ...nnRules, ...controlRules, ...sequenceRules }));
const contribRules = new Map<string, ShapeRule>(Object.entries({ ...contribElementwiseRules, ...contribNNRules }));

/** ai.onnx.preview.training optimizers: output k is the updated input 2 + k (after the rate and the step). */
const trainingRule: ShapeRule = (f) => (f.node.output ?? []).map((_, k) => f.input(2 + k));

export function shapeRule(domain: string | null | undefined, opType: string | null | undefined): ShapeRule | undefined {
  const op = opType ?? '';
  if (!domain || domain === 'ai.onnx') return defaultRules.get(op);
  if (domain === 'com.microsoft') return contribRules.get(op) ?? defaultRules.get(op);
  if (domain === 'ai.onnx.preview.training' && ['Adagrad', 'Adam', 'Momentum'].includes(op)) return trainingRule;
  return undefined;
}

/** Ops of the default domain with a shape rule (for tests and reports). */
export function ruledOps(): string[] {
  return [...defaultRules.keys()].sort();
}
