// The converter's view of the committed schema table (src/core/ops, written from a newer onnx) against
// Debian's python3-onnx 1.12, an independent copy of the same schemas up to opset 17: every op's versions,
// attributes, inputs, outputs and allowed types must agree (the corrections onnx made later are listed, with their reason).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { newestOpset, opVersions, knownOps, schemaAt } from '../../../src/core/opset/schemas.js';
import { runPython } from '../../helpers/python.js';

/** Where later onnx releases corrected a schema after the fact, and the table follows the correction. */
const knownDifferences: Record<string, string> = {
  'Erf-13 types of T': 'onnx 1.13 narrowed Erf-13 to float types; integers were listed but never defined',
};

interface PythonSchema {
  op: string;
  since: number;
  attrs: string[];
  inputs: string[];
  outputs: string[];
  types: Record<string, string[]>;
}

const dump = [
  'import json, onnx',
  'from onnx import defs',
  'opt = {0: "", 1: "?", 2: "*"}',
  'name = lambda t: t[7:-1] if t.startswith("tensor(") and t.count("(") == 1 else t',
  'out = []',
  'for s in defs.get_all_schemas_with_history():',
  '    if s.domain not in ("", "ai.onnx"): continue',
  '    out.append({"op": s.name, "since": s.since_version, "attrs": sorted(s.attributes),',
  '        "inputs": [i.name + opt[int(i.option.value)] for i in s.inputs], "outputs": [o.name + opt[int(o.option.value)] for o in s.outputs],',
  '        "types": {t.type_param_str: sorted(name(x) for x in t.allowed_type_strs) for t in s.type_constraints}})',
  'print(json.dumps({"max": defs.onnx_opset_version(), "schemas": out}))',
].join('\n');

test('the schema table agrees with Debian python3-onnx for every op version it knows', () => {
  const { max, schemas } = JSON.parse(runPython(dump)) as { max: number; schemas: PythonSchema[] };
  assert.ok(max >= 17 && max <= newestOpset, `Debian's onnx knows opsets up to ${max}`);
  const mismatches: string[] = [];
  for (const s of schemas) {
    const ours = opVersions(s.op)?.find((v) => v.since === s.since);
    if (!ours) {
      mismatches.push(`${s.op}-${s.since} is missing`);
      continue;
    }
    const formals = (list: typeof ours.inputs) => list.map((f) => f.name + (f.option === 'optional' ? '?' : f.option === 'variadic' ? '*' : ''));
    if (JSON.stringify([...ours.attributes.keys()].sort()) !== JSON.stringify(s.attrs)) mismatches.push(`${s.op}-${s.since} attributes`);
    if (JSON.stringify(formals(ours.inputs)) !== JSON.stringify(s.inputs)) mismatches.push(`${s.op}-${s.since} inputs`);
    if (JSON.stringify(formals(ours.outputs)) !== JSON.stringify(s.outputs)) mismatches.push(`${s.op}-${s.since} outputs`);
    for (const [param, types] of Object.entries(s.types)) {
      if (JSON.stringify([...(ours.typeParameters.get(param) ?? [])].sort()) !== JSON.stringify(types)) mismatches.push(`${s.op}-${s.since} types of ${param}`);
    }
  }
  // And nothing at or below Debian's newest opset that Debian does not have.
  const theirs = new Set(schemas.map((s) => `${s.op}-${s.since}`));
  for (const op of knownOps()) for (const v of opVersions(op)!) if (v.since <= max && !theirs.has(`${op}-${v.since}`)) mismatches.push(`${op}-${v.since} is not in onnx ${max}`);
  assert.deepEqual(mismatches.sort(), Object.keys(knownDifferences).sort());
});

test('schemaAt picks the version an opset means', () => {
  assert.equal(schemaAt('Softmax', 12)?.since, 11);
  assert.equal(schemaAt('Softmax', 13)?.since, 13);
  assert.equal(schemaAt('Gelu', 19), undefined);
  assert.equal(schemaAt('Upsample', 13)?.deprecated, true);
  assert.equal(schemaAt('Reshape', 4)?.attributes.get('shape')?.type, 'INTS');
  // The defaults an absent attribute means, which the converter writes out when a default changes.
  assert.equal(schemaAt('Softmax', 12)?.attributes.get('axis')?.default, 1);
  assert.equal(schemaAt('Softmax', 13)?.attributes.get('axis')?.default, -1);
  assert.equal(schemaAt('Concat', 13)?.inputCount[1], -1);
  assert.equal(schemaAt('Gelu', 26)?.inputs[0].type, 'T');
  assert.ok(schemaAt('Gelu', 26)?.typeParameters.get('T')?.has('float'));
  assert.equal(newestOpset, 26);
});
