import { parseArgs } from 'node:util';
import { UserError } from '../core/errors.js';
import { readModelFile } from '../core/model/decode.js';
import { parseDimAssignments } from '../core/runtime/inputs.js';
import { modelSignature, servingName } from '../core/serve/signature.js';
import { inferenceSnippet, snippetLanguages, type SnippetLanguage } from '../core/serve/snippets.js';
import { print, UsageError, type CliCommand } from './command.js';

const usage = `onnx-lens snippet MODEL --lang ${snippetLanguages.join('|')} [--dims SYMBOL=N,...] [--url http://127.0.0.1:8000]`;

export const snippetCommand: CliCommand = {
  name: 'snippet',
  usage,
  summary: 'prints a ready program that runs the model (Python, Node, C#) or calls it when served (curl)',
  help: () => [
    `Usage: ${usage}`,
    '  The program uses the model\'s real input names, element types and shapes; symbolic dims become variables',
    '  (1, or the size --dims gives). curl calls the endpoint of `onnx-lens serve` (--url, default http://127.0.0.1:8000).',
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv, options: { lang: { type: 'string' }, dims: { type: 'string', multiple: true }, url: { type: 'string' } }, allowPositionals: true,
    });
    if (positionals.length !== 1 || !values.lang) throw new UsageError(usage);
    const lang = values.lang as SnippetLanguage;
    if (!snippetLanguages.includes(lang)) throw new UserError(`--lang must be one of ${snippetLanguages.join(', ')}, not '${values.lang}'.`);
    const path = positionals[0];
    const { model } = await readModelFile(path);
    const dims = Object.assign({}, ...(values.dims ?? []).map(parseDimAssignments)) as Record<string, number>;
    print(inferenceSnippet(lang, modelSignature(model, servingName(path)), { modelPath: path, dims, ...(values.url ? { url: values.url.replace(/\/+$/, '') } : {}) }));
    return 0;
  },
};
