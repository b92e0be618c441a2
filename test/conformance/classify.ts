// Why a libonnx-testdata case fails through our runner, as one of a few stable reason categories.
import type { ModelProto, NodeProto } from '../../src/core/model/proto.js';

export type Outcome =
  | { kind: 'pass' }
  | { kind: 'error'; message: string }
  | { kind: 'mismatch'; maxAbsError: number; strings: boolean };

/** Reason categories; their descriptions are in known-failures.json. */
export const categories = [
  'random op',
  'training op',
  'type the JS API lacks',
  'non-tensor value',
  'kernel missing for old opset',
  'kernel missing for type',
  'attribute not supported',
  'locale missing',
  'string formatting',
  'precision near zero',
  'differs from reference',
] as const;

export type Category = (typeof categories)[number];

/** Categories whose cases may pass on another machine (the list cannot demand that they fail). */
export const environmentDependent: ReadonlySet<Category> = new Set<Category>(['locale missing']);

const randomOps = new Set(['Bernoulli', 'RandomNormal', 'RandomNormalLike', 'RandomUniform', 'RandomUniformLike', 'Multinomial']);

function opTypes(model: ModelProto): Set<string> {
  const ops = new Set<string>();
  const visit = (nodes: NodeProto[] | null | undefined) => {
    for (const node of nodes ?? []) {
      ops.add(node.opType ?? '');
      for (const a of node.attribute ?? []) {
        if (a.g) visit(a.g.node);
        for (const g of a.graphs ?? []) visit(g.node);
      }
    }
  };
  visit(model.graph?.node);
  for (const f of model.functions ?? []) visit(f.node);
  return ops;
}

/** Dropout draws its mask at random when training_mode (input 2) is given and true. */
function trainingDropout(model: ModelProto): boolean {
  return (model.graph?.node ?? []).some((n) => n.opType === 'Dropout' && (n.input?.length ?? 0) >= 3 && n.input![2] !== '');
}

export function classify(outcome: Outcome, model: ModelProto | undefined): Category | 'unclassified' {
  if (outcome.kind === 'pass') return 'unclassified';
  if (outcome.kind === 'mismatch') {
    const ops = model ? opTypes(model) : new Set<string>();
    if ([...ops].some((op) => randomOps.has(op)) || (model && trainingDropout(model))) return 'random op';
    if (outcome.strings && (ops.has('Cast') || ops.has('CastLike'))) return 'string formatting';
    if (outcome.maxAbsError < 1e-3) return 'precision near zero';
    return 'differs from reference';
  }
  const m = outcome.message;
  if (/ai\.onnx\.preview\.training/.test(m)) return 'training op';
  if (/Unsupported data type: 16\b|bfloat16/.test(m)) return 'type the JS API lacks';
  if (/passes only tensors/.test(m)) return 'non-tensor value';
  const kernel = /Could not find an implementation for \w+\((\d+)\)/.exec(m);
  if (kernel) return Number(kernel[1]) < 7 ? 'kernel missing for old opset' : 'kernel missing for type';
  if (/layout_ == 0 was false/.test(m)) return 'attribute not supported';
  if (/Locale/.test(m)) return 'locale missing';
  return 'unclassified';
}
