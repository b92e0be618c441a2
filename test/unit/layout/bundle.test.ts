// The layout runs in the webview's Web Worker: bundled for the browser, it must work in a bare
// JavaScript realm with no Node or DOM globals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runInNewContext } from 'node:vm';
import { buildSync } from 'esbuild';
import { layoutGraph, type LayoutResult } from '../../../src/core/layout/index.js';
import { transformer } from './graphs.js';

test('bundled for the browser, the layout runs in a bare realm and gives the same result as in Node', () => {
  const bundle = buildSync({
    entryPoints: ['src/core/layout/index.ts'],
    bundle: true,
    format: 'iife',
    globalName: 'layout',
    platform: 'browser',
    write: false,
  });
  const code = bundle.outputFiles[0].text;
  assert.doesNotMatch(code, /\brequire\(|\bprocess\.|\bdocument\.|\bwindow\./, 'no Node or DOM use');
  const graph = transformer(2);
  const sandbox = { input: JSON.stringify(graph), output: '' };
  runInNewContext(`${code}\nconst g = JSON.parse(input); output = JSON.stringify(layout.layoutGraph(g.nodes, g.edges, { direction: 'LR' }));`, sandbox);
  assert.ok(sandbox.output, 'a result');
  const inRealm = JSON.parse(sandbox.output) as LayoutResult;
  assert.deepEqual(inRealm, JSON.parse(JSON.stringify(layoutGraph(graph.nodes, graph.edges, { direction: 'LR' }))));
  assert.equal(Object.keys(inRealm.nodes).length, graph.nodes.length);
});
