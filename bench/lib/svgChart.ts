// A small log-log line chart as standalone SVG (no dependency): one line per series, decade grid lines,
// a legend. Used for the scale curve next to the results table.

export interface Series {
  name: string;
  points: Array<{ x: number; y: number }>;
}

export interface ChartOptions {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  /** A dashed guide of slope 1 (cost proportional to size) through the middle of the data. */
  linearGuide?: boolean;
  width?: number;
  height?: number;
}

// Distinct on light and dark backgrounds.
const colours = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** 1, 2, 5, 10, 20... within [lo, hi]: the labelled ticks of a log axis. */
function ticks(lo: number, hi: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
    }
  }
  return out;
}

function label(v: number): string {
  if (v >= 1e6) return `${v / 1e6}M`;
  if (v >= 1e3) return `${v / 1e3}k`;
  return String(Number(v.toPrecision(3)));
}

export function logLogChart(options: ChartOptions): string {
  const width = options.width ?? 860;
  const height = options.height ?? 440;
  const margin = { left: 64, right: 290, top: 36, bottom: 48 };
  const points = options.series.flatMap((s) => s.points).filter((p) => p.x > 0 && p.y > 0);
  if (points.length === 0) {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="60"><text x="10" y="30" font-family="sans-serif" font-size="14">${escape(options.title)}: no data</text></svg>\n`;
  }
  // Axis ranges padded out to the neighbouring 1-2-5 steps; points just past an end stay drawn (within 1%).
  const pad = (v: number, down: boolean) => {
    const e = 10 ** Math.floor(Math.log10(v));
    const steps = [1, 2, 5, 10].map((m) => m * e);
    // Within 1% of a step is on it: 200,036 nodes ends the axis at 200k, not 500k.
    return down ? [...steps].reverse().find((s) => s <= v * 1.01) ?? e : steps.find((s) => s >= v * 0.99) ?? 10 * e;
  };
  const x0 = pad(Math.min(...points.map((p) => p.x)), true);
  const x1 = pad(Math.max(...points.map((p) => p.x)), false);
  const y0 = pad(Math.min(...points.map((p) => p.y)), true);
  const y1 = pad(Math.max(...points.map((p) => p.y)), false);
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const sx = (x: number) => margin.left + ((Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0) || 1)) * plotW;
  const sy = (y: number) => margin.top + plotH - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0) || 1)) * plotH;
  const f = (v: number) => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="${margin.left}" y="22" font-size="14" font-weight="bold">${escape(options.title)}</text>`,
  ];
  for (const t of ticks(x0, x1)) {
    out.push(`<line x1="${f(sx(t))}" y1="${margin.top}" x2="${f(sx(t))}" y2="${margin.top + plotH}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${f(sx(t))}" y="${margin.top + plotH + 16}" text-anchor="middle" fill="#444">${label(t)}</text>`);
  }
  for (const t of ticks(y0, y1)) {
    out.push(`<line x1="${margin.left}" y1="${f(sy(t))}" x2="${margin.left + plotW}" y2="${f(sy(t))}" stroke="#e0e0e0"/>`);
    out.push(`<text x="${margin.left - 6}" y="${f(sy(t) + 4)}" text-anchor="end" fill="#444">${label(t)}</text>`);
  }
  out.push(`<rect x="${margin.left}" y="${margin.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#888"/>`);
  out.push(`<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${escape(options.xLabel)}</text>`);
  out.push(`<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${escape(options.yLabel)}</text>`);
  if (options.linearGuide) {
    // Through the geometric middle of all points, clipped to the plot.
    const mx = Math.exp(points.reduce((a, p) => a + Math.log(p.x), 0) / points.length);
    const my = Math.exp(points.reduce((a, p) => a + Math.log(p.y), 0) / points.length);
    let a = x0;
    let b = x1;
    a = Math.max(a, (y0 * mx) / my);
    b = Math.min(b, (y1 * mx) / my);
    if (a < b) out.push(`<line x1="${f(sx(a))}" y1="${f(sy((my * a) / mx))}" x2="${f(sx(b))}" y2="${f(sy((my * b) / mx))}" stroke="#999" stroke-dasharray="5 4"/>`);
  }
  options.series.forEach((s, i) => {
    const colour = colours[i % colours.length];
    const pts = s.points.filter((p) => p.x > 0 && p.y > 0).sort((p, q) => p.x - q.x);
    if (pts.length > 1) out.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.map((p) => `${f(sx(p.x))},${f(sy(p.y))}`).join(' ')}"/>`);
    for (const p of pts) out.push(`<circle cx="${f(sx(p.x))}" cy="${f(sy(p.y))}" r="3.5" fill="${colour}"/>`);
    const ly = margin.top + 10 + i * 20;
    const lx = margin.left + plotW + 14;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`);
    out.push(`<text x="${lx + 24}" y="${ly + 4}">${escape(s.name)}</text>`);
  });
  if (options.linearGuide) {
    const ly = margin.top + 10 + options.series.length * 20;
    const lx = margin.left + plotW + 14;
    out.push(`<line x1="${lx}" y1="${ly}" x2="${lx + 18}" y2="${ly}" stroke="#999" stroke-dasharray="5 4"/>`);
    out.push(`<text x="${lx + 24}" y="${ly + 4}">∝ nodes (k = 1)</text>`);
  }
  out.push('</svg>');
  return out.join('\n') + '\n';
}
