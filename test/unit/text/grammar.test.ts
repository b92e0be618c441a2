import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { test } from 'node:test';
import type * as Oniguruma from 'vscode-oniguruma';
import type * as Textmate from 'vscode-textmate';
import { decodeModel } from '../../../src/core/model/decode.js';
import { printModel } from '../../../src/core/text/printer.js';
import { testCases } from '../../helpers/testdata.js';

const require = createRequire(import.meta.url);
// Both packages are CommonJS bundles; require gives their real exports under tsx.
const oniguruma = require('vscode-oniguruma') as typeof Oniguruma;
const textmate = require('vscode-textmate') as typeof Textmate;

let loaded: Promise<Textmate.IGrammar> | undefined;
const loadGrammar = () => (loaded ??= load());

async function load(): Promise<Textmate.IGrammar> {
  const wasm = readFileSync(require.resolve('vscode-oniguruma/release/onig.wasm'));
  await oniguruma.loadWASM(wasm.buffer.slice(wasm.byteOffset, wasm.byteOffset + wasm.byteLength) as ArrayBuffer);
  const registry = new textmate.Registry({
    onigLib: Promise.resolve({
      createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
      createOnigString: (s: string) => new oniguruma.OnigString(s),
    }),
    loadGrammar: async (scopeName) => {
      if (scopeName !== 'source.onnx-text') return null;
      return textmate.parseRawGrammar(readFileSync('syntaxes/onnx-text.tmLanguage.json', 'utf8'), 'onnx-text.tmLanguage.json');
    },
  });
  const grammar = await registry.loadGrammar('source.onnx-text');
  assert.ok(grammar);
  return grammar;
}

interface Tok { text: string; scopes: string[] }

function tokenizeText(grammar: Textmate.IGrammar, text: string): Tok[][] {
  let state = textmate.INITIAL;
  return text.split('\n').map((line) => {
    const r = grammar.tokenizeLine(line, state);
    state = r.ruleStack;
    return r.tokens.map((t) => ({ text: line.slice(t.startIndex, t.endIndex), scopes: t.scopes }));
  });
}

/** The innermost scope of the first token whose text is `text` (after trimming) on a line. */
function scopeOf(lines: Tok[][], line: number, text: string, nth = 0): string {
  const found = lines[line].filter((t) => t.text.trim() === text);
  assert.ok(found[nth], `token '${text}' on line ${line}: ${JSON.stringify(lines[line].map((t) => t.text))}`);
  return found[nth].scopes[found[nth].scopes.length - 1];
}

const sample = [
  '<',
  '  ir_version: 8,',
  '  opset_import: ["" : 15, "com.microsoft" : 1],',
  '  producer_name: "say \\"hi\\""',
  '>',
  'main_graph (float[N, 3] X, int64 "odd name") => (float[N,2] Y)',
  '<',
  '  float[2,3] W = {0.5, -1e-3, nan},',
  '  float[1024] big = {...},',
  '  float[N,2] T',
  '>',
  '{',
  '  # a comment',
  '  [mm] T = MatMul(X, W)',
  '  Y = com.microsoft.Gelu<alpha = 1.5, pads: ints = [], mode = "tanh", to = float16>(T)',
  '  Z = If<',
  '    then_branch = then_body () => (float[2] r) {',
  '      r = Constant<value = float[2] {1, 2}>()',
  '    }',
  '  >(c)',
  '}',
  '<domain: "local", opset_import: ["" : 15]>',
  'Fn <alpha> (a) => (b) { b = Elu<alpha: float = @alpha>(a) }',
  '"torch-jit-export" (float[2] "0") => (float[2] "2") <string[2] s = {"x", "y"}>',
  '{',
  '  "1", "" = Split("0")',
  '}',
].join('\n');

