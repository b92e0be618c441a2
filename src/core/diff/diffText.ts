// The diff as text for people: counts first, then the changes grouped by kind. Long sections stop after
// `limit` lines and say how many more there are (--json lists everything).
import { formatBytes, formatCosine, formatNumber, formatPercent } from '../format.js';
import type { JsonDiff, JsonGraph, JsonGroup, JsonPair, NodeRef } from './diffJson.js';
import type { InitializerChange } from './types.js';

const arrow = '→';

function opList(nodes: NodeRef[]): string {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n.op, (counts.get(n.op) ?? 0) + 1);
  return [...counts].map(([op, n]) => (n > 1 ? `${op} ×${n}` : op)).join(', ');
}

const nodeText = (n: NodeRef) => `${n.op} ${n.name}`;
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

function section(title: string, lines: string[], limit: number): string[] {
  if (!lines.length) return [];
  const shown = lines.slice(0, limit).map((l) => `  ${l}`);
  if (lines.length > limit) shown.push(`  … and ${lines.length - limit} more`);
  return ['', `${title} (${lines.length}):`, ...shown];
}

function groupLine(g: JsonGroup): string {
  const units = (nodes: NodeRef[]) => (nodes.length === 1 ? nodeText(nodes[0]) : `${plural(nodes.length, 'node')} (${opList(nodes)})`);
  switch (g.kind) {
    case 'replaced': return `${units(g.a)} ${arrow} ${g.b.length === 1 ? nodeText(g.b[0]) : `${plural(g.b.length, 'node')}: ${opList(g.b)}`}`;
    case 'folded': return `${units(g.a)} folded into initializer${g.initializers!.length > 1 ? 's' : ''} ${g.initializers!.join(', ')}`;
    case 'gained': return `${nodeText(g.pair!.b)} gained ${plural(g.b.length, 'node')} on its inputs: ${opList(g.b)}${g.initializers ? ` (computing what was initializer ${g.initializers.join(', ')})` : ''}`;
    case 'unfolded': return `${units(g.b)} now compute${g.b.length === 1 ? 's' : ''} what was initializer ${g.initializers!.join(', ')}`;
    case 'removed': return units(g.a);
    case 'inserted': return units(g.b);
  }
}

const slotText = (s: { slot: number; before: string; after: string }) => `#${s.slot} ${s.before || '(none)'} ${arrow} ${s.after || '(none)'}`;

function initializerLine(c: InitializerChange): string {
  const parts: string[] = [];
  if (c.a !== c.b) parts.push(`renamed ${c.a} ${arrow} ${c.b}`);
  if (c.dtype) parts.push(`${c.dtype.before} ${arrow} ${c.dtype.after}`);
  if (c.shape) parts.push(`shape ${c.shape.before} ${arrow} ${c.shape.after}`);
  if (c.numeric) {
    parts.push(`max abs ${formatNumber(c.numeric.maxAbs)}, cosine ${formatCosine(c.numeric.cosine)}, ${formatPercent(c.numeric.changedShare)} of values changed`);
  }
  const [zb, za] = [c.sparsity.before, c.sparsity.after];
  if (Number.isFinite(zb) && Number.isFinite(za) && zb !== za) parts.push(`zeros ${formatPercent(zb)} ${arrow} ${formatPercent(za)}`);
  return `${c.b}: ${parts.join('; ') || 'values differ'}`;
}

function pairLines(changed: JsonPair[], pick: (p: JsonPair) => string | undefined): string[] {
  const lines: string[] = [];
  for (const p of changed) {
    const text = pick(p);
    if (text !== undefined) lines.push(`${nodeText(p.b)}: ${text}`);
  }
  return lines;
}

