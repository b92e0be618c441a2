// `onnx-lens diff A B`: what changed between two models, and with --run where their numbers part.
// Exit codes: 0 compared (identical or not); with --exit-code, 1 when they differ (or, with --run, a value
// is beyond tolerance), as `git diff --exit-code`; 1 when --run could not run the models; 2 usage or input error.
import { stat } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { diffJson, type JsonDiff } from '../core/diff/diffJson.js';
import { diffModels } from '../core/diff/diffModels.js';
import { diffText } from '../core/diff/diffText.js';
import { findDivergence, type DivergenceReport, type ValueDivergence } from '../core/diff/divergence.js';
import { textconv } from '../core/diff/textconv.js';
import { oneLine, UserError } from '../core/errors.js';
import { formatCosine, formatDims, formatNumber } from '../core/format.js';
import { readModelFile } from '../core/model/decode.js';
import { ExternalDataReader } from '../core/model/externalData.js';
import { assumptionText } from '../core/runtime/inputReport.js';
import { resolveInputs } from '../core/runtime/inputResolve.js';
import { checkExternalData } from '../core/runtime/preflight.js';
import { RuntimeClient } from '../core/runtime/client.js';
import { print, UsageError, type CliCommand } from './command.js';
import { inputHelp, inputOptions, inputSpecFromOptions, inputUsage } from './inputOptions.js';

const usage = 'onnx-lens diff A B [--json] [--exit-code] [--all] [--run [INPUT OPTIONS] [--rtol R] [--atol A] [--batch-mb N]] | onnx-lens diff --textconv MODEL';

const help = [
  'Diff:',
  '  --json          the diff as JSON (shape in the README)',
  '  --exit-code     exit 1 when the models differ (with --run: or a value is beyond tolerance), as git diff --exit-code',
  '  --all           every line of each section (default: the first 50)',
  '  --run           run both models on the same inputs and compare every paired intermediate value;',
  '                  name the first nodes where they part beyond tolerance',
  '  --rtol R, --atol A  tolerance of --run (default 1e-3 and 1e-4: |b - a| <= atol + rtol * |a|)',
  '  --batch-mb N    at most N MiB of values fetched per run (default 256); larger models run in batches',
  '  --textconv      print one model as text for git (see the README: git config diff.onnx.textconv)',
  '',
  inputHelp,
].join('\n');

function number(value: string | undefined, fallback: number, what: string): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new UserError(`--${what} must be a number >= 0, not '${value}'.`);
  return n;
}

function valueLine(v: ValueDivergence): string {
  const where = v.nodeB ? `${v.nodeB.op} ${v.nodeB.name}` : v.nodeA ? `${v.nodeA.op} ${v.nodeA.name}` : 'input';
  const names = v.a === v.b ? v.b : `${v.a} ~ ${v.b}`;
  if (v.problem) return `${where}: ${names}: ${v.problem}`;
  return `${where}: ${names} ${v.dtype}${formatDims(v.shape)}: max abs ${formatNumber(v.maxAbs)}, max rel ${formatNumber(v.maxRel)}, cosine ${formatCosine(v.cosine)}, ${v.mismatches}/${v.count} beyond`;
}

function divergenceText(r: DivergenceReport, inputs: string, assumed: string[], all: boolean): string {
  const beyond = r.values.filter((v) => v.beyond);
  const lines = ['', `Run:          inputs ${inputs}; rtol ${r.tolerance.rtol}, atol ${r.tolerance.atol}`];
  for (const a of assumed) lines.push(`              assumed ${a}`);
  for (const u of r.upgrades) lines.push(`              ${u}`);
  if (r.batches > 1) lines.push(`              values fetched in ${r.batches} batches (each model ran ${r.batches + 1} times)`);
  lines.push(`Values:       ${r.values.length} compared, ${beyond.length} beyond tolerance, ${r.skipped.length} not comparable`);
  if (!beyond.length) {
    lines.push('', 'No compared value is beyond tolerance.');
    return lines.join('\n');
  }
  lines.push('', `Divergence starts at (${r.first.length}):`, ...r.first.map((v) => `  ${valueLine(v)}`));
  const shown = all ? beyond : beyond.slice(0, 20);
  lines.push('', `Beyond tolerance, in order (${beyond.length}):`, ...shown.map((v) => `  ${valueLine(v)}`));
  if (shown.length < beyond.length) lines.push(`  … and ${beyond.length - shown.length} more`);
  return lines.join('\n');
}

