import { parseArgs } from 'node:util';
import { formatBytes, formatDims } from '../core/format.js';
import { readModelFile } from '../core/model/decode.js';
import { summarize, type SignatureEntry } from '../core/model/summary.js';
import { modelSymbols, shapeCounts, valueShapes } from '../core/ops/modelShapes.js';
import { print, UsageError, type CliCommand } from './command.js';

const signatureLine = (e: SignatureEntry) => `  ${e.name}: ${e.type}${e.shape ? formatDims(e.shape) : ''}`;

export const infoCommand: CliCommand = {
  name: 'info',
  usage: 'onnx-lens info MODEL [--json]',
  summary: 'IR version, producer, opsets, signature, node and initializer counts, op histogram',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: argv, options: { json: { type: 'boolean' } }, allowPositionals: true });
    if (positionals.length !== 1) throw new UsageError(this.usage);
    const { model } = await readModelFile(positionals[0]);
    const s = summarize(model);
    // Every value's shape: declared by the file, or inferred where inference knows more.
    const shapes = valueShapes(model);
    const counts = shapeCounts(shapes, modelSymbols(model));
    if (values.json) {
      print(JSON.stringify({
        irVersion: s.irVersion, producer: s.producer, producerVersion: s.producerVersion, opsets: s.opsets,
        inputs: s.inputs, outputs: s.outputs, nodes: s.nodes, initializers: s.initializers,
        subgraphs: s.subgraphs, functions: s.functions, ops: s.ops, metadata: s.metadata,
        shapes: counts, values: shapes,
      }, null, 2));
      return 0;
    }
    const lines = [
      `IR version:   ${s.irVersion}`,
      `Producer:     ${[s.producer, s.producerVersion].filter(Boolean).join(' ') || '(none)'}`,
      `Opsets:       ${Object.entries(s.opsets).map(([d, v]) => `${d} ${v}`).join(', ')}`,
      `Inputs:`, ...s.inputs.map(signatureLine),
      `Outputs:`, ...s.outputs.map(signatureLine),
      `Nodes:        ${s.nodes.top} top-level, ${s.nodes.total} in all`,
      `Initializers: ${s.initializers.count} (${formatBytes(s.initializers.bytes)})`,
      `Subgraphs:    ${s.subgraphs}`,
      `Functions:    ${s.functions}`,
      `Shapes:       ${counts.fullyKnown} of ${counts.values} node outputs fully known, ${counts.knownRank} with a rank (${counts.inferred} inferred)`,
      `Ops:`,
      ...Object.entries(s.ops).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([op, n]) => `  ${op.padEnd(24)} ${n}`),
    ];
    print(lines.join('\n'));
    return 0;
  },
};
