// The committed op schema table (generated from onnx 1.23.1 by scripts/make-op-schemas.py) against
// Debian's onnx 1.12, schema by schema for every version 1.12 knows, and the lookup the checker uses.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { latestIrVersion, latestOpset, opSchema, opSchemaVersions } from '../../../src/core/ops/opSchemas.js';
import { opSchemaTable } from '../../../src/core/ops/opSchemaTable.js';
import { runPython } from '../../helpers/python.js';

interface DebianSchema {
  domain: string;
  name: string;
  since: number;
  deprecated: boolean;
  counts: [number, number, number, number];
  attributes: Record<string, string>;
  types: Record<string, string[]>;
}

/** Schemas onnx changed after 1.12 without a new version: onnx 1.23 narrowed Erf-13 to float types. */
const changedSince112 = new Set(['ai.onnx Erf-13 types']);

test('every schema onnx 1.12 knows is in the table with the same counts, attributes and type constraints', () => {
  const debian = JSON.parse(runPython(`
import json
from onnx import defs
out = []
for s in defs.get_all_schemas_with_history():
    out.append({'domain': s.domain, 'name': s.name, 'since': s.since_version, 'deprecated': s.deprecated,
        'counts': [s.min_input, s.max_input, s.min_output, s.max_output],
        'attributes': {k: a.type.name + ('!' if a.required else '') for k, a in s.attributes.items()},
        'types': {c.type_param_str: sorted(c.allowed_type_strs) for c in s.type_constraints}})
print(json.dumps(out))
`)) as DebianSchema[];
  assert.ok(debian.length > 400, `onnx 1.12 lists ${debian.length} schemas`);
  const differences: string[] = [];
  for (const s of debian) {
    const label = `${s.domain || 'ai.onnx'} ${s.name}-${s.since}`;
    const entry = opSchemaVersions(s.domain, s.name).find((e) => e.v === s.since);
    if (!entry) {
      differences.push(`${label} missing`);
      continue;
    }
    if (JSON.stringify([...entry.in, ...entry.out]) !== JSON.stringify(s.counts)) differences.push(`${label} counts`);
    if (Boolean(entry.deprecated) !== s.deprecated) differences.push(`${label} deprecated`);
    const attributes = Object.fromEntries(Object.entries(entry.a ?? {}).map(([k, v]) => [k, typeof v === 'string' ? v : v[0]]).sort());
    if (JSON.stringify(attributes) !== JSON.stringify(Object.fromEntries(Object.entries(s.attributes).sort()))) differences.push(`${label} attributes`);
    const types = Object.fromEntries(Object.entries(entry.t ?? {}).map(([k, i]) => [k, [...opSchemaTable.typeSets[i]].sort()]).sort());
    if (JSON.stringify(types) !== JSON.stringify(Object.fromEntries(Object.entries(s.types).sort()))) differences.push(`${label} types`);
  }
  assert.deepEqual(differences.filter((d) => !changedSince112.has(d)), []);
  assert.deepEqual(differences.filter((d) => changedSince112.has(d)), [...changedSince112], 'the known change is still there');
});

test('lookup resolves the newest version at or below the opset, as onnx does', () => {
  assert.equal(opSchema('', 'Reshape', 4)?.sinceVersion, 1);
  assert.deepEqual([...opSchema('', 'Reshape', 4)!.attributes.keys()].sort(), ['consumed_inputs', 'shape']);
  const reshape5 = opSchema('ai.onnx', 'Reshape', 12)!;
  assert.equal(reshape5.sinceVersion, 5);
  assert.deepEqual(reshape5.inputs.map((p) => `${p.name}:${p.typeStr}:${p.option}`), ['data:T:single', 'shape:tensor(int64):single']);
  assert.equal(opSchema('', 'LayerNormalization', 16), undefined);
  assert.equal(opSchema('', 'LayerNormalization', 17)?.sinceVersion, 17);
  const loop = opSchema('', 'Loop', 13)!;
  assert.deepEqual(loop.inputs.map((p) => [p.option, p.homogeneous]), [['optional', true], ['optional', true], ['variadic', false]]);
  assert.equal(opSchema('ai.onnx.ml', 'ZipMap', 3)?.sinceVersion, 1);
  assert.equal(opSchema('com.microsoft', 'FusedConv', 1), undefined);
  assert.equal(opSchema('', 'Upsample', 10)?.deprecated, true);
  // Defaults, for the opset converter: present where the schema gives one, never on a required attribute.
  assert.deepEqual(opSchema('', 'Softmax', 13)?.attributes.get('axis'), { type: 'INT', required: false, default: -1 });
  assert.deepEqual(opSchema('', 'Resize', 19)?.attributes.get('mode'), { type: 'STRING', required: false, default: 'nearest' });
  assert.deepEqual(opSchema('', 'Reshape', 4)?.attributes.get('shape'), { type: 'INTS', required: false });
  assert.deepEqual(opSchema('', 'Cast', 13)?.attributes.get('to'), { type: 'INT', required: true });
});

test('the table knows the ONNX releases: newest opsets and IR versions, and which release brought which', () => {
  assert.equal(opSchemaTable.onnxVersion, '1.23.1');
  assert.equal(latestOpset(''), 28);
  assert.equal(latestOpset('ai.onnx.ml'), 5);
  assert.equal(latestOpset('ai.onnx.preview.training'), 1);
  assert.equal(latestOpset('com.microsoft'), undefined);
  assert.equal(latestIrVersion, 14);
  assert.deepEqual(opSchemaTable.releases.find((r) => r.opset === 17), { onnx: '1.12.0', ir: 8, opset: 17, ml: 3, training: 1 });
});
