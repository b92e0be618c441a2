import { parseArgs } from 'node:util';
import { UserError } from '../core/errors.js';
import { readModelFile } from '../core/model/decode.js';
import { exampleRequest } from '../core/serve/exampleRequest.js';
import { modelSignature, servingName } from '../core/serve/signature.js';
import { inferenceSnippet, snippetLanguages, type SnippetLanguage } from '../core/serve/snippets.js';
import { print, UsageError, type CliCommand } from './command.js';
import { inputHelpFor, inputOptions, inputSpecFromOptions, inputUsage } from './inputOptions.js';

const usage = `onnx-lens snippet MODEL --lang ${snippetLanguages.join('|')} [--url http://127.0.0.1:8000] ${inputUsage}`;

export const snippetCommand: CliCommand = {
  name: 'snippet',
  usage,
  summary: 'prints a ready program that runs the model (Python, Node, C#) or calls it when served (curl)',
  help: () => [
    `Usage: ${usage}`,
    '  The program uses the model\'s real input names, element types and shapes; symbolic dims become variables',
    '  at the sizes of the example request the input options make (see below): the size the model implies, or',
    '  the one --dims or --shape gives. Inputs given with --value, and integer scalars the model compares with a',
    '  constant, carry that value. curl sends the whole example request to the endpoint of `onnx-lens serve`',
    '  (--url, default http://127.0.0.1:8000).',
    inputHelpFor('inputs', 28, '\nInputs (the example):'),
  ].join('\n'),
  async run(argv) {
    const { values, positionals } = parseArgs({
      args: argv, options: { lang: { type: 'string' }, url: { type: 'string' }, ...inputOptions }, allowPositionals: true,
    });
    if (positionals.length !== 1 || !values.lang) throw new UsageError(usage);
    const lang = values.lang as SnippetLanguage;
    if (!snippetLanguages.includes(lang)) throw new UserError(`--lang must be one of ${snippetLanguages.join(', ')}, not '${values.lang}'.`);
    const path = positionals[0];
    const { model } = await readModelFile(path);
    const signature = modelSignature(model, servingName(path));
    const example = exampleRequest(signature, model, inputSpecFromOptions(values));
    print(inferenceSnippet(lang, signature, { modelPath: path, example, ...(values.url ? { url: values.url.replace(/\/+$/, '') } : {}) }));
    return 0;
  },
};
