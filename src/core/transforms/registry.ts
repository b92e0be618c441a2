// The transforms every host offers: the CLI makes a subcommand of each, VS Code a command (contributed
// in package.json under the transform's `command`). Adding a transform is one line here.
import { foldTransform } from './foldTransform.js';
import { opsetTransform } from './opsetTransform.js';
import { pruneTransform } from './pruneTransform.js';
import { quantizeTransform } from './quantize/quantizeTransform.js';
import { simplifyTransform } from './simplify/simplifyTransform.js';
import type { AnyTransform } from './transform.js';

export const transforms: readonly AnyTransform[] = [foldTransform, simplifyTransform, pruneTransform, quantizeTransform, opsetTransform];
