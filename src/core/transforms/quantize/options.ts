// What a quantization run is asked to do: the mode and the options that matter for it, and the modes as
// one table (defaults, what each may write, its accuracy budget, output name, report wording and the
// editor's questions) that the CLI, the quick picks, the pipeline and the report all read.
import { UserError } from '../../errors.js';

export type QuantizeMode = 'dynamic' | 'static' | 'weight-only' | 'fp16';
export type QuantizeFormat = 'qdq' | 'integer' | 'matmulnbits';
export type Calibrator = 'minmax' | 'percentile';

export interface QuantizeOptions {
  mode: QuantizeMode;
  /** Weight bits: 8 for dynamic/static; 8 or 4 for weight-only. */
  bits: 8 | 4;
  /** Weight-only block size along K. */
  blockSize: number;
  /** Weights symmetric (zero point 0); static mode applies it to activations too. */
  symmetric: boolean;
  /**
   * Per output channel instead of one scale per weight tensor (dynamic and static: Conv, MatMul and Gemm
   * weights; the default for both). Weight-only is block-wise and fp16 has no scales, so neither reads it.
   */
  perChannel: boolean;
  /**
   * dynamic: 'integer' (DynamicQuantizeLinear + MatMulInteger/ConvInteger) or 'qdq';
   * weight-only: 'qdq' (blocked DequantizeLinear, opset 21) or 'matmulnbits' (com.microsoft).
   */
  format: QuantizeFormat;
  calibrator: Calibrator;
  /** Percentile of values kept by the percentile calibrator (the rest is split between both tails). */
  percentile: number;
  /** Node names or op types left in float. */
  exclude: string[];
  /** fp16: graph inputs and outputs stay float32, with Cast nodes at the boundary. */
  keepIoFp32: boolean;
  /** fp16: extra op types kept in float32. */
  keepFp32Ops: string[];
}

interface Choice<K extends keyof QuantizeOptions> {
  label: string;
  detail: string;
  value: QuantizeOptions[K];
}

interface Question<K extends keyof QuantizeOptions> {
  option: K;
  /** The quick pick's title after 'Quantize Model: '. */
  title: string;
  /** In the order shown; the remembered or default value comes first. */
  choices: Array<Choice<K>>;
}

/** One question about any option, typed by the option it sets. */
export type ModeQuestion = { [K in keyof QuantizeOptions]: Question<K> }[keyof QuantizeOptions];

export interface ModeSpec {
  /** 'Weight-only': the mode as a sentence starts it. */
  title: string;
  /** One line for the quick pick and --help. */
  description: string;
  defaults: Omit<QuantizeOptions, 'mode' | 'exclude' | 'keepFp32Ops'>;
  /** Formats the mode writes, the default first; empty when it has no format to choose. */
  formats: readonly QuantizeFormat[];
  bits: ReadonlyArray<8 | 4>;
  /** Activation ranges are calibrated on the input sets. */
  calibrated: boolean;
  /** Generated input sets when the user gives none: calibration wants more than accuracy does. */
  generatedSets: number;
  /** Nodes can be left in float by name or op type. */
  excludes: boolean;
  /** `name.<tag>.onnx`. */
  outputTag(o: QuantizeOptions): string;
  /** The cosine budget: the least cosine a float output with spread passes by (accuracyRule.ts). */
  minCosine(o: QuantizeOptions): number;
  /** The options in words, for the report. */
  describe(o: QuantizeOptions): string;
  /** What the quick picks ask after the mode (and the calibration inputs of a calibrated mode). */
  questions: ModeQuestion[];
}

const common = { blockSize: 32, calibrator: 'minmax', percentile: 99.999, keepIoFp32: true } as const;
const symmetry = (o: QuantizeOptions) => (o.symmetric ? 'symmetric' : 'asymmetric');
const granularity = (o: QuantizeOptions) => (o.perChannel ? 'per channel' : 'per tensor');
const int8Budget = (o: QuantizeOptions) => (o.bits === 4 ? 0.95 : 0.99);
const perChannel = (first: boolean, channelDetail: string, tensorDetail: string): ModeQuestion => {
  const choices: Array<Choice<'perChannel'>> = [
    { label: 'per channel', detail: channelDetail, value: true },
    { label: 'per tensor', detail: tensorDetail, value: false },
  ];
  return { option: 'perChannel', title: 'weight scales', choices: first ? choices : choices.reverse() };
};

