import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { UserError } from '../../../src/core/errors.js';
import { testCases } from '../../helpers/testdata.js';

test('every libonnx-testdata model decodes and encodes back to the same bytes', () => {
  const cases = testCases();
  assert.ok(cases.length > 1000, `expected the full corpus, found ${cases.length} models`);
  const different: string[] = [];
  for (const c of cases) {
    const bytes = readFileSync(c.model);
    const again = encodeModel(decodeModel(bytes));
    if (Buffer.compare(Buffer.from(again), bytes) !== 0) different.push(c.name);
  }
  assert.deepEqual(different, []);
});

test('bad input is one clear UserError', () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]);
  const cases: Array<[string, Uint8Array, RegExp]> = [
    ['empty', new Uint8Array(), /empty/],
    ['png', png, /PNG image/],
    ['truncated', readFileSync(testCases()[0].model).subarray(0, 40), /truncated or corrupt|no graph/],
    ['garbage', Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]), /Not a valid ONNX model|Not an ONNX model/],
  ];
  for (const [name, bytes, pattern] of cases) {
    assert.throws(() => decodeModel(bytes), (error: unknown) => {
      assert.ok(error instanceof UserError, `${name}: expected a UserError`);
      assert.match(error.message, pattern, name);
      assert.ok(!error.message.includes('\n'), `${name}: one line`);
      return true;
    });
  }
});
