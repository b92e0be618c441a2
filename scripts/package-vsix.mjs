// `npm run package`: a production build, then one .vsix per platform that onnxruntime-node ships
// binaries for, each carrying only its own platform's binaries (vsce --target + a per-target ignore file).
//   node scripts/package-vsix.mjs                       every platform, into out/
//   node scripts/package-vsix.mjs --target linux-x64    one platform
//   options: --out-dir DIR, --no-build (package what dist/ holds),
//            --reuse (keep an existing .vsix when the files that go into it are unchanged)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const binaryLine = '!node_modules/onnxruntime-node/bin/napi-v6/linux/x64/**';

/** vsce targets for which onnxruntime-node has a native binary folder (bin/napi-v6/<platform>/<arch>). */
export function availableTargets() {
  const bin = join(root, 'node_modules', 'onnxruntime-node', 'bin', 'napi-v6');
  return readdirSync(bin).flatMap((platform) => readdirSync(join(bin, platform)).map((arch) => `${platform}-${arch}`)).sort();
}

function ignoreFileFor(target, dir) {
  const base = readFileSync(join(root, '.vscodeignore'), 'utf8');
  if (!base.split('\n').includes(binaryLine)) {
    throw new Error(`.vscodeignore must hold the line "${binaryLine}" (rewritten per target).`);
  }
  const [platform, arch] = target.split('-');
  const file = join(dir, `.vscodeignore-${target}-${process.pid}`);
  writeFileSync(file, base.replace(binaryLine, `!node_modules/onnxruntime-node/bin/napi-v6/${platform}/${arch}/**`));
  return file;
}

/** A hash of everything a .vsix is made of (zipping the 45 MB runtime costs seconds of CPU). */
function inputsHash(target) {
  const hash = createHash('sha256').update(target);
  const add = (path) => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path).sort()) add(join(path, entry));
    } else if (!path.endsWith('.map')) {
      hash.update(relative(root, path)).update(readFileSync(path));
    }
  };
  for (const p of ['package.json', 'README.md', 'LICENSE', '.vscodeignore', 'dist', 'media', 'syntaxes']) add(join(root, p));
  add(join(root, 'node_modules', 'onnxruntime-node', 'package.json'));
  add(join(root, 'node_modules', '@vscode', 'vsce', 'package.json'));
  return hash.digest('hex');
}

/** Entry names of a zip file, from its central directory. */
export function zipEntries(file) {
  const buf = readFileSync(file);
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 65_557); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${file} is not a zip file.`);
  const count = buf.readUInt16LE(eocd + 10);
  let at = buf.readUInt32LE(eocd + 16);
  const names = [];
  for (let n = 0; n < count; n++) {
    if (buf.readUInt32LE(at) !== 0x02014b50) throw new Error(`${file}: bad central directory.`);
    const nameLength = buf.readUInt16LE(at + 28);
    const extraLength = buf.readUInt16LE(at + 30);
    const commentLength = buf.readUInt16LE(at + 32);
    names.push(buf.toString('utf8', at + 46, at + 46 + nameLength));
    at += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

/** A .vsix must hold its own platform's onnxruntime binaries and no other platform's. */
function checkBinaries(file, target) {
  const [platform, arch] = target.split('-');
  const prefix = 'extension/node_modules/onnxruntime-node/bin/napi-v6/';
  const binaries = zipEntries(file).filter((e) => e.startsWith(prefix));
  const foreign = binaries.filter((e) => !e.startsWith(`${prefix}${platform}/${arch}/`));
  if (foreign.length) throw new Error(`${file} holds other platforms' binaries: ${foreign.join(', ')}`);
  if (!binaries.some((e) => /onnxruntime_binding\.node$/.test(e))) throw new Error(`${file} lacks onnxruntime_binding.node for ${target}.`);
}

function vsce(args) {
  const bin = join(root, 'node_modules', '@vscode', 'vsce', 'vsce');
  return execFileSync(process.execPath, [bin, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Builds (unless build is false) and packages; returns the .vsix paths with their sizes in bytes. */
export function packageVsix({ targets = availableTargets(), outDir = join(root, 'out'), build = true, quiet = false, reuse = false } = {}) {
  const say = (m) => quiet || process.stderr.write(`[package] ${m}\n`);
  const known = availableTargets();
  for (const t of targets) {
    if (!known.includes(t)) throw new Error(`No onnxruntime-node binaries for target ${t}; available: ${known.join(', ')}.`);
  }
  if (build) {
    say('production build');
    try {
      execFileSync(process.execPath, ['esbuild.mjs', '--production'], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
    } catch (error) {
      const e = /** @type {{stdout?: string, stderr?: string, message: string}} */ (error);
      throw new Error(`the build failed: ${`${e.stdout ?? ''}${e.stderr ?? ''}`.trim() || e.message}`);
    }
  }
  mkdirSync(outDir, { recursive: true });
  const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const results = [];
  for (const target of targets) {
    const out = join(outDir, `${name}-${version}-${target}.vsix`);
    const hashFile = `${out}.inputs`;
    const hash = inputsHash(target);
    if (reuse && existsSync(out) && existsSync(hashFile) && readFileSync(hashFile, 'utf8') === hash) {
      say(`${relative(root, out)} is up to date`);
      results.push({ target, path: out, bytes: statSync(out).size });
      continue;
    }
    // Written under a name of this process and renamed into place: several runs may package at once.
    const partial = join(outDir, `${name}-${version}-${target}.${process.pid}.partial.vsix`);
    const ignoreFile = ignoreFileFor(target, outDir);
    try {
      vsce(['package', '--target', target, '--ignoreFile', ignoreFile, '--out', partial]);
      checkBinaries(partial, target);
      renameSync(partial, out);
    } catch (error) {
      const e = /** @type {{stdout?: string, stderr?: string, message: string}} */ (error);
      throw new Error(`packaging for ${target} failed: ${(e.stderr || e.stdout || e.message).trim()}`);
    } finally {
      rmSync(ignoreFile, { force: true });
      rmSync(partial, { force: true });
    }
    writeFileSync(`${hashFile}.${process.pid}`, hash);
    renameSync(`${hashFile}.${process.pid}`, hashFile);
    const bytes = statSync(out).size;
    say(`${relative(root, out)}  ${(bytes / 1024 / 1024).toFixed(1)} MB`);
    results.push({ target, path: out, bytes });
  }
  return results;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (flag) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const targets = args.flatMap((a, i) => (args[i - 1] === '--target' ? [a] : []));
  try {
    packageVsix({
      targets: targets.length ? targets : undefined,
      outDir: value('--out-dir') ? resolve(value('--out-dir')) : undefined,
      build: !args.includes('--no-build'),
      reuse: args.includes('--reuse'),
    });
  } catch (error) {
    process.stderr.write(`package: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
