// Canvas colours read from VS Code's --vscode-* theme variables (light, dark and high contrast);
// re-read when the theme changes (VS Code swaps the body class and the variables).
import type { OpCategory } from '../src/core/ops/opCategory.js';
import { diffColours, type DiffKey } from './diffColours.js';

export interface Theme {
  background: string;
  nodeFill: string;
  nodeBorder: string;
  text: string;
  subtext: string;
  edge: string;
  edgeLabel: string;
  /** Labels of shapes that shape inference gives (the file declares none), drawn in italics too. */
  edgeLabelInferred: string;
  focus: string;
  match: string;
  groupFill: string;
  groupBorder: string;
  pillFill: string;
  pillText: string;
  heat: string;
  /** The diff overlay's fill, its alpha and the stripe, per status (webview/diffColours.ts); themes made by hand (tests) may leave it out. */
  diff?: Record<DiffKey, { fill: string; alpha: number; stripe: string }>;
  highContrast: boolean;
  categories: Record<OpCategory, string>;
  fonts: { title: string; text: string; mono: string; family: string; monoFamily: string };
}

function pick(style: CSSStyleDeclaration, names: string[], fallback: string): string {
  for (const name of names) {
    const value = style.getPropertyValue(name).trim();
    if (value) return value;
  }
  return fallback;
}

export function readTheme(root: HTMLElement = document.body): Theme {
  const style = getComputedStyle(root);
  const dark = document.body.classList.contains('vscode-dark') || document.body.classList.contains('vscode-high-contrast');
  const highContrast = document.body.classList.contains('vscode-high-contrast') || document.body.classList.contains('vscode-high-contrast-light');
  const fg = pick(style, ['--vscode-editor-foreground', '--vscode-foreground'], dark ? '#cccccc' : '#333333');
  const family = pick(style, ['--vscode-font-family'], 'system-ui, sans-serif');
  const monoFamily = pick(style, ['--vscode-editor-font-family'], 'monospace');
  return {
    background: pick(style, ['--vscode-editor-background'], dark ? '#1e1e1e' : '#ffffff'),
    nodeFill: pick(style, ['--vscode-editorWidget-background', '--vscode-editor-background'], dark ? '#252526' : '#f3f3f3'),
    nodeBorder: pick(style, ['--vscode-contrastBorder', '--vscode-editorWidget-border', '--vscode-widget-border', '--vscode-panel-border'], dark ? '#454545' : '#c8c8c8'),
    text: fg,
    subtext: pick(style, ['--vscode-descriptionForeground'], dark ? '#9d9d9d' : '#717171'),
    edge: pick(style, ['--vscode-editorLineNumber-foreground', '--vscode-descriptionForeground'], dark ? '#858585' : '#8a8a8a'),
    edgeLabel: pick(style, ['--vscode-descriptionForeground'], dark ? '#9d9d9d' : '#717171'),
    // What editors use for types a language infers (inlay hints), so the graph says it the same way.
    edgeLabelInferred: pick(style, ['--vscode-editorInlayHint-typeForeground', '--vscode-editorInlayHint-foreground', '--vscode-disabledForeground', '--vscode-descriptionForeground'], dark ? '#969696' : '#969696'),
    focus: pick(style, ['--vscode-focusBorder'], '#007fd4'),
    match: pick(style, ['--vscode-editor-findMatchBorder', '--vscode-charts-orange', '--vscode-editorOverviewRuler-findMatchForeground'], '#d18616'),
    groupFill: pick(style, ['--vscode-sideBar-background', '--vscode-editorWidget-background'], dark ? '#252526' : '#f3f3f3'),
    groupBorder: pick(style, ['--vscode-contrastBorder', '--vscode-panel-border', '--vscode-editorGroup-border'], dark ? '#3c3c3c' : '#d4d4d4'),
    pillFill: pick(style, ['--vscode-badge-background'], dark ? '#4d4d4d' : '#c4c4c4'),
    pillText: pick(style, ['--vscode-badge-foreground'], dark ? '#ffffff' : '#333333'),
    heat: pick(style, ['--vscode-charts-red', '--vscode-errorForeground'], '#f14c4c'),
    diff: Object.fromEntries(Object.entries(diffColours).map(([key, c]) => [key, { fill: pick(style, c.fill, c.fillFallback), alpha: c.fillAlpha, stripe: pick(style, c.stripe, c.stripeFallback) }])) as Theme['diff'],
    highContrast,
    categories: {
      layer: pick(style, ['--vscode-charts-blue'], '#3794ff'),
      activation: pick(style, ['--vscode-charts-red'], '#f14c4c'),
      pool: pick(style, ['--vscode-charts-green'], '#89d185'),
      normalization: pick(style, ['--vscode-charts-purple'], '#b180d7'),
      shape: pick(style, ['--vscode-charts-orange'], '#d18616'),
      tensor: pick(style, ['--vscode-charts-yellow'], '#cca700'),
      logic: pick(style, ['--vscode-charts-lines', '--vscode-descriptionForeground'], '#808080'),
      control: pick(style, ['--vscode-charts-purple'], '#b180d7'),
      quantization: pick(style, ['--vscode-charts-green'], '#89d185'),
      constant: pick(style, ['--vscode-descriptionForeground'], '#808080'),
      other: pick(style, ['--vscode-charts-lines', '--vscode-descriptionForeground'], '#808080'),
    },
    fonts: {
      title: `600 12px ${family}`,
      text: `11px ${family}`,
      mono: `11px ${monoFamily}`,
      family,
      monoFamily,
    },
  };
}
