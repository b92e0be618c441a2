import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { UserError } from '../core/errors.js';
import { readModelFile } from '../core/model/decode.js';
import { kserveManifest, writeTritonRepository } from '../core/serve/servingExport.js';
import { modelSignature, servingName } from '../core/serve/signature.js';
import { print, UsageError, type CliCommand } from './command.js';

const usage = 'onnx-lens export-serving MODEL (--triton DIR | --kserve DIR [--storage-uri URI]) [--max-batch-size N] [--instances N]';

export const exportServingCommand: CliCommand = {
  name: 'export-serving',
  usage,
  summary: 'writes a Triton model repository (config.pbtxt), or that and a KServe InferenceService manifest',
  help: () => [
    `Usage: ${usage}`,
    '  --triton DIR        DIR/NAME/config.pbtxt and DIR/NAME/1/model.onnx (platform onnxruntime_onnx; -1 for dynamic dims;',
    '                      max_batch_size when every input and output starts with the same dynamic dim)',
    '  --kserve DIR        the same repository under DIR/repository and DIR/inferenceservice.yaml (modelFormat onnx,',
    '                      protocol v2); --storage-uri is where you upload DIR/repository (default a placeholder to edit)',
    '  --max-batch-size N  Triton\'s largest batch (default 8); --instances N CPU instances (default 1)',
    '  An existing NAME folder is never overwritten.',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { triton: { type: 'string' }, kserve: { type: 'string' }, 'storage-uri': { type: 'string' }, 'max-batch-size': { type: 'string' }, instances: { type: 'string' } },
      allowPositionals: true,
    });
    if (positionals.length !== 1 || !!values.triton === !!values.kserve) throw new UsageError(usage);
    const count = (text: string | undefined, name: string) => {
      if (text === undefined) return undefined;
      const n = Number(text);
      if (!Number.isInteger(n) || n < 1) throw new UserError(`--${name} must be a whole number >= 1, not '${text}'.`);
      return n;
    };
    const path = positionals[0];
    const { model } = await readModelFile(path);
    const signature = modelSignature(model, servingName(path));
    const repository = values.triton ?? join(values.kserve!, 'repository');
    if (existsSync(join(repository, signature.name))) throw new UserError(`${join(repository, signature.name)} exists: pick another folder or remove it first.`);
    const written = writeTritonRepository(repository, path, model, signature, { maxBatchSize: count(values['max-batch-size'], 'max-batch-size'), instances: count(values.instances, 'instances') });
    if (values.kserve) {
      const manifest = join(values.kserve, 'inferenceservice.yaml');
      mkdirSync(values.kserve, { recursive: true });
      writeFileSync(manifest, kserveManifest(signature, values['storage-uri'] ?? 's3://YOUR-BUCKET/PATH/repository'));
      written.push(manifest);
    }
    print(['Written:', ...written.map((f) => `  ${f}`)].join('\n'));
    if (values.kserve && !values['storage-uri']) print('Upload the repository folder and set storageUri in inferenceservice.yaml to where it is.');
    return 0;
  },
};
