// A worker thread of the quantization pool (kernelPool.ts): runs kernel jobs as they come and hands each
// result's buffers back to the main thread without copying them.
import { parentPort } from 'node:worker_threads';
import { resultArrays, runKernel, type KernelInput, type KernelJob } from './kernels.js';

export interface KernelRequest {
  id: number;
  job: KernelJob;
  input: KernelInput;
}

const port = parentPort;
port?.on('message', (request: KernelRequest) => {
  try {
    const result = runKernel(request.job, request.input);
    const buffers = [...new Set(resultArrays(result).map((a) => a.buffer))].filter((b): b is ArrayBuffer => b instanceof ArrayBuffer);
    port.postMessage({ id: request.id, result }, buffers);
  } catch (error) {
    port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) });
  }
});
