// The input specification on the command line: option definitions and help text, written once for every
// command that runs a model. The texts are read by the core parser (core/runtime/inputSpec.ts).
import type { ParseArgsConfig } from 'node:util';
import { parseInputOptions, type InputSpec } from '../core/runtime/inputSpec.js';

export const inputOptions = {
  inputs: { type: 'string', multiple: true },
  shape: { type: 'string', multiple: true },
  dims: { type: 'string', multiple: true },
  value: { type: 'string', multiple: true },
  seed: { type: 'string' },
  distribution: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const inputUsage = '[--inputs FILE|DIR...] [--shape NAME=1x3x224x224] [--dims SYMBOL=N,...] [--value NAME=V] [--seed S] [--distribution normal|uniform|zeros|ones]';

export const inputHelp = [
  'Inputs:',
  '  --inputs FILE|DIR...      .npy, .npz, .pb (TensorProto) or .json files, a folder of them, or an ONNX test-data',
  '                            folder (test_data_set_N/input_K.pb, compared with its output_K.pb)',
  '  --shape NAME=1x3x224x224  the whole shape of input NAME, fixed axes included ([1,3,224,224] also works)',
  '  --dims SYMBOL=N,...       the size of a symbolic dim wherever it appears (batch=2,seq=128);',
  '                            INPUT[AXIS]=N sizes one axis of one input, also an unnamed one (input[1]=512)',
  '  --value NAME=V            an inline value of the input\'s declared type: 16000, [0.5,1,2], [[1,2],[3,4]]',
  '  --seed S                  seed of generated values (default 0)',
  '  --distribution D          generated values: normal (default), uniform [0,1), zeros, ones',
  'Inputs that are not given are generated. A free dim takes the size the model implies: a size the graph',
  'ties it to (MatMul, broadcast, Concat, Conv channels, an exporter\'s declared shapes), else the smallest',
  'legal one (a Conv/Pool window, a reflect Pad + 1), else 1. An integer scalar takes the value the model',
  'compares it with (sr == 16000), else 1. Each such size and value is reported as assumed, with the option',
  'that sets it.',
].join('\n');

/** The parsed option values of `inputOptions`. */
export interface InputOptionValues {
  inputs?: string[];
  shape?: string[];
  dims?: string[];
  value?: string[];
  seed?: string;
  distribution?: string;
}

export function inputSpecFromOptions(values: InputOptionValues): InputSpec {
  return parseInputOptions(values);
}
