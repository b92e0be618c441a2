// The model checker's public surface.
export { checkModel, type CheckOptions } from './checkModel.js';
export { countBySeverity, describeLocation, hasErrors, type Problem, type ProblemLocation, type QuickFixKind, type RuleId, type Severity } from './problem.js';
export { onnxruntimeLimits } from './runtimeSupport.js';
