// The drawn graph as a standalone SVG document, from the same scene (layout) the canvas draws.
import type { GraphView } from '../src/core/graph/viewModelTypes.js';
import { GROUP_HEADER } from './layoutJob.js';
import { opCategory } from '../src/core/ops/opCategory.js';
import { LINE, TITLE, type Scene } from './scene.js';
import type { Theme } from './theme.js';

export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' })[c]!);
}

function pathData(points: Array<{ x: number; y: number }>): string {
  const r = (n: number) => Math.round(n * 10) / 10;
  let d = `M${r(points[0].x)},${r(points[0].y)}`;
  for (let i = 1; i < points.length - 1; i++) {
    const p = points[i];
    const q = points[i + 1];
    d += ` Q${r(p.x)},${r(p.y)} ${r((p.x + q.x) / 2)},${r((p.y + q.y) / 2)}`;
  }
  const last = points[points.length - 1];
  return `${d} L${r(last.x)},${r(last.y)}`;
}

export function sceneToSvg(scene: Scene, graph: GraphView, theme: Theme): string {
  const margin = 20;
  const width = Math.ceil(scene.width + 2 * margin);
  const height = Math.ceil(scene.height + 2 * margin);
  const out: string[] = [];
  const attr = (text: string) => escapeXml(text);
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="${-margin} ${-margin} ${width} ${height}" font-family="${attr(theme.fonts.family)}" font-size="11">`);
  out.push(`<defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="${attr(theme.edge)}"/></marker></defs>`);
  out.push(`<rect x="${-margin}" y="${-margin}" width="${width}" height="${height}" fill="${attr(theme.background)}"/>`);
  for (const item of scene.items) {
    if (!(item.kind === 'group' && item.expanded)) continue;
    out.push(`<g class="group"><rect x="${item.x}" y="${item.y}" width="${item.width}" height="${item.height}" rx="6" fill="${attr(theme.groupFill)}" fill-opacity="0.55" stroke="${attr(theme.groupBorder)}"/>`);
    out.push(`<text x="${item.x + 8}" y="${item.y + GROUP_HEADER / 2}" dominant-baseline="middle" font-weight="600" font-size="12" fill="${attr(theme.subtext)}">${escapeXml(item.title)}</text></g>`);
  }
  out.push(`<g class="edges" fill="none" stroke="${attr(theme.edge)}" stroke-width="1.2">`);
  for (const e of scene.edges) if (e.points.length >= 2) out.push(`<path d="${pathData(e.points)}" marker-end="url(#arrow)"/>`);
  out.push(`</g><g class="edge-labels" font-family="${attr(theme.fonts.monoFamily)}" fill="${attr(theme.edgeLabel)}">`);
  for (const e of scene.edges) {
    if (!e.label || !e.labelAt) continue;
    // A shape only inference knows: italic, in the inlay-hint colour, as on the canvas.
    const inferred = e.inferred ? ` class="inferred" font-style="italic" fill="${attr(theme.edgeLabelInferred)}"` : '';
    out.push(`<text x="${e.labelAt.x}" y="${e.labelAt.y}" dominant-baseline="middle"${inferred}>${escapeXml(e.label)}</text>`);
  }
  out.push('</g>');
  for (const item of scene.items) {
    if (item.kind === 'group' && item.expanded) continue;
    if (item.kind === 'input' || item.kind === 'output') {
      out.push(`<g class="${item.kind}"><rect x="${item.x}" y="${item.y}" width="${item.width}" height="${item.height}" rx="${item.height / 2}" fill="${attr(theme.pillFill)}"/>`);
      out.push(`<text x="${item.x + 10}" y="${item.y + TITLE / 2 + 1}" dominant-baseline="middle" font-weight="600" font-size="12" fill="${attr(theme.pillText)}">${escapeXml(item.titleFit ?? item.title)}</text>`);
      if (item.subtitle) out.push(`<text x="${item.x + 10}" y="${item.y + TITLE + LINE / 2 - 1}" dominant-baseline="middle" font-family="${attr(theme.fonts.monoFamily)}"${item.inferred ? ' font-style="italic"' : ''} fill="${attr(theme.pillText)}">${escapeXml(item.subtitle)}</text>`);
      out.push('</g>');
      continue;
    }
    const colour = item.kind === 'node' ? theme.categories[opCategory(graph.nodes[item.index].op)] : theme.focus;
    const title = item.kind === 'group' ? `▸ ${item.title}` : item.title;
    out.push(`<g class="${item.kind}"><rect x="${item.x}" y="${item.y}" width="${item.width}" height="${item.height}" rx="4" fill="${attr(theme.nodeFill)}" stroke="${attr(theme.nodeBorder)}"/>`);
    out.push(`<path d="M${item.x + 4},${item.y} h${item.width - 8} a4,4 0 0 1 4,4 v${TITLE - 4} h${-item.width} v${-(TITLE - 4)} a4,4 0 0 1 4,-4 z" fill="${attr(colour)}" fill-opacity="${theme.highContrast ? 0.55 : 0.32}"/>`);
    out.push(`<text x="${item.x + 8}" y="${item.y + TITLE / 2}" dominant-baseline="middle" font-weight="600" font-size="12" fill="${attr(theme.text)}">${escapeXml(title)}</text>`);
    if (item.subtitle) out.push(`<text x="${item.x + 8}" y="${item.y + TITLE + LINE / 2}" dominant-baseline="middle" fill="${attr(theme.subtext)}">${escapeXml(item.subtitle)}</text>`);
    const top = item.y + TITLE + (item.subtitle ? LINE : 0);
    item.lines.forEach((line, i) => out.push(`<text x="${item.x + 8}" y="${top + i * LINE + LINE / 2}" dominant-baseline="middle" font-family="${attr(theme.fonts.monoFamily)}" fill="${attr(theme.text)}">${escapeXml(line)}</text>`));
    out.push('</g>');
  }
  out.push('</svg>');
  return out.join('\n');
}
