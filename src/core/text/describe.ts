// What the text view says about a value or an op under the cursor, as Markdown: type and shape (declared
// and inferred), the producing and consuming nodes, statistics and a preview of constant values, runtime
// values after a test run, and for an op its domain and the opset version in use. Pure: the extension renders it.
import { formatCount, formatDims, formatNumber, formatValue } from '../format.js';
import { dataTypeName } from '../model/dataTypes.js';
import type { ExternalDataReader } from '../model/externalData.js';
import type { GraphIndex } from '../model/graphIndex.js';
import { int64ToBigInt, type ModelProto, type OperatorSetIdProto, type TensorProto } from '../model/proto.js';
import { tensorStats, type TensorStats } from '../model/stats.js';
import { elementCount, tensorDims, tensorToArray, toFloat64, type TensorArray } from '../model/tensorValues.js';
import { valueType, type ValueType } from '../model/types.js';
import type { InferredType } from '../ops/shapeInference.js';
import { definitionsOf, occurrencesNamed, usesOf, type NameOccurrence, type NodeEntry, type TextSourceMap } from './sourceMap.js';

export interface DescribeContext {
  map: TextSourceMap;
  model?: ModelProto;
  /** GraphIndex of a graph scope (undefined for function scopes). */
  indexFor(scope: number): GraphIndex | undefined;
  /** 1-based line of an offset, for "line 12" references. */
  lineOf(offset: number): number;
  external?: ExternalDataReader;
  /** Names whose values the text elides and the model does not hold. */
  elided?: ReadonlySet<string>;
  /** What the last test run saw. */
  runtime?: RuntimeCapture;
  /** Shape inference's types of a graph scope's values (undefined where it did not run). */
  inferred?(scope: number): ReadonlyMap<string, InferredType> | undefined;
}

/** A tensor as the last test run saw it. */
export interface RuntimeSummary {
  dtype: string;
  shape: number[];
  stats: TensorStats;
}

export interface RuntimeCapture {
  values: ReadonlyMap<string, RuntimeSummary>;
  /** False when only the model's inputs and outputs were captured. */
  intermediates: boolean;
}

/** Tensors with more elements are described by type and shape only (reading them would stall a hover). */
export const statsLimit = 16 * 1024 * 1024;
const previewCount = 8;
const listLimit = 8;

