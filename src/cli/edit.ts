// `onnx-lens edit IN -o OUT --rename a=b ...`: the editor's model edits on the command line. The edits
// apply in command-line order as one change, validated once after the last (so a layer can be widened
// through states that do not compute); a refusal exits 2 with its one line and nothing is written.
// IN is written over only with --in-place.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { applyEdits, EditNeedsConfirmation, parseAttributeValue, saveEditedModel, type EditDim, type ModelEdit, type NodeRef } from '../core/edit/index.js';
import { UserError } from '../core/errors.js';
import { readModelFile } from '../core/model/decode.js';
import { assertNotSameFile } from '../core/model/modelFile.js';
import { print, UsageError, type CliCommand } from './command.js';

const usage = 'onnx-lens edit IN (-o OUT | --in-place) EDIT... [--remove-dead] [--force] [--json]';

const help = [
  `Usage: ${usage}`,
  '  Edit a model: the edits apply in the order given, as one change checked after the last (checker rules',
  '  and shape inference), so the steps in between may not compute (widening a layer: --replace-initializer',
  '  W, then B, then --set-shape of the output). A refused change stops with its reason (exit 2) and',
  '  nothing is written. IN is only written over with --in-place; its external data files are never changed.',
  '',
  'Edits (each may be given more than once):',
  '  --rename A=B               rename value A to B everywhere (uses, graph outputs, subgraph captures)',
  '  --rename-node NODE=NAME    rename a node',
  '  --set-shape VALUE=DIMS     shape of a graph input or output: DIMS like N,3,224,224 (? unknown, a name',
  '                             symbolic, nothing after = a scalar)',
  '  --batch DIM | VALUE=DIM    dim 0 of every input (or of VALUE) and of the inputs and outputs sharing it:',
  '                             a number fixes it, a name makes it dynamic',
  '  --set-dtype INPUT=TYPE     element type of a graph input (float16, int32, ...) where its consumers take it',
  '  --expose VALUE             make a computed value a graph output',
  '  --remove-output VALUE      remove a graph output',
  '  --delete-node NODE         delete a node (one data input and one output: bypassed; otherwise its results',
  '                             still read become graph inputs, which needs --force)',
  '  --remove-dead              remove the nodes and initializers the edits leave feeding no output',
  '  --set-attr NODE.ATTR=VALUE set an attribute: 2, 0.5, NOTSET, 2,2 or [2,2] (typed by the op schema)',
  '  --remove-attr NODE.ATTR    remove an attribute',
  '  --meta KEY=VALUE           set a metadata_props entry; --remove-meta KEY removes one',
  '  --doc TEXT                 the model doc string; --node-doc NODE=TEXT a node\'s',
  '  --producer NAME[@VERSION]  producer name and version',
  '  --model-version N          model_version',
  '  --replace-initializer NAME=FILE.npy  replace an initializer\'s value (another dtype or shape needs --force)',
  '',
  'NODE is a node name of the main graph, or #N for its N-th node (from 0). Nodes inside subgraphs are',
  'edited in the editor. A node\'s op domain or version changes through `onnx-lens convert --opset N`.',
  '',
  'Options:',
  '  -o OUT        the edited model (written over when it exists; never IN)',
  '  --in-place    write the edited model over IN',
  '  --force       confirm edits that ask first (a delete leaving consumers dangling, an initializer changing type)',
  '  --json        print the edits as JSON: the output path, [{ label, warnings }] and the change\'s warnings',
].join('\n');

const editOptions = {
  rename: { type: 'string', multiple: true },
  'rename-node': { type: 'string', multiple: true },
  'set-shape': { type: 'string', multiple: true },
  batch: { type: 'string', multiple: true },
  'set-dtype': { type: 'string', multiple: true },
  expose: { type: 'string', multiple: true },
  'remove-output': { type: 'string', multiple: true },
  'delete-node': { type: 'string', multiple: true },
  'set-attr': { type: 'string', multiple: true },
  'remove-attr': { type: 'string', multiple: true },
  meta: { type: 'string', multiple: true },
  'remove-meta': { type: 'string', multiple: true },
  doc: { type: 'string', multiple: true },
  'node-doc': { type: 'string', multiple: true },
  producer: { type: 'string', multiple: true },
  'model-version': { type: 'string', multiple: true },
  'replace-initializer': { type: 'string', multiple: true },
} as const;

/** `a=b` split at the first '=' (or the last, for `name=dims` where names may hold '='). */
function pair(option: string, text: string, last = false): [string, string] {
  const at = last ? text.lastIndexOf('=') : text.indexOf('=');
  if (at <= 0) throw new UserError(`--${option} takes NAME=VALUE, not '${text}'.`);
  return [text.slice(0, at), text.slice(at + 1)];
}

function nodeRef(text: string): NodeRef {
  const index = /^#(\d+)$/.exec(text);
  return index ? { index: Number(index[1]) } : { name: text };
}

function dim(text: string): EditDim {
  const t = text.trim();
  if (t === '?' || t === '') return null;
  return /^\d+$/.test(t) ? Number(t) : t;
}

/** NODE.ATTR (attribute names hold no dots; node names may). */
function nodeAttribute(option: string, text: string): { node: NodeRef; attribute: string } {
  const match = /^(.+)\.([A-Za-z_]\w*)$/s.exec(text);
  if (!match) throw new UserError(`--${option} takes NODE.ATTRIBUTE, not '${text}'.`);
  return { node: nodeRef(match[1]), attribute: match[2] };
}

