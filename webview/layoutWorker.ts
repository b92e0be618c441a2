// The layout Web Worker (dist/layout-worker.js): runs layout jobs off the UI thread and keeps the
// per-container cache, so re-expanding a group costs only what changed.
import type { LayoutResult } from '../src/core/layout/index.js';
import { runLayoutJob, type LayoutJob } from './layoutJob.js';

const cache = new Map<string, LayoutResult>();

self.onmessage = (event: MessageEvent<{ id: number; job: LayoutJob }>) => {
  const { id, job } = event.data;
  try {
    const results = runLayoutJob(job, cache);
    self.postMessage({ id, results });
  } catch (error) {
    self.postMessage({ id, error: error instanceof Error ? error.message : String(error) });
  }
};
