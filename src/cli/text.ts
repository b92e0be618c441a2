import { parseArgs } from 'node:util';
import { readModelFile } from '../core/model/decode.js';
import { printModel } from '../core/text/printer.js';
import { UsageError, type CliCommand } from './command.js';

export const textCommand: CliCommand = {
  name: 'text',
  usage: 'onnx-lens text MODEL [--full | --elide-above N] [--strict]',
  summary: 'print the model in ONNX textual syntax (--full: every tensor value, parses back losslessly; --strict: only what onnx 1.12\'s parser reads, names renamed)',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { full: { type: 'boolean' }, 'elide-above': { type: 'string' }, strict: { type: 'boolean' } },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError(this.usage);
    const elideAbove = values['elide-above'] === undefined ? 32 : Number(values['elide-above']);
    if (!(elideAbove >= 0)) throw new UsageError(this.usage);
    const { model } = await readModelFile(positionals[0]);
    const { text } = printModel(model, { full: values.full, elideAbove, strict: values.strict });
    // A reader that stops early (`| head`) closes the pipe: that ends the output, it is not an error.
    let closed = false;
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
      closed = true;
    });
    await new Promise<void>((resolve, reject) => process.stdout.write(text, (error) => (error && !closed && (error as NodeJS.ErrnoException).code !== 'EPIPE' ? reject(error) : resolve())));
    return 0;
  },
};
