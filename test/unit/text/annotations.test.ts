// The #@ lines: what the syntax has no place for (node names in --strict text, doc strings and
// metadata_props) and the renames of --strict text, written by the printer and read by the parser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { DataType, onnx, toLong } from '../../../src/core/model/proto.js';
import { parseAnnotation } from '../../../src/core/text/annotations.js';
import { parseModelText } from '../../../src/core/text/parser.js';
import { printModel } from '../../../src/core/text/printer.js';
import { quoteName } from '../../../src/core/text/syntax.js';
import { canonicalModel } from './canonical.js';
import { exportedFixtures } from './corpus.js';

const info = (name: string, dims: Array<number | string>) => new onnx.ValueInfoProto({
  name, type: { tensorType: { elemType: DataType.FLOAT, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: toLong(d) } : { dimParam: d })) } } },
});

/** A model with a name of every kind that 1.12 cannot read, doc strings and metadata everywhere they can be. */
function annotatedModel(): onnx.ModelProto {
  const meta = (k: string, v: string) => [new onnx.StringStringEntryProto({ key: k, value: v })];
  const input = info('x::in', ['batch size', 3]);
  input.metadataProps = meta('kind', 'USER_INPUT');
  const weight = new onnx.TensorProto({ name: 'w.0', dataType: DataType.FLOAT, dims: [toLong(3)], floatData: [1, 2, 3], docString: 'weights', metadataProps: meta('origin', 'fc') });
  return new onnx.ModelProto({
    irVersion: toLong(10),
    opsetImport: [{ domain: '', version: toLong(20) }],
    graph: {
      name: 'main graph',
      docString: 'the graph',
      metadataProps: meta('pkg.torch.export.ExportedProgram.range_constraints', '{s0: VR[1, 64]}'),
      input: [input],
      output: [info('y', ['batch size', 3])],
      initializer: [weight],
      node: [
        new onnx.NodeProto({
          name: '/fc/Add', opType: 'Add', input: ['x::in', 'w.0'], output: ['t/0'], docString: 'line 1\nline "2"',
          metadataProps: [...meta('namespace', ': Net/fc'), ...meta('pkg.torch.onnx.stack_trace', 'File "net.py", line 3\n  x = self.fc(x)\\n')],
        }),
        new onnx.NodeProto({ opType: 'Relu', input: ['t/0'], output: ['y'] }),
        // A plain name equal to what `t/0` would become: the rename must pick another.
        new onnx.NodeProto({ opType: 'Identity', input: ['y'], output: ['t_0'] }),
      ],
    },
  });
}

