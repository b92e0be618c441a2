// Runs every test/unit/**/*.test.ts with Node's test runner (TypeScript through tsx).
// Extra arguments narrow the run: `npm run test:unit -- decode` runs files whose path contains "decode".
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';

function find(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? find(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : []);
}

const filters = process.argv.slice(2);
const files = find('test/unit').map((f) => relative('.', f)).filter((f) => filters.every((x) => f.includes(x))).sort();
if (files.length === 0) {
  console.error('No test files matched.');
  process.exit(2);
}
const result = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', ...files], {
  stdio: 'inherit',
  env: { ...process.env, ORT_DISABLE_TELEMETRY: '1' },
});
process.exit(result.status ?? 1);
