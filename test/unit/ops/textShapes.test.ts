import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, type ModelProto } from '../../../src/core/model/proto.js';
import { parseModelText } from '../../../src/core/text/parser.js';
import { printModel } from '../../../src/core/text/printer.js';
import { generateTransformer } from '../../../bench/generate/index.js';
import { canonicalModel } from '../text/canonical.js';
import { oracleParse, withModelNames } from '../text/oracle.js';
import { f32, i64, model, node, valueInfo } from '../transforms/foldModels.js';

/** The comment after each node line, by the node's first output. */
function notes(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*(?:\[[^\]]*\] )?"?([^"=\s]+)"?(?:, [^=]*)? = .*\)  # (.*)$/.exec(line);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

/** onnx.parser 1.12 reads the --strict text, shape notes included, as the same graph. */
function oracleReadsTheSame(m: ModelProto): void {
  const printed = printModel(m, { full: true, strict: true });
  assert.match(printed.text, /  # /);
  const [answer] = oracleParse([printed.text]);
  assert.ok(answer.ok, answer.ok ? '' : answer.error);
  const options = { withoutNodeNames: true, withoutAnnotations: true, trimTrailingEmpty: true };
  assert.deepEqual(canonicalModel(withModelNames(decodeModel(answer.model), printed.renames), options), canonicalModel(m, options));
}

function readsBackTheSame(m: ModelProto, text: string): void {
  const parsed = parseModelText(text);
  assert.deepEqual(parsed.diagnostics, []);
  assert.deepEqual(canonicalModel(decodeModel(encodeModel(parsed.model!))), canonicalModel(m));
}

test('the text view notes the inferred shape of every node output the file does not declare, and still parses to the same model', () => {
  const sample = decodeModel(readFileSync(new URL('../../fixtures/sample.onnx', import.meta.url)));
  const { text } = printModel(sample, { full: true });
  const byOutput = notes(text);
  assert.equal(byOutput.get('/model/embed_tokens/Gather_output_0'), 'float[batch_size,sequence_length,32]');
  assert.equal(byOutput.get('/model/Range_output_0'), 'int64[sequence_length]');
  // Every node but the Constants (typed in their attribute) and the one writing the declared output.
  const expected = sample.graph!.node!.filter((n) => n.opType !== 'Constant' && n.output![0] !== 'logits').length;
  assert.equal(byOutput.size, expected);
  assert.ok(!byOutput.has('logits'));
  readsBackTheSame(sample, text);
  oracleReadsTheSame(sample);
  assert.doesNotMatch(printModel(sample, { inferredShapes: false }).text, /  # /);
});

test('symbols with characters that could end a comment are escaped in the note; the text parses back to the same model', () => {
  const m = decodeModel(encodeModel(model({
    input: [valueInfo('x', DataType.FLOAT, ['line\nbreak', 'hash # "quote"', 4])],
    output: [valueInfo('y', DataType.FLOAT, ['line\nbreak', 'hash # "quote"', 4])],
    initializer: [i64('axes', [1], [1])],
    node: [node('Relu', ['x'], ['r']), node('ReduceSum', ['r', 'axes'], ['s']), node('Add', ['r', 's'], ['y'])],
  })));
  const { text } = printModel(m, { full: true });
  const byOutput = notes(text);
  assert.equal(byOutput.get('r'), 'float["line\\nbreak","hash # \\"quote\\"",4]');
  assert.equal(byOutput.get('s'), 'float["line\\nbreak",1,4]');
  readsBackTheSame(m, text);
  assert.equal(text.split('\n').filter((l) => l.includes('  # ')).length, 2, 'each note stays on its node\'s line');
});

test('notes with expressions (parentheses, slashes, spaces) parse with onnx.parser 1.12 too', () => {
  const m = decodeModel(encodeModel(model({
    input: [valueInfo('x', DataType.FLOAT, ['N', 3, 'H', 'W'])],
    output: [valueInfo('y', DataType.FLOAT)],
    initializer: [f32('w', [4, 3, 3, 3], new Array<number>(108).fill(0.1))],
    node: [node('Conv', ['x', 'w'], ['c'], { pads: [1, 1, 1, 1], strides: [2, 2] }), node('Relu', ['c'], ['y'])],
  })));
  const { text } = printModel(m, { full: true });
  assert.equal(notes(text).get('c'), 'float[N,4,floor((H + 1)/2),floor((W + 1)/2)]');
  oracleReadsTheSame(m);
});

test('a generated transformer: notes carry symbolic dims through the attention reshapes', () => {
  const t = decodeModel(encodeModel(generateTransformer({ layers: 1, hidden: 32, heads: 4, vocab: 50 })));
  const byOutput = notes(printModel(t).text);
  const reshaped = [...byOutput].filter(([name]) => name.includes('self_attn/Reshape'));
  assert.ok(reshaped.length >= 3);
  for (const [name, note] of reshaped) assert.match(note, /^float\[batch_size,sequence_length,(4,8|32)\]$/, name);
});
