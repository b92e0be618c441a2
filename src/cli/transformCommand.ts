// The CLI runner of every transform: its options parsed from the transform's schema plus the shared
// output and verification options and the input options every command that runs a model takes
// (inputOptions.ts; files as --data), --help generated from the same, the pipeline run, the report printed,
// and the exit code: 0 verified (or verification skipped on request), 1 verification failed or could
// not run, or the result failed the model checker and was not written, 2 usage or input error (a source
// that fails the checker among them; thrown before anything is written; src/cli.ts prints it).
import { existsSync } from 'node:fs';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UserError } from '../core/errors.js';
import { freeOutputPath } from '../core/model/modelFile.js';
import { RuntimeClient } from '../core/runtime/client.js';
import { missingRequired, parseOptions, type OptionSchema, type OptionSpec, type RawValues } from '../core/transforms/optionSchema.js';
import { formatReport, verificationLines, type TransformReport } from '../core/transforms/report.js';
import type { AnyTransform } from '../core/transforms/transform.js';
import { ResultRefused } from '../core/transforms/sourceChecks.js';
import { siblingOutputPath, transformFile, type TransformRun } from '../core/transforms/transformFile.js';
import { print, UsageError, type CliCommand } from './command.js';
import { inputHelpFor, inputOptions, inputSpecFromOptions, } from './inputOptions.js';
import type { InputOptionTexts } from '../core/runtime/inputSpec.js';

/** The input options of `run`, with the files as --data: prune's own --inputs names where its cut starts. */
const { inputs: filesOption, ...otherInputOptions } = inputOptions;
const transformInputOptions = { data: filesOption, ...otherInputOptions };

/** Options every transform takes: where the result goes, how it is printed, what it is verified on. */
function sharedOptions(transform: AnyTransform): OptionSchema {
  return {
    output: { kind: 'text', value: 'OUT', help: 'the result (default: beside IN, named after it and the transform, numbered when taken); an existing OUT is replaced, IN never' },
    json: { kind: 'flag', help: 'print the report as JSON' },
    ...(transform.lossy ? {
      'min-cosine': { kind: 'number', value: 'C', min: -1, max: 1, help: `accept the result when every float output keeps a cosine similarity of at least C with the original's (default: ${transform.lossy.defaultMinCosine})` },
    } : {}),
    'no-verify': { kind: 'flag', help: 'write the result without running it (exit 0; the report says it is not verified)' },
  };
}

function parserConfig(schema: OptionSchema): NonNullable<ParseArgsConfig['options']> {
  const config: NonNullable<ParseArgsConfig['options']> = {};
  for (const [name, spec] of Object.entries(schema)) {
    if (spec.kind === 'flag') {
      config[name] = { type: 'boolean' };
      if (spec.negation) config[spec.negation] = { type: 'boolean' };
    } else {
      config[name] = { type: 'string', ...(spec.kind === 'list' ? { multiple: true } : {}), ...(name === 'output' ? { short: 'o' } : {}) };
    }
  }
  return config;
}

function label(name: string, spec: OptionSpec): string {
  const flag = name === 'output' ? '-o, --output' : `--${name}`;
  switch (spec.kind) {
    case 'flag': return spec.negation ? `${flag} | --${spec.negation}` : flag;
    case 'enum': return `${flag} ${spec.values.join('|')}`;
    default: return `${flag} ${spec.value}`;
  }
}

function usage(transform: AnyTransform): string {
  const required = Object.entries(transform.options).filter(([, spec]) => spec.required).map(([name, spec]) => label(name, spec));
  return ['onnx-lens', transform.name, 'IN', '[-o OUT]', ...(transform.synopsis ? [transform.synopsis] : required), '[options]'].join(' ');
}

/** Help text lines start after a fixed column; a longer label gets its own line. Nothing is padded to fit the widest. */
const column = 24;

