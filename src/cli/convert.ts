import { parseArgs } from 'node:util';
import { dirname, resolve } from 'node:path';
import { readModelFile } from '../core/model/decode.js';
import { allTensors, assertNotSameFile, writeModelAtomic } from '../core/model/modelFile.js';
import { ExternalDataReader, isExternal } from '../core/model/externalData.js';
import { print, UsageError, type CliCommand } from './command.js';

export const convertCommand: CliCommand = {
  name: 'convert',
  usage: 'onnx-lens convert IN -o OUT [--external-data [--location FILE] [--threshold BYTES] | --internal]',
  summary: 'decode and encode again; move weights out to a side file, or back in',
  async run(argv) {
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
