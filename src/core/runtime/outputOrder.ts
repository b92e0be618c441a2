// Results are listed in the model's declared output order, then any others. Output values travel as
// objects keyed by name, and JavaScript objects put integer-like keys ('7', '1959') first.

/** `items` sorted by the position of their name in `declared`; names not declared keep their order, last. */
export function inDeclaredOrder<T extends { name: string }>(items: readonly T[], declared: readonly string[]): T[] {
  const position = new Map(declared.map((name, i) => [name, i]));
  return items
    .map((item, i) => ({ item, key: position.get(item.name) ?? declared.length + i }))
    .sort((a, b) => a.key - b.key)
    .map((e) => e.item);
}
