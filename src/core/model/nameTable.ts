// A table keyed by a graph's value names, kept by the numbers the decoder gave those names where it did
// (filling a map of 10,000s of names costs more than looking them up), by name otherwise (names made
// after decoding, or a graph that was not decoded).
import { decodedNameIds } from './lazyDecode.js';
import type { GraphProto } from './proto.js';

export class NameTable<T> {
  private readonly numbers: Map<string, number> | undefined;
  private readonly count: number;
  private readonly byId: Array<T | undefined>;
  private readonly byName = new Map<string, T>();

  constructor(graph: GraphProto) {
    this.numbers = decodedNameIds(graph);
    this.count = this.numbers?.size ?? 0;
    this.byId = this.count ? new Array<T | undefined>(this.count) : [];
  }

  private idOf(name: string): number {
    const id = this.numbers?.get(name);
    return id !== undefined && id < this.count ? id : -1;
  }

  get(name: string): T | undefined {
    const id = this.idOf(name);
    return id >= 0 ? this.byId[id] : this.byName.get(name);
  }

  /** A later entry replaces an earlier one, as in a map. */
  set(name: string, value: T): void {
    const id = this.idOf(name);
    if (id >= 0) this.byId[id] = value;
    else this.byName.set(name, value);
  }
}
