// From a path in an exporter's stack trace (absolute on the machine that exported) to a file here:
// explicit prefix maps first, then the workspace file sharing the longest path suffix with it, then the
// path itself when it exists on this machine (an installed package's file, for example).
import { isGenerated, isSitePackages } from './stackTrace.js';

export interface PrefixMap {
  from: string;
  to: string;
}

export type MappedPath =
  | { found: true; path: string; via: 'prefix' | 'suffix' | 'local'; sitePackages: boolean }
  | { found: false; reason: string; sitePackages: boolean };

export interface PathMapOptions {
  prefixMaps?: readonly PrefixMap[];
  /** Workspace files that could be the one (absolute; those with the frame's file name suffice). */
  candidates: readonly string[];
  /** Whether a path exists on this machine; without it, only candidates count. */
  exists?: (path: string) => boolean;
}

function segments(path: string): string[] {
  return path.replace(/\\/g, '/').split('/').filter((s) => s && s !== '.');
}

const slashes = (path: string) => path.replace(/\\/g, '/');

/** How many trailing path segments two paths share. */
export function commonSuffix(a: string, b: string): number {
  const x = segments(a);
  const y = segments(b);
  let n = 0;
  while (n < x.length && n < y.length && x[x.length - 1 - n] === y[y.length - 1 - n]) n++;
  return n;
}

/** The path with the longest matching prefix map applied, or undefined when none applies. */
export function applyPrefixMaps(path: string, maps: readonly PrefixMap[]): string | undefined {
  const p = slashes(path);
  let best: PrefixMap | undefined;
  for (const map of maps) {
    const from = slashes(map.from).replace(/\/+$/, '');
    if (!from) continue;
    // Whole segments only: `/src/a` must not map `/src/ab/x.py`.
    if ((p === from || p.startsWith(`${from}/`)) && (!best || from.length > slashes(best.from).replace(/\/+$/, '').length)) best = map;
  }
  if (!best) return undefined;
  const from = slashes(best.from).replace(/\/+$/, '');
  return slashes(best.to).replace(/\/+$/, '') + p.slice(from.length);
}

export function mapSourcePath(file: string, options: PathMapOptions): MappedPath {
  const sitePackages = isSitePackages(file);
  if (isGenerated(file)) return { found: false, reason: `${file} is code Python generated; there is no file`, sitePackages };
  const candidates = options.candidates.map(slashes);
  const isCandidate = (p: string) => candidates.includes(p) || options.exists?.(p) === true;
  const mapped = applyPrefixMaps(file, options.prefixMaps ?? []);
  if (mapped !== undefined && isCandidate(mapped)) return { found: true, path: mapped, via: 'prefix', sitePackages };
  if (sitePackages && options.exists?.(file)) return { found: true, path: file, via: 'local', sitePackages };
  // An installed package's frame must match below site-packages in full: `torch/nn/modules/linear.py`
  // is not the user's `linear.py`.
  const minScore = sitePackages ? packageRelativeLength(file) : 1;
  let best: string | undefined;
  let bestScore = minScore - 1;
  for (const candidate of candidates) {
    const score = commonSuffix(file, candidate);
    // Ties go to the shorter path: the file nearer the workspace root.
    if (score > bestScore || (score === bestScore && best !== undefined && candidate.length < best.length)) {
      best = candidate;
      bestScore = score;
    }
  }
  if (best !== undefined && bestScore >= Math.max(1, minScore)) return { found: true, path: best, via: 'suffix', sitePackages };
  if (options.exists?.(file)) return { found: true, path: file, via: 'local', sitePackages };
  const hint = mapped !== undefined ? ` (mapped to ${mapped}, which does not exist)` : '';
  return { found: false, reason: `${file} is not in the workspace${hint}`, sitePackages };
}

/** The file name a candidate must have: the last segment of the frame's path. */
export function fileNameOf(path: string): string {
  return segments(path).at(-1) ?? '';
}

/** Segments after `site-packages/` (`torch/nn/modules/linear.py` → 4). */
function packageRelativeLength(path: string): number {
  const parts = segments(path);
  const at = parts.findIndex((p) => p === 'site-packages' || p === 'dist-packages');
  return at < 0 ? 1 : parts.length - at - 1;
}
