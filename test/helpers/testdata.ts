// Debian's libonnx-testdata: 1,072 models with inputs and expected outputs.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export const testdataRoot = process.env.ONNX_TESTDATA ?? '/usr/share/libonnx-testdata/data';

export interface TestCase {
  name: string;
  dir: string;
  model: string;
}

/** Every case folder that holds a model.onnx; throws when the package is missing, so nothing is skipped silently. */
export function testCases(): TestCase[] {
  if (!existsSync(testdataRoot)) {
    throw new Error(`libonnx-testdata not found at ${testdataRoot}: install the Debian package (apt-get install libonnx-testdata).`);
  }
  const cases: TestCase[] = [];
  for (const suite of readdirSync(testdataRoot).sort()) {
    for (const name of readdirSync(join(testdataRoot, suite)).sort()) {
      const dir = join(testdataRoot, suite, name);
      const model = join(dir, 'model.onnx');
      if (existsSync(model)) cases.push({ name: `${suite}/${name}`, dir, model });
    }
  }
  return cases;
}
