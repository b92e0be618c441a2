// The inputs table of the test-run view as plain data: per input its declared and fed shape, which axes
// the user can size and by which key of the spec, what the resolver assumed and why, and where the
// values came from. Also the free dims nothing in the model sizes (a command asks for those once), and
// which of the spec's files feeds which input.
import { readFileSync, statSync } from 'node:fs';
import { basename, extname } from 'node:path';
import type { ModelProto } from '../model/proto.js';
import { valueType, type Dim } from '../model/types.js';
import { dimSymbol } from './inputHints.js';
import type { Assumption, FedInput } from './inputReport.js';
import type { ResolvedInputs } from './inputResolve.js';
import { formatInlineValue, type InputSpec } from './inputSpec.js';
import { requiredInputs } from './inputs.js';
import { parseNpz } from './npz.js';
import { readTensorPb } from './testData.js';

export interface InputAxis {
  /** The size fed on the last run; for a spec that did not resolve, the size it gives (if any). */
  size?: number;
  /** The declared dim: a fixed size, a symbol, or null (unnamed). */
  declared: Dim;
  /** The spec's key that sizes it (`batch`, `input[1]`); undefined for a fixed axis. */
  key?: string;
  /** Why the size was assumed, when nobody gave it. */
  assumed?: string;
}

export interface InputRow {
  name: string;
  dtype: string;
  /** Undefined when the model declares no shape (then only a whole shape sizes it). */
  declared?: Dim[];
  axes: InputAxis[];
  source: FedInput['source'];
  /** The file set, 'inline', or the distribution of generated values. */
  from: string;
  /** The values fed, for tensors of up to 8 elements. */
  value?: string;
  /** The value was assumed: why. */
  assumedValue?: string;
  /** The file of the spec that names this input. */
  file?: string;
}

export interface InputTable {
  rows: InputRow[];
  /** Files of the spec that name no single input (test-data folders, files fed in input order). */
  sharedFiles: string[];
  assumptions: Assumption[];
  /** The resolver's summary, or why the spec did not resolve. */
  summary: string;
}

const isFixed = (d: Dim) => typeof d === 'number' && d >= 0;

/** The inputs a file names: a .npy by its file name, a .pb by its tensor name, .npz and .json by their entries. */
export function inputsNamedBy(path: string, model: ModelProto): string[] {
  const names = new Set((model.graph?.input ?? []).map((i) => i.name ?? ''));
  let found: string[] = [];
  try {
    if (statSync(path).isDirectory()) return [];
    const ext = extname(path).toLowerCase();
    if (ext === '.npy') found = [basename(path, extname(path))];
    else if (ext === '.pb') found = [readTensorPb(path).name];
    else if (ext === '.npz') found = parseNpz(readFileSync(path), basename(path)).map((e) => e.name);
    else if (ext === '.json') {
      const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) found = Object.keys(parsed);
    }
  } catch {
    // An unreadable file names nothing here; the resolver says what is wrong with it.
    return [];
  }
  return found.filter((n) => n && names.has(n));
}

/**
 * Which file of the spec feeds which input: those a file names, and for a model with one required input,
 * a .npy, .npz or .pb file that names nothing (it feeds that input). Folders and the rest are shared: they
 * feed inputs in the model's order.
 */
export function filesByInput(files: readonly string[], model: ModelProto): { byInput: Map<string, string>; shared: string[] } {
  const byInput = new Map<string, string>();
  const shared: string[] = [];
  const required = requiredInputs(model).map((i) => i.name ?? '');
  for (const file of files) {
    let named = inputsNamedBy(file, model);
    if (!named.length && required.length === 1 && /\.(npy|npz|pb)$/i.test(file)) named = [required[0]];
    if (named.length) for (const name of named) byInput.set(name, file);
    else shared.push(file);
  }
  return { byInput, shared };
}

function reasonOf(assumption: Assumption | undefined): string | undefined {
  return assumption ? assumption.reason : undefined;
}