test('doc strings and metadata_props of nodes, graphs, values and initializers survive print and parse', () => {
  const model = decodeModel(encodeModel(annotatedModel()));
  const { text } = printModel(model, { full: true });
  assert.match(text, /^ {2}#@ metadata_props: "pkg\.torch\.onnx\.stack_trace": "File \\"net\.py\\", line 3\\n {2}x = self\.fc\(x\)\\\\n"$/m);
  assert.match(text, /^ {2}#@ doc_string: "line 1\\nline \\"2\\""\n( {2}#@ metadata_props: .*\n){2} {2}\["\/fc\/Add"\] "t\/0" = Add/m);
  assert.match(text, /^#@ doc_string: "the graph"\n#@ metadata_props: .*\n"main graph" \($/m);
  const parsed = parseModelText(text);
  assert.deepEqual(parsed.diagnostics, []);
  assert.deepEqual(canonicalModel(decodeModel(encodeModel(parsed.model!))), canonicalModel(model));
  const node = parsed.model!.graph!.node![0];
  assert.equal(node.docString, 'line 1\nline "2"');
  assert.deepEqual(node.metadataProps?.map((p) => p.key), ['namespace', 'pkg.torch.onnx.stack_trace']);
  assert.equal(parsed.model!.graph!.initializer![0].docString, 'weights');
  assert.equal(parsed.model!.graph!.input![0].metadataProps?.[0].value, 'USER_INPUT');
});

test('--strict text renames what is not an identifier, keeps node names in #@ lines, and parses back to the model', () => {
  const model = decodeModel(encodeModel(annotatedModel()));
  const printed = printModel(model, { full: true, strict: true });
  assert.deepEqual([...printed.renames], [['main graph', 'main_graph'], ['batch size', 'batch_size'], ['x::in', 'x__in'], ['w.0', 'w_0'], ['t/0', 't_0_1']]);
  assert.deepEqual(printed.unreadable, []);
  assert.match(printed.text, /^#@ rename: t_0_1 = "t\/0"$/m);
  assert.match(printed.text, /^ {2}#@ name: "\/fc\/Add"\n {2}#@ doc_string: .*\n( {2}#@ metadata_props: .*\n){2} {2}t_0_1 = Add\(x__in, w_0\)(  # .*)?$/m);
  const graphText = printed.text.replace(/^\s*#.*$/gm, '').split('\n>\n')[1];
  assert.match(graphText, /main_graph \(/);
  assert.doesNotMatch(graphText, /"/, 'no quoted name is left outside comments');
  // The source map holds the model's names at the identifiers that stand for them.
  for (const n of printed.map.names) assert.equal(printed.text.slice(n.span.start, n.span.end), printed.renames.get(n.name) ?? quoteName(n.name));
  const parsed = parseModelText(printed.text);
  assert.deepEqual(parsed.diagnostics, []);
  assert.deepEqual(canonicalModel(decodeModel(encodeModel(parsed.model!))), canonicalModel(model));
  assert.deepEqual(parsed.map.names.map((n) => n.name), printed.map.names.map((n) => n.name));
});

test('the default text says at the top what onnx\'s own parser cannot read, and strict text what 1.12 cannot', () => {
  const detector = exportedFixtures().find((f) => f.name === 'exported/detector_opset11_constants')!.model;
  const printed = printModel(detector, { full: true });
  assert.equal(printed.unreadable.length, 1);
  assert.match(printed.text, /^# onnx's own parser cannot read this text as written \(onnx-lens parse can\):\n# {3}tensor names inside attributes that are not identifiers .*: \d+, first "conv2d_0\.w_0"\n</);
  const strict = printModel(detector, { full: true, strict: true });
  assert.deepEqual(strict.unreadable, []);
  assert.match(strict.text, /Constant<value = float\[8,3,3,3\] conv2d_0_w_0 \{/);
  // Nothing to say: the text starts with the model header, as it always did.
  assert.match(printModel(decodeModel(encodeModel(annotatedModel())), { full: true }).text, /^<\n {2}ir_version: 10,/);
});

test('#@ lines that are malformed or describe nothing are errors with their line and column', () => {
  const body = 'g (float X) => (float Y) {\n  Y = Relu(X)\n}\n';
  const cases: Array<[string, number, number, RegExp]> = [
    [`${body}#@ doc_string: "dangling"\n`, 4, 1, /describes nothing/],
    [`g (float X) => (float Y) {\n  #@ metadata_props: "k" "v"\n  Y = Relu(X)\n}`, 2, 3, /"key": "value"/],
    [`g (float X) => (float Y) {\n  #@ colour: "red"\n  Y = Relu(X)\n}`, 2, 3, /Unknown #@ field 'colour'/],
    [`g (float X) => (float Y) {\n  #@ doc_string: "bad \\x escape"\n  Y = Relu(X)\n}`, 2, 3, /escape JSON does not know/],
    [`g (float X) => (float Y) {\n  #@ rename: a = "b"\n  Y = Relu(X)\n}`, 2, 3, /rename lines belong at the top/],
    [`g (float X) => (float Y) {\n  #@ name: "n"\n  [m] Y = Relu(X)\n}`, 3, 3, /#@ name line and a \[label\]/],
    [`#@ name: "n"\n${body}`, 1, 1, /goes right before the node it belongs to/],
  ];
  for (const [text, line, column, message] of cases) {
    const result = parseModelText(text);
    const error = result.diagnostics.find((d) => d.severity === 'error');
    assert.ok(error, `an error for ${JSON.stringify(text)}`);
    assert.equal(result.model, undefined);
    assert.match(error.message, message, text);
    assert.deepEqual([error.line, error.column], [line, column], `${error.message} in ${JSON.stringify(text)}`);
  }
});

test('a #@ line reads back what was written, whatever the string holds', () => {
  const strings = ['', 'plain', 'quote " and backslash \\', 'new\nline\r\ttab', 'unicode ünïcödé 模型 😀', '\u2028 separator', '#@ nested'];
  for (const value of strings) {
    for (const line of [`doc_string: ${JSON.stringify(value)}`, `metadata_props: ${JSON.stringify(value)}: ${JSON.stringify(value)}`]) {
      const a = parseAnnotation(` ${line}`);
      assert.ok(typeof a !== 'string', `${line}: ${String(a)}`);
      assert.equal(a.field === 'doc_string' || a.field === 'metadata_props' ? a.value : undefined, value);
    }
  }
});

test('what no text form keeps is named at the top, not dropped silently', () => {
  const model = new onnx.ModelProto({
    irVersion: toLong(8), opsetImport: [{ domain: '', version: toLong(15) }],
    graph: {
      name: 'g', output: [info('y', [1])], quantizationAnnotation: [{ tensorName: 'y' }],
      node: [new onnx.NodeProto({
        opType: 'Constant', output: ['y'],
        attribute: [{ name: 'value', type: 4, docString: 'why', t: { dataType: DataType.FLOAT, dims: [toLong(1)], floatData: [1], docString: 'a tensor' } }],
      })],
    },
  });
  const { text, unreadable } = printModel(model, { full: true });
  assert.deepEqual(unreadable, []);
  assert.equal(text.split('\n')[0], '# Not in this text (no text form): quantization annotations (1), doc strings of attributes (1), doc strings and metadata of tensors inside attributes (1).');
  assert.deepEqual(parseModelText(text).diagnostics, []);
});
