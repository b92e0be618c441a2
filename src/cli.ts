// `onnx-lens`: the model core on the command line. Exit codes: 0 ok (a transform: verified), 1 a
// comparison or verification failed or could not run, 2 usage or input error.
import { setFlagsFromString } from 'node:v8';
import { oneLine } from './core/errors.js';
import { UsageError, type CliCommand } from './cli/command.js';
import { convertCommand } from './cli/convert.js';
import { infoCommand } from './cli/info.js';
import { runCommand } from './cli/run.js';
import { parseCommand } from './cli/parse.js';
import { textCommand } from './cli/text.js';
import { transformCommand } from './cli/transformCommand.js';
import { transforms } from './core/transforms/registry.js';
import { checkCommand } from './cli/check.js';
import { exportServingCommand } from './cli/exportServing.js';
import { serveCommand } from './cli/serve.js';
import { snippetCommand } from './cli/snippet.js';
import { diffCommand } from './cli/diff.js';
import { editCommand } from './cli/edit.js';

// Decoding allocates millions of small objects that all survive; a larger young generation cuts the
// garbage collector's share of decoding a 50,000-node model by more than half (see bench/README.md).
setFlagsFromString('--max-semi-space-size=64');

const commands: CliCommand[] = [infoCommand, convertCommand, editCommand, runCommand, textCommand, parseCommand, ...transforms.map(transformCommand), checkCommand,
  diffCommand, serveCommand, snippetCommand, exportServingCommand];

function help(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return [
    'onnx-lens: inspect, transform and run ONNX models',
    '',
    'Usage: onnx-lens COMMAND ARGUMENTS',
    '',
    'Commands:',
    ...commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`),
    '',
    'Run `onnx-lens COMMAND --help` for the usage and options of one command.',
    'Exit codes: 0 ok (a transform: verified); 1 a comparison or verification failed, or could not run; 2 usage or input error.',
  ].join('\n');
}

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(help() + '\n');
    return name ? 0 : 2;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`onnx-lens: unknown command '${name}'. Run 'onnx-lens --help'.\n`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    process.stdout.write(`${command.help?.() ?? `Usage: ${command.usage}\n  ${command.summary}`}\n`);
    return 0;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (error instanceof UsageError) process.stderr.write(`Usage: ${error.message}\n`);
    else process.stderr.write(`onnx-lens: ${oneLine(error)}\n`);
    if (process.env.ONNX_LENS_DEBUG) console.error(error);
    return 2;
  }
}

main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
