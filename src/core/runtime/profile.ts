// onnxruntime's profiler trace (Chrome trace events) summed per graph node.
import type { NodeTime } from './workerProtocol.js';

interface TraceEvent {
  cat?: string;
  name?: string;
  dur?: number;
  args?: { op_name?: string; provider?: string };
}

const kernelSuffix = '_kernel_time';

/** Kernel time per node name (events named `<node>_kernel_time`), slowest first. */
export function aggregateProfile(trace: unknown): NodeTime[] {
  const events: TraceEvent[] = Array.isArray(trace) ? trace : [];
  const byNode = new Map<string, NodeTime>();
  for (const event of events) {
    if (event.cat !== 'Node' || typeof event.name !== 'string' || !event.name.endsWith(kernelSuffix)) continue;
    const name = event.name.slice(0, -kernelSuffix.length);
    let entry = byNode.get(name);
    if (!entry) {
      entry = { name, opType: event.args?.op_name ?? '', provider: event.args?.provider ?? '', totalMs: 0, count: 0 };
      byNode.set(name, entry);
    }
    entry.totalMs += (event.dur ?? 0) / 1000;
    entry.count += 1;
  }
  return [...byNode.values()].sort((a, b) => b.totalMs - a.totalMs);
}
