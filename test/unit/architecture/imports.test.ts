// The layers of the sources and their import graph: no cycles; src/core below the host; the CLI
// without VS Code; the webview with no VS Code or Node, taking from src/ only the protocol and core
// modules that compile without DOM and Node. (eslint's no-restricted-imports checks the same rules on
// the import strings as one types; this checks the files they resolve to, and what they reach.)
import assert from 'node:assert/strict';
import { builtinModules } from 'node:module';
import { join } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { findCycles, importsOf, moduleGraph, repoRoot, sourceFiles, valueClosure, type ImportEdge } from './importGraph.js';

const files = sourceFiles('src', 'webview');
const importsByFile = new Map(files.map((f) => [f, importsOf(f)]));
const edgesOf = (file: string) => importsByFile.get(file) ?? [];
const allEdges = [...importsByFile.values()].flat();

const isNodeBuiltin = (specifier: string) => specifier.startsWith('node:') || builtinModules.includes(specifier) || builtinModules.includes(specifier.split('/')[0]);
const describe = (e: ImportEdge) => `${e.from}:${e.line} imports '${e.specifier}'${e.target && e.target !== e.specifier ? ` (${e.target})` : ''}`;
const hostFolders = ['src/editor/', 'src/commands/', 'src/services/', 'src/language/', 'src/cli/'];
const hostFiles = ['src/extension.ts', 'src/cli.ts'];

test('the sources are found and their imports read', () => {
  assert.ok(files.includes('src/extension.ts') && files.includes('webview/main.ts') && files.includes('src/core/model/decode.ts'), files.join('\n'));
  const extension = edgesOf('src/extension.ts');
  assert.ok(extension.some((e) => e.specifier === 'vscode' && !e.target));
  assert.ok(extension.some((e) => e.target === 'src/editor/editorRegistry.ts' && !e.typeOnly));
  assert.ok(extension.some((e) => e.target === 'src/services/hostServices.ts' && e.typeOnly));
});

test('no import cycles among the modules of src/ and webview/ (type-only imports included)', () => {
  const cycles = findCycles(moduleGraph(allEdges)).map((c) => c.join(' -> '));
  assert.deepEqual(cycles, [], `import cycles:\n${cycles.join('\n')}`);
});

test('the cycle check names the cycles of a graph that has them', () => {
  const graph = new Map([
    ['a.ts', ['b.ts', 'd.ts']],
    ['b.ts', ['c.ts']],
    ['c.ts', ['a.ts', 'd.ts']],
    ['d.ts', []],
    ['e.ts', ['e.ts']],
    ['f.ts', ['g.ts']],
    ['g.ts', ['f.ts']],
  ]);
  assert.deepEqual(findCycles(graph).map((c) => c.join(' -> ')).sort(), ['a.ts -> b.ts -> c.ts -> a.ts', 'e.ts -> e.ts', 'f.ts -> g.ts -> f.ts']);
  assert.deepEqual(findCycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]])), []);
});

test('every kind of import is read, and type-only ones are told apart', () => {
  const text = [
    "import * as vscode from 'vscode';",
    "import type { A } from './a.js';",
    "import { type B, type C } from './b.js';",
    "import { type D, e } from './d.js';",
    "import './side.js';",
    "export { f } from './f.js';",
    "export type { G } from './g.js';",
    "const h = await import('./h.js');",
    "type I = import('./i.js').I;",
  ].join('\n');
  const edges = importsOf('src/editor/probe.ts', text).map((e) => [e.specifier, e.target, e.typeOnly, e.line]);
  assert.deepEqual(edges, [
    ['vscode', undefined, false, 1],
    ['./a.js', 'src/editor/a.js', true, 2],
    ['./b.js', 'src/editor/b.js', true, 3],
    ['./d.js', 'src/editor/d.js', false, 4],
    ['./side.js', 'src/editor/side.js', false, 5],
    ['./f.js', 'src/editor/f.js', false, 6],
    ['./g.js', 'src/editor/g.js', true, 7],
    ['./h.js', 'src/editor/h.js', false, 8],
    ['./i.js', 'src/editor/i.js', true, 9],
  ]);
  // A specifier naming an existing module resolves to its .ts file.
  assert.equal(importsOf('src/editor/probe.ts', "import { x } from '../core/errors.js';")[0].target, 'src/core/errors.ts');
});

test('src/core imports no vscode, and nothing outside src/core (host, CLI, protocol, webview)', () => {
  const core = allEdges.filter((e) => e.from.startsWith('src/core/'));
  assert.ok(core.length > 100, 'the core has imports to check');
  const bad = core.filter((e) => e.specifier === 'vscode' || (e.target !== undefined && !e.target.startsWith('src/core/')));
  assert.deepEqual(bad.map(describe), []);
});

test('the CLI reaches no vscode and no module of the extension host', () => {
  const roots = files.filter((f) => f === 'src/cli.ts' || f.startsWith('src/cli/'));
  const reached = new Set(roots);
  const queue = [...roots];
  while (queue.length) {
    for (const e of edgesOf(queue.shift()!)) {
      if (e.target && !reached.has(e.target) && importsByFile.has(e.target)) {
        reached.add(e.target);
        queue.push(e.target);
      }
    }
  }
  assert.ok(reached.has('src/core/model/decode.ts'), 'the CLI reaches the core');
  const bad = [...reached].flatMap((f) => edgesOf(f)).filter((e) => e.specifier === 'vscode' || (e.target !== undefined &&
    (hostFiles.includes(e.target) && e.target !== 'src/cli.ts' || hostFolders.some((h) => h !== 'src/cli/' && e.target!.startsWith(h)))));
  assert.deepEqual(bad.map(describe), []);
});

test('the webview imports no vscode and no Node built-in, and from src/ only src/protocol.ts and src/core', () => {
  const webview = allEdges.filter((e) => e.from.startsWith('webview/'));
  assert.ok(webview.some((e) => e.target === 'src/protocol.ts'), 'the webview imports the protocol');
  const bad = webview.filter((e) => e.specifier === 'vscode' || isNodeBuiltin(e.specifier) || (e.target !== undefined &&
    !e.target.startsWith('webview/') && e.target !== 'src/protocol.ts' && !e.target.startsWith('src/core/')));
  assert.deepEqual(bad.map(describe), []);
});

test('the src/ modules in the webview bundles compile without DOM and Node (ECMAScript 2022 only)', () => {
  const bundled = [...valueClosure(files.filter((f) => f.startsWith('webview/')), edgesOf)].filter((f) => f.startsWith('src/')).sort();
  assert.ok(bundled.includes('src/protocol.ts') && bundled.includes('src/core/layout/index.ts'), bundled.join('\n'));
  const program = ts.createProgram(bundled.map((f) => join(repoRoot, f)), {
    lib: ['lib.es2022.d.ts'],
    types: [],
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
  });
  // Modules they import only for types are erased from the bundle, and may use Node.
  const inBundle = new Set(bundled.map((f) => join(repoRoot, f)));
  const problems = ts.getPreEmitDiagnostics(program)
    .filter((d) => d.file && inBundle.has(join(d.file.fileName)))
    .map((d) => `${d.file!.fileName.slice(repoRoot.length)}:${d.file!.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ${ts.flattenDiagnosticMessageText(d.messageText, ' ')}`);
  assert.deepEqual(problems, [], `modules bundled into the webview use DOM or Node:\n${problems.join('\n')}`);
});
