import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { nodeDetail } from '../../../src/core/graph/nodeDetail.js';
import { TensorInspector } from '../../../src/core/graph/tensorDetail.js';
import { MAIN_GRAPH, resolveGraph } from '../../../src/core/graph/viewModel.js';
import { decodeModel, encodeModel } from '../../../src/core/model/decode.js';
import { ExternalDataReader } from '../../../src/core/model/externalData.js';
import { DataType, Long, type ModelProto } from '../../../src/core/model/proto.js';
import { testdataRoot } from '../../helpers/testdata.js';

function convModel(): ModelProto {
  const w = Float32Array.from({ length: 2 * 1 * 3 * 3 }, (_, i) => i - 4);
  w[3] = NaN;
  w[5] = Infinity;
  return decodeModel(
    encodeModel({
      irVersion: 8,
      opsetImport: [{ domain: '', version: 17 }],
      graph: {
        name: 'g',
        node: [
          {
            opType: 'Conv', name: 'conv', input: ['x', 'W', ''], output: ['y'], docString: 'a convolution',
            attribute: [
              { name: 'kernel_shape', type: 7, ints: [3, 3] },
              { name: 'auto_pad', type: 3, s: new TextEncoder().encode('SAME_UPPER') },
              { name: 'alpha', type: 1, f: 0.25 },
            ],
            metadataProps: [{ key: 'namespace', value: ': M/conv: Conv2d' }],
          },
          { opType: 'Constant', name: 'k', output: ['k'], attribute: [{ name: 'value', type: 4, t: { dataType: DataType.INT64, dims: [3], int64Data: [1, 2, Long.fromString('9007199254740993')] } }] },
          { opType: 'Reshape', name: 'r', input: ['y', 'k'], output: ['z'] },
        ],
        initializer: [{ name: 'W', dataType: DataType.FLOAT, dims: [2, 1, 3, 3], rawData: new Uint8Array(w.buffer) }],
        input: [{ name: 'x', type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: 1 }, { dimValue: 5 }, { dimValue: 5 }] } } } }],
        output: [{ name: 'z', type: { tensorType: { elemType: 1 } } }],
      },
    }),
  );
}

