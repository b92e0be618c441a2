// Opset (and IR version) conversion as a transform: the converter of src/core/opset rewrites the nodes
// whose op changed between the versions; the result is verified like every transform. An original that
// onnxruntime cannot run (below opset 7) is checked against the expected outputs of the test_data_set_N
// folders beside it instead, or the report says why it could not be verified.
import { convertOpsetResolves } from '../check/fixes.js';
import { defaultOpset } from '../model/graphQueries.js';
import { convertOpset, newestOpset, type ConversionChange, type OpsetConversion } from '../opset/convert.js';
import { UserError } from '../errors.js';
import type { ReportTable } from './report.js';
import type { Transform } from './transform.js';

/** The converter's standard: the converted model computes what the original does. */
export const convertTolerance = { rtol: 1e-5, atol: 1e-5 };
/** Against outputs another framework recorded (libonnx-testdata's), the conformance test's tolerance. */
export const expectedOutputsTolerance = { rtol: 1e-3, atol: 1e-4 };

const options = {
  opset: {
    kind: 'number', value: 'N', integer: true, min: 1, max: newestOpset,
    help: `the default-domain opset to convert to (1 to ${newestOpset}; default: the model's own, to change only the IR version)`,
  },
  'ir-version': {
    kind: 'number', value: 'V', integer: true, min: 1,
    help: 'the IR version to write (default: what the target opset needs going up, the oldest the content allows going down)',
  },
} as const;

export interface OpsetRequest {
  opset?: number;
  irVersion?: number;
}

export type OpsetDetails = Omit<OpsetConversion, 'model'>;

function changesTable(changes: ConversionChange[]): ReportTable {
  return {
    title: 'Nodes changed',
    columns: ['node', 'graph', 'op', 'versions', 'what'],
    rows: changes.map((c) => [c.node, c.graph || 'main', c.op, `${c.from} → ${c.to}`, c.what]),
  };
}

function conversionNotes(c: OpsetDetails): string[] {
  const notes = [c.from === c.to
    ? `The default opset stays ${c.from}.`
    : `Converted from opset ${c.from} to ${c.to}: ${c.changes.length} node${c.changes.length === 1 ? '' : 's'} rewritten; ${c.versions.length} op${c.versions.length === 1 ? '' : 's'} changed version` +
      `${c.versions.length ? ` (${c.versions.map((v) => `${v.op} ${v.from}→${v.to} ×${v.nodes}`).join(', ')})` : ''}.`];
  if (c.irVersion) notes.push(`IR version ${c.irVersion.from} → ${c.irVersion.to}.`);
  notes.push(...c.notes);
  return notes;
}

export const opsetTransform: Transform<typeof options, OpsetRequest, OpsetDetails> = {
  name: 'convert-opset',
  title: 'Convert Opset',
  command: 'onnxLens.convertOpset',
  summary: 'convert the default-domain opset (and IR version) up or down to a new file, verified in onnxruntime (also: convert --opset N)',
  synopsis: '--opset N [--ir-version V]',
  resultName: 'converted model',
  options,
  resolve(values) {
    if (values.opset === undefined && values['ir-version'] === undefined) throw new UserError('Give --opset N, --ir-version V, or both.');
    return { opset: values.opset, irVersion: values['ir-version'] };
  },
  outputTag: (o) => (o.opset !== undefined ? `opset${o.opset}` : `ir${o.irVersion}`),
  describe: (o) => [o.opset !== undefined ? `to opset ${o.opset}` : '', o.irVersion !== undefined ? `IR version ${o.irVersion}` : ''].filter(Boolean).join(', '),
  run(model, o) {
    const { model: converted, ...details } = convertOpset(model, o.opset ?? defaultOpset(model), o.irVersion === undefined ? {} : { irVersion: o.irVersion });
    const tables = details.changes.length ? [changesTable(details.changes)] : [];
    return Promise.resolve({ model: converted, notes: conversionNotes(details), tables, details });
  },
  // Converting is the fix for a type or an opset version the model's opset does not have, and for a
  // feature newer than its IR version; the result's check says whether this target resolved it.
  tolerates: (p) => convertOpsetResolves(p) || p.rule === 'ir-feature',
  verification: () => ({
    criterion: { kind: 'tolerance', ...convertTolerance },
    whenOriginalCannotRun: { kind: 'tolerance', ...expectedOutputsTolerance, text: `atol ${expectedOutputsTolerance.atol}, rtol ${expectedOutputsTolerance.rtol} against the recorded expected outputs; integer outputs exactly` },
  }),
  headline: (report) => {
    const d = report.details;
    return d.from === d.to ? `opset ${d.to}` : `opset ${d.from} → ${d.to}, ${d.changes.length} node${d.changes.length === 1 ? '' : 's'} changed`;
  },
};
