// `onnx-lens fold`: constant folding + cleanup to a new file, verified against the original in
// onnxruntime. Exit 0 done, 1 outputs differ from the original (the file is still written), 2 on error.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UserError } from '../core/errors.js';
import { RuntimeClient } from '../core/runtime/client.js';
import { defaultSizeLimitBytes } from '../core/transforms/fold.js';
import { foldFile } from '../core/transforms/foldRun.js';
import { formatReport, siblingOutputPath } from '../core/transforms/report.js';
import { print, UsageError, type CliCommand } from './command.js';

const usage = 'onnx-lens fold IN [-o OUT] [--size-limit MB] [--no-verify] [--json]';

/** JSON without NaN/Infinity (not valid JSON): they are written as strings. */
export function reportJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

export const foldCommand: CliCommand = {
  name: 'fold',
  usage,
  summary: 'fold constants and clean up (dead nodes, unused initializers, Identity) to a new file, verified in onnxruntime',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        output: { type: 'string', short: 'o' },
        'size-limit': { type: 'string' },
        'no-verify': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError(usage);
    const input = positionals[0];
    if (!existsSync(input)) throw new UserError(`No such file: ${input}`);
    const output = values.output ?? siblingOutputPath(input, 'folded');
    if (!values.output && existsSync(output)) throw new UserError(`${output} already exists; choose the output with -o.`);
    let sizeLimitBytes = defaultSizeLimitBytes;
    if (values['size-limit'] !== undefined) {
      const mb = Number(values['size-limit']);
      if (!Number.isFinite(mb) || mb < 0) throw new UserError(`--size-limit takes megabytes (a number of at least 0), not '${values['size-limit']}'.`);
      sizeLimitBytes = mb * 2 ** 20;
    }
    const client = RuntimeClient.start();
    try {
      const { report } = await foldFile(input, output, { client, sizeLimitBytes, verify: !values['no-verify'] });
      print(values.json ? reportJson(report) : formatReport(report));
      // Exit 1 only when the outputs were compared and differ; "could not verify" is said in the report.
      return report.verification?.ran && !report.verification.pass ? 1 : 0;
    } finally {
      client.dispose();
    }
  },
};
