// The bench's scale curve tools: the power-law fit (time ∝ nodes^k) and the log-log SVG chart.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { powerFit } from '../../../bench/lib/fit.js';
import { logLogChart } from '../../../bench/lib/svgChart.js';

test('the fit recovers the exponent and factor of an exact power law', () => {
  const points = [1e3, 5e3, 2e4, 5e4, 2e5].map((x) => ({ x, y: 0.003 * x ** 1.25 }));
  const fit = powerFit(points)!;
  assert.ok(Math.abs(fit.k - 1.25) < 1e-9, `k = ${fit.k}`);
  assert.ok(Math.abs(fit.c - 0.003) < 1e-9, `c = ${fit.c}`);
  assert.ok(Math.abs(fit.r2 - 1) < 1e-9);
});

test('the fit is least squares on log-log: a fixed cost at small sizes pulls k below the tail\'s slope', () => {
  const linearPlusFixed = [1e3, 1e4, 1e5].map((x) => ({ x, y: 100 + x / 10 }));
  const fit = powerFit(linearPlusFixed)!;
  assert.ok(fit.k > 0.5 && fit.k < 1, `k = ${fit.k}`);
  assert.ok(fit.r2 < 1);
});

test('the fit needs two usable points', () => {
  assert.equal(powerFit([{ x: 1000, y: 5 }]), undefined);
  assert.equal(powerFit([{ x: 1000, y: 5 }, { x: 2000, y: 0 }]), undefined);
  assert.equal(powerFit([{ x: 1000, y: 5 }, { x: 1000, y: 7 }]), undefined);
});

test('the chart draws one line and one legend entry per series, names escaped, on log axes', () => {
  const svg = logLogChart({
    title: 'Time <per> stage',
    xLabel: 'nodes',
    yLabel: 'ms',
    linearGuide: true,
    series: [
      { name: 'decode & index', points: [{ x: 1000, y: 10 }, { x: 10000, y: 100 }, { x: 100000, y: 1000 }] },
      { name: 'layout', points: [{ x: 1000, y: 5 }, { x: 100000, y: 400 }] },
    ],
  });
  assert.match(svg, /^<svg xmlns="http:\/\/www\.w3\.org\/2000\/svg"/);
  assert.match(svg, /<\/svg>\n$/);
  assert.equal(svg.match(/<polyline /g)?.length, 2);
  assert.equal(svg.match(/<circle /g)?.length, 5);
  assert.ok(svg.includes('decode &amp; index') && svg.includes('Time &lt;per&gt; stage'));
  assert.ok(!svg.includes('NaN'));
  // Decades labelled on the node axis: 1k, 10k, 100k.
  for (const tick of ['>1k<', '>10k<', '>100k<']) assert.ok(svg.includes(tick), tick);
  // The first series rises by equal steps per decade: equal y differences between its points on screen.
  const line = svg.match(/<polyline [^>]*points="([^"]+)"/)![1].split(' ').map((p) => p.split(',').map(Number));
  assert.ok(Math.abs((line[0][1] - line[1][1]) - (line[1][1] - line[2][1])) < 0.2);
  assert.ok(Math.abs((line[1][0] - line[0][0]) - (line[2][0] - line[1][0])) < 0.2);
});

test('a chart without data says so instead of drawing empty axes', () => {
  assert.match(logLogChart({ title: 'Scale', xLabel: 'x', yLabel: 'y', series: [] }), /Scale: no data/);
});
