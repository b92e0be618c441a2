// `onnx-lens prune`: structural extraction or weight magnitude pruning to a new file, with the sparsity
// reached per tensor and the effect on the outputs. Exit 0 done, 1 an extraction does not reproduce the
// original's values, 2 on error.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { UserError } from '../core/errors.js';
import { RuntimeClient } from '../core/runtime/client.js';
import { parsePattern, parseSparsity, pruneFile, type PruneRequest } from '../core/transforms/pruneRun.js';
import { formatReport, siblingOutputPath } from '../core/transforms/report.js';
import { commaList, print, UsageError, type CliCommand } from './command.js';
import { reportJson } from './fold.js';

const usage = 'onnx-lens prune IN [-o OUT] (--sparsity S [--per-layer] | --pattern N:M | --outputs A,B [--inputs C]) '
  + '[--exclude NAME|OP,...] [--sparse-storage] [--json]';

export const pruneCommand: CliCommand = {
  name: 'prune',
  usage,
  summary: 'extract a subgraph, or prune weights by magnitude (global, per layer, N:M such as 2:4), to a new file',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        output: { type: 'string', short: 'o' },
        sparsity: { type: 'string' },
        'per-layer': { type: 'boolean' },
        pattern: { type: 'string' },
        outputs: { type: 'string', multiple: true },
        inputs: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        'sparse-storage': { type: 'boolean' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError(usage);
    const modes = [values.sparsity !== undefined, values.pattern !== undefined, values.outputs !== undefined].filter(Boolean).length;
    if (modes !== 1) throw new UsageError(usage);
    const exclude = commaList(values.exclude);
    let request: PruneRequest;
    if (values.outputs) {
      if (exclude.length || values['per-layer'] || values['sparse-storage']) throw new UserError('--exclude, --per-layer and --sparse-storage apply to weight pruning, not to --outputs.');
      request = { kind: 'extract', outputs: commaList(values.outputs), inputs: commaList(values.inputs) };
    } else if (values.inputs) {
      throw new UserError('--inputs goes with --outputs.');
    } else if (values.pattern !== undefined) {
      if (values['per-layer']) throw new UserError('--per-layer goes with --sparsity; an N:M pattern is per group already.');
      request = { kind: 'pattern', ...parsePattern(values.pattern), exclude };
    } else {
      request = { kind: 'magnitude', sparsity: parseSparsity(values.sparsity!), scope: values['per-layer'] ? 'layer' : 'global', exclude };
    }
    const input = positionals[0];
    if (!existsSync(input)) throw new UserError(`No such file: ${input}`);
    const output = values.output ?? siblingOutputPath(input, 'pruned');
    if (!values.output && existsSync(output)) throw new UserError(`${output} already exists; choose the output with -o.`);
    const client = RuntimeClient.start();
    try {
      const { report } = await pruneFile(input, output, request, { client, sparseStorage: values['sparse-storage'] });
      print(values.json ? reportJson(report) : formatReport(report));
      return request.kind === 'extract' && report.verification && !report.verification.pass ? 1 : 0;
    } finally {
      client.dispose();
    }
  },
};
