import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { checkModel, countBySeverity, describeLocation, type Problem } from '../core/check/index.js';
import { readModelFile } from '../core/model/decode.js';
import { print, UsageError, type CliCommand } from './command.js';

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function problemLine(p: Problem): string {
  const fix = p.fix ? `  [quick fix: ${p.fix}]` : '';
  return `${p.severity.padEnd(7)} ${p.rule.padEnd(22)} ${describeLocation(p.where)}: ${p.message}${fix}`;
}

export const checkCommand: CliCommand = {
  name: 'check',
  usage: 'onnx-lens check MODEL [--json]',
  summary: 'checks a model against the ONNX IR rules and op schemas, and what onnxruntime-node runs; exit 1 on errors',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError(this.usage);
    const path = positionals[0];
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
