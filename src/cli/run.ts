import { parseArgs } from 'node:util';
import { UserError } from '../core/errors.js';
import { formatCosine, formatDims, formatDuration, formatNumber } from '../core/format.js';
import { readModelFile } from '../core/model/decode.js';
import { OnnxRuntimeError, RuntimeClient } from '../core/runtime/client.js';
import { assumptionText, fedText, type Assumption, type FedInput } from '../core/runtime/inputReport.js';
import { resolveInputs, type ResolvedInputs } from '../core/runtime/inputResolve.js';
import { checkExternalData } from '../core/runtime/preflight.js';
import type { GraphOptimizationLevel, SessionSettings } from '../core/runtime/settings.js';
import { testRun, type OutputReport, type TestRunReport } from '../core/runtime/testRun.js';
import { upgradeText } from '../core/opset/runtimeUpgrade.js';
import { print, UsageError, type CliCommand } from './command.js';
import { inputHelp, inputOptions, inputSpecFromOptions, inputUsage } from './inputOptions.js';

const usage = `onnx-lens run MODEL ${inputUsage} [--iterations N] [--warmup N] [--compare OTHER] [--rtol R --atol A] `
  + '[--threads N] [--optimization disabled|basic|extended|all] [--provider cpu,...] [--timeout SECONDS] [--json] [--verbose]';

const help = [
  inputHelp,
  'Run:',
  '  --iterations N, --warmup N  timed runs after untimed ones (default 20 and 3; 0 iterations: no timing)',
  '  --compare OTHER             run OTHER on the same inputs and compare its outputs (--rtol, --atol)',
  '  --threads N, --optimization LEVEL, --provider cpu,...  onnxruntime session settings',
  '  --timeout SECONDS           stop onnxruntime when one step takes longer (default 300)',
  '  --json                      the report as JSON: outputs in the model\'s order, the inputs fed, what was assumed',
  '  --verbose                   onnxruntime\'s full message on stderr when it fails (before the one-line error)',
].join('\n');

const levels = ['disabled', 'basic', 'extended', 'all'];

function number(value: string | undefined, fallback: number, what: string, check: (n: number) => boolean): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || !check(n)) throw new UserError(`--${what} must be ${what === 'rtol' || what === 'atol' ? 'a number >= 0' : 'a whole number >= 0'}, not '${value}'.`);
  return n;
}

const whole = (n: number) => Number.isInteger(n) && n >= 0;

function table(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i])).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)];
}

function outputRow(o: OutputReport): string[] {
  const c = o.comparison;
  const s = o.stats;
  return [
    o.name, o.dtype, formatDims(o.shape), formatNumber(s.min), formatNumber(s.max), formatNumber(s.mean), formatNumber(s.std),
    String(s.nan), String(s.inf),
    c ? formatNumber(c.maxAbsError) : '', c ? formatNumber(c.maxRelError) : '', c ? formatCosine(c.cosine) : '',
    c ? `${c.mismatches}/${c.count}` : '', c ? (c.pass ? 'ok' : `FAIL${c.problem ? ` (${c.problem})` : ''}`) : '',
  ];
}

function fedRows(fed: readonly FedInput[]): string[] {
  const rows = fed.map((f) => [
    f.name, f.dtype, formatDims(f.dims),
    f.value !== undefined ? `= ${f.value}` : f.source === 'generated' ? `generated (${f.from})` : `from ${f.from}`,
    [f.assumedAxes.length ? `${f.assumedAxes.map((a) => `${f.name}[${a}]`).join(', ')} assumed` : '', f.assumedValue ? 'value assumed' : ''].filter(Boolean).join('; '),
  ]);
  return table(['input', 'dtype', 'shape', 'value', 'note'], rows).map((l) => `  ${l}`);
}

function humanReport(model: string, inputs: ResolvedInputs, report: TestRunReport, tolerance: { rtol: number; atol: number }): string {
  const s = report.settings;
  const lines = [`Model:    ${model}`, `Inputs:   ${inputs.summary}`];
  if (inputs.dataSets.length === 1 && inputs.dataSets[0].fed) lines.push(...fedRows(inputs.dataSets[0].fed));
  inputs.assumptions.forEach((a, i) => lines.push(`${i === 0 ? 'Assumed:  ' : '          '}${assumptionText(a)}`));
  for (const line of upgradeLines(report)) lines.push(`Opset:    ${line}`);
  lines.push(`Settings: ${s.executionProviders.join(', ')}, ${s.intraOpThreads || 'default'} intra-op threads, graph optimization ${s.graphOptimizationLevel}`);
  const compared = report.dataSets.some((d) => d.reference);
  const header = ['output', 'dtype', 'shape', 'min', 'max', 'mean', 'std', 'NaN', 'Inf'];
  if (compared) header.push('max abs err', 'max rel err', 'cosine', 'mismatches', 'result');
  for (const set of report.dataSets) {
    lines.push('', report.dataSets.length > 1 || set.reference ? `${set.name}${set.reference ? ` (compared with ${set.reference})` : ''}:` : 'Outputs:');
    lines.push(...table(header, set.outputs.map((o) => outputRow(o).slice(0, header.length))).map((l) => `  ${l}`));
  }
  const l = report.latency;
  if (l) {
    lines.push('', `Latency:  ${l.iterations} runs: mean ${formatDuration(l.mean)}, p50 ${formatDuration(l.p50)}, p90 ${formatDuration(l.p90)}, `
      + `p99 ${formatDuration(l.p99)} (min ${formatDuration(l.min)}, max ${formatDuration(l.max)}); session created in ${formatDuration(l.sessionCreateMs)}`);
  }
  if (report.pass !== undefined) {
    const failed = report.dataSets.flatMap((d) => d.outputs).filter((o) => o.comparison && !o.comparison.pass).length;
    lines.push('', report.pass
      ? `Result:   every output matches (rtol ${tolerance.rtol}, atol ${tolerance.atol}).`
      : `Result:   ${failed} output${failed === 1 ? ' differs' : 's differ'} beyond rtol ${tolerance.rtol}, atol ${tolerance.atol}.`);
  }
  return lines.join('\n');
}

