// Debian's python3-onnx is the independent oracle (onnx.checker, onnx.parser). It belongs to Debian's own
// python3, which may not be the first python3 on PATH, so find the one that can import onnx.
import { execFileSync } from 'node:child_process';

let found: string | undefined;

export function onnxPython(): string {
  if (found) return found;
  const candidates = new Set<string>();
  for (const name of ['python3']) {
    try {
      for (const p of execFileSync('which', ['-a', name], { encoding: 'utf8' }).split('\n')) if (p) candidates.add(p);
    } catch {
      // none on PATH
    }
  }
  for (const p of candidates) {
    try {
      execFileSync(p, ['-c', 'import onnx'], { stdio: 'ignore' });
      return (found = p);
    } catch {
      // try the next
    }
  }
  throw new Error('No python3 with the onnx module: install Debian\'s python3-onnx (scripts/setup.sh does).');
}

/** Runs a Python snippet with Debian's onnx; returns stdout. */
export function runPython(code: string, args: string[] = []): string {
  return execFileSync(onnxPython(), ['-c', code, ...args], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
}

/**
 * onnx.checker on a file. It loads the file first: check_model(path, full_check=True) would rewrite the
 * file in place. Returns '' when valid, else the checker's message.
 */
export function onnxCheck(path: string, fullCheck = true): string {
  const code = [
    'import sys, onnx',
    'm = onnx.load(sys.argv[1])',
    'try:',
    `    onnx.checker.check_model(m, full_check=${fullCheck ? 'True' : 'False'})`,
    'except Exception as e:',
    '    print(str(e).splitlines()[0] if str(e) else type(e).__name__)',
  ].join('\n');
  return runPython(code, [path]).trim();
}