export const modeSpecs: Record<QuantizeMode, ModeSpec> = {
  dynamic: {
    title: 'Dynamic',
    description: 'Dynamic int8: int8 weights of MatMul/Gemm/Conv (per channel)/Gather, activations quantized at run time',
    // Per channel by default: MatMulInteger takes a zero point per column, and per-channel Conv goes
    // through QDQ (ConvInteger takes one weight zero point), which needs opset 13.
    defaults: { ...common, bits: 8, symmetric: true, perChannel: true, format: 'integer' },
    formats: ['integer', 'qdq'],
    bits: [8],
    calibrated: false,
    generatedSets: 4,
    excludes: true,
    outputTag: () => 'int8',
    minCosine: int8Budget,
    describe: (o) => `int8 ${symmetry(o)} weights ${granularity(o)}, uint8 activations quantized at run time`,
    questions: [
      {
        option: 'format', title: 'format', choices: [
          { label: 'integer', detail: 'DynamicQuantizeLinear + MatMulInteger/ConvInteger: integer kernels on any runtime', value: 'integer' },
          { label: 'qdq', detail: 'DynamicQuantizeLinear -> DequantizeLinear around the float op: onnxruntime fuses it', value: 'qdq' },
        ],
      },
      perChannel(true, 'one scale per output channel (recommended; Conv in QDQ form)', 'one scale per weight tensor (smallest file; ConvInteger)'),
    ],
  },
  static: {
    title: 'Static',
    description: 'Static int8 (QDQ): weights and activations, ranges calibrated on sample inputs',
    defaults: { ...common, bits: 8, symmetric: false, perChannel: true, format: 'qdq' },
    formats: ['qdq'],
    bits: [8],
    calibrated: true,
    generatedSets: 16,
    excludes: true,
    outputTag: () => 'qdq',
    minCosine: int8Budget,
    describe: (o) => `int8 symmetric weights ${granularity(o)}, ${o.symmetric ? 'int8 symmetric' : 'uint8 asymmetric'} activations, ${o.calibrator} calibration`,
    questions: [
      {
        option: 'calibrator', title: 'calibrator', choices: [
          { label: 'minmax', detail: 'the full observed range of each activation', value: 'minmax' },
          { label: 'percentile', detail: 'clips the outer 0.001% of values: tighter scales when there are outliers', value: 'percentile' },
        ],
      },
      perChannel(true, 'one scale per output channel (recommended)', 'one scale per weight tensor'),
    ],
  },
  'weight-only': {
    title: 'Weight-only',
    description: 'Weight-only int8/int4 for MatMul, block-wise (blocked DequantizeLinear or MatMulNBits)',
    defaults: { ...common, bits: 4, symmetric: true, perChannel: false, format: 'qdq' },
    formats: ['qdq', 'matmulnbits'],
    bits: [4, 8],
    calibrated: false,
    generatedSets: 4,
    excludes: true,
    outputTag: (o) => (o.bits === 4 ? 'int4' : 'int8'),
    minCosine: int8Budget,
    describe: (o) => `${o.bits}-bit, block ${o.blockSize}, ${symmetry(o)}`,
    questions: [
      {
        option: 'bits', title: 'bits', choices: [
          { label: '4-bit', detail: 'about 6-7x smaller MatMul weights', value: 4 },
          { label: '8-bit', detail: 'about 3.5x smaller, nearly lossless', value: 8 },
        ],
      },
      {
        option: 'blockSize', title: 'block size along K', choices: [
          { label: '32', detail: 'most accurate', value: 32 },
          { label: '64', detail: 'balanced', value: 64 },
          { label: '128', detail: 'smallest', value: 128 },
        ],
      },
      {
        option: 'symmetric', title: 'zero points', choices: [
          { label: 'symmetric', detail: 'scales only, zero point fixed', value: true },
          { label: 'asymmetric', detail: 'a zero point per block: better for skewed weights', value: false },
        ],
      },
      {
        option: 'format', title: 'format', choices: [
          { label: 'qdq', detail: 'standard blocked DequantizeLinear feeding MatMul (opset 21)', value: 'qdq' },
          { label: 'matmulnbits', detail: 'com.microsoft MatMulNBits: onnxruntime computes on the packed weights', value: 'matmulnbits' },
        ],
      },
    ],
  },
  fp16: {
    title: 'Float16',
    description: 'Float16: weights and compute in half precision',
    defaults: { ...common, bits: 8, symmetric: true, perChannel: false, format: 'qdq' },
    formats: [],
    bits: [8],
    calibrated: false,
    generatedSets: 4,
    excludes: false,
    outputTag: () => 'fp16',
    minCosine: () => 0.999,
    describe: () => 'float16',
    questions: [
      {
        option: 'keepIoFp32', title: 'inputs and outputs', choices: [
          { label: 'keep float32 inputs and outputs', detail: 'Cast nodes at the boundary: callers keep feeding float32', value: true },
          { label: 'float16 inputs and outputs', detail: 'callers feed and receive float16', value: false },
        ],
      },
    ],
  },
};

export const quantizeModes = Object.keys(modeSpecs) as QuantizeMode[];

/** Fills defaults from the mode's table entry and refuses combinations that cannot work, with one sentence. */
export function resolveOptions(partial: Partial<QuantizeOptions> & { mode: QuantizeMode }): QuantizeOptions {
  const spec = modeSpecs[partial.mode];
  if (!spec) throw new UserError(`Unknown quantization mode '${partial.mode}': use ${quantizeModes.join(', ')}.`);
  const options: QuantizeOptions = { mode: partial.mode, ...spec.defaults, exclude: [], keepFp32Ops: [] };
  for (const [key, value] of Object.entries(partial)) if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  if (options.bits !== 8 && options.bits !== 4) throw new UserError(`Bits must be 8 or 4, not ${options.bits}.`);
  if (!spec.bits.includes(options.bits)) {
    const modes = quantizeModes.filter((m) => modeSpecs[m].bits.includes(options.bits));
    throw new UserError(`${options.bits}-bit weights are available in ${modes.join(' and ')} mode; ${options.mode} mode uses ${spec.bits.join(' or ')} bits.`);
  }
  if (spec.formats.length === 0) {
    if (partial.format !== undefined) throw new UserError(`${spec.title} mode has no format to choose; leave the format out.`);
  } else if (!spec.formats.includes(options.format)) {
    throw new UserError(`${spec.title} mode writes ${spec.formats.map((f) => `'${f}'`).join(' or ')}, not '${options.format}'.`);
  }
  if (options.mode === 'weight-only' && (!Number.isInteger(options.blockSize) || options.blockSize < 16 || (options.blockSize & (options.blockSize - 1)) !== 0)) {
    throw new UserError(`Block size must be a power of two of at least 16 (32, 64, 128...), not ${options.blockSize}.`);
  }
  if (!(options.percentile > 50 && options.percentile <= 100)) throw new UserError(`Percentile must be above 50 and at most 100, not ${options.percentile}.`);
  return options;
}