function toEdit(option: string, text: string, baseDir: string): ModelEdit {
  switch (option) {
    case 'rename': {
      const [from, to] = pair(option, text);
      return { kind: 'renameValue', from, to };
    }
    case 'rename-node': {
      const [node, to] = pair(option, text);
      return { kind: 'renameNode', node: nodeRef(node), to };
    }
    case 'set-shape': {
      const [value, dims] = pair(option, text, true);
      return { kind: 'setShape', value, dims: dims.trim() === '' ? [] : dims.split(',').map(dim) };
    }
    case 'batch': {
      const [value, d] = text.includes('=') ? pair(option, text, true) : [undefined, text];
      const parsed = dim(d);
      if (parsed === null) throw new UserError('--batch takes a number or a name, not ?.');
      return value === undefined ? { kind: 'setBatchDim', dim: parsed } : { kind: 'setBatchDim', value, dim: parsed };
    }
    case 'set-dtype': {
      const [input, dtype] = pair(option, text, true);
      return { kind: 'setInputDtype', input, dtype };
    }
    case 'expose': return { kind: 'exposeOutput', value: text };
    case 'remove-output': return { kind: 'removeOutput', value: text };
    case 'delete-node': return { kind: 'deleteNode', node: nodeRef(text) };
    case 'set-attr': {
      const eq = /^(.+\.[A-Za-z_]\w*)=(.*)$/s.exec(text);
      if (!eq) throw new UserError(`--set-attr takes NODE.ATTRIBUTE=VALUE, not '${text}'.`);
      return { kind: 'setAttribute', ...nodeAttribute(option, eq[1]), value: parseAttributeValue(eq[2]) };
    }
    case 'remove-attr': return { kind: 'removeAttribute', ...nodeAttribute(option, text) };
    case 'meta': {
      const [key, value] = pair(option, text);
      return { kind: 'setMetadata', key, value };
    }
    case 'remove-meta': return { kind: 'setMetadata', key: text, value: null };
    case 'doc': return { kind: 'setDocString', target: 'model', text };
    case 'node-doc': {
      const [node, doc] = pair(option, text);
      return { kind: 'setDocString', target: 'node', node: nodeRef(node), text: doc };
    }
    case 'producer': {
      const at = text.lastIndexOf('@');
      return at > 0 ? { kind: 'setProducer', name: text.slice(0, at), version: text.slice(at + 1) } : { kind: 'setProducer', name: text };
    }
    case 'model-version': {
      if (!/^\d+$/.test(text)) throw new UserError(`--model-version takes a whole number, not '${text}'.`);
      return { kind: 'setModelVersion', version: Number(text) };
    }
    case 'replace-initializer': {
      const [name, file] = pair(option, text, true);
      let npy: Uint8Array;
      try {
        npy = readFileSync(resolve(baseDir, file));
      } catch (error) {
        throw new UserError(`Cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      }
      return { kind: 'replaceInitializer', name, npy };
    }
  }
  throw new UsageError(usage);
}

/** The same edit with its confirmation, for --force. */
function forced(edit: ModelEdit): ModelEdit {
  if (edit.kind === 'deleteNode') return { ...edit, confirmDangling: true };
  if (edit.kind === 'replaceInitializer') return { ...edit, allowChange: true };
  return edit;
}

export const editCommand: CliCommand = {
  name: 'edit',
  usage,
  summary: 'edit a model: rename, set shapes and dtypes, expose or remove outputs, delete nodes, set attributes and metadata',
  help: () => help,
  async run(argv) {
    const { values, positionals, tokens } = parseArgs({
      args: argv,
      options: {
        ...editOptions,
        output: { type: 'string', short: 'o' },
        'in-place': { type: 'boolean' },
        'remove-dead': { type: 'boolean' },
        force: { type: 'boolean' },
        json: { type: 'boolean' },
      },
      allowPositionals: true,
      tokens: true,
    });
    if (positionals.length !== 1 || (!values.output === !values['in-place'])) throw new UsageError(usage);
    const input = resolve(positionals[0]);
    const output = values['in-place'] ? input : resolve(values.output!);
    if (!values['in-place']) assertNotSameFile(input, output);
    const requested = tokens.filter((t) => t.kind === 'option' && t.name in editOptions);
    if (requested.length === 0) throw new UsageError(`${usage}\n  (no edit given: see onnx-lens edit --help)`);
    // Every argument is read (and .npy files loaded) before the model: a typo costs no decode.
    const edits = requested.map((t) => {
      const option = t as { name: string; value?: string };
      return toEdit(option.name, option.value ?? '', process.cwd());
    });
    const { model: source } = await readModelFile(input);
    let result;
    try {
      result = applyEdits(source, values.force ? edits.map(forced) : edits, { modelDir: dirname(input), followUps: values['remove-dead'] });
    } catch (error) {
      if (error instanceof EditNeedsConfirmation) throw new UserError(`${error.message.replace(/ Confirm to [^.]*\.$/, '')} Run with --force to do it anyway.`);
      throw error;
    }
    const { model, steps, warnings } = result;
    if (!values.json) {
      for (const step of steps) {
        print(step.label);
        for (const note of step.notes) print(`  warning: ${note}`);
        if (step.followUp && !values['remove-dead']) print(`  ${step.followUp.prompt.replace(/: remove them\?$/, '')} (--remove-dead removes them)`);
      }
      for (const w of warnings) print(`warning: ${w}`);
    }
    const written = saveEditedModel(output, model, { sourceDir: dirname(input) });
    if (values.json) print(JSON.stringify({ output: written.path, edits: steps.map((s) => ({ label: s.label, warnings: s.notes })), warnings }, null, 2));
    else print(`Wrote ${written.path} (${written.bytes} bytes)${written.dataFile ? ` and ${written.dataFile} (${written.dataBytes} bytes)` : ''}`);
    return 0;
  },
};
