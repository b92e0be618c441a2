import { parseArgs } from 'node:util';
import { dirname, resolve } from 'node:path';
import { readModelFile } from '../core/model/decode.js';
import { allTensors, assertNotSameFile, writeModelAtomic } from '../core/model/modelFile.js';
import { ExternalDataReader, isExternal } from '../core/model/externalData.js';
import { opsetTransform } from '../core/transforms/opsetTransform.js';
import { print, UsageError, type CliCommand } from './command.js';
import { transformCommand } from './transformCommand.js';

/** `convert --opset N` / `--ir-version V` is the opset transform (verified, exit 1 when not verified). */
const opsetCommand = transformCommand(opsetTransform);
const wantsOpset = (argv: string[]) => argv.some((a) => /^--(opset|ir-version)(=|$)/.test(a));

export const convertCommand: CliCommand = {
  name: 'convert',
  usage: 'onnx-lens convert IN -o OUT [--external-data [--location FILE] [--threshold BYTES] | --internal]\n'
    + '       onnx-lens convert IN [-o OUT] --opset N [--ir-version V] [options]',
  summary: 'decode and encode again; move weights out to a side file, or back in; with --opset N, convert the opset (verified)',
  help: () => [
    'Usage: onnx-lens convert IN -o OUT [--external-data [--location FILE] [--threshold BYTES] | --internal]',
    '  Decode and encode again; move weights out to a side file (--external-data), or back in (--internal).',
    '',
    'With --opset N or --ir-version V, convert runs the opset conversion (the same as `onnx-lens convert-opset`):',
    '',
    opsetCommand.help!().replace(/^Usage: onnx-lens convert-opset/, 'Usage: onnx-lens convert'),
  ].join('\n'),
  async run(argv) {
    if (wantsOpset(argv)) return opsetCommand.run(argv);
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        output: { type: 'string', short: 'o' },
        'external-data': { type: 'boolean' },
        internal: { type: 'boolean' },
        location: { type: 'string' },
        threshold: { type: 'string' },
      },
      allowPositionals: true,
    });
    if (positionals.length !== 1 || !values.output || (values['external-data'] && values.internal)) throw new UsageError(this.usage);
    const input = resolve(positionals[0]);
    const output = resolve(values.output);
    assertNotSameFile(input, output);
    const { model } = await readModelFile(input);
    // Check every external reference before writing anything.
    const reader = ExternalDataReader.forModel(input);
    try {
      for (const t of allTensors(model)) if (isExternal(t)) reader.check(t);
    } finally {
      reader.close();
    }
    const threshold = values.threshold === undefined ? undefined : Number(values.threshold);
    if (threshold !== undefined && !(threshold >= 0)) throw new UsageError(this.usage);
    const result = writeModelAtomic(output, model, {
      externalData: values['external-data'] ? 'all' : values.internal ? 'none' : 'keep',
      location: values.location,
      threshold,
      sourceDir: dirname(input),
    });
    print(`Wrote ${result.path} (${result.bytes} bytes)${result.dataFile ? ` and ${result.dataFile} (${result.dataBytes} bytes)` : ''}`);
    return 0;
  },
};