/** The in-memory upgrades of a run, said out loud. */
function upgradeLines(report: TestRunReport): string[] {
  return [
    ...(report.upgraded ? [upgradeText(report.upgraded)] : []),
    ...(report.compareUpgraded ? [upgradeText(report.compareUpgraded, 'the compared model')] : []),
  ];
}

function jsonAssumption(a: Assumption) {
  return { subject: a.subject, value: a.value, kind: a.kind, reason: a.reason, option: a.option, text: assumptionText(a) };
}

function jsonFed(f: FedInput) {
  return {
    name: f.name, dtype: f.dtype, shape: f.dims, source: f.source, from: f.from, ...(f.value !== undefined ? { value: f.value } : {}),
    assumedAxes: f.assumedAxes, assumedValue: f.assumedValue ?? false, text: fedText(f),
  };
}

function jsonReport(model: string, inputs: ResolvedInputs, report: TestRunReport, tolerance: { rtol: number; atol: number }): string {
  const outputs = report.dataSets.flatMap((set) => set.outputs.map((o) => ({
    ...(report.dataSets.length > 1 ? { dataSet: set.name } : {}),
    name: o.name,
    dtype: o.dtype,
    shape: o.shape,
    stats: { count: o.stats.count, min: o.stats.min, max: o.stats.max, mean: o.stats.mean, std: o.stats.std, zeros: o.stats.zeros, nan: o.stats.nan, inf: o.stats.inf },
    preview: o.preview,
    ...(o.comparison ? {
      maxAbsError: o.comparison.maxAbsError, maxRelError: o.comparison.maxRelError, cosine: o.comparison.cosine,
      mismatches: o.comparison.mismatches, pass: o.comparison.pass, ...(o.comparison.problem ? { problem: o.comparison.problem } : {}),
    } : {}),
  })));
  const latency = report.latency && { ...report.latency, times: undefined };
  return JSON.stringify({
    model, inputs: inputs.summary, feeds: (inputs.dataSets[0]?.fed ?? []).map(jsonFed), assumed: inputs.assumptions.map(jsonAssumption),
    settings: report.settings, upgraded: upgradeLines(report), tolerance, reference: report.dataSets.find((d) => d.reference)?.reference ?? null,
    pass: report.pass ?? null, outputs, latency: latency ?? null,
  }, null, 2);
}

export const runCommand: CliCommand = {
  name: 'run',
  usage,
  summary: 'run through onnxruntime (child process): outputs, latency, comparison with expected outputs or another model',
  help: () => `Usage: ${usage}\n  ${runCommand.summary}\n\n${help}`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...inputOptions,
        iterations: { type: 'string' },
        warmup: { type: 'string' },
        compare: { type: 'string' },
        rtol: { type: 'string' },
        atol: { type: 'string' },
        threads: { type: 'string' },
        optimization: { type: 'string' },
        provider: { type: 'string' },
        timeout: { type: 'string' },
        json: { type: 'boolean' },
        verbose: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError(usage);
    const modelPath = positionals[0];
    const tolerance = {
      rtol: number(values.rtol, 1e-3, 'rtol', (n) => n >= 0),
      atol: number(values.atol, 1e-4, 'atol', (n) => n >= 0),
    };
    const iterations = number(values.iterations, 20, 'iterations', whole);
    const warmup = number(values.warmup, 3, 'warmup', whole);
    const timeout = number(values.timeout, 300, 'timeout', (n) => n > 0);
    if (values.optimization && !levels.includes(values.optimization)) throw new UserError(`--optimization must be one of ${levels.join(', ')}.`);
    const settings: SessionSettings = {
      intraOpThreads: number(values.threads, 0, 'threads', whole),
      graphOptimizationLevel: (values.optimization ?? 'all') as GraphOptimizationLevel,
      executionProviders: values.provider ? values.provider.split(',').map((p) => p.trim()).filter(Boolean) : ['cpu'],
    };
    const spec = inputSpecFromOptions(values);
    const { model } = await readModelFile(modelPath);
    // Our own words for a bad external-data reference, before onnxruntime gives its own.
    checkExternalData(model, modelPath);
    const other = values.compare ? (await readModelFile(values.compare)).model : undefined;
    if (other && values.compare) checkExternalData(other, values.compare);
    const inputs = resolveInputs(model, spec);
    const client = RuntimeClient.start({ timeoutMs: timeout * 1000 });
    try {
      const report = await testRun(client, modelPath, {
        dataSets: inputs.dataSets, assumptions: inputs.assumptions, decoded: model, compareWith: values.compare, compareDecoded: other, settings, tolerance, warmup, iterations,
      });
      print(values.json ? jsonReport(modelPath, inputs, report, tolerance) : humanReport(modelPath, inputs, report, tolerance));
      return report.pass === false ? 1 : 0;
    } catch (error) {
      if (values.verbose && error instanceof OnnxRuntimeError) process.stderr.write(`onnxruntime said: ${error.detail.replace(/\s+/g, ' ').trim()}\n`);
      throw error;
    } finally {
      client.dispose();
    }
  },
};