/** The table after the spec resolved: what was fed, first data set. */
export function resolvedTable(model: ModelProto, spec: InputSpec, resolved: ResolvedInputs): InputTable {
  const { byInput, shared } = filesByInput(spec.files ?? [], model);
  const bySubject = new Map(resolved.assumptions.map((a) => [a.subject, a]));
  const rows = (resolved.dataSets[0]?.fed ?? []).map((f): InputRow => ({
    name: f.name,
    dtype: f.dtype,
    declared: f.declared,
    axes: f.dims.map((size, axis) => {
      const declared = f.declared?.[axis] ?? null;
      const key = f.declared && !isFixed(declared) ? dimSymbol(f.name, axis, declared) : undefined;
      const assumed = f.assumedAxes.includes(axis) ? reasonOf(bySubject.get(dimSymbol(f.name, axis, declared))) ?? 'assumed' : undefined;
      return { size, declared, key, ...(assumed ? { assumed } : {}) };
    }),
    source: f.source,
    from: f.from,
    ...(f.value !== undefined ? { value: f.value } : {}),
    ...(f.assumedValue ? { assumedValue: reasonOf(bySubject.get(f.name)) ?? 'assumed' } : {}),
    ...(f.source === 'file' && byInput.has(f.name) ? { file: byInput.get(f.name) } : {}),
  }));
  return { rows, sharedFiles: shared, assumptions: resolved.assumptions, summary: resolved.summary };
}

/** The table of a spec that did not resolve: the declared inputs, sized as far as the spec says. */
export function declaredTable(model: ModelProto, spec: InputSpec, problem: string): InputTable {
  const { byInput, shared } = filesByInput(spec.files ?? [], model);
  const rows = requiredInputs(model).map((info): InputRow => {
    const name = info.name ?? '';
    const type = valueType(info.type);
    const declared = type.kind === 'tensor' ? type.shape : undefined;
    const shape = spec.shapes?.[name];
    const value = spec.values?.[name];
    const file = byInput.get(name);
    return {
      name,
      dtype: type.kind === 'tensor' ? type.elemType : type.kind,
      declared,
      axes: (declared ?? shape?.map(() => null) ?? []).map((d, axis) => {
        if (isFixed(d)) return { size: d as number, declared: d };
        const key = declared ? dimSymbol(name, axis, d) : undefined;
        const size = shape?.[axis] ?? spec.dims?.[`${name}[${axis}]`] ?? (key !== undefined ? spec.dims?.[key] : undefined);
        return { ...(size !== undefined ? { size } : {}), declared: d, key };
      }),
      source: file ? 'file' : value !== undefined ? 'value' : 'generated',
      from: file ? basename(file) : value !== undefined ? 'inline' : spec.distribution ?? 'normal',
      ...(value !== undefined ? { value: formatInlineValue(value) } : {}),
      ...(file ? { file } : {}),
    };
  });
  return { rows, sharedFiles: shared, assumptions: [], summary: problem };
}

/** A free dim that nothing in the model sizes: the resolver fed its default. */
export interface UnknownDim {
  /** The spec's key (`batch`, `input[1]`). */
  key: string;
  /** The size fed. */
  value: number;
  /** `input[axis]` of every use. */
  uses: string[];
}

/** The free dims of generated inputs that were assumed without a reason from the model (kind 'default'). */
export function unknownDims(resolved: ResolvedInputs): UnknownDim[] {
  const uses = new Map<string, string[]>();
  for (const f of resolved.dataSets[0]?.fed ?? []) {
    if (f.source !== 'generated') continue;
    for (const axis of f.assumedAxes) {
      const key = dimSymbol(f.name, axis, f.declared?.[axis] ?? null);
      uses.set(key, [...(uses.get(key) ?? []), `${f.name}[${axis}]`]);
    }
  }
  return resolved.assumptions
    .filter((a) => a.kind === 'default' && uses.has(a.subject))
    .map((a) => ({ key: a.subject, value: a.value, uses: uses.get(a.subject)! }));
}
