// Simplify's part of the report: each rewrite with its count (a table), folding and clean-up in sentences.
import type { ModelProto } from '../../model/proto.js';
import { formatBytes } from '../../format.js';
import { defaultSizeLimitBytes } from '../fold.js';
import { baseReport, type ReportTable, type TransformReport } from '../report.js';
import { simplifyModel, type SimplifyContext, type SimplifyOptions, type SimplifyStats } from './simplify.js';

export function simplifyTable(stats: SimplifyStats): ReportTable {
  return { title: 'Rewrites', columns: ['rewrite', 'count'], rows: stats.rewrites.map((r) => [r.title, String(r.count)]) };
}

export function simplifyNotes(stats: SimplifyStats, sizeLimitBytes = defaultSizeLimitBytes): string[] {
  const f = stats.fold;
  const rewritten = stats.rewrites.reduce((n, r) => n + r.count, 0);
  const notes = [
    `${rewritten} rewrites and ${f.foldedNodes} folded nodes in ${stats.rounds} round${stats.rounds === 1 ? '' : 's'} of folding and rewriting, with ${f.evaluations} onnxruntime evaluation${f.evaluations === 1 ? '' : 's'} (${f.computedHere} small values computed without onnxruntime).`,
    `Cleanup removed ${f.cleanup.deadNodes} dead nodes, ${f.cleanup.identities} Identity nodes, ${f.cleanup.duplicates} duplicate nodes (the same op on the same inputs), ${f.cleanup.initializers} unused initializers and ${f.cleanup.valueInfo} stale value_info entries.`,
  ];
  const grouped = new Map<string, string[]>();
  for (const s of f.skipped) grouped.set(s.reason, [...(grouped.get(s.reason) ?? []), `${s.node} (${s.opType})`]);
  for (const [reason, nodes] of grouped) {
    const shown = nodes.slice(0, 5).join(', ') + (nodes.length > 5 ? `, and ${nodes.length - 5} more` : '');
    notes.push(`Not folded, ${reason.replace('over the size limit', `over the size limit of ${formatBytes(sizeLimitBytes)}`)}: ${shown}.`);
  }
  return notes;
}

/** Simplifies in memory and builds the report (no file, no verification), as tests and the benchmark run it. */
export async function simplifyWithReport(model: ModelProto, options: SimplifyOptions, ctx: SimplifyContext): Promise<{ model: ModelProto; stats: SimplifyStats; report: TransformReport }> {
  const started = performance.now();
  const { model: simplified, stats } = await simplifyModel(model, options, ctx);
  const timeMs = performance.now() - started;
  const report: TransformReport = {
    ...baseReport('simplify', model, simplified),
    timeMs,
    notes: simplifyNotes(stats, options.sizeLimitBytes),
    tables: [simplifyTable(stats)],
    details: { rounds: stats.rounds, rewrites: stats.rewrites, fold: stats.fold },
  };
  return { model: simplified, stats, report };
}