/** The per-graph part; nested bodies are summarized by counts on their node's line. */
export function graphText(g: JsonGraph, limit: number): string[] {
  const c = g.counts;
  const lines = [
    `Nodes:        ${c.nodes.a} ${arrow} ${c.nodes.b}: ${c.paired} paired (${c.unchanged} unchanged, ${c.changed} changed), ${c.removed} only in the first, ${c.added} only in the second`,
    `Initializers: ${c.initializers.a} ${arrow} ${c.initializers.b}: ${c.initializers.changed} changed, ${c.initializers.removed} removed, ${c.initializers.added} added`,
  ];
  const titles: Record<JsonGroup['kind'], string> = {
    replaced: 'Replaced', folded: 'Folded', gained: 'Gained inputs', unfolded: 'Unfolded', removed: 'Removed', inserted: 'Inserted',
  };
  for (const kind of Object.keys(titles) as Array<JsonGroup['kind']>) {
    lines.push(...section(titles[kind], g.groups.filter((x) => x.kind === kind).map(groupLine), limit));
  }
  const ch = g.changed;
  lines.push(...section('Attributes changed', pairLines(ch, (p) => p.changes.attributes?.map((a) => `${a.name} ${a.before ?? '(none)'} ${arrow} ${a.after ?? '(none)'}`).join('; ')), limit));
  lines.push(...section('Inputs changed', pairLines(ch, (p) => p.changes.inputs?.map(slotText).join('; ')), limit));
  lines.push(...section('Outputs changed', pairLines(ch, (p) => p.changes.outputs?.map(slotText).join('; ')), limit));
  lines.push(...section('Types changed', pairLines(ch, (p) => p.changes.types?.map((t) => `${t.value} ${t.before} ${arrow} ${t.after}`).join('; ')), limit));
  lines.push(...section('Bodies changed', pairLines(ch, (p) => p.changes.subgraphs?.map((s) => {
    if (!s.diff) return `${s.attribute} ${s.nodes.a ? 'removed' : 'added'}`;
    const n = s.diff.counts;
    return `${s.attribute} body changed (${n.nodes.a} ${arrow} ${n.nodes.b} nodes: ${n.changed} changed, ${n.removed} removed, ${n.added} added, ${n.initializers.changed} initializers changed)`;
  }).join('; ')), limit));
  lines.push(...section('Renamed', pairLines(ch, (p) => (p.changes.renamed ? `was ${p.changes.renamed.before || '(unnamed)'}` : undefined)), limit));
  lines.push(...section('Initializers changed', g.initializers.changed.map(initializerLine), limit));
  lines.push(...section('Initializers removed', g.initializers.removed, limit));
  lines.push(...section('Initializers added', g.initializers.added, limit));
  return lines;
}

function modelLines(d: JsonDiff): string[] {
  const m = d.model;
  const lines: string[] = [];
  if (m.irVersion) lines.push(`IR version ${m.irVersion.before} ${arrow} ${m.irVersion.after}`);
  for (const o of m.opsets) lines.push(`opset ${o.domain} ${o.before ?? '(none)'} ${arrow} ${o.after ?? '(none)'}`);
  if (m.producer) lines.push(`producer ${m.producer.before || '(none)'} ${arrow} ${m.producer.after || '(none)'}`);
  for (const e of m.metadata) lines.push(`metadata ${e.key}: ${e.before === undefined ? '(none)' : JSON.stringify(e.before)} ${arrow} ${e.after === undefined ? '(none)' : JSON.stringify(e.after)}`);
  for (const s of m.inputs) lines.push(`input ${s.name}: ${s.before ?? '(none)'} ${arrow} ${s.after ?? '(none)'}`);
  for (const s of m.outputs) lines.push(`output ${s.name}: ${s.before ?? '(none)'} ${arrow} ${s.after ?? '(none)'}`);
  if (m.ops.length) lines.push(`ops: ${m.ops.map((o) => `${o.op} ${o.before} ${arrow} ${o.after}`).join(', ')}`);
  const s = m.sizes;
  const file = s.fileBytes ? `file ${formatBytes(s.fileBytes.before)} ${arrow} ${formatBytes(s.fileBytes.after)}; ` : '';
  lines.push(`size: ${file}${s.nodes.before} ${arrow} ${s.nodes.after} nodes (every depth); initializers ${formatBytes(s.initializerBytes.before)} ${arrow} ${formatBytes(s.initializerBytes.after)}`);
  return lines.map((l) => `  ${l}`);
}

export function diffText(d: JsonDiff, limit = 50): string {
  const lines = [`First:  ${d.a}`, `Second: ${d.b}`];
  if (d.identical) {
    lines.push('', 'The models are identical (structure, attributes, initializer values, model properties).');
    return lines.join('\n');
  }
  lines.push('', 'Model:', ...modelLines(d), '', ...graphText(d.graph, limit));
  return lines.join('\n');
}
