import { parseArgs } from 'node:util';
import { UserError } from '../core/errors.js';
import { formatDuration } from '../core/format.js';
import { assumptionText, fedText } from '../core/runtime/inputReport.js';
import { sendInferRequest } from '../core/serve/inferClient.js';
import { isLoopback, ModelServer } from '../core/serve/server.js';
import { print, UsageError, type CliCommand } from './command.js';
import { inputHelpFor, inputOptions, inputSpecFromOptions, inputUsage } from './inputOptions.js';

const usage = `onnx-lens serve MODEL [--port P] [--host 127.0.0.1] [--instances N] [--queue N] [--max-body MB] [--threads N] [--timeout SECONDS] ${inputUsage}`;

const help = [
  `Usage: ${usage}`,
  '  Serves the model over HTTP with the Open Inference Protocol (KServe v2 REST), until Ctrl+C:',
  '  GET /v2/health/live, /v2/health/ready, /v2/models/NAME; POST /v2/models/NAME/infer (JSON tensors, or',
  '  the binary tensor data extension with Inference-Header-Content-Length).',
  '  --port P          default 8000 (0: any free port)',
  '  --host H          default 127.0.0.1. There is no authentication: another address lets anyone who reaches it run the model',
  '  --instances N     onnxruntime processes, each running one request at a time (default 1)',
  '  --queue N         connections that may wait for an instance (their health and metadata GETs are answered',
  '                    meanwhile), and requests waiting in each; more are answered 503 at once (default 64)',
  '  --max-body MB     largest request accepted (default 256)',
  '  --threads N       onnxruntime intra-op threads per instance',
  '  --timeout SECONDS a run longer is stopped at its deadline (500), its instance restarts (default 60)',
  '',
  '  At start the server answers one example request over HTTP, made from the input options below, and',
  '  prints it: the inputs fed, what was assumed, the status and the time. Sizes given with --shape or',
  '  --dims are fixed in the model metadata, and requests of other sizes are refused (400).',
  inputHelpFor('inputs', 28, '\nInputs (the example request):'),
].join('\n');

/** Sends the example request through the real endpoint: the user sees at once that the model answers, and with what. */
async function checkExample(server: ModelServer): Promise<void> {
  const example = server.example;
  if ('problem' in example) {
    process.stderr.write(`No example request: ${example.problem}\n`);
    return;
  }
  const lines = [`Example request: ${example.summary}`, ...example.fed.map((f) => `  ${fedText(f)}`)];
  example.assumptions.forEach((a, i) => lines.push(`${i === 0 ? 'Assumed: ' : '         '}${assumptionText(a)}`));
  const answer = await sendInferRequest(server.inferUrl, example.tensors);
  if (answer.status === 200) {
    lines.push(`  answered 200 in ${formatDuration(answer.ms)}: ${answer.outputs!.map((o) => `${o.name} ${o.datatype}[${o.array.dims.join(',')}]`).join(', ')}`);
    print(lines.join('\n'));
  } else {
    print(lines.join('\n'));
    process.stderr.write(`Warning: the example request was answered ${answer.status}: ${answer.error}\n  Give the inputs with --shape, --dims or --value; the server keeps running.\n`);
  }
}

function whole(value: string | undefined, name: string, fallback: number, min = 1): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min) throw new UserError(`--${name} must be a whole number >= ${min}, not '${value}'.`);
  return n;
}

export const serveCommand: CliCommand = {
  name: 'serve',
  usage,
  summary: 'serves the model at a local HTTP endpoint (Open Inference Protocol / KServe v2), until Ctrl+C',
  help: () => help,
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv,
      options: {
        port: { type: 'string' }, host: { type: 'string' }, instances: { type: 'string' }, queue: { type: 'string' },
        'max-body': { type: 'string' }, threads: { type: 'string' }, timeout: { type: 'string' }, ...inputOptions,
      },
      allowPositionals: true,
    });
    if (positionals.length !== 1) throw new UsageError(usage);
    const host = values.host ?? '127.0.0.1';
    const threads = values.threads === undefined ? undefined : whole(values.threads, 'threads', 1);
    const inputSpec = inputSpecFromOptions(values);
    const server = await ModelServer.start({
      inputSpec,
      modelPath: positionals[0], host, port: whole(values.port, 'port', 8000, 0), instances: whole(values.instances, 'instances', 1),
      queueLimit: whole(values.queue, 'queue', 64, 0), maxBodyBytes: whole(values['max-body'], 'max-body', 256) * 2 ** 20,
      timeoutMs: whole(values.timeout, 'timeout', 60) * 1000, settings: threads ? { intraOpThreads: threads } : {},
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (!isLoopback(host)) process.stderr.write(`Warning: listening on ${host}: anyone who can reach it can run the model; there is no authentication.\n`);
    print(`Serving '${server.signature.name}' at ${server.url} (Open Inference Protocol)\n  infer: POST ${server.inferUrl}`);
    await checkExample(server);
    print('Ctrl+C stops.');
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    const stats = server.stats();
    await server.close();
    const p = (ms: number | undefined) => (ms === undefined ? '-' : formatDuration(ms));
    print(`Stopped after ${stats.requests} requests (${stats.errors} errors, ${stats.rejected} refused busy); p50 ${p(stats.p50Ms)}, p99 ${p(stats.p99Ms)}.`);
    return 0;
  },
};
