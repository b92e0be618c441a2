// Debian's libonnx-testdata: 1,072 models with inputs and expected outputs.
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

function findRoot(): string {
  if (process.env.ONNX_TESTDATA) return process.env.ONNX_TESTDATA;
  try {
    const files = execFileSync('dpkg', ['-L', 'libonnx-testdata'], { encoding: 'utf8' }).split('\n');
    const model = files.find((f) => f.endsWith('/model.onnx'));
    if (model) return model.split('/').slice(0, -3).join('/');
  } catch {
    // reported below
  }
  throw new Error('libonnx-testdata is not installed: run `apt-get install libonnx-testdata` (scripts/setup.sh does).');
}

let root: string | undefined;
export function testdataRoot(): string {
  return (root ??= findRoot());
}

export interface TestCase {
  name: string;
  dir: string;
  model: string;
}

/** Every case folder that holds a model.onnx; throws when the package is missing, so nothing is skipped silently. */
export function testCases(): TestCase[] {
  const base = testdataRoot();
  const cases: TestCase[] = [];
  for (const suite of readdirSync(base).sort()) {
    for (const name of readdirSync(join(base, suite)).sort()) {
      const dir = join(base, suite, name);
      const model = join(dir, 'model.onnx');
      if (existsSync(model)) cases.push({ name: `${suite}/${name}`, dir, model });
    }
  }
  return cases;
}
