// What every `onnx-lens` subcommand provides.
export interface CliCommand {
  name: string;
  usage: string;
  summary: string;
  /** Returns the process exit code: 0 ok, 1 a check failed, 2 an error. */
  run(args: string[]): Promise<number>;
}

/** Writes a JSON result or plain lines to stdout. */
export function print(text: string): void {
  process.stdout.write(text.endsWith('\n') ? text : text + '\n');
}

/** Values of a repeatable option, each of which may also be a comma-separated list ('--exclude a,b --exclude c'). */
export function commaList(values: string[] | undefined): string[] {
  return (values ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
}

/** Wrong arguments: the CLI prints the command's usage. */
export class UsageError extends Error {}
