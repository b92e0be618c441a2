// The diff on every model of Debian's libonnx-testdata (1,072 real files, If/Loop/Scan bodies among them):
// against its own copy it finds nothing; against a copy with every node and value renamed it pairs every
// node with its own, at every depth, and finds nothing but the renames (of nodes, outputs, initializers).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { diffModels } from '../../../src/core/diff/diffModels.js';
import type { GraphDiff } from '../../../src/core/diff/types.js';
import { decodeModel } from '../../../src/core/model/decode.js';
import { hasSubgraphs } from '../../../src/core/model/graphQueries.js';
import { testCases } from '../../helpers/testdata.js';
import { renamed } from './models.js';

/** Pairs and changes other than renames, at every depth. */
function problems(d: GraphDiff, nodes: number, path: string): string[] {
  const out: string[] = [];
  if (d.nodes.length !== nodes) out.push(`${path}: ${d.nodes.length} of ${nodes} nodes paired`);
  for (const p of d.nodes) {
    if (p.a !== p.b) out.push(`${path}: node ${p.a} paired with ${p.b}`);
    const { renamed: _, outputs, subgraphs, ...rest } = p.changes;
    if (outputs?.some((o) => !o.before || !o.after)) out.push(`${path}: node ${p.a}: outputs ${JSON.stringify(outputs)}`);
    if (Object.keys(rest).length) out.push(`${path}: node ${p.a}: ${JSON.stringify(rest)}`);
    for (const s of subgraphs ?? []) {
      if (!s.diff) out.push(`${path}/${s.attribute}: body on one side only`);
      else out.push(...problems(s.diff, s.nodes.a, `${path}/${p.a}/${s.attribute}`));
    }
  }
  if (d.groups.length) out.push(`${path}: groups ${JSON.stringify(d.groups)}`);
  const valueChanges = d.initializers.changed.filter((c) => c.numeric || c.dtype || c.shape);
  if (valueChanges.length || d.counts.initializers.removed) out.push(`${path}: initializers ${JSON.stringify(d.counts.initializers)}`);
  return out;
}

test('every testdata model: identical to its copy; a renamed copy pairs node for node', () => {
  const cases = testCases();
  assert.ok(cases.length > 1000, `${cases.length} cases`);
  const failures: string[] = [];
  let nested = 0;
  for (const c of cases) {
    const bytes = readFileSync(c.model);
    const a = decodeModel(bytes);
    const same = diffModels(a, decodeModel(bytes));
    if (!same.identical) failures.push(`${c.name}: not identical to its copy`);
    const b = renamed(a);
    const d = diffModels(a, b);
    if (a.graph!.node!.some(hasSubgraphs)) nested++;
    failures.push(...problems(d.graph, a.graph!.node!.length, c.name));
  }
  assert.deepEqual(failures, []);
  // Models with If/Loop/Scan bodies were among them (their bodies diffed against themselves).
  assert.ok(nested >= 20, `${nested} models with subgraphs`);
});
