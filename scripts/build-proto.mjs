// Compiles src/core/onnx.proto to a static protobufjs module: no reflection, so no eval at run time
// (the webview's CSP forbids it), and faster decoding.
import { execFileSync } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const proto = join(root, 'src/core/onnx.proto');
const js = join(root, 'src/core/model/onnx-pb.js');
const dts = join(root, 'src/core/model/onnx-pb.d.ts');
const bin = (name) => join(root, 'node_modules/protobufjs-cli/bin', name);

const fresh = (() => {
  try { return statSync(js).mtimeMs > statSync(proto).mtimeMs && statSync(dts).mtimeMs > statSync(proto).mtimeMs; }
  catch { return false; }
})();
if (!fresh || process.argv.includes('--force')) {
  execFileSync(process.execPath, [bin('pbjs'), '-t', 'static-module', '-w', 'es6', '--force-long',
    '--no-verify', '--no-convert', '--no-delimited', '--no-typeurl', '-o', js, proto], { stdio: 'inherit' });
  // pbjs's es6 output imports "protobufjs/minimal.js"; keep the import explicit for Node ESM.
  writeFileSync(js, readFileSync(js, 'utf8').replace(/from "protobufjs\/minimal"/, 'from "protobufjs/minimal.js"'));
  execFileSync(process.execPath, [bin('pbts'), '-o', dts, js], { stdio: 'inherit' });
  // Decoding always yields Long (--force-long keeps int64 exact), but plain numbers encode just as well:
  // let the I* property interfaces accept them so hand-built messages need no Long wrapping.
  writeFileSync(dts, readFileSync(dts, 'utf8')
    .replace(/^(\s+\w+\?: \()Long(\|null\);)$/gm, '$1number|Long$2')
    .replace(/^(\s+\w+\?: \()Long\[\](\|null\);)$/gm, '$1(number|Long)[]$2'));
}
