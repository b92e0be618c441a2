import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../core/errors.js';
import { writeModelAtomic } from '../core/model/modelFile.js';
import { parseModelText } from '../core/text/parser.js';
import { print, UsageError, type CliCommand } from './command.js';

export const parseCommand: CliCommand = {
  name: 'parse',
  usage: 'onnx-lens parse IN.onnxtxt -o OUT.onnx',
  summary: 'read a model in ONNX textual syntax and write it as .onnx (errors as file:line:col: message)',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { output: { type: 'string', short: 'o' } }, allowPositionals: true });
    if (positionals.length !== 1 || !values.output) throw new UsageError(this.usage);
    const input = positionals[0];
    let text: string;
    try {
      text = await readFile(input, 'utf8');
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      throw new UserError(code === 'ENOENT' ? `No such file: ${input}` : `Cannot read ${input}: ${code ?? String(error)}`);
    }
    const result = parseModelText(text.replace(/^\uFEFF/, ''));
    // Elided values (`{...}`) are errors here: the text describes a model without its weights.
    const problems = result.diagnostics.filter((d) => d.severity === 'error' || result.elided.length);
    if (problems.length || !result.model) {
      for (const d of problems) process.stderr.write(`${input}:${d.line}:${d.column}: ${d.message}\n`);
      return 2;
    }
    const output = resolve(values.output);
    const written = writeModelAtomic(output, result.model, { sourceDir: dirname(resolve(input)) });
    print(`Wrote ${written.path} (${written.bytes} bytes)${written.dataFile ? ` and ${written.dataFile} (${written.dataBytes} bytes)` : ''}`);
    return 0;
  },
};
