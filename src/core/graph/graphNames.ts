// Short, readable names for subgraphs in lists and breadcrumbs: `If_0 ▸ else ▸ /decoder/If_1 ▸ then`
// instead of `If_0_else_branch__Inline_0__/decoder/If_1.then_branch`. The full name stays for hovers.

/** The separator between the steps of a subgraph's path. */
export const STEP = ' ▸ ';

/** `then_branch` -> `then`, `else_branch` -> `else`; other attribute names as they are; `[k]` for GRAPHS lists. */
export function attributeLabel(attribute: string, k?: number): string {
  const base = attribute === 'then_branch' ? 'then' : attribute === 'else_branch' ? 'else' : attribute;
  return k === undefined ? base : `${base}[${k}]`;
}

/** The marker ONNX's inliner (and exporters that inline functions into branches) put before copied names. */
const INLINED = /^.*__Inline_\d+__/;

/**
 * A node's name without what an inliner prefixed it with: `If_0_else_branch__Inline_0__/decoder/If_1`
 * inside `If_0`'s else branch reads `/decoder/If_1`. Names without such a prefix are returned as they are.
 */
export function shortNodeName(name: string, parent?: { node: string; attribute: string }): string {
  let short = name;
  if (parent?.node) {
    for (const prefix of [`${parent.node}_${parent.attribute}`, `${parent.node}.${parent.attribute}`]) {
      if (short.startsWith(prefix) && short.length > prefix.length) {
        short = short.slice(prefix.length).replace(/^_+/, '');
        break;
      }
    }
  }
  short = short.replace(INLINED, '').replace(/^Inline_\d+__/, '');
  return short || name;
}
