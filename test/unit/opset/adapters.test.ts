// Every adapter on a generated model: converted, checked for its form, run by onnxruntime beside the source
// (or, where onnxruntime has no kernels for the source's opset, beside the same computation written by hand
// at an opset it runs), outputs equal within 1e-5; converted back where both directions exist; and every
// converted model at an opset Debian's onnx knows (<= 17) passes onnx.checker.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { UserError } from '../../../src/core/errors.js';
import { encodeModel } from '../../../src/core/model/decode.js';
import { defaultOpset } from '../../../src/core/model/graphQueries.js';
import type { ModelProto } from '../../../src/core/model/proto.js';
import { convertOpset } from '../../../src/core/opset/convert.js';
import { registeredAdapters } from '../../../src/core/opset/registry.js';
import { RuntimeClient } from '../../../src/core/runtime/client.js';
import { tempDir } from '../../helpers/models.js';
import { runPython } from '../../helpers/python.js';
import { adapterCases } from './adapterCases.js';
import { inputsFor, maxDifference, ops, run, runs, withOutputShapes } from './models.js';

const client = RuntimeClient.start({ timeoutMs: 60_000 });
after(() => client.dispose());
const dir = tempDir('onnx-lens-opset-adapters-');
const forChecker: Array<{ file: string; name: string }> = [];
const checkerOpset = 17;

function keep(m: ModelProto, name: string): void {
  if (defaultOpset(m) > checkerOpset) return;
  const file = join(dir, `${forChecker.length}.onnx`);
  writeFileSync(file, encodeModel(m));
  forChecker.push({ file, name });
}

for (const c of adapterCases) {
  test(c.name, async () => {
    const sourceBytes = encodeModel(c.source);
    const from = defaultOpset(c.source);
    if (c.refuses) {
      assert.throws(() => convertOpset(c.source, c.target), (error: unknown) => {
        assert.ok(error instanceof UserError, String(error));
        assert.match(error.message, c.refuses!);
        // One line naming the node, the op and the versions.
        assert.match(error.message, /^Cannot convert the model from opset \d+ to \d+: node '[^']+' \(\w+.*\), opset \d+ → \d+: /);
        assert.ok(!error.message.includes('\n'));
        return true;
      });
      assert.deepEqual(encodeModel(c.source), sourceBytes, 'the source model is left as it was');
      return;
    }
    const feeds = inputsFor(c.source);
    let expected;
    if (!c.noRun) {
      expected = (await runs(client, c.source, feeds)) ?? (c.reference ? await run(client, c.reference, feeds) : undefined);
      assert.ok(expected, 'onnxruntime runs neither the source nor a reference for it');
    }
    const source = withOutputShapes(c.source, expected);
    const result = convertOpset(source, c.target);
    assert.deepEqual(encodeModel(c.source), sourceBytes, 'the source model is left as it was');
    assert.equal(defaultOpset(result.model), c.target);
    assert.ok(result.changes.length > 0 || c.covers.length === 0 || result.versions.length > 0, 'the conversion reports what it did');
    c.check?.(result);
    keep(result.model, c.name);
    if (expected) {
      const actual = await run(client, result.model, feeds);
      const difference = maxDifference(expected, actual);
      assert.ok(difference <= 1e-5, `outputs differ by ${difference}`);
    }
    if (c.roundTrip) {
      const back = convertOpset(result.model, from);
      assert.equal(defaultOpset(back.model), from);
      keep(back.model, `${c.name} (back)`);
      // The source's ops come back in order (a round trip may leave a Cast or an Identity behind).
      const backOps = ops(back.model);
      let k = 0;
      for (const op of backOps) if (op === ops(c.source)[k]) k++;
      assert.equal(k, ops(c.source).length, `ops after the round trip: ${backOps.join(', ')}`);
      if (expected) {
        const again = await runs(client, back.model, feeds);
        if (again) assert.ok(maxDifference(expected, again) <= 1e-5, 'outputs after the round trip differ');
      }
    }
  });
}

test('every registered adapter is exercised, in the direction a case crosses it', () => {
  const registered = new Set(registeredAdapters().flatMap(({ op, opset, up, down }) => [...(up ? [`${op}@${opset} up`] : []), ...(down ? [`${op}@${opset} down`] : [])]));
  const covered = new Set<string>();
  for (const c of adapterCases) {
    const from = defaultOpset(c.source);
    for (const claim of c.covers) {
      assert.ok(registered.has(claim), `${c.name}: '${claim}' is not a registered adapter`);
      const [, version, direction] = /@(\d+) (up|down)$/.exec(claim)!;
      const v = Number(version);
      const up = from < v && v <= c.target;
      const down = c.target < v && v <= from;
      const crossed = direction === 'up' ? up || (c.roundTrip && down) : down || (c.roundTrip && up);
      assert.ok(crossed, `${c.name}: opset ${from} → ${c.target}${c.roundTrip ? ' and back' : ''} does not cross '${claim}'`);
      covered.add(claim);
    }
  }
  assert.deepEqual([...registered].filter((r) => !covered.has(r)).sort(), []);
});

test('converted models at opsets up to 17 pass onnx.checker (Debian python3-onnx, full check)', () => {
  assert.ok(forChecker.length > 100, `only ${forChecker.length} models to check`);
  const code = [
    'import sys, onnx',
    'for path in sys.argv[1:]:',
    '    try:',
    '        onnx.checker.check_model(onnx.load(path), full_check=True)',
    "        print(path + '\\tok')",
    '    except Exception as e:',
    "        print(path + '\\t' + (str(e).splitlines() or [type(e).__name__])[0])",
  ].join('\n');
  const verdicts = new Map(runPython(code, forChecker.map((f) => f.file)).trim().split('\n').map((line) => line.split('\t') as [string, string]));
  const failures = forChecker.filter((f) => verdicts.get(f.file) !== 'ok').map((f) => `${f.name}: ${verdicts.get(f.file)}`);
  assert.deepEqual(failures, []);
});
