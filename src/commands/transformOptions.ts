// The questions a transform without its own quick picks gets, from its option schema: options tied to
// a setting take the setting, required ones are asked (a quick pick for choices, an input box checked by
// the same parser as the CLI), the rest keep their defaults.
import * as vscode from 'vscode';
import { oneLine } from '../core/errors.js';
import { parseOptionText, parseOptions, type OptionSpec, type RawValues } from '../core/transforms/optionSchema.js';
import type { AnyTransform } from '../core/transforms/transform.js';
import type { AskContext, TransformUi } from './transformRunner.js';

function fromSetting(spec: OptionSpec, value: unknown): RawValues[string] {
  if (spec.kind === 'flag') return value === true;
  if (spec.kind === 'list') return Array.isArray(value) ? value.map(String) : [String(value)];
  return String(value);
}

async function askOne(title: string, name: string, spec: OptionSpec): Promise<RawValues[string] | undefined> {
  const heading = `${title}: ${spec.help}`;
  if (spec.kind === 'enum') {
    const picked = await vscode.window.showQuickPick(spec.values.map((value) => ({ label: value, detail: spec.valueHelp?.[value] })), { title: heading, ignoreFocusOut: true });
    return picked?.label;
  }
  if (spec.kind === 'flag') {
    const picked = await vscode.window.showQuickPick([{ label: 'Yes', value: true }, { label: 'No', value: false }], { title: heading, ignoreFocusOut: true });
    return picked?.value;
  }
  const validateInput = (text: string): string | undefined => {
    if (spec.kind !== 'number') return text.trim() ? undefined : 'A value is needed.';
    try {
      parseOptionText(name, spec, text);
      return undefined;
    } catch (error) {
      return oneLine(error);
    }
  };
  const text = await vscode.window.showInputBox({ title: heading, prompt: `--${name}`, value: spec.kind === 'number' && spec.default !== undefined ? String(spec.default) : '', validateInput, ignoreFocusOut: true });
  if (text === undefined) return undefined;
  return spec.kind === 'list' ? [text] : text;
}

/** The schema's own questions for `transform`. */
export function schemaUi(transform: AnyTransform): TransformUi {
  return {
    async ask({ config }: AskContext) {
      const raw: RawValues = {};
      for (const [name, spec] of Object.entries(transform.options)) {
        const setting = spec.setting === undefined ? undefined : config.get<unknown>(spec.setting);
        if (setting !== undefined) {
          const value = fromSetting(spec, setting);
          if (spec.kind === 'flag' && value === false && spec.negation) raw[spec.negation] = true;
          else raw[name] = value;
        } else if (spec.required) {
          const answer = await askOne(transform.title, name, spec);
          if (answer === undefined) return undefined;
          if (spec.kind === 'flag' && answer === false && spec.negation) raw[spec.negation] = true;
          else raw[name] = answer;
        }
      }
      return transform.resolve(parseOptions(transform.options, raw));
    },
  };
}
