// `onnx-lens check MODEL [--json]`: the model checker's problems, exit 1 on errors. With --fix, the
// editor's quick fixes (src/core/check/fixes.ts) write a fixed copy, verified like a transform: exit 0
// verified, 1 verification failed or could not run (or the fixed model failed the checker and was not
// written), 2 usage or input error (a source with an error no fix addresses among them; nothing written).
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { checkModel, countBySeverity, describeLocation, type Problem } from '../core/check/index.js';
import { fixModelFile } from '../core/check/fixFile.js';
import { UserError } from '../core/errors.js';
import { readModelFile } from '../core/model/decode.js';
import { freeOutputPath } from '../core/model/modelFile.js';
import { RuntimeClient } from '../core/runtime/client.js';
import { formatReport, verificationLines } from '../core/transforms/report.js';
import { ResultRefused } from '../core/transforms/sourceChecks.js';
import { siblingOutputPath } from '../core/transforms/transformFile.js';
import { print, UsageError, type CliCommand } from './command.js';
import { exitCode, reportJson } from './transformCommand.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function problemLine(p: Problem): string {
  const fix = p.fix ? `  [quick fix: ${p.fix}]` : '';
  return `${p.severity.padEnd(7)} ${p.rule.padEnd(22)} ${describeLocation(p.where)}: ${p.message}${fix}`;
}

const usage = 'onnx-lens check MODEL [--json] [--fix [-o OUT]]';

function help(): string {
  return [
    `Usage: ${usage}`,
    'Checks a model against the ONNX IR rules and op schemas, and what onnxruntime-node runs.',
    '',
    'Options:',
    '  --json                  print the problems (with --fix: the report) as JSON',
    '  --fix                   apply the quick fixes (unique names, topological order, opset conversion) to a new',
    '                          file, refused when the model has an error no fix addresses; verified in onnxruntime',
    '  -o, --output OUT        where --fix writes (default: MODEL.fixed.onnx beside it, numbered when taken); never MODEL',
    '',
    'Exit codes without --fix: 0 no errors (warnings allowed); 1 errors; 2 usage error or unreadable model.',
    'With --fix: 0 written and verified; 1 verification failed or could not run (the file is written), or the fixed',
    'model failed the checker (nothing written); 2 usage or input error (nothing written).',
  ].join('\n');
}

async function fix(path: string, output: string | undefined, json: boolean): Promise<number> {
  if (!existsSync(path)) throw new UserError(`No such file: ${path}`);
  const target = output ?? freeOutputPath(siblingOutputPath(path, 'fixed'));
  const client = RuntimeClient.start();
  try {
    const { report } = await fixModelFile(path, target, { client, strict: true });
    print(json ? reportJson(report) : formatReport(report));
    const code = exitCode(report);
    if (code !== 0) process.stderr.write(`onnx-lens check --fix: wrote ${report.output}, not verified: ${verificationLines(report.verification)[0]}\n`);
    return code;
  } catch (error) {
    if (!(error instanceof ResultRefused)) throw error;
    print(json ? reportJson(error.report) : formatReport(error.report));
    process.stderr.write(`onnx-lens check --fix: ${error.message}\n`);
    return 1;
  } finally {
    client.dispose();
  }
}

export const checkCommand: CliCommand = {
  name: 'check',
  usage,
  summary: 'checks a model against the ONNX IR rules and op schemas, and what onnxruntime-node runs; exit 1 on errors; --fix writes a fixed copy',
  help,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { json: { type: 'boolean' }, fix: { type: 'boolean' }, output: { type: 'string', short: 'o' } },
      allowPositionals: true,
    });
    if (positionals.length !== 1 || (values.output !== undefined && !values.fix)) throw new UsageError(usage);
    const path = positionals[0];
    if (values.fix) return fix(path, values.output, values.json ?? false);
    const { model } = await readModelFile(path);
    const problems = checkModel(model, { modelDir: dirname(path) });
    const counts = countBySeverity(problems);
    if (values.json) {
      print(JSON.stringify({ model: path, valid: counts.error === 0, errors: counts.error, warnings: counts.warning, infos: counts.info, problems }, null, 2));
    } else {
      const summary = problems.length === 0
        ? 'no problems found'
        : [plural(counts.error, 'error'), plural(counts.warning, 'warning'), counts.info ? plural(counts.info, 'note') : ''].filter(Boolean).join(', ');
      print([`${path}: ${summary}`, ...problems.map(problemLine)].join('\n'));
    }
    return counts.error > 0 ? 1 : 0;
  },
};
