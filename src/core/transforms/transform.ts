// What a transform is, for every host: its name, its options as a typed schema (the CLI parses and
// documents them from it, VS Code reads settings and asks from it), the rewrite itself, and the
// verification it wants. The pipeline (transformFile.ts) does the rest: reading, writing, verifying,
// reporting. A new transform is one file with a `Transform` and one line in registry.ts.
import type { Problem } from '../check/problem.js';
import type { ExternalDataReader } from '../model/externalData.js';
import type { ModelProto } from '../model/proto.js';
import type { RuntimeClient } from '../runtime/client.js';
import type { OptionSchema, OptionValues } from './optionSchema.js';
import type { ReportTable, TransformReport } from './report.js';
import type { InputChoice, InputSets } from './verificationInputs.js';
import type { VerificationPlan } from './verify.js';

export interface TransformContext {
  client: RuntimeClient;
  /** Reads tensors the source keeps in external data files. */
  external?: ExternalDataReader;
  /** The folder the source's external data paths are relative to. */
  baseDir?: string;
  /** The source file's bytes, for a transform that rewrites fresh decodes (quantize retries). */
  sourceBytes(): Uint8Array;
  /**
   * The input sets of this run (the one input choice: calibration and verification both read it).
   * Throws a one-line error when none can be made, e.g. for a sequence input without files.
   */
  inputs(): InputSets;
  signal?: AbortSignal;
  progress(message: string): void;
}

/** What `run` gives back; the pipeline adds node counts, sizes, diff, time and verification. */
export interface TransformResult<D> {
  model: ModelProto;
  notes: string[];
  tables?: ReportTable[];
  details: D;
}

/** The paths of a finished run, for measurements after verification. */
export interface WrittenFiles {
  source: string;
  output: string;
}

export interface Transform<S extends OptionSchema = OptionSchema, O = unknown, D = unknown> {
  /** The CLI subcommand and the report's title: 'fold'. */
  readonly name: string;
  /** The VS Code title, after 'ONNX: ': 'Fold Constants'. */
  readonly title: string;
  /** The VS Code command contributed in package.json. */
  readonly command: string;
  /** One line for `--help`. */
  readonly summary: string;
  /** The required part of the CLI usage when the schema's `required` marks cannot say it (prune's one-of). */
  readonly synopsis?: string;
  /** What the result is called in messages: 'folded model'. */
  readonly resultName: string;
  readonly options: S;
  /** Lossy transforms take --min-cosine; the text says what the default is. */
  readonly lossy?: { defaultMinCosine: string };
  /** Checks the parsed options together and builds what `run` takes (a UserError for a bad combination). */
  resolve(values: OptionValues<S>): O;
  /** The tag of the default output name: `name.<tag>.onnx`. */
  outputTag(options: O): string;
  /** The options in a few words, for the log. */
  describe(options: O): string;
  /** What this transform asks of the input choice (its own file option, how many sets it wants). */
  inputs?(options: O): Partial<InputChoice>;
  run(model: ModelProto, options: O, context: TransformContext): Promise<TransformResult<D>>;
  /**
   * A checker error of the source that this transform resolves, so the source is taken (sourceChecks.ts);
   * every other error refuses it. Default: none.
   */
  tolerates?(problem: Problem, options: O): boolean;
  /** The result must load in onnxruntime before it is written (runtimeAdmission.ts); default: the checker only. */
  readonly loadsBeforeWrite?: boolean;
  verification(options: O): VerificationPlan;
  /** Measurements on the written, verified files (quantize: latency); may complete `details`. */
  afterVerify?(report: TransformReport & { details: D }, options: O, files: WrittenFiles, result: ModelProto, context: TransformContext): Promise<void>;
  /** The transform's own lines for the end of the report. */
  formatDetails?(details: D, options: { markdown: boolean }): string;
  /** A few words for the notification before the verdict: 'weights 3.9x smaller'. */
  headline?(report: TransformReport & { details: D }): string;
}

/** Any transform, as registries and hosts hold them (methods are bivariant, so every Transform fits). */
export type AnyTransform = Transform<OptionSchema, unknown, unknown>;
