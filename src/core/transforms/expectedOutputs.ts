// The recorded cases beside a model (the ONNX test layout: test_data_set_N folders with input_K.pb and
// output_K.pb): what a transform is verified against when its original does not run in onnxruntime.
import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { oneLine } from '../errors.js';
import type { ModelProto } from '../model/proto.js';
import type { TensorArray } from '../model/tensorValues.js';
import { readTestDataSet, testDataSetDirs } from '../runtime/testData.js';

export interface ExpectedSet {
  name: string;
  inputs: Record<string, TensorArray>;
  expected: Record<string, TensorArray>;
}

/** The sets with expected outputs beside `modelPath`; when there are none, why. */
export function expectedOutputSets(modelPath: string, model: ModelProto): { sets: ExpectedSet[]; problem: string } {
  const dir = dirname(modelPath);
  const dirs = existsSync(dir) ? testDataSetDirs(dir) : [];
  if (dirs.length === 0) return { sets: [], problem: 'no test_data_set_N folder with expected outputs is beside it' };
  const sets: ExpectedSet[] = [];
  for (const d of dirs) {
    try {
      const set = readTestDataSet(d, model);
      if (set.expected) sets.push({ name: set.name, inputs: set.inputs, expected: set.expected });
    } catch (error) {
      return { sets: [], problem: `the test data beside it cannot be read (${oneLine(error)})` };
    }
  }
  return { sets, problem: sets.length ? '' : 'the test_data_set_N folders beside it hold no expected outputs (output_K.pb)' };
}
