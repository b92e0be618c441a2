// How an onnxruntime session is created: what the user can choose in settings and on the command line.

export type GraphOptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface SessionSettings {
  /** 0 or undefined: onnxruntime decides. */
  intraOpThreads?: number;
  graphOptimizationLevel?: GraphOptimizationLevel;
  /** In order of preference; default ['cpu']. */
  executionProviders?: string[];
  /** onnxruntime writes the graph it optimized to this path. */
  optimizedModelFilePath?: string;
  /** onnxruntime graph transformers and rewrite rules to leave out, by name ('LayerNormFusion'). */
  disabledOptimizers?: string[];
}

/** The settings actually in force, for reports. */
export function effectiveSettings(settings: SessionSettings = {}): Required<Omit<SessionSettings, 'optimizedModelFilePath' | 'disabledOptimizers'>> {
  return {
    intraOpThreads: settings.intraOpThreads ?? 0,
    graphOptimizationLevel: settings.graphOptimizationLevel ?? 'all',
    executionProviders: settings.executionProviders?.length ? settings.executionProviders : ['cpu'],
  };
}