test('node detail: every attribute with its typed value, ports with type and shape, doc and metadata', () => {
  const m = convModel();
  const d = nodeDetail(m, resolveGraph(m, MAIN_GRAPH)!, 0);
  assert.equal(d.op, 'Conv');
  assert.equal(d.docString, 'a convolution');
  const attrs = Object.fromEntries(d.attributes.map((a) => [a.name, `${a.type} ${a.value}`]));
  assert.deepEqual(attrs, { kernel_shape: 'INTS [3, 3]', auto_pad: 'STRING "SAME_UPPER"', alpha: 'FLOAT 0.25' });
  assert.deepEqual(d.inputs.map((p) => `${p.slot}=${p.name}:${p.type}${JSON.stringify(p.shape)}:${p.kind ?? ''}`), ['X=x:float["N",1,5,5]:input', 'W=W:float[2,1,3,3]:initializer', 'B=:undefined:']);
  assert.deepEqual(d.metadata, { namespace: ': M/conv: Conv2d' });
  const constant = nodeDetail(m, resolveGraph(m, MAIN_GRAPH)!, 1);
  assert.deepEqual(constant.attributes[0].tensor, { graph: '', node: 1, attribute: 'value' });
  assert.throws(() => nodeDetail(m, resolveGraph(m, MAIN_GRAPH)!, 7), /no node #7/);
});

test('tensor detail: storage, statistics over finite values, NaN/Inf counts, pages of values', () => {
  const m = convModel();
  const inspector = new TensorInspector(m);
  const d = inspector.detail({ graph: '', name: 'W' }, 0, 5);
  assert.equal(d.dtype, 'float');
  assert.deepEqual(d.dims, [2, 1, 3, 3]);
  assert.equal(d.count, 18);
  assert.equal(d.bytes, 72);
  assert.equal(d.storage, 'raw');
  assert.equal(d.stats!.nan, 1);
  assert.equal(d.stats!.inf, 1);
  assert.equal(d.stats!.min, -4);
  assert.equal(d.stats!.max, 13);
  assert.equal(d.stats!.zeros, 1);
  assert.equal(d.stats!.histogram.counts.reduce((a, b) => a + b, 0), 16, 'the histogram counts finite values');
  assert.deepEqual(d.preview, { offset: 0, values: ['-4', '-3', '-2', 'NaN', '0'] });
  const page = inspector.detail({ graph: '', name: 'W' }, 15, 100);
  assert.deepEqual(page.preview, { offset: 15, values: ['11', '12', '13'] });
  const k = inspector.detail({ graph: '', name: 'k' }, 0, 10);
  assert.deepEqual(k.preview.values, ['1', '2', '9007199254740993'], 'int64 values keep every digit');
  const attr = inspector.detail({ graph: '', node: 1, attribute: 'value' }, 0, 10);
  assert.equal(attr.count, 3);
  assert.throws(() => inspector.detail({ graph: '', name: 'y' }, 0, 10), /only when the model runs/);
  assert.throws(() => inspector.detail({ graph: '/5.body', name: 'W' }, 0, 10), /no longer in the model/);
});

test('tensor detail: external data is read through the confined reader, and a missing file is one line', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lens-ext-'));
  try {
    const values = Float32Array.of(1, 2, 3, 4);
    writeFileSync(join(dir, 'weights.bin'), Buffer.concat([Buffer.alloc(16), Buffer.from(values.buffer)]));
    const external = (location: string) => decodeModel(encodeModel({
      irVersion: 8, opsetImport: [{ domain: '', version: 17 }],
      graph: { name: 'g', node: [{ opType: 'Relu', input: ['W'], output: ['y'] }], output: [{ name: 'y' }],
        initializer: [{ name: 'W', dataType: DataType.FLOAT, dims: [4], dataLocation: 1, externalData: [{ key: 'location', value: location }, { key: 'offset', value: '16' }, { key: 'length', value: '16' }] }] },
    }));
    const reader = new ExternalDataReader(dir);
    const ok = new TensorInspector(external('weights.bin'), reader).detail({ graph: '', name: 'W' }, 0, 10);
    assert.equal(ok.storage, 'external');
    assert.deepEqual(ok.external, { location: 'weights.bin', offset: 16, length: 16 });
    assert.deepEqual(ok.preview.values, ['1', '2', '3', '4']);
    assert.equal(ok.stats!.mean, 2.5);
    const missing = new TensorInspector(external('missing.bin'), reader).detail({ graph: '', name: 'W' }, 0, 10);
    assert.match(missing.error!, /missing\.bin|no such file|not found/i);
    assert.ok(!missing.error!.includes('\n'));
    const escaping = new TensorInspector(external('../../etc/passwd'), reader).detail({ graph: '', name: 'W' }, 0, 10);
    assert.match(escaping.error!, /leaves the model's folder/);
    const remote = new TensorInspector(external('weights.bin')).detail({ graph: '', name: 'W' }, 0, 10);
    assert.match(remote.error!, /not available here/);
    reader.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('tensor detail of libonnx-testdata weights: float16 decoded for statistics', () => {
  const m = decodeModel(readFileSync(join(testdataRoot(), 'pytorch-converted/test_Conv2d/model.onnx')));
  const name = m.graph!.initializer![0].name!;
  const d = new TensorInspector(m).detail({ graph: '', name }, 0, 3);
  assert.equal(d.preview.values.length, 3);
  assert.ok(Number.isFinite(d.stats!.mean) && d.stats!.std > 0);
  const half = decodeModel(encodeModel({ irVersion: 8, opsetImport: [{ domain: '', version: 17 }], graph: { name: 'g', node: [], initializer: [{ name: 'h', dataType: DataType.FLOAT16, dims: [2], rawData: Uint8Array.of(0x00, 0x3c, 0x00, 0xc0) }] } }));
  const h = new TensorInspector(half).detail({ graph: '', name: 'h' }, 0, 2);
  assert.deepEqual(h.preview.values, ['1', '-2']);
  assert.equal(h.stats!.min, -2);
});
