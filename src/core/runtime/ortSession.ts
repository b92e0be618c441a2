// Our session settings as onnxruntime's session options: one translation for every child that opens a
// session (the runtime worker, a serving instance).
import { join } from 'node:path';
import type * as ort from 'onnxruntime-node';
import { effectiveSettings, type SessionSettings } from './settings.js';

export function sessionOptions(settings: SessionSettings, profileDir?: string): ort.InferenceSession.SessionOptions {
  const s = effectiveSettings(settings);
  return {
    executionProviders: s.executionProviders,
    graphOptimizationLevel: s.graphOptimizationLevel,
    ...(s.intraOpThreads > 0 ? { intraOpNumThreads: s.intraOpThreads } : {}),
    ...(settings.optimizedModelFilePath ? { optimizedModelFilePath: settings.optimizedModelFilePath } : {}),
    // Session config entry optimization.disable_specified_optimizers, names separated by ';'.
    ...(settings.disabledOptimizers?.length ? { extra: { optimization: { disable_specified_optimizers: settings.disabledOptimizers.join(';') } } } : {}),
    ...(profileDir ? { enableProfiling: true, profileFilePrefix: join(profileDir, 'profile') } : {}),
    // Errors still arrive as exceptions; warnings would only clutter the log.
    logSeverityLevel: 3,
  };
}