test('the TextMate grammar scopes keywords, types, ops, attributes, values, strings, numbers and comments', async () => {
  const grammar = await loadGrammar();
  const lines = tokenizeText(grammar, sample);
  assert.equal(scopeOf(lines, 1, 'ir_version'), 'keyword.other.property.onnx-text');
  assert.equal(scopeOf(lines, 1, '8'), 'constant.numeric.integer.onnx-text');
  assert.equal(scopeOf(lines, 2, 'com.microsoft'), 'string.quoted.double.onnx-text');
  assert.equal(scopeOf(lines, 3, '\\"'), 'constant.character.escape.onnx-text');
  assert.equal(scopeOf(lines, 5, 'main_graph'), 'entity.name.type.graph.onnx-text');
  assert.equal(scopeOf(lines, 5, 'float'), 'storage.type.primitive.onnx-text');
  assert.equal(scopeOf(lines, 5, 'N'), 'variable.parameter.dimension.onnx-text');
  assert.equal(scopeOf(lines, 5, 'X'), 'variable.other.value.onnx-text');
  assert.equal(scopeOf(lines, 5, '"odd name"'), 'variable.other.value.onnx-text');
  assert.equal(scopeOf(lines, 5, '=>'), 'keyword.operator.arrow.onnx-text');
  assert.equal(scopeOf(lines, 7, 'W'), 'variable.other.value.onnx-text');
  assert.equal(scopeOf(lines, 7, '-1e-3'), 'constant.numeric.float.onnx-text');
  assert.equal(scopeOf(lines, 7, 'nan'), 'constant.language.float.onnx-text');
  assert.equal(scopeOf(lines, 8, '...'), 'constant.other.placeholder.elided.onnx-text');
  assert.equal(scopeOf(lines, 9, 'T'), 'variable.other.value.onnx-text');
  assert.equal(scopeOf(lines, 12, 'a comment'), 'comment.line.number-sign.onnx-text');
  assert.equal(scopeOf(lines, 13, 'mm'), 'entity.name.label.node.onnx-text');
  assert.equal(scopeOf(lines, 13, 'T'), 'variable.other.value.onnx-text');
  assert.equal(scopeOf(lines, 13, 'MatMul'), 'entity.name.function.operator.onnx-text');
  assert.equal(scopeOf(lines, 14, 'com.microsoft.'), 'entity.name.namespace.domain.onnx-text');
  assert.equal(scopeOf(lines, 14, 'Gelu'), 'entity.name.function.operator.onnx-text');
  assert.equal(scopeOf(lines, 14, 'alpha'), 'entity.other.attribute-name.onnx-text');
  assert.equal(scopeOf(lines, 14, '1.5'), 'constant.numeric.float.onnx-text');
  assert.equal(scopeOf(lines, 14, 'pads'), 'entity.other.attribute-name.onnx-text');
  assert.equal(scopeOf(lines, 14, 'ints'), 'storage.type.attribute.onnx-text');
  assert.equal(scopeOf(lines, 14, 'tanh'), 'string.quoted.double.onnx-text');
  assert.equal(scopeOf(lines, 14, 'float16'), 'storage.type.primitive.onnx-text');
  assert.equal(scopeOf(lines, 16, 'then_branch'), 'entity.other.attribute-name.onnx-text');
  assert.equal(scopeOf(lines, 16, 'then_body'), 'entity.name.type.graph.onnx-text');
  // Inside a subgraph the node output is a value again, not an attribute name.
  assert.equal(scopeOf(lines, 17, 'r'), 'variable.other.value.onnx-text');
  assert.equal(scopeOf(lines, 17, 'Constant'), 'entity.name.function.operator.onnx-text');
  assert.equal(scopeOf(lines, 17, 'value'), 'entity.other.attribute-name.onnx-text');
  assert.equal(scopeOf(lines, 19, 'c'), 'variable.other.value.onnx-text');
  assert.equal(scopeOf(lines, 21, 'domain'), 'keyword.other.property.onnx-text');
  assert.equal(scopeOf(lines, 22, 'Fn'), 'entity.name.type.graph.onnx-text');
  assert.equal(scopeOf(lines, 22, 'alpha', 2), 'variable.parameter.reference.onnx-text');
  assert.equal(scopeOf(lines, 22, 'Elu'), 'entity.name.function.operator.onnx-text');
  // Quoted names are values, quoted tensor elements are strings.
  assert.equal(scopeOf(lines, 23, '"torch-jit-export"'), 'entity.name.type.graph.onnx-text');
  assert.equal(scopeOf(lines, 23, '"0"'), 'variable.other.value.onnx-text');
  assert.equal(scopeOf(lines, 23, 'x'), 'string.quoted.double.onnx-text');
  assert.equal(scopeOf(lines, 25, '"1"'), 'variable.other.value.onnx-text');
  assert.equal(scopeOf(lines, 25, '"0"'), 'variable.other.value.onnx-text');
  assert.equal(scopeOf(lines, 25, 'Split'), 'entity.name.function.operator.onnx-text');
  assert.equal(scopeOf(lines, 7, '{'), 'punctuation.definition.values.begin.onnx-text');
  assert.equal(scopeOf(lines, 11, '{'), 'punctuation.section.block.begin.onnx-text');
  // After the subgraph's closing brackets the state is back at the top level.
  assert.deepEqual(lines[20].map((t) => t.scopes.length), [2]);
});

test('printed corpus models tokenize with every op type as an operator and no bracket left open', async () => {
  const grammar = await loadGrammar();
  let ops = 0;
  for (const c of testCases().filter((_, i) => i % 8 === 0)) {
    const { text, map } = printModel(decodeModel(readFileSync(c.model)));
    const lines = tokenizeText(grammar, text);
    const offsets: number[] = [0];
    for (const line of text.split('\n')) offsets.push(offsets[offsets.length - 1] + line.length + 1);
    for (const node of map.nodes) {
      const line = offsets.findIndex((o) => o > node.opSpan.start) - 1;
      const column = node.opSpan.start - offsets[line];
      let at = 0;
      const token = lines[line].find((t) => {
        const hit = at <= column && column < at + t.text.length;
        at += t.text.length;
        return hit;
      });
      assert.ok(token?.scopes.some((s) => s.startsWith('entity.name.function.operator') || s.startsWith('entity.name.namespace')), `${c.name}: op ${node.node.opType} scoped ${token?.scopes}`);
      ops++;
    }
    const last = lines[lines.length - 1];
    assert.ok(last.every((t) => t.scopes.length === 1), `${c.name}: the grammar ends at the top level`);
  }
  assert.ok(ops > 100);
});
