// The shape of an adapter: what to do with one op when a conversion step crosses one of its versions.
import type { NodeContext } from './context.js';

export interface Adapter {
  /** Into the version that begins at this opset, from the one before it. */
  up?: (ctx: NodeContext) => void;
  /** Out of the version that begins at this opset, into the one before it (or into other ops, where the op is new). */
  down?: (ctx: NodeContext) => void;
}

/** Adapters by op and by the opset where the version they handle begins. */
export type AdapterTable = Record<string, Record<number, Adapter>>;

/** The same adapter for several ops at one version. */
export function forOps(ops: string[], version: number, adapter: Adapter): AdapterTable {
  return Object.fromEntries(ops.map((op) => [op, { [version]: adapter }]));
}

/** Merges tables; two adapters for one op and version are a programming error. */
export function mergeTables(...tables: AdapterTable[]): AdapterTable {
  const merged: AdapterTable = {};
  for (const table of tables) {
    for (const [op, versions] of Object.entries(table)) {
      merged[op] ??= {};
      for (const [version, adapter] of Object.entries(versions)) {
        if (merged[op][Number(version)]) throw new Error(`Two adapters for ${op} at opset ${version}`);
        merged[op][Number(version)] = adapter;
      }
    }
  }
  return merged;
}
