// What every `onnx-lens` subcommand provides.
export { commaList } from '../core/transforms/optionSchema.js';

export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  /** The full `COMMAND --help` text; default: the usage and the summary. */
  help?(): string;
  /** Returns the process exit code: 0 ok, 1 a check failed, 2 an error. */
  run(args: string[]): Promise<number>;
}

/** Writes a JSON result or plain lines to stdout. */
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** Wrong arguments: the CLI prints the command's usage. */
export class UsageError extends Error {}
