// User-facing errors are one line, with no stack trace.
import assert from 'node:assert/strict';
import { UserError } from '../../src/core/errors.js';

/** The text's only line; fails when it has several or a stack trace. */
export function oneLine(text: string): string {
  const lines = text.trim().split('\n');
  assert.equal(lines.length, 1, text);
  assert.doesNotMatch(text, /\n\s+at /);
  return lines[0];
}

/** For assert.throws: a one-line UserError matching the pattern. */
export function oneLineUserError(pattern: RegExp): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof UserError, `a UserError, not ${String(error)}`);
    assert.ok(!error.message.includes('\n'), error.message);
    assert.match(error.message, pattern);
    return true;
  };
}