/** Model strings go into code spans only: no Markdown in a name can become a link or markup. */
const code = (text: string) => `\`${text.replace(/`/g, "'").replace(/[\r\n]+/g, ' ')}\``;
/** Markdown-escapes text taken from a model. */
export const escapeMarkdown = (text: string) => text.replace(/[\\`*_{}[\]()#+\-.!<>|~]/g, (c) => `\\${c}`);

function typeLine(t: ValueType | undefined): string {
  if (!t) return 'type not recorded in the model';
  if (t.kind === 'tensor') return code(`${t.elemType}${t.shape ? formatDims(t.shape) : '[?]'}`) + (t.shape ? ` (rank ${t.shape.length})` : ' (rank unknown)');
  return code(t.elemType);
}

/** What shape inference says beside the declaration: its type, that it agrees, or that it knows none. */
function inferredLine(declared: ValueType | undefined, inferred: InferredType | undefined): string {
  if (!inferred?.elemType) return 'Inferred: nothing (shape inference cannot tell)';
  const text = `${dataTypeName(inferred.elemType)}${inferred.shape ? formatDims(inferred.shape) : '[?]'}`;
  if (declared?.kind === 'tensor' && `${declared.elemType}${declared.shape ? formatDims(declared.shape) : '[?]'}` === text) return 'Inferred: the same';
  return `Inferred: ${code(text)}${inferred.shape ? '' : ' (rank unknown)'}`;
}

function nodeLabel(entry: NodeEntry): string {
  const op = entry.node.domain ? `${entry.node.domain}.${entry.node.opType}` : entry.node.opType ?? '';
  return entry.node.name ? `${code(op)} ${code(entry.node.name)}` : code(op);
}

const stats = new WeakMap<TensorProto, { array: TensorArray; stats?: TensorStats; values: Float64Array }>();

function statsLines(s: TensorStats): string[] {
  const lines = [`min ${formatNumber(s.min)} · max ${formatNumber(s.max)} · mean ${formatNumber(s.mean)} · std ${formatNumber(s.std)}`];
  const extra = [s.zeros ? `${s.zeros} zero${s.zeros === 1 ? '' : 's'}` : '', s.nan ? `${s.nan} NaN` : '', s.inf ? `${s.inf} inf` : ''].filter(Boolean);
  if (extra.length) lines.push(extra.join(' · '));
  return lines;
}

function preview(array: TensorArray, values: Float64Array): string {
  const n = Array.isArray(array.data) ? array.data.length : values.length;
  const shown = Array.isArray(array.data)
    ? array.data.slice(0, previewCount).map((s) => JSON.stringify(s.length > 24 ? `${s.slice(0, 24)}…` : s))
    : Array.from(values.subarray(0, previewCount), formatValue);
  return `[${shown.join(', ')}${n > previewCount ? `, … (${n} values)` : ''}]`;
}

function tensorSection(tensor: TensorProto, ctx: DescribeContext): string[] {
  const count = elementCount(tensorDims(tensor));
  if (count > statsLimit) return [`${formatCount(count)} values: too many to summarize in a hover`];
  let cached = stats.get(tensor);
  if (!cached) {
    const array = tensorToArray(tensor, ctx.external);
    const values = toFloat64(array);
    cached = { array, values, stats: Array.isArray(array.data) ? undefined : tensorStats(values) };
    stats.set(tensor, cached);
  }
  return [...(cached.stats ? statsLines(cached.stats) : []), code(preview(cached.array, cached.values))];
}

/** Markdown for the value named at `at`. */
export function describeValue(at: NameOccurrence, ctx: DescribeContext): string {
  const { map } = ctx;
  const name = at.name;
  const definitions = definitionsOf(map, name, at.scope);
  const home = definitions[0]?.scope ?? at.scope;
  const index = ctx.indexFor(home) ?? ctx.indexFor(at.scope);
  const scope = map.scopes[home];
  let type = index?.valueType(name);
  if (!type && scope?.fn) {
    const vi = scope.fn.valueInfo?.find((v) => v.name === name);
    if (vi) type = valueType(vi.type);
  }
  const roles = new Set(definitions.map((d) => d.role));
  const isOutput = occurrencesNamed(map, name).some((n) => n.scope === home && n.role === 'output');
  const kind = roles.has('initializer') ? (roles.has('input') ? 'input with initializer' : 'initializer')
    : roles.has('input') ? (scope?.kind === 'function' ? 'function input' : 'graph input')
      : isOutput ? 'graph output' : 'value';
  const lines: string[] = [`**${code(name)}** — ${kind}${home !== at.scope ? ` of the enclosing graph ${code(scope?.name ?? '')}` : ''}`, '', typeLine(type)];
  // Weights and constants declare their shape in the tensor; for other values, what inference gives too.
  const types = roles.has('initializer') ? undefined : ctx.inferred?.(home);
  if (types && !index?.constantTensor(name)) lines[lines.length - 1] = `Declared: ${typeLine(type)}  \n${inferredLine(type, types.get(name))}`;

  const producer = definitions.find((d) => d.role === 'node_output' && d.node !== undefined);
  if (producer) {
    const entry = map.nodes[producer.node!];
    lines.push('', `Produced by ${nodeLabel(entry)} (line ${ctx.lineOf(entry.span.start)})`);
  }
  const consumers = [...new Set(usesOf(map, name, at.scope).filter((u) => u.role === 'node_input' && u.node !== undefined).map((u) => u.node!))];
  if (consumers.length) {
    const shown = consumers.slice(0, listLimit).map((k) => `${nodeLabel(map.nodes[k])} (line ${ctx.lineOf(map.nodes[k].span.start)})`);
    lines.push('', `Consumed by ${consumers.length} node${consumers.length === 1 ? '' : 's'}:`, ...shown.map((s) => `- ${s}`));
    if (consumers.length > listLimit) lines.push(`- … and ${consumers.length - listLimit} more`);
  } else if (!isOutput) {
    lines.push('', 'No node consumes it.');
  }

  // An initializer that is also an input is a default value (IR < 4 models list every weight so).
  const constant = index?.constantTensor(name) ?? index?.initializer(name);
  if (constant) {
    const title = roles.has('input') && roles.has('initializer') ? 'Default values' : roles.has('initializer') ? 'Initializer values' : 'Constant values';
    lines.push('', `**${title}** ${code(`${dataTypeName(constant.dataType ?? 0)}${formatDims(tensorDims(constant))}`)}`);
    if (ctx.elided?.has(name) && !constant.rawData?.length && !constant.externalData?.length) lines.push('', 'Values elided in this text.');
    else {
      try {
        lines.push('', ...tensorSection(constant, ctx).map((l, i, all) => (i < all.length - 1 ? `${l}  ` : l)));
      } catch (error) {
        lines.push('', `Values unavailable: ${escapeMarkdown(error instanceof Error ? error.message : String(error))}`);
      }
    }
  }

  const runtime = ctx.runtime?.values.get(name);
  if (runtime) {
    lines.push('', `**Last test run** ${code(`${runtime.dtype}${formatDims(runtime.shape)}`)}`, '', ...statsLines(runtime.stats).map((l, i, all) => (i < all.length - 1 ? `${l}  ` : l)));
  } else if (ctx.runtime && !ctx.runtime.intermediates && !constant) {
    lines.push('', '_Not captured by the last test run: turn on `onnxLens.run.captureIntermediates` to see intermediate values._');
  }
  return lines.join('\n');
}

function opsetFor(imports: OperatorSetIdProto[] | null | undefined, domain: string): bigint | undefined {
  const wanted = domain === 'ai.onnx' ? '' : domain;
  const found = (imports ?? []).find((o) => (o.domain === 'ai.onnx' ? '' : o.domain ?? '') === wanted);
  return found ? int64ToBigInt(found.version) : undefined;
}

/** Markdown for the op type of a node. */
export function describeOp(entry: NodeEntry, ctx: DescribeContext): string {
  const node = entry.node;
  const domain = node.domain ?? '';
  const fn = ctx.model?.functions?.find((f) => f.name === node.opType && (f.domain ?? '') === domain);
  // Inside a function body, the function's own opset imports apply.
  let owner = ctx.map.scopes[entry.scope];
  while (owner && owner.parent !== undefined) owner = ctx.map.scopes[owner.parent];
  const imports = owner?.fn?.opsetImport ?? ctx.model?.opsetImport;
  const version = opsetFor(imports, domain);
  const shownDomain = domain || 'ai.onnx';
  const lines = [`**${code(node.opType ?? '')}** — domain ${code(shownDomain)}, opset ${version !== undefined ? String(version) : 'not imported'}`];
  if (fn) lines.push('', `Model-local function (${fn.node?.length ?? 0} nodes)`);
  else if (!domain || domain === 'ai.onnx') {
    lines.push('', `[Operator documentation](https://onnx.ai/onnx/operators/onnx__${encodeURIComponent(node.opType ?? '')}.html)`);
  } else if (domain === 'ai.onnx.ml') {
    lines.push('', `[Operator documentation](https://onnx.ai/onnx/operators/onnx_aionnxml_${encodeURIComponent(node.opType ?? '')}.html)`);
  }
  if (node.name) lines.push('', `Node ${code(node.name)}`);
  lines.push('', `${node.input?.filter(Boolean).length ?? 0} input${node.input?.filter(Boolean).length === 1 ? '' : 's'}, ${node.output?.filter(Boolean).length ?? 0} output${node.output?.filter(Boolean).length === 1 ? '' : 's'}, ${node.attribute?.length ?? 0} attribute${node.attribute?.length === 1 ? '' : 's'}`);
  return lines.join('\n');
}
