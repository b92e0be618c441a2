// What the test run results view shows, posted from the extension host to its webview.
import type { TestRunReport } from '../core/runtime/testRun.js';

export interface ResultsData {
  modelName: string;
  /** The second model's file name, for a comparison. */
  otherModelName?: string;
  finishedAt: string;
  inputsText: string;
  inputs: Array<{ name: string; dtype: string; shape: number[] }>;
  report: TestRunReport;
  tolerance: { rtol: number; atol: number };
  warmup: number;
  /** onnxruntime-node's version and the execution providers it lists. */
  runtime: { version: string; providers: Array<{ name: string; bundled: boolean }> };
  capture?: {
    values: number;
    subgraphValues: number;
    skipped: number;
    profileRuns: number;
    slowest: Array<{ name: string; opType: string; msPerRun: number; share: number }>;
  };
  /** Capture is off in the settings: the view offers to turn it on. */
  captureOff: boolean;
}

export type ToResultsView =
  | { type: 'results'; data: ResultsData }
  | { type: 'running'; step: string };

export type FromResultsView =
  | { type: 'ready' }
  | { type: 'rerun' }
  | { type: 'rerunWithCapture' }
  | { type: 'copyJson' }
  | { type: 'revealNode'; name: string };
