// The input specification on the command line: option definitions and help text, written once for every
// command that runs a model. The texts are read by the core parser (core/runtime/inputSpec.ts).
import type { ParseArgsConfig } from 'node:util';
import { parseInputOptions, type InputOptionTexts, type InputSpec } from '../core/runtime/inputSpec.js';

export const inputOptions = {
  inputs: { type: 'string', multiple: true },
  shape: { type: 'string', multiple: true },
  dims: { type: 'string', multiple: true },
  value: { type: 'string', multiple: true },
  seed: { type: 'string' },
  distribution: { type: 'string' },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export const inputUsage = '[--inputs FILE|DIR...] [--shape NAME=1x3x224x224] [--dims SYMBOL=N,...] [--value NAME=V] [--seed S] [--distribution normal|uniform|zeros|ones]';

/** Each option's label and help (continuation lines apart), written once for every command. */
const optionHelp = (filesOption: string): Array<[string, string[]]> => [
  [`--${filesOption} FILE|DIR...`, ['.npy, .npz, .pb (TensorProto) or .json files, a folder of them, or an ONNX test-data', 'folder (test_data_set_N/input_K.pb, compared with its output_K.pb)']],
  ['--shape NAME=1x3x224x224', ['the whole shape of input NAME, fixed axes included ([1,3,224,224] also works)']],
  ['--dims SYMBOL=N,...', ['the size of a symbolic dim wherever it appears (batch=2,seq=128);', 'INPUT[AXIS]=N sizes one axis of one input, also an unnamed one (input[1]=512)']],
  ['--value NAME=V', ['an inline value of the input\'s declared type: 16000, [0.5,1,2], [[1,2],[3,4]]']],
  ['--seed S', ['seed of generated values (default 0)']],
  ['--distribution D', ['generated values: normal (default), uniform [0,1), zeros, ones']],
];

const defaults = [
  'Inputs that are not given are generated. A free dim takes the size the model implies: a size the graph',
  'ties it to (MatMul, broadcast, Concat, Conv channels, an exporter\'s declared shapes), else the smallest',
  'legal one (a Conv/Pool window, a reflect Pad + 1), else 1. An integer scalar takes the value the model',
  'compares it with (sr == 16000), else 1. Each such size and value is reported as assumed, with the option',
  'that sets it.',
];

/**
 * The Inputs help block, its help texts starting at `column` (a label too long for it gets a line of its
 * own). The transforms name the files option --data (prune's --inputs names where its cut starts) and lay
 * out their help at their own column; the texts are the same for every command.
 */
export function inputHelpFor(filesOption: 'inputs' | 'data', column = 28, heading = 'Inputs:'): string {
  const lines = [heading];
  for (const [label, help] of optionHelp(filesOption)) {
    const head = `  ${label}`;
    const [first, ...rest] = help;
    if (head.length < column - 1) lines.push(`${head.padEnd(column)}${first}`);
    else lines.push(head, `${' '.repeat(column)}${first}`);
    for (const more of rest) lines.push(`${' '.repeat(column)}${more}`);
  }
  return [...lines, ...defaults].join('\n');
}

export const inputHelp = inputHelpFor('inputs');

export function inputSpecFromOptions(values: InputOptionTexts): InputSpec {
  return parseInputOptions(values);
}