async function fileSize(path: string): Promise<number> {
  return (await stat(path)).size;
}

export const diffCommand: CliCommand = {
  name: 'diff',
  usage,
  summary: 'what changed between two models (nodes paired by name and structure), and with --run where their values part',
  help: () => `Usage: ${usage}\n  ${diffCommand.summary}\n\nInput options of --run: ${inputUsage}\n\n${help}`,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        ...inputOptions,
        json: { type: 'boolean' },
        'exit-code': { type: 'boolean' },
        all: { type: 'boolean' },
        run: { type: 'boolean' },
        rtol: { type: 'string' },
        atol: { type: 'string' },
        'batch-mb': { type: 'string' },
        textconv: { type: 'boolean' },
      },
      allowPositionals: true,
    });
    if (values.textconv) {
      if (positionals.length !== 1) throw new UsageError(usage);
      const { model } = await readModelFile(positionals[0]);
      process.stdout.write(textconv(model, ExternalDataReader.forModel(positionals[0])));
      return 0;
    }
    if (positionals.length !== 2) throw new UsageError(usage);
    const [pathA, pathB] = positionals;
    const tolerance = { rtol: number(values.rtol, 1e-3, 'rtol'), atol: number(values.atol, 1e-4, 'atol') };
    const batchBytes = number(values['batch-mb'], 256, 'batch-mb') * 2 ** 20;
    const spec = values.run ? inputSpecFromOptions(values) : undefined;
    const [{ model: a }, { model: b }] = await Promise.all([readModelFile(pathA), readModelFile(pathB)]);
    const diff = diffModels(a, b, {
      readers: { a: ExternalDataReader.forModel(pathA), b: ExternalDataReader.forModel(pathB) },
      fileBytes: { a: await fileSize(pathA), b: await fileSize(pathB) },
    });
    const json: JsonDiff & { run?: DivergenceReport & { inputs: string; assumed: string[] } } = diffJson(diff, { path: pathA, graph: a.graph! }, { path: pathB, graph: b.graph! });
    let text = diffText(json, values.all ? Infinity : 50);
    let diverged = false;
    if (values.run && spec) {
      checkExternalData(a, pathA);
      checkExternalData(b, pathB);
      const inputs = resolveInputs(a, spec);
      if (inputs.dataSets.length !== 1) throw new UserError(`diff --run takes one set of inputs, not ${inputs.dataSets.length}.`);
      const client = RuntimeClient.start();
      try {
        const report = await findDivergence(client, a, b, diff.graph, inputs.dataSets[0].inputs, { tolerance, batchBytes, paths: { a: pathA, b: pathB } });
        const assumed = inputs.assumptions.map(assumptionText);
        json.run = { ...report, inputs: inputs.summary, assumed };
        text += '\n' + divergenceText(report, inputs.summary, assumed, !!values.all);
        diverged = report.values.some((v) => v.beyond);
      } catch (error) {
        // The structural diff stands; the run could not be made: exit 1, as every comparison that cannot run.
        print(values.json ? JSON.stringify(json, null, 2) : text);
        process.stderr.write(`onnx-lens: the models could not be run: ${oneLine(error)}\n`);
        return 1;
      } finally {
        client.dispose();
      }
    }
    print(values.json ? JSON.stringify(json, null, 2) : text);
    return values['exit-code'] && (!diff.identical || diverged) ? 1 : 0;
  },
};
