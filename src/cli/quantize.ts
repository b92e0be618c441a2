// `onnx-lens quantize`: dynamic, static (calibrated), weight-only and float16 quantization to a new file,
// verified against the original in onnxruntime. Exit 0 within the accuracy budget, 1 below it, 2 on error.
import { parseArgs } from 'node:util';
import { UserError } from '../core/errors.js';
import { RuntimeClient } from '../core/runtime/client.js';
import { formatReport } from '../core/transforms/report.js';
import { modes, resolveOptions, type Calibrator, type QuantizeFormat, type QuantizeMode } from '../core/transforms/quantize/options.js';
import { runQuantize } from '../core/transforms/quantize/pipeline.js';
import { formatQuantizeDetails } from '../core/transforms/quantize/quantizeReport.js';
import { commaList, print, UsageError, type CliCommand } from './command.js';

const usage = 'onnx-lens quantize IN [-o OUT] --mode dynamic|static|weight-only|fp16 [--bits 8|4] [--block 32|64|128] '
  + '[--symmetric|--asymmetric] [--per-channel|--per-tensor] [--format qdq|integer|matmulnbits] [--calibration DIR] '
  + '[--calibrator minmax|percentile] [--percentile P] [--samples N] [--exclude NAME|OP ...] [--keep-io-fp32|--fp16-io] '
  + '[--keep-fp32-op OP ...] [--dims NAME=N,...] [--iterations N] [--json]';

function integer(text: string | undefined, name: string, fallback?: number): number | undefined {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`--${name} must be a whole number, not '${text}'.`);
  return n;
}

function parseDims(text: string | undefined): Record<string, number> {
  const dims: Record<string, number> = {};
  if (!text) return dims;
  for (const part of text.split(',')) {
    const [name, value] = part.split('=');
    const n = Number(value);
    if (!name || !Number.isInteger(n) || n < 1) throw new UserError(`--dims takes NAME=N pairs separated by commas, not '${part}'.`);
    dims[name.trim()] = n;
  }
  return dims;
}

function oneOf<T extends string>(value: string | undefined, allowed: readonly T[], name: string): T | undefined {
  if (value === undefined) return undefined;
  if (!allowed.includes(value as T)) throw new UserError(`--${name} must be one of ${allowed.join(', ')}, not '${value}'.`);
  return value as T;
}

export const quantizeCommand: CliCommand = {
  name: 'quantize',
  usage,
  summary: 'quantize a model (dynamic/static int8, weight-only int8/int4, float16) to a new file, verified in onnxruntime',
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        output: { type: 'string', short: 'o' },
        mode: { type: 'string' },
        bits: { type: 'string' },
        block: { type: 'string' },
        symmetric: { type: 'boolean' },
        asymmetric: { type: 'boolean' },
        'per-channel': { type: 'boolean' },
        'per-tensor': { type: 'boolean' },
        format: { type: 'string' },
        calibration: { type: 'string' },
        calibrator: { type: 'string' },
        percentile: { type: 'string' },
        samples: { type: 'string' },
        exclude: { type: 'string', multiple: true },
        'keep-io-fp32': { type: 'boolean' },
        'fp16-io': { type: 'boolean' },
        'keep-fp32-op': { type: 'string', multiple: true },
        dims: { type: 'string' },
        iterations: { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError(usage);
    const mode = oneOf(values.mode, modes, 'mode');
    if (!mode) throw new UsageError(usage);
    if (values.symmetric && values.asymmetric) throw new UserError('Give --symmetric or --asymmetric, not both.');
    if (values['per-channel'] && values['per-tensor']) throw new UserError('Give --per-channel or --per-tensor, not both.');
    const bits = integer(values.bits, 'bits');
    const percentile = values.percentile !== undefined ? Number(values.percentile) : undefined;
    if (percentile !== undefined && Number.isNaN(percentile)) throw new UserError(`--percentile must be a number, not '${values.percentile}'.`);
    const options = resolveOptions({
      mode,
      bits: bits as 8 | 4 | undefined,
      blockSize: integer(values.block, 'block'),
      symmetric: values.symmetric ? true : values.asymmetric ? false : undefined,
      perChannel: values['per-channel'] ? true : values['per-tensor'] ? false : undefined,
      format: oneOf(values.format, ['qdq', 'integer', 'matmulnbits'] as const, 'format') as QuantizeFormat | undefined,
      calibrator: oneOf(values.calibrator, ['minmax', 'percentile'] as const, 'calibrator') as Calibrator | undefined,
      percentile,
      exclude: commaList(values.exclude),
      keepIoFp32: values['fp16-io'] ? false : values['keep-io-fp32'] ? true : undefined,
      keepFp32Ops: commaList(values['keep-fp32-op']),
    } as Parameters<typeof resolveOptions>[0] & { mode: QuantizeMode });
    const iterations = integer(values.iterations, 'iterations', 20)!;
    const client = RuntimeClient.start();
    try {
      const { report } = await runQuantize({
        input: positionals[0],
        output: values.output,
        overwrite: values.output !== undefined,
        options,
        calibration: values.calibration,
        samples: integer(values.samples, 'samples'),
        dims: parseDims(values.dims),
        client,
        latency: { warmup: iterations > 0 ? 3 : 0, iterations },
      });
      if (values.json) print(JSON.stringify(report, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2));
      else print(formatReport(report) + formatQuantizeDetails(report.details));
      return report.verification?.pass ? 0 : 1;
    } finally {
      client.dispose();
    }
  },
};
