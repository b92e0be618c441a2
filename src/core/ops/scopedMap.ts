// A subgraph's names: its own entries over the enclosing scope's, which stay where they are. Copying the
// enclosing map for each If/Loop/Scan body made inference quadratic: 500 If nodes over 20,000 values took
// 18 s. The enclosing map is read live; in a valid model a body reads only names made before its node.

/**
 * A Map of its own entries that reads through to `parent` for the rest, and behaves as a copy of `parent`
 * would (iteration order included) while `parent` does not change: deleting a parent's key hides it.
 */
export class ScopedMap<K, V> extends Map<K, V> {
  private hidden?: Set<K>;
  /** Parent keys deleted and set again: a copy would list them after its other entries. */
  private moved?: Set<K>;

  constructor(private parent: ReadonlyMap<K, V>) {
    super();
  }

  override get(key: K): V | undefined {
    if (super.has(key)) return super.get(key);
    return this.hidden?.has(key) ? undefined : this.parent.get(key);
  }

  override has(key: K): boolean {
    return super.has(key) || (!this.hidden?.has(key) && this.parent.has(key));
  }

  override set(key: K, value: V): this {
    if (this.hidden?.delete(key)) (this.moved ??= new Set()).add(key);
    return super.set(key, value);
  }

  override delete(key: K): boolean {
    const had = this.has(key);
    super.delete(key);
    if (this.parent.has(key)) (this.hidden ??= new Set()).add(key);
    this.moved?.delete(key);
    return had;
  }

  override clear(): void {
    super.clear();
    this.hidden = undefined;
    this.moved = undefined;
    this.parent = new Map();
  }

  override get size(): number {
    let n = super.size;
    for (const key of this.parent.keys()) if (!super.has(key) && !this.hidden?.has(key)) n++;
    return n;
  }

  /** The parent's entries first, in its order (with this map's values where it has its own), then this map's own. */
  override *entries(): MapIterator<[K, V]> {
    for (const [key, value] of this.parent) {
      if (this.hidden?.has(key) || this.moved?.has(key)) continue;
      yield super.has(key) ? [key, super.get(key) as V] : [key, value];
    }
    for (const entry of super.entries()) if (!this.parent.has(entry[0]) || this.moved?.has(entry[0])) yield entry;
  }

  override [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  override *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  override *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  override forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}
