/**
 * An error whose message is one plain sentence meant for the user (CLI stderr, editor banner).
 * Anything else that escapes is a bug and is reported as such.
 */
export class UserError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'UserError';
  }
}

/** One line for the user, whatever was thrown. */
export function oneLine(error: unknown): string {
  if (error instanceof UserError) return error.message;
  const text = error instanceof Error ? error.message : String(error);
  const first = text.split('\n', 1)[0].trim();
  return first || 'Unknown error.';
}