function optionLines(schema: OptionSchema): string[] {
  const lines: string[] = [];
  for (const [name, spec] of Object.entries(schema)) {
    const head = `  ${label(name, spec)}`;
    const dflt = (spec.kind === 'number' || spec.kind === 'enum') && spec.default !== undefined && !spec.help.includes('default') ? ` (default ${spec.default})` : '';
    const help = `${spec.help}${dflt}${spec.required ? ' (required)' : ''}`;
    if (head.length < column - 1) lines.push(`${head.padEnd(column)}${help}`);
    else lines.push(head, `${' '.repeat(column)}${help}`);
    if (spec.kind === 'enum' && spec.valueHelp) {
      for (const value of spec.values) lines.push(`${' '.repeat(column + 2)}${value}: ${spec.valueHelp[value]}`);
    }
  }
  return lines;
}

export const exitCodesHelp = 'Exit codes: 0 verified; 1 verification failed or could not run, or the result failed the model checker and was not written (the reason on one line); 2 usage or input error, a source that fails the model checker among them (nothing written).';

function help(transform: AnyTransform): string {
  return [
    `Usage: ${usage(transform)}`,
    `${transform.summary[0].toUpperCase()}${transform.summary.slice(1)}.`,
    '',
    'Options:',
    ...optionLines(transform.options),
    '',
    'Output and verification:',
    ...optionLines(sharedOptions(transform)),
    '',
    inputHelpFor('data', column, 'Inputs (to verify on, and to calibrate with):'),
    '',
    exitCodesHelp,
  ].join('\n');
}

/** JSON without NaN/Infinity (not valid JSON): they are written as strings. */
export function reportJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? String(v) : v), 2);
}

/** 0 verified or skipped on request; 1 for everything else a report can say. */
export function exitCode(report: TransformReport): number {
  const status = report.verification?.status;
  return status === 'pass' || status === 'skipped' ? 0 : 1;
}

export function transformCommand(transform: AnyTransform): CliCommand {
  const shared = sharedOptions(transform);
  const line = usage(transform);
  return {
    name: transform.name,
    usage: line,
    summary: transform.summary,
    help: () => help(transform),
    async run(argv) {
      const { values, positionals } = parseArgs({ args: argv, options: { ...parserConfig({ ...transform.options, ...shared }), ...transformInputOptions }, allowPositionals: true });
      const raw = values as RawValues;
      if (positionals.length !== 1 || missingRequired(transform.options, raw).length) throw new UsageError(line);
      const options = transform.resolve(parseOptions(transform.options, raw));
      const common = parseOptions(shared, raw) as Record<string, unknown>;
      const given = values as { data?: string[] } & Omit<InputOptionTexts, 'inputs'>;
      const spec = inputSpecFromOptions({ ...given, inputs: given.data });
      const input = positionals[0];
      if (!existsSync(input)) throw new UserError(`No such file: ${input}`);
      const output = typeof common.output === 'string' ? common.output : freeOutputPath(siblingOutputPath(input, transform.outputTag(options)));
      const client = RuntimeClient.start();
      try {
        let run: TransformRun<unknown>;
        try {
          run = await transformFile(transform, {
            input, output, options, client,
            inputs: spec,
            verify: !common['no-verify'],
            minCosine: common['min-cosine'] as number | undefined,
          });
        } catch (error) {
          // A result that fails the checker is our fault, not the input's: exit 1, the report and one line.
          if (!(error instanceof ResultRefused)) throw error;
          print(common.json ? reportJson(error.report) : formatReport(error.report));
          process.stderr.write(`onnx-lens ${transform.name}: ${error.message}\n`);
          return 1;
        }
        const { report } = run;
        print(common.json ? reportJson(report) : formatReport(report) + (transform.formatDetails?.(report.details, { markdown: false }) ?? ''));
        const code = exitCode(report);
        if (code !== 0) process.stderr.write(`onnx-lens ${transform.name}: wrote ${report.output}, not verified: ${verificationLines(report.verification)[0]}\n`);
        return code;
      } finally {
        client.dispose();
      }
    },
  };
}
