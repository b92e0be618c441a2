// What a quantization run is asked to do: the mode and the options that matter for it, with defaults.
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
  /** Per output channel instead of one scale per weight tensor (dynamic and static). */
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

export const modes: readonly QuantizeMode[] = ['dynamic', 'static', 'weight-only', 'fp16'];

export const modeDescriptions: Record<QuantizeMode, string> = {
  dynamic: 'Dynamic int8: int8 weights of MatMul/Gemm/Conv/Gather, activations quantized at run time',
  static: 'Static int8 (QDQ): weights and activations, ranges calibrated on sample inputs',
  'weight-only': 'Weight-only int8/int4 for MatMul, block-wise (blocked DequantizeLinear or MatMulNBits)',
  fp16: 'Float16: weights and compute in half precision',
};

export function defaultOptions(mode: QuantizeMode): QuantizeOptions {
  return {
    mode,
    bits: mode === 'weight-only' ? 4 : 8,
    blockSize: 32,
    symmetric: mode !== 'static',
    perChannel: mode === 'static',
    format: mode === 'dynamic' ? 'integer' : 'qdq',
    calibrator: 'minmax',
    percentile: 99.999,
    exclude: [],
    keepIoFp32: true,
    keepFp32Ops: [],
  };
}

/** Fills defaults and refuses combinations that cannot work, with one sentence. */
export function resolveOptions(partial: Partial<QuantizeOptions> & { mode: QuantizeMode }): QuantizeOptions {
  const base = defaultOptions(partial.mode);
  const options: QuantizeOptions = { ...base };
  for (const [key, value] of Object.entries(partial)) if (value !== undefined) (options as unknown as Record<string, unknown>)[key] = value;
  if (!modes.includes(options.mode)) throw new UserError(`Unknown quantization mode '${options.mode}': use dynamic, static, weight-only or fp16.`);
  if (options.bits !== 8 && options.bits !== 4) throw new UserError(`Bits must be 8 or 4, not ${options.bits}.`);
  if (options.bits === 4 && options.mode !== 'weight-only') throw new UserError('4-bit weights are available in weight-only mode; dynamic and static mode use 8 bits.');
  if (options.mode === 'weight-only') {
    if (options.format === 'integer') throw new UserError("Weight-only mode writes 'qdq' (blocked DequantizeLinear) or 'matmulnbits', not 'integer'.");
    if (!Number.isInteger(options.blockSize) || options.blockSize < 16 || (options.blockSize & (options.blockSize - 1)) !== 0) {
      throw new UserError(`Block size must be a power of two of at least 16 (32, 64, 128...), not ${options.blockSize}.`);
    }
  } else if (options.format === 'matmulnbits') {
    throw new UserError("The 'matmulnbits' format is for weight-only mode.");
  }
  if (options.mode === 'static' && options.format === 'integer') throw new UserError("Static mode writes the QDQ format; 'integer' is for dynamic mode.");
  if (!(options.percentile > 50 && options.percentile <= 100)) throw new UserError(`Percentile must be above 50 and at most 100, not ${options.percentile}.`);
  return options;
}

/** `name.int8.onnx`, `name.int4.onnx`, `name.qdq.onnx`, `name.fp16.onnx`. */
export function outputSuffix(options: QuantizeOptions): string {
  if (options.mode === 'fp16') return 'fp16';
  if (options.mode === 'static') return 'qdq';
  return options.bits === 4 ? 'int4' : 'int8';
}
