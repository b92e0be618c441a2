// The benchmark's own measuring parts (not its timings): medians, the child-process RSS floor, the layout
// input it gives both engines, and the table.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { generateTransformer } from '../../../bench/generate/index.js';
import { layoutInput } from '../../../bench/figures/layout.js';
import { probeJson, runChild } from '../../../bench/lib/child.js';
import { markdownTable } from '../../../bench/lib/report.js';
import { row } from '../../../bench/lib/rows.js';
import { summarize } from '../../../bench/lib/stats.js';

test('summaries: median of odd and even sample counts, min and max', () => {
  assert.deepEqual(summarize([5, 1, 3]), { median: 3, min: 1, max: 5, samples: [5, 1, 3] });
  assert.equal(summarize([4, 1, 3, 2]).median, 2.5);
  assert.ok(Number.isNaN(summarize([]).median));
});

test('a probe reports its own peak RSS, not the runner\'s', async () => {
  // Make this process large, then ask a small child for its peak: without forking the child from a shell,
  // Linux hands the parent's resident set down as the child's ru_maxrss.
  const ballast = Buffer.alloc(300 * 2 ** 20, 1);
  assert.ok(process.memoryUsage().rss > 300 * 2 ** 20);
  const result = await runChild(process.execPath, ['-e', 'console.log(JSON.stringify({ rssKB: process.resourceUsage().maxRSS }))'], { timeoutMs: 30_000 });
  const { rssKB } = probeJson<{ rssKB: number }>(result, 'node');
  assert.ok(rssKB < 200 * 1024, `child reported ${rssKB} KB`);
  assert.equal(ballast[ballast.length - 1], 1);
});

test('a probe that overruns its time cap or fails is reported, not awaited forever', async () => {
  const slow = await runChild(process.execPath, ['-e', 'setTimeout(() => {}, 60_000)'], { timeoutMs: 300 });
  assert.equal(slow.timedOut, true);
  assert.throws(() => probeJson(slow, 'slow'), /time cap/);
  const failing = await runChild(process.execPath, ['-e', 'console.error("it broke"); process.exit(3)'], { timeoutMs: 30_000 });
  assert.throws(() => probeJson(failing, 'failing'), /failing: it broke/);
});

test('the layout input is the operator graph: Constant nodes folded away, inputs and outputs as nodes', () => {
  const model = generateTransformer({ layers: 1, hidden: 16, heads: 2, vocab: 32, maxPositions: 8 });
  const { nodes, edges } = layoutInput(model);
  const operators = model.graph!.node!.filter((n) => n.opType !== 'Constant').length;
  assert.equal(nodes.length, operators + 2);
  const ids = new Set(nodes.map((n) => n.id));
  assert.ok(ids.has('input:input_ids') && ids.has('output:logits'));
  assert.ok(edges.every((e) => ids.has(e.from) && ids.has(e.to)));
  assert.ok(edges.some((e) => e.to === 'output:logits'));
  // Every operator but the first Shape/Gather reads something drawn: the graph is connected through edges.
  assert.ok(edges.length > operators);
});

test('the table shows medians, ranges, ratios, failures and targets', () => {
  const ours = summarize([10, 12, 11]);
  const peer = summarize([20, 22, 21]);
  const table = markdownTable([
    { ...row({ figure: 'open', model: 'm|x', unit: 'ms', better: 'lower', ours, peerName: 'peer', peer }), target: { text: '≤ 1.5× peer', met: true } },
    row({ figure: 'layout', model: 'big', unit: 'ms', better: 'lower', ours, peerName: 'dagre', peer: { failed: 'stack overflow' } }),
  ]);
  const lines = table.split('\n');
  assert.equal(lines.length, 4);
  assert.match(lines[2], /\| open \| m\\\|x \| 11\.0 ms \| 10\.0–12\.0 \| peer \| 21\.0 ms \| 20\.0–22\.0 \| 0\.52× \| ≤ 1\.5× peer: met \|/);
  assert.match(lines[3], /failed \(stack overflow\) \|  \| – \|/);
});
