// The diff overlay's colours, one place for the canvas (theme.ts) and the legend (CSS var()): each status
// gets a translucent fill and a solid stripe along the box's left edge, both from the theme.
// - inserted / removed: the diff editor's inserted and removed text backgrounds, stripes in the git
//   decorations' added and deleted colours (what the explorer and the diff gutter use);
// - changed: the warning colour (faint fill) with the git "modified" stripe, as the SCM gutter marks a modified line;
// - replaced (a group standing for nodes of the first model): the charts' blue, a colour no other mark uses.
// Unchanged nodes are not coloured at all, so the changes stand out.
import type { DiffPaint } from '../src/core/diff/diffOverlay.js';

export type DiffKey = Exclude<DiffPaint, 'unchanged'> | 'removed';

export interface DiffColour {
  /** CSS variables, first set wins, then the fallback. */
  fill: string[];
  fillFallback: string;
  /** Alpha the fill is drawn with: the diff editor's colours carry their own, solid colours need one. */
  fillAlpha: number;
  stripe: string[];
  stripeFallback: string;
}

export const diffColours: Record<DiffKey, DiffColour> = {
  inserted: { fill: ['--vscode-diffEditor-insertedTextBackground', '--vscode-diffEditor-insertedLineBackground'], fillFallback: '#9ccc2c33', fillAlpha: 1, stripe: ['--vscode-gitDecoration-addedResourceForeground', '--vscode-charts-green'], stripeFallback: '#81b88b' },
  changed: { fill: ['--vscode-editorWarning-foreground', '--vscode-charts-yellow'], fillFallback: '#cca700', fillAlpha: 0.22, stripe: ['--vscode-gitDecoration-modifiedResourceForeground', '--vscode-editorWarning-foreground'], stripeFallback: '#e2c08d' },
  replaced: { fill: ['--vscode-charts-blue'], fillFallback: '#3794ff', fillAlpha: 0.22, stripe: ['--vscode-charts-blue'], stripeFallback: '#3794ff' },
  removed: { fill: ['--vscode-diffEditor-removedTextBackground', '--vscode-diffEditor-removedLineBackground'], fillFallback: '#ff000033', fillAlpha: 1, stripe: ['--vscode-gitDecoration-deletedResourceForeground', '--vscode-charts-red'], stripeFallback: '#c74e39' },
};

/** `var(--a, var(--b, fallback))`, for the legend's swatches. */
export function cssColour(names: string[], fallback: string): string {
  return names.reduceRight((inner, name) => `var(${name}, ${inner})`, fallback);
}
