// Short aliases for long symbolic dimension names. Exporters write names such as
// `p2o.DynamicDimension.0` or `total_sequence_length_plus_one` on every edge; the graph labels them `d0`,
// `d1`, ... (one table per model, shown once in a legend and in hovers), and keeps short readable names
// (`batch`, `sequence_length`, `s0`) as they are. `onnxLens.graph.fullDimNames` turns aliases off.
import type { ModelProto, TypeProto, ValueInfoProto } from '../model/proto.js';
import { valueType, type Dim } from '../model/types.js';
import { walkModel } from '../model/walk.js';

/** Names longer than this get an alias. */
export const ALIAS_LONGER_THAN = 16;

/**
 * The rule: a name longer than 16 characters, or one with a '.' in it (exporters' generated names read
 * as paths: `p2o.DynamicDimension.0`), gets an alias; anything shorter and plain stays as it is.
 */
export function needsAlias(name: string): boolean {
  return name.length > ALIAS_LONGER_THAN || name.includes('.');
}

function symbolsOf(type: TypeProto | null | undefined, into: (name: string) => void): void {
  const t = valueType(type);
  for (const d of t.shape ?? []) if (typeof d === 'string') into(d);
}

/**
 * The model's alias table: every symbolic dimension that needs an alias, numbered in the order the model
 * first names it (main graph inputs, outputs and value infos, then each subgraph and function), skipping
 * aliases that are real dimension names of the model.
 */
export function dimAliasTable(model: ModelProto, extra: Iterable<Dim> = []): Record<string, string> {
  const order: string[] = [];
  const seen = new Set<string>();
  const note = (name: string) => {
    if (!seen.has(name)) {
      seen.add(name);
      order.push(name);
    }
  };
  const infos = (list: ValueInfoProto[] | null | undefined) => {
    for (const v of list ?? []) symbolsOf(v.type, note);
  };
  for (const visit of walkModel(model)) {
    infos(visit.graph?.input);
    infos(visit.graph?.output);
    infos(visit.graph?.valueInfo);
  }
  for (const fn of model.functions ?? []) infos(fn.valueInfo);
  for (const d of extra) if (typeof d === 'string') note(d);
  const aliases = new DimAliases({}, false, seen);
  for (const name of order) aliases.label(name);
  return aliases.table();
}

/**
 * Labels dimensions for the graph: numbers as they are, `?` for unnamed ones, symbols through the alias
 * table. A long name the table does not know (a value only a later inference named) gets the next free
 * alias, so one session labels one name one way.
 */
export class DimAliases {
  private readonly aliases = new Map<string, string>();
  private readonly taken = new Set<string>();
  private next = 0;

  /** `names`: every symbolic name the model uses, so that no alias is mistaken for one of them. */
  constructor(table: Record<string, string>, readonly fullNames = false, names: Iterable<string> = []) {
    for (const name of names) this.taken.add(name);
    for (const [name, alias] of Object.entries(table)) {
      this.aliases.set(name, alias);
      this.taken.add(alias);
      const n = /^d(\d+)$/.exec(alias);
      if (n) this.next = Math.max(this.next, Number(n[1]) + 1);
    }
  }

  /** The text of one dimension. */
  label(d: Dim): string {
    if (d === null) return '?';
    if (typeof d === 'number') return String(d);
    if (this.fullNames || !needsAlias(d)) return d;
    let alias = this.aliases.get(d);
    if (!alias) {
      do alias = `d${this.next++}`;
      while (this.taken.has(alias));
      this.taken.add(alias);
      this.aliases.set(d, alias);
    }
    return alias;
  }

  /** The full name behind an alias, undefined for anything else. */
  fullName(alias: string): string | undefined {
    for (const [name, a] of this.aliases) if (a === alias) return name;
    return undefined;
  }

  /** `[(alias, full name)]` for the aliased names among `dims`. */
  aliased(dims: readonly Dim[] | undefined): Array<[string, string]> {
    const result: Array<[string, string]> = [];
    for (const d of dims ?? []) {
      if (typeof d !== 'string' || this.fullNames || !needsAlias(d)) continue;
      const alias = this.label(d);
      if (!result.some(([a]) => a === alias)) result.push([alias, d]);
    }
    return result;
  }

  table(): Record<string, string> {
    return Object.fromEntries(this.aliases);
  }
}
