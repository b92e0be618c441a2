// Runs layout jobs in a Web Worker. The worker script is fetched and started from a Blob URL, because
// a webview may only start workers from blob: (its CSP) and not from its resource origin. Where no
// worker can start (e.g. a page opened from file://), jobs run on the main thread instead.
import type { LayoutResult } from '../src/core/layout/index.js';
import { runLayoutJob, type LayoutJob, type LayoutJobResult } from './layoutJob.js';

type Reply = { id: number; results?: LayoutJobResult; error?: string };

const warmUpJob: LayoutJob = {
  direction: 'TB',
  containers: [{ id: -1, key: 'warm-up', nodes: [{ id: 'a', width: 40, height: 20 }, { id: 'b', width: 40, height: 20 }], edges: [{ from: 'a', to: 'b' }] }],
};

export class LayoutClient {
  private worker?: Worker;
  private starting?: Promise<Worker | undefined>;
  private nextId = 1;
  private readonly pending = new Map<number, { resolve: (r: LayoutJobResult) => void; reject: (e: Error) => void }>();
  private readonly localCache = new Map<string, LayoutResult>();

  constructor(private readonly workerUrl?: string) {}

  /**
   * Starts the worker and lays out a two-node graph in it, so that its start and the compilation of the
   * layout code happen while the page waits for the model, not after it arrives.
   */
  warm(): void {
    void this.start().then((worker) => worker?.postMessage({ id: 0, job: warmUpJob }));
  }

  private start(): Promise<Worker | undefined> {
    if (!this.workerUrl || typeof Worker === 'undefined') return Promise.resolve(undefined);
    this.starting ??= (async () => {
      try {
        const response = await fetch(this.workerUrl!);
        if (!response.ok) throw new Error(`HTTP ${response.status}`);
        const blob = new Blob([await response.text()], { type: 'text/javascript' });
        const url = URL.createObjectURL(blob);
        const worker = new Worker(url);
        worker.onmessage = (event: MessageEvent<Reply>) => {
          const waiting = this.pending.get(event.data.id);
          if (!waiting) return;
          this.pending.delete(event.data.id);
          if (event.data.error !== undefined) waiting.reject(new Error(event.data.error));
          else waiting.resolve(event.data.results!);
        };
        worker.onerror = (event) => {
          event.preventDefault();
          for (const waiting of this.pending.values()) waiting.reject(new Error(event.message || 'The layout worker failed.'));
          this.pending.clear();
        };
        this.worker = worker;
        return worker;
      } catch (error) {
        console.warn('Layout runs on the main thread:', error);
        return undefined;
      }
    })();
    return this.starting;
  }

  async layout(job: LayoutJob): Promise<LayoutJobResult> {
    const worker = await this.start();
    if (!worker) return runLayoutJob(job, this.localCache);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, job });
    });
  }

  dispose(): void {
    this.worker?.terminate();
    for (const waiting of this.pending.values()) waiting.reject(new Error('Layout stopped.'));
    this.pending.clear();
  }
}
