// Where the onnxruntime child process's code is, for each way ONNX Lens runs:
// - bundled (extension host, `onnx-lens` CLI): dist/runtime-worker.cjs beside the bundle (__dirname);
// - from TypeScript sources (tests, `tsx src/cli.ts`, benchmarks): src/core/runtime/worker.ts through tsx,
//   found from the package root above the entry script or the working directory, so it is never stale;
// - ONNX_LENS_RUNTIME_WORKER overrides both (a .cjs/.js file, or a .ts file run through tsx).
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { UserError } from '../errors.js';

export interface WorkerEntry {
  modulePath: string;
  execArgv: string[];
  cwd?: string;
}

const packageName = 'onnx-lens';

function packageRootAbove(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string }).name === packageName) return dir;
      } catch {
        // not ours; keep looking
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function entryFor(modulePath: string, root?: string): WorkerEntry {
  if (modulePath.endsWith('.ts')) return { modulePath, execArgv: ['--import', 'tsx'], cwd: root ?? packageRootAbove(dirname(modulePath)) };
  return { modulePath, execArgv: [] };
}

export function locateWorker(explicit?: string): WorkerEntry {
  return locateChildEntry({
    explicit: explicit ?? process.env.ONNX_LENS_RUNTIME_WORKER, bundled: 'runtime-worker.cjs', source: ['src', 'core', 'runtime', 'worker.ts'],
    missing: 'The onnxruntime worker (runtime-worker.cjs) is missing: rebuild ONNX Lens with `npm run build`.',
  });
}

/** Any child entry bundled beside the bundle as `bundled`, or run from `source` (path parts under the package root) through tsx. */
export function locateChildEntry(where: { explicit?: string; bundled: string; source: string[]; missing: string }): WorkerEntry {
  if (where.explicit) return entryFor(resolve(where.explicit));
  if (typeof __dirname === 'string') {
    const bundled = join(__dirname, where.bundled);
    if (existsSync(bundled)) return entryFor(bundled);
  }
  const starts = [process.argv[1] ? dirname(process.argv[1]) : undefined, process.cwd()].filter((s): s is string => !!s);
  for (const start of starts) {
    const root = packageRootAbove(start);
    if (!root) continue;
    const source = join(root, ...where.source);
    if (existsSync(source) && existsSync(join(root, 'node_modules', 'tsx'))) return entryFor(source, root);
    const bundled = join(root, 'dist', where.bundled);
    if (existsSync(bundled)) return entryFor(bundled);
  }
  throw new UserError(where.missing);
}
