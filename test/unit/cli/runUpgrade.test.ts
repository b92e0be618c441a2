// `onnx-lens run` on models below opset 7, which onnxruntime has no kernels for: each is upgraded in
// memory to opset 7 and the report says so. Every opset-6 pytorch-converted case of libonnx-testdata
// that onnxruntime cannot run as it is runs this way and matches its expected outputs (exit 0).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeModel } from '../../../src/core/model/decode.js';
import { defaultOpset } from '../../../src/core/model/graphQueries.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { testCases } from '../../helpers/testdata.js';
import { runCli as cli } from '../../helpers/cli.js';


/** The opset-6 pytorch-converted cases whose model onnxruntime refuses as it is. */
async function unrunnableCases() {
  const client = RuntimeClient.start({ timeoutMs: 120_000 });
  const out = [];
  try {
    for (const c of testCases().filter((c) => c.name.startsWith('pytorch-converted/'))) {
      const model = decodeModel(readFileSync(c.model));
      if (defaultOpset(model) !== 6) continue;
      const refused = await client.open(c.model).then((s) => s.close().then(() => false), () => true);
      if (refused) out.push(c);
    }
  } finally {
    client.dispose();
  }
  return out;
}

test('run upgrades the 23 opset-6 pytorch-converted cases in memory, says so, and matches their expected outputs', { timeout: 10 * 60_000 }, async () => {
  const cases = await unrunnableCases();
  assert.equal(cases.length, 23);
  const failures: string[] = [];
  for (const c of cases) {
    const run = cli('run', c.model, '--inputs', c.dir, '--iterations', '0');
    if (run.status !== 0 || !/Opset: {4}ran as opset 7: upgraded in memory from opset 6/.test(run.stdout) || !/every output matches/.test(run.stdout)) {
      failures.push(`${c.name}: exit ${run.status}: ${run.stderr.trim() || run.stdout.split('\n').slice(-2).join(' ')}`);
    }
  }
  assert.deepEqual(failures, []);
});

test('run --compare and --json say which model ran upgraded', () => {
  const c = testCases().find((t) => t.name === 'pytorch-converted/test_BatchNorm2d_eval')!;
  const run = cli('run', c.model, '--inputs', c.dir, '--iterations', '0', '--compare', c.model, '--json');
  assert.equal(run.status, 0, run.stderr);
  const report = JSON.parse(run.stdout);
  assert.deepEqual(report.upgraded, [
    'ran as opset 7: upgraded in memory from opset 6 (1 node rewritten)',
    'the compared model ran as opset 7: upgraded in memory from opset 6 (1 node rewritten)',
  ]);
  assert.equal(report.pass, true);
  const current = testCases().find((t) => t.name === 'node/test_relu')!;
  const plain = cli('run', current.model, '--inputs', current.dir, '--iterations', '0', '--json');
  assert.equal(plain.status, 0, plain.stderr);
  assert.deepEqual(JSON.parse(plain.stdout).upgraded, [], 'a model at opset 7 or later runs as it is');
});
