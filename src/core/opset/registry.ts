// Every adapter the converter knows, by op and by the opset where the version it handles begins. Version
// steps with no adapter here are handled by the schema rules alone (generic.ts): a changed default is
// written out, new attributes must hold their defaults going down, element types must be allowed.
import { mergeTables, type Adapter, type AdapterTable } from './adapter.js';
import { attributeFormAdapters } from './adapters/attributeForms.js';
import { attributeInputAdapters } from './adapters/attributeInputs.js';
import { broadcastAdapters } from './adapters/broadcast.js';
import { dropoutAdapters } from './adapters/dropout.js';
import { negativeAxisAdapters } from './adapters/negativeAxes.js';
import { newerOpAdapters } from './adapters/newerOps.js';
import { normalizationAdapters } from './adapters/normalization.js';
import { resizeAdapters } from './adapters/resize.js';
import { softmaxAdapters } from './adapters/softmax.js';

const adapters: AdapterTable = mergeTables(
  attributeInputAdapters,
  attributeFormAdapters,
  broadcastAdapters,
  dropoutAdapters,
  negativeAxisAdapters,
  newerOpAdapters,
  normalizationAdapters,
  resizeAdapters,
  softmaxAdapters,
);

/** The adapter for `op` at the version beginning at `opset`, if one is registered. */
export function adapterFor(op: string, opset: number): Adapter | undefined {
  return Object.prototype.hasOwnProperty.call(adapters, op) ? adapters[op][opset] : undefined;
}

/** Every registered (op, opset) pair, for tests. */
export function registeredAdapters(): Array<{ op: string; opset: number; up: boolean; down: boolean }> {
  return Object.entries(adapters).flatMap(([op, versions]) =>
    Object.entries(versions).map(([opset, a]) => ({ op, opset: Number(opset), up: Boolean(a.up), down: Boolean(a.down) })));
}
